#!/usr/bin/env bash
# Issue 3's acceptance runs with the real binaries: rosterload sandbox with every fault kind, a
# generated 3,000-row EWA roster (~8% invalid, ~3% duplicates), run with a state journal, the same
# command again, and a kill -9 in mid-run followed by the same command (idempotency on and off).
# Prints what it checks and exits non-zero if a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out/acceptance
dir=out/acceptance
go build -o bin/rosterload ./cmd/rosterload
go build -o bin/genroster ./cmd/genroster
bin/genroster -rows 3000 -invalid 0.08 -duplicate 0.03 -seed 42 -o "$dir/roster.csv"
export ROSTERLOAD_CLIENT_ID=sandbox ROSTERLOAD_CLIENT_SECRET=sandbox-secret
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

start_sandbox() { # port, extra flags
  local port=$1; shift
  bin/rosterload sandbox --addr "127.0.0.1:$port" --log-level warn "$@" &
  pids+=($!)
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/_sandbox/stats" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "sandbox on $port did not start" >&2; exit 1
}
stats() { curl -fs "http://127.0.0.1:$1/_sandbox/stats"; }
run() { # port, state, report, [more flags]
  local port=$1 state=$2 report=$3; shift 3
  set +e
  bin/rosterload run --api-url "http://127.0.0.1:$port" --mapping testdata/sample/mapping.yaml \
    --concurrency 16 --rate 500 --state "$state" --report "$report" --log-level warn "$@" "$dir/roster.csv" 2>"$report.stderr"
  echo $?
  set -e
}
check() { # report, stats json, label
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys, csv
report, stats, label = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
rows = [json.loads(l) for l in open(report)]
src = list(csv.reader(open("out/acceptance/roster.csv")))[1:]
assert [r["row"] for r in rows] == list(range(2, len(src) + 2)), "not one line per row in order"
st = {}
for r in rows: st[r["status"]] = st.get(r["status"], 0) + 1
valid_ids = {r["externalId"] for r in rows if r["status"] not in ("INVALID", "DUPLICATE")}
bad = [r for r in rows if r["status"] not in ("INVALID", "DUPLICATE", "CREATED", "EXISTS", "SKIPPED")]
print(f"  {label}: {len(rows)} lines for {len(src)} rows; {st}; distinct valid ids {len(valid_ids)}; sandbox {stats}")
assert not bad, f"{len(bad)} valid rows neither CREATED, EXISTS nor SKIPPED, e.g. {bad[0]}"
assert stats["profiles"] == len(valid_ids), "profiles != distinct valid externalIds"
PY
}

echo "1. faults: latency 2ms, fail 0.05, throttle 0.03, drop 0.01, lost response 0.02"
start_sandbox 18181 --latency 2ms --fail-rate 0.05 --throttle-rate 0.03 --drop-rate 0.01 --lost-response-rate 0.02
rm -f "$dir/state1.jsonl"
code=$(run 18181 "$dir/state1.jsonl" "$dir/run1.jsonl" --summary "$dir/run1.summary.json")
echo "  exit $code"; [ "$code" = 1 ]
check "$dir/run1.jsonl" "$(stats 18181)" "run"
before=$(stats 18181)
echo "2. the same command again"
code=$(run 18181 "$dir/state1.jsonl" "$dir/run2.jsonl")
echo "  exit $code"; [ "$code" = 1 ]
after=$(stats 18181)
check "$dir/run2.jsonl" "$after" "re-run"
python3 -c "import json,sys; b,a=json.loads(sys.argv[1]),json.loads(sys.argv[2]); print('  API requests before', b['requests'], 'after', a['requests']); assert a['requests']==b['requests']" "$before" "$after"
python3 -c "import json; r=[json.loads(l) for l in open('$dir/run2.jsonl')]; v=[x for x in r if x['status'] not in ('INVALID','DUPLICATE')]; assert all(x['status']=='SKIPPED' for x in v); print('  all', len(v), 'valid rows SKIPPED')"

for idem in true false; do
  port=$((18190 + ${#idem}))
  echo "3. kill -9 in mid-run, then the same command (idempotency=$idem)"
  start_sandbox "$port" --latency 5ms --lost-response-rate 0.02 --idempotency="$idem"
  rm -f "$dir/state-$idem.jsonl"
  bin/rosterload run --api-url "http://127.0.0.1:$port" --mapping testdata/sample/mapping.yaml \
    --concurrency 16 --rate 500 --state "$dir/state-$idem.jsonl" --report "$dir/killed-$idem.jsonl" --log-level warn "$dir/roster.csv" 2>/dev/null &
  victim=$!
  sleep 1.5
  kill -9 "$victim"; wait "$victim" 2>/dev/null || true
  echo "  killed after $(wc -l <"$dir/state-$idem.jsonl") journal lines; sandbox $(stats "$port")"
  code=$(run "$port" "$dir/state-$idem.jsonl" "$dir/after-kill-$idem.jsonl")
  echo "  exit $code"
  check "$dir/after-kill-$idem.jsonl" "$(stats "$port")" "after kill"
done
echo "all checks passed"
