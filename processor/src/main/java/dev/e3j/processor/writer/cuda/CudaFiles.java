package dev.e3j.processor.writer.cuda;

/** Names and the common opening of the emitted {@code .cu} files. */
public final class CudaFiles {

    /** The CPU stand-in for the CUDA runtime, a resource of the processor jar (see the file itself). */
    public static final String HOST_SHIM = "META-INF/e3j/cuda/e3j_cuda_host_shim.h";

    private CudaFiles() {
    }

    /** {@code META-INF/e3j/cuda/<binary name>.cu}. */
    public static String resourceName(String binaryName) {
        return "META-INF/e3j/cuda/" + binaryName + ".cu";
    }

    /** {@code e3j_} and the binary name with {@code .} and {@code $} as {@code _}: a C identifier. */
    public static String symbolPrefix(String binaryName) {
        return "e3j_" + binaryName.replace('.', '_').replace('$', '_');
    }

    /**
     * Includes and the launch macro: nvcc gets the CUDA runtime and {@code <<<...>>>}; any other C++20 compiler
     * gets {@code e3j_cuda_host_shim.h}, which runs the grid on CPU threads.
     */
    static void prologue(CudaCode code) {
        code.blank()
                .line("#include <cstdint>")
                .blank()
                .line("#ifdef __CUDACC__")
                .line("#include <cuda_runtime.h>")
                .line("#define E3J_LAUNCH(kernel, grid, block, stream, ...) "
                        + "kernel<<<(grid), (block), 0, (stream)>>>(__VA_ARGS__)")
                .line("#else")
                .line("#include \"e3j_cuda_host_shim.h\"")
                .line("#endif")
                .blank();
    }
}
