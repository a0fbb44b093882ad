/**
 * The annotations that declare e3j kernels: {@link dev.e3j.annotations.TensorProduct},
 * {@link dev.e3j.annotations.SphericalHarmonics} and {@link dev.e3j.annotations.Linear}. They have source retention,
 * so a modular project needs this module only at compile time: {@code requires static dev.e3j.annotations;}.
 */
module dev.e3j.annotations {
    exports dev.e3j.annotations;
}
