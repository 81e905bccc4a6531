#!/usr/bin/env bash
# Acceptance 3 of the S3 issue: a generated 1,000,000-row CSV validated from disk and from S3 (a
# MinIO started here on a free loopback port with a temp data dir, stopped on exit), each under
# /usr/bin/time -v; prints wall time and peak RSS of both and their ratio.
# Usage: scripts/bench-s3.sh [rows]      (MinIO: $ROSTERLOAD_MINIO, else `make minio` builds it)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
minio=${ROSTERLOAD_MINIO:-$HOME/.cache/rosterload/bin/minio}
[ -x "$minio" ] || make minio
mkdir -p out
go build -o bin/rosterload ./cmd/rosterload
go build -o bin/genroster ./cmd/genroster
csv=out/ewa-$rows.csv
[ -f "$csv" ] || bin/genroster -rows "$rows" -o "$csv"

# A free port: one nothing answers on.
port=
for _ in $(seq 50); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "no free port found" >&2; exit 1; }
data=$(mktemp -d)
export AWS_ACCESS_KEY_ID=rosterload-bench AWS_SECRET_ACCESS_KEY=rosterload-bench-secret AWS_REGION=us-east-1
export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$port AWS_EC2_METADATA_DISABLED=true
MINIO_ROOT_USER=$AWS_ACCESS_KEY_ID MINIO_ROOT_PASSWORD=$AWS_SECRET_ACCESS_KEY MINIO_BROWSER=off \
  "$minio" server --quiet --address "127.0.0.1:$port" "$data/minio" >"$data/minio.log" 2>&1 &
minio_pid=$!
trap 'kill "$minio_pid" 2>/dev/null; wait "$minio_pid" 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do
  curl -sf "$AWS_ENDPOINT_URL_S3/minio/health/ready" >/dev/null && break
  sleep 0.1
done

# S3 requests signed by curl (7.75+), so that nothing but rosterload uses the SDK.
s3curl() { curl -sfS --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
  -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"; }
s3curl -X PUT "$AWS_ENDPOINT_URL_S3/bench" >/dev/null
s3curl -T "$csv" "$AWS_ENDPOINT_URL_S3/bench/ewa.csv" >/dev/null
echo "source: $csv ($(du -h "$csv" | cut -f1)), uploaded to s3://bench/ewa.csv on MinIO at $AWS_ENDPOINT_URL_S3"

measure() { # name, then the command; sets rss_<name> (KiB)
  local name=$1; shift
  local log=out/time-s3-$name.txt
  set +e
  /usr/bin/time -v "$@" >/dev/null 2>"$log"
  local code=$?
  set -e
  local wall rss rowsread
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  rowsread=$(grep -E '^\s+rows read' "$log" | awk '{print $3}')
  printf '%-10s exit %d  rows %s  wall %s  peak RSS %d MB\n' "$name" "$code" "${rowsread:-?}" "$wall" $((rss / 1024))
  printf -v "rss_${name//-/_}" '%s' "$rss"
}

opts=(--program-id prog-bench --mapping testdata/sample/mapping.yaml --log-level warn)
measure disk bin/rosterload validate "${opts[@]}" --report "out/bench-s3-disk.report.csv" "$csv"
measure s3 bin/rosterload validate "${opts[@]}" --report "out/bench-s3-s3.report.csv" s3://bench/ewa.csv
measure s3-report bin/rosterload validate "${opts[@]}" --report s3://bench/ewa.csv.report.csv s3://bench/ewa.csv
if cmp -s out/bench-s3-disk.report.csv out/bench-s3-s3.report.csv; then same=yes; else same=NO; fi
echo "reports from disk and from S3 identical: $same"
awk -v d="$rss_disk" -v s="$rss_s3" 'BEGIN { printf "peak RSS from S3 / from disk: %.2f (acceptance: at most 1.20)\n", s / d }'
