// e3j_cuda_check: runs e3j's emitted CUDA kernels from a shared library on check cases and reports the largest
// errors, and optionally their throughput.
//
//   e3j_cuda_check LIBRARY CASE_FILE... [--bench | --bench-max=N]
//
// LIBRARY is built from the emitted .cu files: with nvcc (GPU) or with g++ and e3j_cuda_host_shim.h (CPU). This
// file is compiled the same way: with nvcc it moves data to the GPU and times with CUDA events; compiled by a
// plain C++ compiler, "device" memory is host memory. Kernels are looked up by name (dlsym), as ctypes would.
//
// A case file is text (numbers in any strtod format; e3j writes exact hexadecimal):
//   tensor_product PREFIX NAME BATCH DIM_IN1 DIM_IN2 DIM_OUT WEIGHT_NUMEL SHARED_WEIGHTS SQUARE BENCH_BATCH
//     x1 x2 weights grad_out | expected: out grad_x1 grad_x2 grad_weights
//   spherical_harmonics PREFIX NAME N DIM BENCH_N
//     xyz grad_out | expected: out grad_xyz
// (x2 and grad_x2 are absent for a square). Each case runs in float and double; an array passes when
// max |actual - expected| <= tolerance * max(1, max |expected|), tolerance 1e-12 (double) or 1e-5 (float).
// With --bench, cases with a bench size also run on random inputs of that size: forward and forward+backward,
// best of 5 after a warm-up; --bench-max=N caps the size (for the CPU build, where each CUDA thread is an OS
// thread). Exit status 0 when every array passes.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#ifdef __CUDACC__
#include <cuda_runtime.h>
#endif

namespace {

using Stream = void*;

/** Device memory (host memory without CUDA) holding a copy of a host vector of T. */
template <typename T>
class DeviceArray {
public:
    DeviceArray(const std::vector<T>& host, bool present = true) : size_(host.size()) {
        if (!present) {
            return;
        }
#ifdef __CUDACC__
        check(cudaMalloc(&data_, std::max<size_t>(1, size_) * sizeof(T)), "cudaMalloc");
        check(cudaMemcpy(data_, host.data(), size_ * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy");
#else
        data_ = static_cast<T*>(std::malloc(std::max<size_t>(1, size_) * sizeof(T)));
        std::copy(host.begin(), host.end(), data_);
#endif
    }
    DeviceArray(const DeviceArray&) = delete;
    DeviceArray& operator=(const DeviceArray&) = delete;
    ~DeviceArray() {
#ifdef __CUDACC__
        cudaFree(data_);
#else
        std::free(data_);
#endif
    }
    T* get() const { return data_; }
    std::vector<T> copyToHost() const {
        std::vector<T> host(size_);
#ifdef __CUDACC__
        check(cudaMemcpy(host.data(), data_, size_ * sizeof(T), cudaMemcpyDeviceToHost), "cudaMemcpy");
#else
        std::copy(data_, data_ + size_, host.begin());
#endif
        return host;
    }

private:
    static void check(int status, const char* what) {
        if (status != 0) {
            std::fprintf(stderr, "%s failed with CUDA error %d\n", what, status);
            std::exit(2);
        }
    }
    T* data_ = nullptr;
    size_t size_;
};

void synchronize() {
#ifdef __CUDACC__
    cudaDeviceSynchronize();
#endif
}

/** Milliseconds of the fastest of 5 runs of f, after one warm-up run. */
template <typename F>
double bestOf5(F f) {
    f();
    synchronize();
    double best = 1e300;
    for (int run = 0; run < 5; run++) {
#ifdef __CUDACC__
        cudaEvent_t start, stop;
        cudaEventCreate(&start);
        cudaEventCreate(&stop);
        cudaEventRecord(start);
        f();
        cudaEventRecord(stop);
        cudaEventSynchronize(stop);
        float ms = 0;
        cudaEventElapsedTime(&ms, start, stop);
        cudaEventDestroy(start);
        cudaEventDestroy(stop);
        best = std::min(best, static_cast<double>(ms));
#else
        auto start = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                                      .count());
#endif
    }
    return best;
}

void* library = nullptr;

void* symbol(const std::string& name) {
    void* found = dlsym(library, name.c_str());
    if (found == nullptr) {
        std::fprintf(stderr, "missing symbol %s\n", name.c_str());
        std::exit(2);
    }
    return found;
}

std::vector<double> read(std::istream& in, int64_t count) {
    std::vector<double> values(static_cast<size_t>(count));
    std::string token;
    for (auto& value : values) {
        in >> token;
        value = std::strtod(token.c_str(), nullptr);
    }
    return values;
}

template <typename T>
std::vector<T> as(const std::vector<double>& values) {
    return std::vector<T>(values.begin(), values.end());
}

std::vector<double> randomValues(int64_t count, std::mt19937_64& rng) {
    std::normal_distribution<double> normal;
    std::vector<double> values(static_cast<size_t>(count));
    for (auto& value : values) {
        value = normal(rng);
    }
    return values;
}

bool failed = false;

/** Prints "name max_error" and records a failure above tolerance. */
template <typename T>
void compare(const char* name, const std::vector<T>& actual, const std::vector<double>& expected, double tolerance) {
    double scale = 1;
    double error = 0;
    for (size_t n = 0; n < expected.size(); n++) {
        scale = std::max(scale, std::fabs(expected[n]));
        double difference = std::fabs(static_cast<double>(actual[n]) - expected[n]);
        error = std::isnan(difference) ? INFINITY : std::max(error, difference);
    }
    bool pass = error <= tolerance * scale;
    failed |= !pass;
    std::printf(" %s %.3g%s", name, error, pass ? "" : " FAIL");
}

template <typename T>
struct TensorProductApi {
    using Forward = int (*)(const T*, const T*, const T*, T*, int64_t, Stream);
    using Backward = int (*)(const T*, const T*, const T*, const T*, T*, T*, T*, int64_t, Stream);
    Forward forward;
    Backward backward;
};

struct TensorProductCase {
    std::string prefix, name;
    int64_t batch, dimIn1, dimIn2, dimOut, weightNumel, benchBatch;
    bool sharedWeights, square;
    std::vector<double> x1, x2, weights, gradOut, out, gradX1, gradX2, gradWeights;
};

void status(int code, const char* what) {
    if (code != 0) {
        std::fprintf(stderr, "%s returned CUDA error %d\n", what, code);
        std::exit(2);
    }
}

template <typename T>
void runTensorProduct(const TensorProductCase& c, int64_t benchMax) {
    const char* suffix = sizeof(T) == 8 ? "f64" : "f32";
    double tolerance = sizeof(T) == 8 ? 1e-12 : 1e-5;
    TensorProductApi<T> api{
        reinterpret_cast<typename TensorProductApi<T>::Forward>(symbol(c.prefix + "_forward_" + suffix)),
        reinterpret_cast<typename TensorProductApi<T>::Backward>(symbol(c.prefix + "_backward_" + suffix))};
    DeviceArray<T> x1(as<T>(c.x1)), x2(as<T>(c.x2), !c.square), weights(as<T>(c.weights));
    DeviceArray<T> gradOut(as<T>(c.gradOut));
    DeviceArray<T> out(std::vector<T>(c.out.size(), T(7)));
    DeviceArray<T> gradX1(std::vector<T>(c.gradX1.size(), T(7))), gradX2(std::vector<T>(c.gradX2.size(), T(7)), !c.square);
    DeviceArray<T> gradWeights(std::vector<T>(c.gradWeights.size(), T(7)));
    status(api.forward(x1.get(), x2.get(), weights.get(), out.get(), c.batch, nullptr), "forward");
    status(api.backward(x1.get(), x2.get(), weights.get(), gradOut.get(), gradX1.get(), gradX2.get(),
                        gradWeights.get(), c.batch, nullptr), "backward");
    synchronize();
    std::printf("%-40s %s", c.name.c_str(), suffix);
    compare("out", out.copyToHost(), c.out, tolerance);
    compare("grad_x1", gradX1.copyToHost(), c.gradX1, tolerance);
    if (!c.square) {
        compare("grad_x2", gradX2.copyToHost(), c.gradX2, tolerance);
    }
    compare("grad_weights", gradWeights.copyToHost(), c.gradWeights, tolerance);
    std::printf("\n");
    if (benchMax > 0 && c.benchBatch > 0) {
        std::mt19937_64 rng(1);
        int64_t n = std::min(c.benchBatch, benchMax);
        int64_t weightsLength = c.sharedWeights ? c.weightNumel : c.weightNumel * n;
        DeviceArray<T> bx1(as<T>(randomValues(n * c.dimIn1, rng))), bx2(as<T>(randomValues(n * c.dimIn2, rng)), !c.square);
        DeviceArray<T> bw(as<T>(randomValues(weightsLength, rng))), bgo(as<T>(randomValues(n * c.dimOut, rng)));
        DeviceArray<T> bout{std::vector<T>(n * c.dimOut)}, bg1{std::vector<T>(n * c.dimIn1)},
            bg2{std::vector<T>(n * c.dimIn2), !c.square}, bgw{std::vector<T>(weightsLength)};
        double forward = bestOf5([&] { api.forward(bx1.get(), bx2.get(), bw.get(), bout.get(), n, nullptr); });
        double both = bestOf5([&] {
            api.forward(bx1.get(), bx2.get(), bw.get(), bout.get(), n, nullptr);
            api.backward(bx1.get(), bx2.get(), bw.get(), bgo.get(), bg1.get(), bg2.get(), bgw.get(), n, nullptr);
        });
        std::printf("%-40s %s bench batch %lld: forward %.3f ms (%.1f M samples/s), fwd+bwd %.3f ms\n",
                    c.name.c_str(), suffix, static_cast<long long>(n), forward, n / forward / 1e3, both);
    }
}

template <typename T>
void runHarmonics(const std::string& prefix, const std::string& name, int64_t n, int64_t dim, int64_t benchN,
                  const std::vector<double>& xyz, const std::vector<double>& gradOut, const std::vector<double>& out,
                  const std::vector<double>& gradXyz, int64_t benchMax) {
    const char* suffix = sizeof(T) == 8 ? "f64" : "f32";
    double tolerance = sizeof(T) == 8 ? 1e-12 : 1e-5;
    using Forward = int (*)(const T*, T*, int64_t, Stream);
    using Backward = int (*)(const T*, const T*, T*, int64_t, Stream);
    auto forward = reinterpret_cast<Forward>(symbol(prefix + "_forward_" + suffix));
    auto backward = reinterpret_cast<Backward>(symbol(prefix + "_backward_" + suffix));
    DeviceArray<T> dxyz(as<T>(xyz)), dgo(as<T>(gradOut)), dout(std::vector<T>(out.size(), T(7))),
        dgxyz(std::vector<T>(gradXyz.size(), T(7)));
    status(forward(dxyz.get(), dout.get(), n, nullptr), "forward");
    status(backward(dxyz.get(), dgo.get(), dgxyz.get(), n, nullptr), "backward");
    synchronize();
    std::printf("%-40s %s", name.c_str(), suffix);
    compare("out", dout.copyToHost(), out, tolerance);
    compare("grad_xyz", dgxyz.copyToHost(), gradXyz, tolerance);
    std::printf("\n");
    if (benchMax > 0 && benchN > 0) {
        benchN = std::min(benchN, benchMax);
        std::mt19937_64 rng(1);
        DeviceArray<T> bxyz(as<T>(randomValues(3 * benchN, rng))), bgo(as<T>(randomValues(benchN * dim, rng)));
        DeviceArray<T> bout{std::vector<T>(benchN * dim)}, bg{std::vector<T>(3 * benchN)};
        double f = bestOf5([&] { forward(bxyz.get(), bout.get(), benchN, nullptr); });
        double both = bestOf5([&] {
            forward(bxyz.get(), bout.get(), benchN, nullptr);
            backward(bxyz.get(), bgo.get(), bg.get(), benchN, nullptr);
        });
        std::printf("%-40s %s bench n %lld: forward %.3f ms (%.2f ns/point), fwd+bwd %.3f ms\n", name.c_str(), suffix,
                    static_cast<long long>(benchN), f, f * 1e6 / benchN, both);
    }
}

void runFile(const char* path, int64_t benchMax) {
    std::ifstream in(path);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path);
        std::exit(2);
    }
    std::string kind;
    in >> kind;
    if (kind == "tensor_product") {
        TensorProductCase c;
        int shared = 0, square = 0;
        in >> c.prefix >> c.name >> c.batch >> c.dimIn1 >> c.dimIn2 >> c.dimOut >> c.weightNumel >> shared >> square >>
            c.benchBatch;
        c.sharedWeights = shared != 0;
        c.square = square != 0;
        int64_t weightsLength = c.sharedWeights ? c.weightNumel : c.weightNumel * c.batch;
        c.x1 = read(in, c.batch * c.dimIn1);
        if (!c.square) {
            c.x2 = read(in, c.batch * c.dimIn2);
        }
        c.weights = read(in, weightsLength);
        c.gradOut = read(in, c.batch * c.dimOut);
        c.out = read(in, c.batch * c.dimOut);
        c.gradX1 = read(in, c.batch * c.dimIn1);
        if (!c.square) {
            c.gradX2 = read(in, c.batch * c.dimIn2);
        }
        c.gradWeights = read(in, weightsLength);
        runTensorProduct<float>(c, benchMax);
        runTensorProduct<double>(c, benchMax);
    } else if (kind == "spherical_harmonics") {
        std::string prefix, name;
        int64_t n, dim, benchN;
        in >> prefix >> name >> n >> dim >> benchN;
        auto xyz = read(in, 3 * n), gradOut = read(in, n * dim), out = read(in, n * dim), gradXyz = read(in, 3 * n);
        runHarmonics<float>(prefix, name, n, dim, benchN, xyz, gradOut, out, gradXyz, benchMax);
        runHarmonics<double>(prefix, name, n, dim, benchN, xyz, gradOut, out, gradXyz, benchMax);
    } else {
        std::fprintf(stderr, "%s: unknown case kind '%s'\n", path, kind.c_str());
        std::exit(2);
    }
    if (!in) {
        std::fprintf(stderr, "%s: truncated\n", path);
        std::exit(2);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s LIBRARY CASE_FILE... [--bench | --bench-max=N]\n", argv[0]);
        return 2;
    }
    library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        std::fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
        return 2;
    }
    int64_t benchMax = 0;
    std::vector<const char*> files;
    for (int a = 2; a < argc; a++) {
        std::string argument = argv[a];
        if (argument == "--bench") {
            benchMax = INT64_MAX;
        } else if (argument.rfind("--bench-max=", 0) == 0) {
            benchMax = std::strtoll(argument.c_str() + 12, nullptr, 10);
        } else {
            files.push_back(argv[a]);
        }
    }
    for (const char* file : files) {
        runFile(file, benchMax);
    }
    std::printf(failed ? "FAILED\n" : "ALL PASSED\n");
    return failed ? 1 : 0;
}
