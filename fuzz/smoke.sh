#!/bin/sh
# The CI fuzz smoke of one target (a ctest entry, see CMakeLists.txt):
# replay the committed corpus and regressions, then fuzz for
# HO_FUZZ_SMOKE_SECONDS (default 5, at most 10). New inputs go to a scratch
# corpus under the build tree, never into fuzz/corpus.
#   smoke.sh FUZZER TARGET FUZZ_SRC_DIR WORK_DIR
set -eu
fuzzer=$1 target=$2 src=$3 work=$4

seconds=${HO_FUZZ_SMOKE_SECONDS:-5}
case $seconds in
  ''|*[!0-9]*) echo "HO_FUZZ_SMOKE_SECONDS must be a whole number of seconds, got '$seconds'" >&2; exit 2 ;;
esac
[ "$seconds" -gt 10 ] && seconds=10
[ "$seconds" -lt 1 ] && seconds=1

scratch=$work/$target/corpus
artifacts=$work/$target/artifacts
rm -rf "$scratch"
mkdir -p "$scratch" "$artifacts"

dirs=
for d in "$src/corpus/$target" "$src/regressions/$target"; do
  [ -d "$d" ] && dirs="$dirs $d"
done
dict=
[ -f "$src/dict/$target.dict" ] && dict="-dict=$src/dict/$target.dict"

# -timeout: an input taking over 25 s (ASan, a loaded CI machine) is a hang, reported as a failure.
# shellcheck disable=SC2086
exec "$fuzzer" "$scratch" $dirs $dict -max_total_time="$seconds" -timeout=25 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/"
