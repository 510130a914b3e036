#!/usr/bin/env bash
# A/B benchmarks of handoff against the plain shell / python baselines.
#
#   bench/run.sh            # all benches, writes bench/results.md
#
# Environment:
#   HANDOFF=/path/to/handoff   binary under test (default: build/handoff of this repo)
#   BENCH_TMP=/some/dir        where to put the generated inputs (default: mktemp -d)
#   KEEP_TMP=1                 keep the temp dir (inputs, workspaces, hyperfine JSON)
#
# Every bench first does one checked run of both sides: handoff must exit 0 and produce the
# same counts as the baseline, otherwise the script stops with an error (exit 1).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
HANDOFF=${HANDOFF:-$ROOT/build/handoff}
PY=/usr/bin/python3          # Debian's interpreter, not a pyenv shim from PATH
PROJECTS=$BENCH_DIR/projects
RESULTS=$BENCH_DIR/results.md

die() { echo "bench: FAIL: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

for tool in hyperfine /usr/bin/time jq "$PY"; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -x $HANDOFF ]] || die "handoff binary not found at $HANDOFF (build it first)"

TMP=${BENCH_TMP:-$(mktemp -d /tmp/handoff-bench.XXXXXX)}
mkdir -p "$TMP"
cleanup() { [[ -n ${KEEP_TMP:-} || -n ${BENCH_TMP:-} ]] || rm -rf "$TMP"; }
trap cleanup EXIT

LINE='some line of text data 0123456789'
BIG=$TMP/big_512M.txt     # 512 MiB of text lines (pipe + RSS benches)
FORKIN=$TMP/fork_256M.txt # 256 MiB of text lines (fork bench)
LINES=$TMP/lines_500.txt  # 500 lines (foreach benches)

log "generating inputs in $TMP"
[[ -s $BIG ]] || { yes "$LINE" || true; } | head -c 512M > "$BIG"
[[ -s $FORKIN ]] || { yes "$LINE" || true; } | head -c 256M > "$FORKIN"
seq 1 500 > "$LINES"
# Warm the page cache so both sides read from memory.
cat "$BIG" "$FORKIN" > /dev/null

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
HF_COMMON=(--style basic -N)   # -N: no intermediate shell; both sides spell out their own sh -c

# Table rows: name|handoff_mean|handoff_sd|base_mean|base_sd|ratio|target|verdict
ROWS=()
CMDS=()

# mean/stddev (seconds) of command #idx from a hyperfine JSON export
hf_field() { jq -r ".results[$2].$3" "$1"; }

# compare NAME JSON TARGET_OP TARGET_VALUE TARGET_TEXT
# (command 0 of the JSON is handoff, command 1 the baseline)
record() {
  local name=$1 json=$2 op=$3 limit=$4 target_text=$5
  local hm hs bm bs ratio verdict
  hm=$(hf_field "$json" 0 mean); hs=$(hf_field "$json" 0 stddev)
  bm=$(hf_field "$json" 1 mean); bs=$(hf_field "$json" 1 stddev)
  ratio=$(awk -v a="$hm" -v b="$bm" 'BEGIN { printf "%.3f", a / b }')
  # CPU time (user + system of the whole process tree): less sensitive to a busy machine.
  local hc bc
  hc=$(jq -r '.results[0] | .user + .system' "$json"); bc=$(jq -r '.results[1] | .user + .system' "$json")
  cpu=$(awk -v a="$hc" -v b="$bc" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "—" }')
  if awk -v r="$ratio" -v l="$limit" -v op="$op" \
      'BEGIN { exit !((op == "<=" && r <= l) || (op == "<" && r < l)) }'; then
    verdict=PASS
  else
    verdict=MISS
  fi
  ROWS+=("$name|$(fmt_s "$hm" "$hs")|$(fmt_s "$bm" "$bs")|${ratio}x|$cpu|$target_text|$verdict")
}

fmt_s() { awk -v m="$1" -v s="$2" 'BEGIN { if (m < 0.1) printf "%.2f ms ± %.2f", m*1000, s*1000; else printf "%.3f s ± %.3f", m, s }'; }

# hyperfine NAME RUNS WARMUP HANDOFF_CMD BASELINE_CMD -> $TMP/NAME.json
bench() {
  local name=$1 runs=$2 warmup=$3 hcmd=$4 bcmd=$5
  log "hyperfine: $name"
  hyperfine "${HF_COMMON[@]}" --warmup "$warmup" --runs "$runs" \
    --export-json "$TMP/$name.json" -n "handoff" "$hcmd" -n "baseline" "$bcmd" >&2
  CMDS+=("$name|$hcmd|$bcmd")
}

run_handoff() {  # run_handoff PROJECT WORKSPACE INPUT  (checked)
  local project=$1 ws=$2 input=$3
  "$HANDOFF" run local -p "$PROJECTS/$project" -w "$ws" -v "input=$input" \
      > "$TMP/$project.out" 2> "$TMP/$project.err" || {
    local rc=$?
    tail -20 "$TMP/$project.err" >&2
    die "handoff exited $rc on project $project"
  }
}

# ---------------------------------------------------------------- 1. pipe: cat | wc -c
WS=$TMP/ws_pipe
run_handoff pipe "$WS" "$BIG"
sh -c "cat '$BIG' | wc -c > '$TMP/pipe_base.out'"
h=$(tr -d ' \n' < "$WS/artifacts/count_stdout.log"); b=$(tr -d ' \n' < "$TMP/pipe_base.out")
[[ $h == "$b" && $b == $((512 * 1024 * 1024)) ]] || die "pipe: handoff counted '$h', baseline '$b'"
bench pipe_512M 5 1 \
  "$HANDOFF run local -p $PROJECTS/pipe -w $WS -v input=$BIG -l error" \
  "sh -c 'cat $BIG | wc -c > $TMP/pipe_base.out'"
record "pipe 512 MiB \`cat \| wc -c\`" "$TMP/pipe_512M.json" "<=" 1.10 "≤ 1.10x"

# ---------------------------------------------------------------- 2. startup: --version
"$HANDOFF" --version > /dev/null || die "handoff --version exited $?"
bench version 60 5 "$HANDOFF --version" "$PY -c pass"
record "startup \`--version\` vs \`python3 -c pass\`" "$TMP/version.json" "<=" 0.75 "≤ 0.75x"

# ---------------------------------------------------------------- 3. peak RSS of handoff itself
# /usr/bin/time -v reports the rusage that wait4() returns, and Linux fills that with
# RUSAGE_BOTH: max(the process's own maxrss, its reaped descendants' maxrss). Show it here:
probe_kb=$(/usr/bin/time -f %M sh -c "$PY -c 'b = bytearray(64 << 20)'; true" 2>&1 >/dev/null | tail -1)
if (( probe_kb > 60000 )); then TIME_INCLUDES_CHILDREN=yes; else TIME_INCLUDES_CHILDREN=no; fi
log "time -v on 'sh -c python3 (64 MiB)' reports $probe_kb KB -> includes children: $TIME_INCLUDES_CHILDREN"

WS=$TMP/ws_rss
time_kb=$(/usr/bin/time -f %M "$HANDOFF" run local -p "$PROJECTS/pipe" -w "$WS" -v "input=$BIG" -l error \
            2>&1 >/dev/null | tail -1)
# handoff's own high-water mark: poll /proc/<pid>/status (VmHWM) while it runs.
"$HANDOFF" run local -p "$PROJECTS/pipe" -w "$WS" -v "input=$BIG" -l error >/dev/null 2>&1 &
pid=$!
hwm_kb=0; samples=0
while [[ -r /proc/$pid/status ]]; do
  comm=$(< "/proc/$pid/comm") || break
  [[ $comm == handoff ]] || { sleep 0.005; continue; }
  while read -r key val _; do
    if [[ $key == VmHWM: ]]; then (( val > hwm_kb )) && hwm_kb=$val; samples=$((samples + 1)); fi
  done < "/proc/$pid/status" 2>/dev/null || true
  sleep 0.005
done
rc=0; wait "$pid" || rc=$?
(( rc == 0 )) || die "rss: handoff exited $rc"
h=$(tr -d ' \n' < "$WS/artifacts/count_stdout.log")
[[ $h == $((512 * 1024 * 1024)) ]] || die "rss: handoff counted '$h'"
(( samples > 0 )) || die "rss: could not sample /proc/$pid/status"
hwm_mib=$(awk -v k="$hwm_kb" 'BEGIN { printf "%.1f", k / 1024 }')
time_mib=$(awk -v k="$time_kb" 'BEGIN { printf "%.1f", k / 1024 }')
if (( hwm_kb < 16 * 1024 )); then rss_verdict=PASS; else rss_verdict=MISS; fi
ROWS+=("peak RSS of handoff, 512 MiB through \`cat \| wc -c\`|${hwm_mib} MiB (own VmHWM, $samples samples)|time -f %M: ${time_mib} MiB (incl. children)|—|—|< 16 MiB|$rss_verdict")
CMDS+=("rss|$HANDOFF run local -p $PROJECTS/pipe -w $WS -v input=$BIG -l error  (polled /proc/PID/status VmHWM)|/usr/bin/time -f %M on the same command: $time_kb KB")

# ---------------------------------------------------------------- 4. fork into 2 x wc -l
WS=$TMP/ws_fork
run_handoff fork "$WS" "$FORKIN"
bash -c "cat '$FORKIN' | tee >(wc -l > '$TMP/fork_a.out') >(wc -l > '$TMP/fork_b.out') > /dev/null; wait"
expect=$(wc -l < "$FORKIN")
for br in a b; do
  h=$(tr -d ' \n' < "$WS/artifacts/${br}_stdout.log"); b=$(tr -d ' \n' < "$TMP/fork_$br.out")
  [[ $h == "$b" && $b == "$expect" ]] || die "fork: branch $br counted '$h', baseline '$b', expected $expect"
done
bench fork_256M 5 1 \
  "$HANDOFF run local -p $PROJECTS/fork -w $WS -v input=$FORKIN -l error" \
  "bash -c 'cat $FORKIN | tee >(wc -l > $TMP/fork_a.out) >(wc -l > $TMP/fork_b.out) > /dev/null; wait'"
record "fork 256 MiB into 2 × \`wc -l\` vs \`tee >() >()\`" "$TMP/fork_256M.json" "<=" 1.5 "≤ 1.5x (goal 1.2x)"

# ---------------------------------------------------------------- 5. foreach 500 x /bin/true
check_foreach() {  # project ws
  run_handoff "$1" "$2" "$LINES"
  local rec n
  rec=$(ls -t "$2"/.handoff/runs/*.json | head -1)
  n=$(jq '[.tasks[] | select((.name | startswith("t_")) and .exit_code == 0)] | length' "$rec")
  [[ $n == 500 ]] || die "$1: $n successful iterations in $rec, expected 500"
}
n=$(bash -c "n=0; while read l; do /bin/true && n=\$((n+1)); done < '$LINES'; echo \$n")
[[ $n == 500 ]] || die "foreach baseline ran $n iterations"
WS=$TMP/ws_foreach
check_foreach foreach "$WS"
bench foreach_500 5 1 \
  "$HANDOFF run local -p $PROJECTS/foreach -w $WS -v input=$LINES -l error" \
  "bash -c 'while read l; do /bin/true; done < $LINES'"
record "foreach 500 × \`/bin/true\` vs bash \`while read\`" "$TMP/foreach_500.json" "<=" 1.5 "≤ 1.5x"

WS=$TMP/ws_foreach_par
check_foreach foreach_parallel "$WS"
bench foreach_500_par2 5 1 \
  "$HANDOFF run local -p $PROJECTS/foreach_parallel -w $WS -v input=$LINES -l error" \
  "bash -c 'while read l; do /bin/true; done < $LINES'"
record "foreach 500 × \`/bin/true\`, \`parallel: 2\` vs bash \`while read\`" "$TMP/foreach_500_par2.json" "<" 1.0 "< 1.00x"

# ---------------------------------------------------------------- report
{
  echo "# handoff benchmark results"
  echo
  echo "Generated by \`bench/run.sh\` — do not edit by hand."
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- machine: $(nproc) CPUs (\`nproc\`), $(uname -srm), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
  echo "- cpu: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "- handoff: $("$HANDOFF" --version) ($HANDOFF)"
  echo "- git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- baselines: $(sh -c 'readlink -f /bin/sh'), $(bash --version | head -1), $("$PY" --version 2>&1), $(wc --version | head -1)"
  echo "- $(hyperfine --version)"
  echo
  echo "Ratio = handoff mean wall time / baseline mean wall time (lower is better); the target applies to it."
  echo "cpu ratio = the same for user+system CPU time of the whole process tree (hyperfine's user/system)."
  echo "Load average when the benches started: $LOAD0 (on $(nproc) CPUs) — a busy machine makes wall times noisy."
  echo
  echo "| bench | handoff (wall) | baseline (wall) | ratio | cpu ratio | target | result |"
  echo "|---|---|---|---|---|---|---|"
  for r in "${ROWS[@]}"; do echo "| ${r//|/ | } |" | sed 's/\\ | /\\|/g'; done
  echo
  echo "Peak RSS: \`/usr/bin/time -f %M\` on the whole run reports ${time_mib} MiB, but that is"
  echo "wait4()'s RUSAGE_BOTH maximum over handoff *and its reaped children* (checked: time on"
  echo "\`sh -c 'python3 …64 MiB…; true'\` reports $probe_kb KB, includes children: $TIME_INCLUDES_CHILDREN)."
  echo "The table's number is handoff's own VmHWM, polled from /proc/<pid>/status every 5 ms."
  echo
  echo "## Exact commands"
  echo
  for c in "${CMDS[@]}"; do
    IFS='|' read -r name hc bc <<< "$c"
    echo "### $name"
    echo
    echo '```'
    echo "handoff:  $hc"
    echo "baseline: $bc"
    echo '```'
    echo
  done
  echo "Hyperfine options: ${HF_COMMON[*]}; --warmup 1 --runs 5 for the data/foreach benches,"
  echo "--warmup 5 --runs 60 for --version. Inputs: \`yes '$LINE' | head -c 512M\` (and 256M), \`seq 1 500\`."
} > "$RESULTS"

echo
echo "================ handoff / baseline ================"
printf '%-58s %-28s %-40s %-9s %-9s %-20s %s\n' bench handoff baseline ratio cpu target result
for r in "${ROWS[@]}"; do
  r=${r//\\|/¦}
  IFS='|' read -r a b c d g e f <<< "$r"
  a=${a//\`/}; a=${a//¦/|}; a=${a//×/x}
  b=${b//±/+-}; c=${c//±/+-}; e=${e//≤/<=}
  printf '%-58s %-28s %-40s %-9s %-9s %-20s %s\n' "$a" "$b" "$c" "$d" "$g" "$e" "$f"
done
echo
echo "commands:"
for c in "${CMDS[@]}"; do
  IFS='|' read -r name hc bc <<< "$c"
  printf '  [%s]\n    handoff:  %s\n    baseline: %s\n' "$name" "$hc" "$bc"
done
echo
echo "wrote $RESULTS"
