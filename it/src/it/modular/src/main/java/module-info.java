/** A modular user of e3j: the run-time library as a module, the source-retention annotations at compile time only. */
module demo.modular {
    requires dev.e3j.runtime;
    requires static dev.e3j.annotations;
}
