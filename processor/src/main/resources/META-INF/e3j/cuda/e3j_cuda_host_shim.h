// e3j_cuda_host_shim.h: runs e3j's generated CUDA sources on the CPU, for testing without a GPU.
//
// A generated .cu file includes this header instead of the CUDA runtime when it is compiled by a plain C++
// compiler (g++ -std=c++17 -pthread -x c++ kernel.cu -I<dir of this header>). Each launch runs the grid's blocks
// one after the other; the threads of a block run as POSIX threads, so __syncthreads() is a true barrier, __shared__ arrays
// are shared by the block, and atomicAdd is atomic. Device pointers are host pointers and streams are ignored.
// It is a correctness tool: one OS thread per CUDA thread is slow, keep batches small.
#ifndef E3J_CUDA_HOST_SHIM_H
#define E3J_CUDA_HOST_SHIM_H

#ifdef __CUDACC__
#error "e3j_cuda_host_shim.h is for host compilers only; nvcc uses the CUDA runtime"
#endif

// Only C headers: this header is compiled once per kernel file, and the C++ thread library is slow to parse.
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
// One block runs at a time, so a function-local static array is exactly one block's shared memory.
#define __shared__ static

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

inline thread_local dim3 threadIdx;
inline thread_local dim3 blockIdx;
inline dim3 blockDim;
inline dim3 gridDim;

struct CUstream_st;
using cudaStream_t = CUstream_st*;
using cudaError_t = int;
constexpr cudaError_t cudaSuccess = 0;
constexpr cudaError_t cudaErrorInvalidValue = 1;

inline cudaError_t cudaGetLastError() { return cudaSuccess; }

inline cudaError_t cudaMemsetAsync(void* pointer, int value, size_t bytes, cudaStream_t) {
    memset(pointer, value, bytes);
    return cudaSuccess;
}

namespace e3j_host_shim {
inline pthread_barrier_t block_barrier;
inline pthread_mutex_t atomic_mutex = PTHREAD_MUTEX_INITIALIZER;

template <typename Body>
struct ThreadStart {
    const Body* body;
    unsigned block;
    unsigned thread;
};

template <typename Body>
void* runThread(void* argument) {
    const ThreadStart<Body>* start = static_cast<const ThreadStart<Body>*>(argument);
    blockIdx = dim3(start->block);
    threadIdx = dim3(start->thread);
    (*start->body)();
    return nullptr;
}

/** Runs kernel(args...) for every thread of a one-dimensional grid, block by block. */
template <typename Kernel, typename... Args>
void launch(dim3 grid, dim3 block, Kernel kernel, Args... args) {
    gridDim = grid;
    blockDim = block;
    auto body = [&] { kernel(args...); };
    ThreadStart<decltype(body)>* starts = new ThreadStart<decltype(body)>[block.x];
    pthread_t* threads = new pthread_t[block.x];
    for (unsigned b = 0; b < grid.x; b++) {
        pthread_barrier_init(&block_barrier, nullptr, block.x);
        for (unsigned t = 0; t < block.x; t++) {
            starts[t] = {&body, b, t};
            pthread_create(&threads[t], nullptr, runThread<decltype(body)>, &starts[t]);
        }
        for (unsigned t = 0; t < block.x; t++) {
            pthread_join(threads[t], nullptr);
        }
        pthread_barrier_destroy(&block_barrier);
    }
    delete[] threads;
    delete[] starts;
}
}  // namespace e3j_host_shim

inline void __syncthreads() { pthread_barrier_wait(&e3j_host_shim::block_barrier); }

template <typename T>
inline T atomicAdd(T* address, T value) {
    pthread_mutex_lock(&e3j_host_shim::atomic_mutex);
    T old = *address;
    *address = old + value;
    pthread_mutex_unlock(&e3j_host_shim::atomic_mutex);
    return old;
}

#define E3J_LAUNCH(kernel, grid, block, stream, ...) e3j_host_shim::launch(grid, block, kernel, __VA_ARGS__)

#endif  // E3J_CUDA_HOST_SHIM_H
