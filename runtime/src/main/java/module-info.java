/**
 * What generated e3j kernels and the networks built from them use at run time: irreps, rotations, Wigner D matrices,
 * the kernel interfaces ({@code dev.e3j.runtime}), neural-network building blocks ({@code dev.e3j.runtime.nn}),
 * PyTorch {@code state_dict} files ({@code dev.e3j.runtime.io}) and whole models ({@code dev.e3j.runtime.model}).
 * No dependencies. A modular project that uses generated kernels declares {@code requires dev.e3j.runtime;}. Every
 * package but {@code internal} is exported (ModuleExportsTest checks that a new one is too).
 */
module dev.e3j.runtime {
    exports dev.e3j.runtime;
    exports dev.e3j.runtime.graph;
    exports dev.e3j.runtime.io;
    exports dev.e3j.runtime.math;
    exports dev.e3j.runtime.md;
    exports dev.e3j.runtime.model;
    exports dev.e3j.runtime.nn;
    exports dev.e3j.runtime.o3;
    exports dev.e3j.runtime.optim;
    exports dev.e3j.runtime.testing;
}
