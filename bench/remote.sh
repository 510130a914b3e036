#!/usr/bin/env bash
# A/B benchmarks of handoff's remote store against awscli, both talking to the
# same moto_server on 127.0.0.1 in one run (moto itself is the floor of both).
#
#   bench/remote.sh          # writes bench/remote_results.md
#
# Environment: HANDOFF (default build/handoff), KEEP_TMP=1 keeps the temp dir.
# Every bench first does one checked run: handoff must exit 0 and what it
# wrote must be what awscli reads back, or the script stops (exit 1).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
HANDOFF=${HANDOFF:-$ROOT/build/handoff}
RESULTS=$BENCH_DIR/remote_results.md

die() { echo "bench: FAIL: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }
for tool in hyperfine /usr/bin/time jq moto_server aws python3; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -x $HANDOFF ]] || die "handoff binary not found at $HANDOFF (build it first)"

TMP=$(mktemp -d /tmp/handoff-rbench.XXXXXX)
MOTO_PID=
cleanup() {
  [[ -n $MOTO_PID ]] && kill "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null || true
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$TMP"
}
trap cleanup EXIT

# --- moto on a free loopback port -------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$PORT" >"$TMP/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/moto-api/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/moto-api/" >/dev/null || die "moto_server did not start (see $TMP/moto.log)"

export AWS_ENDPOINT_URL=http://127.0.0.1:$PORT AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=$TMP/aws_config AWS_SHARED_CREDENTIALS_FILE=$TMP/aws_credentials
: >"$AWS_CONFIG_FILE"; : >"$AWS_SHARED_CREDENTIALS_FILE"
export HO_STORE=aws HO_BUCKET=bench-bucket
AWS=(aws --endpoint-url "$AWS_ENDPOINT_URL")
"${AWS[@]}" s3 mb s3://bench-bucket >/dev/null

# --- inputs: 300 x 4 KiB + 1 x 64 MiB ----------------------------------------
P=$TMP/project
mkdir -p "$P/files/small" "$P/.secrets"
python3 - "$P/files" <<'PY'
import os, sys
d = sys.argv[1]
for i in range(300):
    with open(os.path.join(d, "small", "f%03d.bin" % i), "wb") as f:
        f.write(os.urandom(4096))
with open(os.path.join(d, "big.bin"), "wb") as f:
    for _ in range(64):
        f.write(os.urandom(1 << 20))
PY
cat >"$P/project.yml" <<'YML'
version: 0.4.0
deploy:
  cloud_provider: aws
  resource_group: bench
  task: files-bench
tasks:
  - name: noop
    commands:
      - command: "true"
YML
{
  for i in 1 2 3 4 5; do printf -- '- key: secret%d\n  value: value-of-secret-%d-0123456789\n' "$i" "$i"; done
} >"$P/.secrets/secrets.yml"
W=$TMP/ws

ROWS=()
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
mean() { jq -r ".results[$2].mean" "$1"; }
verdict() { awk -v r="$1" -v l="$2" 'BEGIN { exit !(r <= l) }' && echo PASS || echo MISS; }
fmt_s() { awk -v m="$1" 'BEGIN { if (m < 1) printf "%.1f ms", m*1000; else printf "%.2f s", m }'; }

# --- 1. first push vs aws s3 sync ---------------------------------------------
PREFIX=files-bench/files
clear_remote() { "${AWS[@]}" s3 rm --recursive --quiet "s3://bench-bucket/$1" >/dev/null; }
log "checked run: files push"
"$HANDOFF" files push -p "$P" -s prod -l warning || die "files push failed"
n=$("${AWS[@]}" s3api list-objects-v2 --bucket bench-bucket --prefix "$PREFIX/" --query 'length(Contents)' --output text)
[[ $n == 301 ]] || die "files push wrote $n objects, not 301"
"${AWS[@]}" s3 cp --quiet "s3://bench-bucket/$PREFIX/big.bin" "$TMP/big.check"
cmp -s "$TMP/big.check" "$P/files/big.bin" || die "big.bin differs after files push"
rm -f "$TMP/big.check"

hyperfine --style basic -N --runs 5 --export-json "$TMP/push.json" \
  --prepare "bash -c 'rm -rf $P/.handoff $HOME/.cache/handoff; ${AWS[*]} s3 rm --recursive --quiet s3://bench-bucket/$PREFIX/ >/dev/null'" \
  "$HANDOFF files push -p $P -s prod -l warning" \
  --prepare "bash -c '${AWS[*]} s3 rm --recursive --quiet s3://bench-bucket/sync/ >/dev/null'" \
  "${AWS[*]} s3 sync --quiet $P/files s3://bench-bucket/sync/"
r=$(ratio "$(mean "$TMP/push.json" 0)" "$(mean "$TMP/push.json" 1)")
ROWS+=("files push, 300 x 4 KiB + 64 MiB (first)|$(fmt_s "$(mean "$TMP/push.json" 0)")|aws s3 sync: $(fmt_s "$(mean "$TMP/push.json" 1)")|${r}x|≤ 0.7x (goal 0.5x)|$(verdict "$r" 0.7)")
FIRST=$(mean "$TMP/push.json" 0)

# --- 2. unchanged re-push vs the first push ----------------------------------
"$HANDOFF" files push -p "$P" -s prod -l warning >/dev/null || die "files push failed"
hyperfine --style basic -N --runs 10 --export-json "$TMP/repush.json" \
  "$HANDOFF files push -p $P -s prod -l warning"
r=$(ratio "$(mean "$TMP/repush.json" 0)" "$FIRST")
ROWS+=("files push, unchanged re-push|$(fmt_s "$(mean "$TMP/repush.json" 0)")|first push: $(fmt_s "$FIRST")|${r}x|≤ 0.1x|$(verdict "$r" 0.1)")

# --- 3. push_config (seed layout) vs aws ssm put-parameter --------------------
S=$TMP/seed
mkdir -p "$S/config"
cat >"$S/project.yml" <<'YML'
commands:
  - command: cat
    args: "config/tap-config.json"
  - command: wc
    args: -c
YML
echo '{ "base": "JPY", "start_date": "2020-07-09" }' >"$S/config/tap-config.json"
log "checked run: push_config"
STACK_NAME=bench S3_BUCKET_NAME=bench-bucket "$HANDOFF" push_config -p "$S" -l warning || die "push_config failed"
"${AWS[@]}" ssm get-parameter --name bench_config --with-decryption --query Parameter.Value --output text >"$TMP/config.json"
grep -q '"tap-config.json"' "$TMP/config.json" || die "push_config stored no config file"
hyperfine --style basic -N --runs 10 --export-json "$TMP/config.json.hf" \
  "env STACK_NAME=bench S3_BUCKET_NAME=bench-bucket $HANDOFF push_config -p $S -l warning" \
  "${AWS[*]} ssm put-parameter --name bench_config2 --type SecureString --overwrite --value file://$TMP/config.json"
r=$(ratio "$(mean "$TMP/config.json.hf" 0)" "$(mean "$TMP/config.json.hf" 1)")
ROWS+=("push_config (seed layout)|$(fmt_s "$(mean "$TMP/config.json.hf" 0)")|aws ssm put-parameter: $(fmt_s "$(mean "$TMP/config.json.hf" 1)")|${r}x|≤ 0.2x|$(verdict "$r" 0.2)")

# --- 4. secrets push (5 secrets) vs 5 x aws ssm put-parameter -----------------
cat >"$TMP/awssecrets.sh" <<SH
#!/usr/bin/env bash
set -e
for i in 1 2 3 4 5; do
  ${AWS[*]} ssm put-parameter --name /handoff/bench/files-bench/secret\$i --type SecureString --overwrite --value value-of-secret-\$i-0123456789 >/dev/null
done
SH
chmod +x "$TMP/awssecrets.sh"
log "checked run: secrets push"
"$HANDOFF" secrets push -y -p "$P" -s prod -l warning >/dev/null || die "secrets push failed"
v=$("${AWS[@]}" ssm get-parameter --name /handoff/bench/files-bench/secret3 --with-decryption --query Parameter.Value --output text)
[[ $v == value-of-secret-3-0123456789 ]] || die "secrets push stored '$v'"
hyperfine --style basic -N --runs 5 --export-json "$TMP/secrets.json" \
  "$HANDOFF secrets push -y -p $P -s prod -l warning" \
  "$TMP/awssecrets.sh"
r=$(ratio "$(mean "$TMP/secrets.json" 0)" "$(mean "$TMP/secrets.json" 1)")
ROWS+=("secrets push, 5 secrets|$(fmt_s "$(mean "$TMP/secrets.json" 0)")|5 x aws ssm put-parameter: $(fmt_s "$(mean "$TMP/secrets.json" 1)")|${r}x|≤ 0.2x|$(verdict "$r" 0.2)")

# --- 5. peak RSS of files get (64 MiB file) ----------------------------------
rm -rf "$W"
/usr/bin/time -f %M -o "$TMP/rss" "$HANDOFF" files get -p "$P" -w "$W" -s prod -l warning || die "files get failed"
cmp -s "$W/templates/big.bin" "$P/files/big.bin" 2>/dev/null || cmp -s "$W/files/big.bin" "$P/files/big.bin" \
  || die "files get did not fetch big.bin intact"
rss_kib=$(cat "$TMP/rss")
rss_mib=$(awk -v k="$rss_kib" 'BEGIN { printf "%.1f", k / 1024 }')
ok=$(awk -v k="$rss_kib" 'BEGIN { exit !(k < 32768) }' && echo PASS || echo MISS)
ROWS+=("files get, peak RSS (64 MiB file)|${rss_mib} MiB|—|—|< 32 MiB|$ok")

{
  echo "# Remote-store benchmarks"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), moto $(python3 -c 'import moto; print(moto.__version__)'), $(aws --version 2>&1 | cut -d' ' -f1)."
  echo "Reproduce: \`bench/remote.sh\` (one moto_server on 127.0.0.1 serves both sides)."
  echo
  echo "| bench | handoff | baseline | ratio | target | verdict |"
  echo "|---|---|---|---|---|---|"
  for row in "${ROWS[@]}"; do echo "| ${row//|/ | } |"; done
} >"$RESULTS"
cat "$RESULTS"
