/**
 * Checks for user code and tests: {@link dev.e3j.runtime.testing.Equivariance} (equivariance of any map between
 * irreps) and {@link dev.e3j.runtime.testing.PotentialChecks} (forces and stress of an interatomic potential against
 * finite differences).
 */
package dev.e3j.runtime.testing;
