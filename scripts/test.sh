#!/usr/bin/env bash
# Build handoff and run the whole test suite, in two builds:
#  1. release (g++, -O2, warnings are errors): the unit tests and the end-to-end
#     tests that need an optimized binary (engine timing, examples, the tutorial,
#     the package, the soaks at the issue's full counts);
#  2. ASan+UBSan (clang): every test — unit, end-to-end, CloudFormation
#     templates — plus the libFuzzer targets, each replaying its corpus and
#     fuzzing for HO_FUZZ_SMOKE_SECONDS (default 5).
# HANDOFF_TEST_SANITIZE=0 skips the second build (a quick local loop).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
start=$SECONDS

# ccache (installed by install-deps.sh) makes a rebuild of unchanged sources cheap.
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

configure_and_build() {
  local dir=$1; shift
  # Tests on explicitly: a build dir made by quickstart.sh has them off.
  cmake -S . -B "$dir" -G Ninja -DHANDOFF_WERROR=ON -DHANDOFF_BUILD_TESTS=ON "${launcher[@]}" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
}

run_ctest() {
  local dir=$1; shift
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j"$jobs" "$@"
}

echo "== 1. release build: unit tests and the e2e tests that time or package the binary"
configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHANDOFF_BUILD_BENCH=ON
run_ctest build -L 'unit|release'
echo "== release pass done after $((SECONDS - start)) s"

if [ "${HANDOFF_TEST_SANITIZE:-1}" != "0" ]; then
  echo "== 2. ASan+UBSan build (clang): every test, and the fuzz smoke"
  configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ \
    -DHANDOFF_SANITIZE=address,undefined -DHANDOFF_BUILD_FUZZ=ON -DHANDOFF_BUILD_BENCH=OFF
  # The soaks ran at full counts (1,000 in-process runs, 200 remote runs) in
  # the release pass; here they run shorter, since every ASan start-up costs.
  HO_SOAK_RUNS=200 HO_SOAK_REMOTE_RUNS=40 HO_SOAK_MOTO_RUNS=5 \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest build-asan
fi
echo "== all tests passed in $((SECONDS - start)) s"
