/**
 * The rotation group O(3) as e3nn's {@code o3} has it: {@link dev.e3j.runtime.o3.Rotations} (matrices, Euler angles,
 * axis-angle, random rotations), {@link dev.e3j.runtime.o3.WignerD} (the irreps' representation matrices) and {@link
 * dev.e3j.runtime.o3.Wigner3j} (Clebsch–Gordan tensors in floating point).
 */
package dev.e3j.runtime.o3;
