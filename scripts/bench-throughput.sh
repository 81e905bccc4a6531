#!/usr/bin/env bash
# Submission throughput: rosterload sandbox with --latency 20ms and no faults, then
# rosterload run --concurrency 32 --rate 100000 on a generated all-valid EWA roster.
# Prints requests/s over the run; the ceiling is concurrency / latency = 32 / 20 ms = 1,600/s.
# Usage: scripts/bench-throughput.sh [rows] [concurrency] [latency]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-20000}
conc=${2:-32}
latency=${3:-20ms}
mkdir -p out
go build -o bin/rosterload ./cmd/rosterload
go build -o bin/genroster ./cmd/genroster
roster=out/valid-$rows.csv
[ -f "$roster" ] || bin/genroster -rows "$rows" -invalid 0 -duplicate 0 -o "$roster"
port=$((20000 + RANDOM % 20000))
bin/rosterload sandbox --addr "127.0.0.1:$port" --latency "$latency" --log-level warn &
sandbox=$!
trap 'kill $sandbox 2>/dev/null' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/_sandbox/stats" >/dev/null 2>&1 && break; sleep 0.1; done
# The sandbox's request count, sampled every 0.5 s, gives the steady rate between 10% and 90% of
# the requests (start-up, token and the last stragglers left out); the whole run's rate is shown too.
(while sleep 0.5; do printf '%s %s\n' "$(date +%s.%N)" "$(curl -fs "http://127.0.0.1:$port/_sandbox/stats")"; done) >out/throughput.samples 2>/dev/null &
sampler=$!
trap 'kill $sandbox $sampler 2>/dev/null' EXIT
ROSTERLOAD_CLIENT_ID=sandbox ROSTERLOAD_CLIENT_SECRET=sandbox-secret \
  bin/rosterload run --api-url "http://127.0.0.1:$port" --mapping testdata/sample/mapping.yaml \
  --concurrency "$conc" --rate 100000 --log-level warn \
  --report "out/throughput.report.csv" --summary out/throughput.summary.json "$roster" 2>/dev/null || true
kill $sampler 2>/dev/null || true
python3 - "$conc" "$latency" <<'PY'
import json, sys
s = json.load(open("out/throughput.summary.json"))
conc, lat = int(sys.argv[1]), sys.argv[2]
ms = float(lat.rstrip("ms"))
ceiling = conc / (ms / 1000)
req, el = s["requests"], s["elapsedSeconds"]
rate = req / el
print(f"requests {req}, created {s['statuses'].get('CREATED', 0)}, whole run {el:.2f}s: "
      f"{rate:.0f} requests/s = {100 * rate / ceiling:.1f}% of {conc}/{lat} = {ceiling:.0f}/s")
samples = []
for line in open("out/throughput.samples"):
    t, _, js = line.partition(" ")
    if js.strip():
        samples.append((float(t), json.loads(js)["requests"]))
lo = [p for p in samples if p[1] >= 0.1 * req]
hi = [p for p in samples if p[1] <= 0.9 * req]
if lo and hi and hi[-1][0] > lo[0][0]:
    steady = (hi[-1][1] - lo[0][1]) / (hi[-1][0] - lo[0][0])
    print(f"steady state (10%..90% of requests, sandbox counts): {steady:.0f} requests/s = "
          f"{100 * steady / ceiling:.1f}% of {ceiling:.0f}/s")
PY
