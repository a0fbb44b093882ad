#!/usr/bin/env bash
# The kernel benchmark, side by side, in one run: e3nn 0.5.4 (tools/bench_e3nn_kernels.py, Debian's python3-torch)
# on the configurations of benchmarks' Configuration, sphericart built here from its C++ source with g++
# (tools/sphericart_bench.cpp) on the spherical harmonics per point, and JMH's KernelBenchmark,
# SphericalHarmonicsPointBenchmark, PeakFlopsBenchmark and BandwidthBenchmark with the README's settings
# (-f 1 -i 3 -r 1s, the default 5 x 2 s warm-up); then Report divides only numbers measured in this run, and prints
# the date, the machine and the peers' versions. Everything lands in the output folder (default
# target/bench-kernels): configurations.json, e3nn*.json, sphericart*.json, jmh*.json, load.txt and report.md.
#
#   export PYTHONPATH=/work/refenv/e3nn-0.5.4:...   (e3nn 0.5.4, reference/models/README.md)
#   mvn -B -q package -DskipTests && tools/bench_kernels.sh [options]
#
# Options:
#   --order interleaved   (default) each configuration: e3nn, then e3j, then e3nn again; the harmonics per point:
#                         sphericart, e3j, sphericart. Report takes each peer row's best and prints how far its
#                         two runs lay apart, so a machine that drifted during the run shows.
#   --order back-to-back  every peer once, then one JMH run of the whole suite (shorter: the peers run once).
#   --configs a,b         configuration names (default: all of PeerConfigurations); --precisions f64,f32;
#                         --passes forward,backward: narrow both sides alike.
#   --threads N           e3nn's torch threads and the e3j kernels' fork/join parallelism (default 2).
#   --repeats N           e3nn's timed calls per row, best of N (default 5, after 3 untimed).
#   --sphericart PATH     a sphericart checkout or git directory (default: clone $SPHERICART_REPO at
#                         $SPHERICART_REF, v2.0.3); --no-sphericart leaves it out (its ratios print as n/a).
#   --jmh "ARGS"          extra JMH arguments the settings above leave alone, e.g. "-prof gc".
#   --smoke               one call per peer row and one JMH iteration of 1 s: checks that the command works, measures
#                         nothing. E.g. tools/bench_kernels.sh --smoke --configs sh-lmax3 --precisions f64
#                         --passes forward --out target/bench-smoke
#
# Run it on a quiet machine: both sides share its cores, and other processes move either side by tens of percent.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/bench-kernels
order=interleaved
configs=
precisions=f64,f32
passes=forward,backward
threads=2
repeats=5
warmup=3
sphericart_source=
with_sphericart=1
sphericart_warmup=10
sphericart_repeats=20
jmh_extra=
jmh_settings=(-f 1 -i 3 -r 1s)
smoke=
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --order) order=$2; shift 2 ;;
        --configs) configs=$2; shift 2 ;;
        --precisions) precisions=$2; shift 2 ;;
        --passes) passes=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        --sphericart) sphericart_source=$2; shift 2 ;;
        --no-sphericart) with_sphericart=0; shift ;;
        --jmh) jmh_extra=$2; shift 2 ;;
        --smoke)
            repeats=1; warmup=0; sphericart_warmup=0; sphericart_repeats=1
            jmh_settings=(-f 1 -wi 1 -w 1s -i 1 -r 1s); smoke=" --smoke (measures nothing)"; shift ;;
        *) echo "unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
done
case "$order" in
    interleaved|back-to-back) ;;
    *) echo "--order must be interleaved or back-to-back, got $order" >&2; exit 2 ;;
esac

jar=benchmarks/target/benchmarks.jar
if [ ! -f "$jar" ]; then
    echo "$jar is missing: run mvn -B -q package -DskipTests first" >&2
    exit 1
fi
python=/usr/bin/python3
if ! "$python" -c "import e3nn, torch" 2>/dev/null; then
    echo "e3nn is not importable: export PYTHONPATH as reference/models/README.md says" >&2
    exit 1
fi
mkdir -p "$out"
rm -f "$out"/e3nn*.json "$out"/sphericart*.json "$out"/jmh*.json
cut -d' ' -f1-3 /proc/loadavg > "$out/load.txt"
java -cp "$jar" dev.e3j.benchmarks.PeerConfigurations > "$out/configurations.json"

# The selected names, split by kind: tensor products and harmonics.
names() {
    "$python" - "$out/configurations.json" "$configs" "$1" <<'EOF'
import json, sys
configurations = json.load(open(sys.argv[1]))
known = [c["name"] for c in configurations]
wanted = sys.argv[2].split(",") if sys.argv[2] else known
unknown = [name for name in wanted if name not in known]
if unknown:
    sys.exit(f"--configs: expected some of {known}, got {unknown}")
kinds = {c["name"]: c["kind"] for c in configurations}
print(" ".join(n for n in wanted if (kinds[n] == "spherical_harmonics") == (sys.argv[3] == "harmonics")))
EOF
}
products=$(names products)
harmonics=$(names harmonics)
all_names=$(echo $products $harmonics)

# sphericart: sources into target/sphericart/src, built there with g++ (never copied into the repository).
sphericart_bin=target/sphericart/sphericart_bench
sphericart_version=
if [ "$with_sphericart" = 1 ] && [ -n "$harmonics" ]; then
    src=target/sphericart/src
    rm -rf "$src" && mkdir -p "$src"
    if [ -z "$sphericart_source" ]; then
        sphericart_source=target/sphericart/clone
        rm -rf "$sphericart_source"
        if ! git clone -q --depth 1 --branch "${SPHERICART_REF:-v2.0.3}" \
                "${SPHERICART_REPO:-https://github.com/lab-cosmo/sphericart}" "$sphericart_source"; then
            echo "cannot clone sphericart: pass --sphericart PATH (a checkout or git directory) or --no-sphericart" >&2
            exit 1
        fi
    fi
    if [ -f "$sphericart_source/sphericart/include/sphericart.hpp" ]; then
        cp -r "$sphericart_source/sphericart/include" "$sphericart_source/sphericart/src" \
            "$sphericart_source/sphericart/VERSION" "$src/"
        commit=$(git -C "$sphericart_source" rev-parse --short HEAD 2>/dev/null || echo "no git")
    else
        git --git-dir="$sphericart_source" archive HEAD sphericart/include sphericart/src sphericart/VERSION \
            | tar -x -C "$src" --strip-components=1
        commit=$(git --git-dir="$sphericart_source" rev-parse --short HEAD)
    fi
    flags="-std=c++17 -O3 -march=native -DNDEBUG"
    compiler="$(g++ -dumpfullversion 2>/dev/null || g++ -dumpversion)"
    sphericart_version="$(tr -d '[:space:]' < "$src/VERSION") ($commit)"
    stamp="$(cat "$src"/include/* "$src/src/sphericart.cpp" tools/sphericart_bench.cpp | sha256sum) g++ $compiler $flags"
    if [ -x "$sphericart_bin" ] && [ "$(cat target/sphericart/built-from 2>/dev/null)" = "$stamp" ]; then
        echo "sphericart $sphericart_version: already built with g++ $compiler $flags"
    else
        echo "building sphericart $sphericart_version with g++ $compiler $flags, without OpenMP (one thread)"
        # shellcheck disable=SC2086
        g++ $flags -Wno-unknown-pragmas -I"$src/include" tools/sphericart_bench.cpp "$src/src/sphericart.cpp" \
            -o "$sphericart_bin"
        echo "$stamp" > target/sphericart/built-from
    fi
    compiler_description="g++ $compiler"
    flags_description="$flags"
fi

e3nn() { # $1: output file, $2: configuration names
    "$python" tools/bench_e3nn_kernels.py --configurations "$out/configurations.json" --out "$1" \
        --configs "${2// /,}" --precisions "$precisions" --passes "$passes" --threads "$threads" \
        --warmup "$warmup" --repeats "$repeats"
}
sphericart() { # $1: output file
    [ -n "$sphericart_version" ] || return 0
    local lmax
    lmax=$(echo "$harmonics" | tr ' ' '\n' | sed 's/^sh-lmax//' | paste -sd, -)
    "$sphericart_bin" --out "$1" --lmax "$lmax" --precisions "$precisions" --passes "$passes" --points 100000 \
        --warmup "$sphericart_warmup" --repeats "$sphericart_repeats" --version "$sphericart_version" \
        --compiler "$compiler_description" --flags "$flags_description"
}
jmh() { # $1: output file, then benchmarks and -p filters
    local file=$1
    shift
    # shellcheck disable=SC2086
    java -jar "$jar" "$@" "${jmh_settings[@]}" -jvmArgsAppend \
        "-Djava.util.concurrent.ForkJoinPool.common.parallelism=$threads" $jmh_extra -rf json -rff "$file"
}
filters() { # $1: configuration names
    echo -p "config=${1// /,}" -p "precision=$precisions" -p "pass=$passes"
}
layouts() { # $1: configuration names; the products run in both layouts, the harmonics (one channel per degree) in one
    case " $products " in
        *" ${1%% *} "*) echo -p layout=MUL_IR,IR_MUL ;;
        *) echo -p layout=MUL_IR ;;
    esac
}

if [ "$order" = back-to-back ]; then
    e3nn "$out/e3nn.json" "$all_names"
    sphericart "$out/sphericart.json"
    if [ -n "$products" ]; then
        # shellcheck disable=SC2046
        jmh "$out/jmh-kernels.json" KernelBenchmark $(filters "$products") $(layouts "$products")
    fi
    if [ -n "$harmonics" ]; then
        # shellcheck disable=SC2046
        jmh "$out/jmh-harmonics.json" KernelBenchmark $(filters "$harmonics") $(layouts "$harmonics")
    fi
    if [ -n "$harmonics" ]; then
        # shellcheck disable=SC2046
        jmh "$out/jmh-points.json" SphericalHarmonicsPointBenchmark $(filters "$harmonics")
    fi
    jmh "$out/jmh-machine.json" 'PeakFlopsBenchmark|BandwidthBenchmark'
else
    jmh "$out/jmh-machine.json" 'PeakFlopsBenchmark|BandwidthBenchmark'
    for name in $all_names; do
        e3nn "$out/e3nn-$name-1.json" "$name"
        # shellcheck disable=SC2046
        jmh "$out/jmh-$name.json" KernelBenchmark $(filters "$name") $(layouts "$name")
        e3nn "$out/e3nn-$name-2.json" "$name"
    done
    if [ -n "$harmonics" ]; then
        sphericart "$out/sphericart-1.json"
        # shellcheck disable=SC2046
        jmh "$out/jmh-points.json" SphericalHarmonicsPointBenchmark $(filters "$harmonics")
        sphericart "$out/sphericart-2.json"
    fi
fi
cut -d' ' -f1-3 /proc/loadavg >> "$out/load.txt"

{
    java -cp "$jar" dev.e3j.benchmarks.Report "$out"/jmh*.json "$out"/e3nn*.json \
        $(ls "$out"/sphericart*.json 2>/dev/null)
    echo
    echo "Load average (1, 5, 15 min) before and after: $(paste -sd';' "$out/load.txt")."
    echo "Command: tools/bench_kernels.sh --order $order${configs:+ --configs $configs} --precisions $precisions"\
" --passes $passes --threads $threads --repeats $repeats${jmh_extra:+ --jmh \"$jmh_extra\"}$smoke."
} | tee "$out/report.md"
