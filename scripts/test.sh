#!/usr/bin/env bash
# Build handoff and run every test: unit tests and end-to-end tests, once in a
# normal build (warnings are errors) and once under ASan+UBSan.
# HANDOFF_TEST_SANITIZE=0 skips the sanitizer pass (for a quick local loop).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)

# ccache (installed by install-deps.sh) makes a rebuild of unchanged sources cheap.
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

run_suite() {
  local dir=$1; shift
  # Tests on explicitly: a build dir made by quickstart.sh has them off.
  cmake -S . -B "$dir" -G Ninja -DHANDOFF_WERROR=ON -DHANDOFF_BUILD_TESTS=ON "${launcher[@]}" "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j"$jobs"
}

echo "== release build: unit + e2e tests"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHANDOFF_BUILD_BENCH=ON

if [ "${HANDOFF_TEST_SANITIZE:-1}" != "0" ]; then
  echo "== ASan+UBSan build: unit + e2e tests"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DHANDOFF_SANITIZE=address,undefined \
      -DHANDOFF_BUILD_BENCH=OFF
fi
echo "== all tests passed"
