/**
 * Trained weights in: {@link dev.e3j.runtime.io.StateDict#read(java.nio.file.Path)} reads the named tensors of a model
 * from
 * <ul>
 *   <li>a <b>safetensors</b> file (dtypes {@code F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL}; the string map
 *       {@code __metadata__}), or</li>
 *   <li>a <b>PyTorch</b> {@code torch.save(model.state_dict())} file in the zip format of PyTorch 1.6 and later
 *       ({@code <folder>/data.pkl}, {@code <folder>/data/<key>}, {@code <folder>/byteorder}).</li>
 * </ul>
 * and gives each {@link dev.e3j.runtime.io.Tensor} by name: its {@link dev.e3j.runtime.io.DType}, its shape, and its
 * elements as row-major {@code double[]}, {@code float[]} or {@code long[]} converted from the stored type; PyTorch
 * views (transposed, strided, offset into a shared storage) come out in row-major order of their shape.
 *
 * <p>Guarantees:
 * <ul>
 *   <li><b>No code runs.</b> PyTorch pickles are read like {@code torch.load(weights_only=True)}: only
 *       {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_parameter} and the
 *       storage types are resolved, nothing else is called or constructed, and any other global or opcode is an
 *       error.</li>
 *   <li><b>Bad files are {@link java.io.IOException}s</b> naming the file, the tensor and what was expected: truncated
 *       data, header lengths beyond the file, overlapping or escaping offsets, shapes that disagree with their bytes,
 *       unknown dtypes, malformed JSON, compressed records. Every length read from a file is checked against the file
 *       before anything is allocated from it, so a hostile header cannot cause an {@link OutOfMemoryError}.</li>
 *   <li><b>Files are mapped, not read:</b> tensor data is copied once, into the array returned; the file must not
 *       change while its {@code StateDict} is in use.</li>
 * </ul>
 *
 * <p>Atomic structures in and out: {@link dev.e3j.runtime.io.ExtXyz} reads and writes extended XYZ files as ASE does
 * (structures with their cell and periodicity, energies, forces and stresses), for trajectories and data sets.
 */
package dev.e3j.runtime.io;
