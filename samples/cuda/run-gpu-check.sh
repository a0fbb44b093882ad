#!/usr/bin/env bash
# Builds every CUDA source e3j emitted for the check bundle into one shared library, runs all check cases (the
# e3nn reference cases of tensor_products.json and spherical_harmonics.json, and the benchmark configurations of
# /work/shared/bench against the Java kernels) in float and double, then times the benchmark configurations at
# their full sizes. Prints the largest error per array and the throughput; exits non-zero on any failure.
#
#   samples/cuda/run-gpu-check.sh [--host] [BUNDLE]
#
# BUNDLE is the directory CudaKernelsTest writes (default: processor/target/e3j-cuda-check); when it is missing
# and Maven is available, the test is run to produce it. --host builds with g++ and e3j_cuda_host_shim.h instead
# of nvcc: no GPU needed, each CUDA thread becomes an OS thread, and benchmark sizes are capped at 8 (the timing
# path runs; its numbers mean nothing).
# On a GPU it takes about a minute to build (one nvcc per kernel, in parallel) and seconds to run.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mode=gpu
if [[ "${1:-}" == "--host" ]]; then
    mode=host
    shift
fi
bundle="${1:-$root/processor/target/e3j-cuda-check}"

if [[ ! -d "$bundle/kernels" ]]; then
    if ! command -v mvn >/dev/null; then
        echo "no check bundle at $bundle and no mvn to make one: run CudaKernelsTest, or pass its directory" >&2
        exit 2
    fi
    echo "== generating the check bundle (CudaKernelsTest)"
    (cd "$root" && mvn -q -B -pl processor -am verify -Dtest=CudaKernelsTest -Dsurefire.failIfNoSpecifiedTests=false)
fi

build="$(mktemp -d "${TMPDIR:-/tmp}/e3j-cuda-check.XXXXXX")"
trap 'rm -rf "$build"' EXIT
jobs="$(nproc 2>/dev/null || echo 2)"
kernels=("$bundle"/kernels/*.cu)
echo "== $mode build of ${#kernels[@]} kernels in $build ($jobs parallel jobs)"
start=$(date +%s)
if [[ "$mode" == gpu ]]; then
    command -v nvcc >/dev/null || { echo "nvcc not found (use --host for the CPU build)" >&2; exit 2; }
    nvidia-smi --query-gpu=name,compute_cap,driver_version --format=csv,noheader || true
    arch=(-arch=native)
    printf '%s\n' "${kernels[@]}" | xargs -P "$jobs" -I{} sh -c \
        'nvcc -O3 -std=c++17 -Xcompiler -fPIC,-Wall,-Werror --Werror all-warnings "$0" -c -o "$1/$(basename "$0").o" "$2"' \
        {} "$build" "${arch[@]}"
    nvcc -shared "${arch[@]}" -o "$build/libe3j_kernels.so" "$build"/*.o
    nvcc -O2 -std=c++17 "${arch[@]}" -x cu "$here/e3j_cuda_check.cpp" -o "$build/e3j_cuda_check" -ldl
    bench=(--bench)
else
    printf '%s\n' "${kernels[@]}" | xargs -P "$jobs" -I{} sh -c \
        'g++ -O2 -std=c++17 -Wall -Werror -fPIC -pthread -I"$(dirname "$0")" -x c++ -c "$0" -o "$1/$(basename "$0").o"' \
        {} "$build"
    g++ -shared -pthread -o "$build/libe3j_kernels.so" "$build"/*.o
    g++ -O2 -std=c++17 -Wall -Werror -pthread "$here/e3j_cuda_check.cpp" -o "$build/e3j_cuda_check" -ldl
    bench=(--bench-max=8)
fi
echo "== built in $(( $(date +%s) - start )) s; checking $(ls "$bundle"/cases/*.case | wc -l) cases"
"$build/e3j_cuda_check" "$build/libe3j_kernels.so" "$bundle"/cases/*.case "${bench[@]}"
