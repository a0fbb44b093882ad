/**
 * Optimizers for training generated models: {@link dev.e3j.runtime.optim.Adam}.
 */
package dev.e3j.runtime.optim;
