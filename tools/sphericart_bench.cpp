// Times sphericart's CPU spherical harmonics per point, for tools/bench_kernels.sh: values (pass "forward") and values
// with their gradients (pass "backward": sphericart's compute_array_with_gradients, the full Jacobian), float64 and
// float32, l = 0..lmax for each --lmax, on one thread (build sphericart without OpenMP), over --points points drawn
// uniform in [-1, 1)^3, one compute_array call per timing, --warmup untimed calls then --repeats timed ones.
// Writes one JSON object of peer timings (benchmarks' PeerTimings): best and median nanoseconds per point.
//
//   g++ -std=c++17 -O3 -march=native -DNDEBUG -I<sphericart>/sphericart/include
//       tools/sphericart_bench.cpp <sphericart>/sphericart/src/sphericart.cpp -o sphericart_bench
//   ./sphericart_bench --out sphericart.json --version 2.0.3 --compiler "g++ 12.2.0" --flags "-O3 -march=native"
//       [--lmax 3,6] [--precisions f64,f32] [--passes forward,backward] [--points 100000] [--warmup 10] [--repeats 20]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sphericart.hpp"

namespace {

struct Timing {
    double best;
    double median;
};

std::vector<std::string> split(const std::string& list) {
    std::vector<std::string> items;
    std::stringstream stream(list);
    std::string item;
    while (std::getline(stream, item, ',')) {
        items.push_back(item);
    }
    return items;
}

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

template <typename Call> Timing nanosecondsPerPoint(Call call, std::size_t points, int warmup, int repeats) {
    for (int i = 0; i < warmup; i++) {
        call();
    }
    std::vector<double> times;
    for (int i = 0; i < repeats; i++) {
        auto start = std::chrono::steady_clock::now();
        call();
        auto end = std::chrono::steady_clock::now();
        times.push_back(std::chrono::duration<double, std::nano>(end - start).count() / points);
    }
    std::sort(times.begin(), times.end());
    std::size_t n = times.size();
    double median = n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    return {times.front(), median};
}

template <typename T>
Timing timeHarmonics(std::size_t lmax, bool gradients, std::size_t points, int warmup, int repeats) {
    std::mt19937_64 random(20240917);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    std::vector<T> xyz(3 * points);
    for (auto& coordinate : xyz) {
        coordinate = static_cast<T>(uniform(random));
    }
    std::size_t components = (lmax + 1) * (lmax + 1);
    std::vector<T> sph(points * components);
    std::vector<T> dsph(gradients ? 3 * points * components : 0);
    sphericart::SphericalHarmonics<T> calculator(lmax);
    if (gradients) {
        return nanosecondsPerPoint([&] {
            calculator.compute_array_with_gradients(xyz.data(), xyz.size(), sph.data(), sph.size(), dsph.data(),
                                                    dsph.size());
        }, points, warmup, repeats);
    }
    return nanosecondsPerPoint([&] {
        calculator.compute_array(xyz.data(), xyz.size(), sph.data(), sph.size());
    }, points, warmup, repeats);
}

std::string utcNow() {
    std::time_t now = std::time(nullptr);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    return text;
}

int atLeast(const std::map<std::string, std::string>& options, const std::string& name, int minimum) {
    int value = std::stoi(options.at(name));
    if (value < minimum) {
        throw std::invalid_argument("--" + name + " must be at least " + std::to_string(minimum) + ", got "
                                    + options.at(name));
    }
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> options = {
        {"lmax", "3,6"}, {"precisions", "f64,f32"}, {"passes", "forward,backward"}, {"points", "100000"},
        {"warmup", "10"}, {"repeats", "20"}, {"out", ""}, {"version", ""}, {"compiler", ""}, {"flags", ""}};
    for (int i = 1; i < argc; i += 2) {
        std::string name = argv[i];
        if (name.rfind("--", 0) != 0 || options.count(name.substr(2)) == 0 || i + 1 >= argc) {
            std::cerr << "unknown option or missing value: " << name << "\n";
            return 2;
        }
        options[name.substr(2)] = argv[i + 1];
    }
    if (options["out"].empty()) {
        std::cerr << "--out is required\n";
        return 2;
    }
    try {
        std::size_t points = atLeast(options, "points", 1);
        int warmup = atLeast(options, "warmup", 0);
        int repeats = atLeast(options, "repeats", 1);
        std::string started = utcNow();
        std::ostringstream results;
        const char* separator = "";
        for (const auto& lmax : split(options["lmax"])) {
            for (const auto& precision : split(options["precisions"])) {
                for (const auto& pass : split(options["passes"])) {
                    if ((precision != "f64" && precision != "f32") || (pass != "forward" && pass != "backward")) {
                        throw std::invalid_argument("precision must be f64 or f32 and pass forward or backward, got "
                                                    + precision + " and " + pass);
                    }
                    bool gradients = pass == "backward";
                    std::size_t l = std::stoul(lmax);
                    Timing timing = precision == "f64" ? timeHarmonics<double>(l, gradients, points, warmup, repeats)
                                                       : timeHarmonics<float>(l, gradients, points, warmup, repeats);
                    char row[256];
                    std::snprintf(row, sizeof row,
                                  "{\"config\": \"sh-lmax%zu\", \"precision\": \"%s\", \"pass\": \"%s\","
                                  " \"batch\": %zu, \"best\": %.3f, \"median\": %.3f}",
                                  l, precision.c_str(), pass.c_str(), points, timing.best, timing.median);
                    std::cout << row << std::endl;
                    results << separator << "\n  " << row;
                    separator = ",";
                }
            }
        }
        std::ofstream out(options["out"]);
        out << "{\"peer\": \"sphericart\",\n \"versions\": {\"sphericart\": " << quoted(options["version"])
            << ", \"compiler\": " << quoted(options["compiler"]) << ", \"flags\": " << quoted(options["flags"])
            << "},\n \"settings\": {\"threads\": 1, \"points\": " << points << ", \"warmup\": " << warmup
            << ", \"repeats\": " << repeats << "},\n \"started\": \"" << started
            << "\",\n \"unit\": \"ns/point\",\n \"results\": [" << results.str() << "]}\n";
        if (!out) {
            std::cerr << "cannot write " << options["out"] << "\n";
            return 1;
        }
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 2;
    }
    return 0;
}
