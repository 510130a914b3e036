#!/usr/bin/env bash
# Fresh machine to first run: install what is missing, build build/handoff,
# then run the word-count example locally (no cloud account needed).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DHANDOFF_BUILD_TESTS=OFF -DHANDOFF_BUILD_BENCH=OFF >/dev/null
cmake --build build --target handoff

ws=$(mktemp -d /tmp/handoff-quickstart.XXXXXX)
build/handoff run local -p examples/01_word_count -w "$ws"
echo
echo "word count of examples/01_word_count/files/ode_to_pipes.txt: $(cat "$ws/artifacts/word_count_stdout.log")"
echo "workspace: $ws (artifacts/ holds each task's stdout and stderr logs)"
