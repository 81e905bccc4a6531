#!/usr/bin/env bash
# Times whole dry runs on generated rosters and prints wall time and peak RSS for each:
# a 1,000,000-row EWA CSV and a 100,000-row EWA XLSX (sizes overridable).
# Usage: scripts/bench-scale.sh [csv_rows] [xlsx_rows]
set -euo pipefail
cd "$(dirname "$0")/.."
csv_rows=${1:-1000000}
xlsx_rows=${2:-100000}
mkdir -p out
go build -o bin/rosterload ./cmd/rosterload
go build -o bin/genroster ./cmd/genroster
[ -f "out/ewa-$csv_rows.csv" ] || bin/genroster -rows "$csv_rows" -o "out/ewa-$csv_rows.csv"
[ -f "out/ewa-$xlsx_rows.xlsx" ] || bin/genroster -rows "$xlsx_rows" -o "out/ewa-$xlsx_rows.xlsx"

measure() { # name, then the command
  local name=$1; shift
  local log=out/time-$name.txt
  set +e
  /usr/bin/time -v "$@" >/dev/null 2>"$log"
  local code=$?
  set -e
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  local rows
  rows=$(grep -E '^\s+rows read' "$log" | awk '{print $3}')
  printf '%-10s exit %d  rows %s  wall %s  peak RSS %d MB\n' "$name" "$code" "${rows:-?}" "$wall" $((rss / 1024))
}

opts=(--program-id prog-bench --mapping testdata/sample/mapping.yaml --log-level warn)
measure "csv-$csv_rows" bin/rosterload validate "${opts[@]}" --report "out/ewa-$csv_rows.report.csv" "out/ewa-$csv_rows.csv"
measure "xlsx-$xlsx_rows" bin/rosterload validate "${opts[@]}" --report "out/ewa-$xlsx_rows.report.csv" "out/ewa-$xlsx_rows.xlsx"
