#!/usr/bin/env bash
# Fresh machine to first run: install what is missing, build build/handoff,
# run the word-count example locally, then a job kept in the embedded local
# store (no cloud account needed): push it, run it twice in fresh
# workspaces, and watch its state carry over through artifacts/last.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DHANDOFF_BUILD_TESTS=OFF -DHANDOFF_BUILD_BENCH=OFF >/dev/null
cmake --build build --target handoff

tmp=$(mktemp -d /tmp/handoff-quickstart.XXXXXX)
echo
echo "== 1. run local: examples/01_word_count"
build/handoff run local -p examples/01_word_count -w "$tmp/ws"
echo "word count of examples/01_word_count/files/ode_to_pipes.txt: $(cat "$tmp/ws/artifacts/word_count_stdout.log")"

echo
echo "== 2. the embedded local store: examples/09_remote"
# A store of its own for the demo (the default is ~/.local/share/handoff/store,
# its key in ~/.config/handoff/store.key).
export HO_STORE=local HO_STORE_DIR=$tmp/store XDG_CONFIG_HOME=$tmp/config
build/handoff config push -p examples/09_remote
build/handoff files push -p examples/09_remote
build/handoff secrets push -y -p examples/09_remote
for run in 1 2; do
  build/handoff run -w "$tmp/remote_ws$run" -e resource_group=demo task=counter -a
  echo "run $run: $(cat "$tmp/remote_ws$run/artifacts/count_stdout.log")"
done
echo
echo "workspaces and the demo store: $tmp (artifacts/ holds each task's stdout and stderr logs)"
