#!/usr/bin/env bash
# Issue 12's yardstick: how a dry run compares with the plainest read of the same file.
# From one interleaved run (floor, rosterload, floor, rosterload, ...) it prints the medians and
# their ratio for a generated 1M-row EWA CSV (encoding/csv as the floor) and a 200k-row XLSX
# (excelize's streaming Rows() with raw values as the floor), and the rows/s and peak RSS of the
# dry run at 1M and 10M rows. Files are generated once into out/ (the 10M CSV is ~1.7 GB).
# Usage: scripts/bench-dryrun.sh [repeats] [csv_rows] [big_rows] [xlsx_rows]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
csv_rows=${2:-1000000}
big_rows=${3:-10000000}
xlsx_rows=${4:-200000}
mkdir -p out bin
go build -o bin/rosterload ./cmd/rosterload
go build -o bin/genroster ./cmd/genroster
go build -o bin/floor ./internal/floor
for f in "ewa-$csv_rows.csv" "ewa-$big_rows.csv" "ewa-$xlsx_rows.xlsx"; do
  n=${f#ewa-}; n=${n%%.*}
  [ -f "out/$f" ] || { echo "generating out/$f" >&2; bin/genroster -rows "$n" -o "out/$f"; }
done

# timed CMD...: runs it, prints "wall_seconds peak_rss_kb"; a dry run exits 1 when rows are invalid.
timed() {
  local t
  t=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>&1 || [ $? -le 1 ] || { echo "failed: $*" >&2; exit 1; }
  tail -n 1 "$t" # time writes "Command exited with non-zero status" first
  rm -f "$t"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
validate=(bin/rosterload validate --program-id prog-bench --mapping testdata/sample/mapping.yaml --log-level warn)

# pair NAME FILE ROWS: interleaved floor and dry-run timings of FILE, then their medians and ratio.
pair() {
  local name=$1 file=$2 rows=$3 fw=() rw=() rr=()
  for ((i = 0; i < repeats; i++)); do
    read -r w _ < <(timed bin/floor "$file"); fw+=("$w")
    read -r w m < <(timed "${validate[@]}" --report "$file.report.jsonl" "$file"); rw+=("$w"); rr+=("$m")
  done
  local f r m
  f=$(printf '%s\n' "${fw[@]}" | median)
  r=$(printf '%s\n' "${rw[@]}" | median)
  m=$(printf '%s\n' "${rr[@]}" | median)
  awk -v n="$name" -v f="$f" -v r="$r" -v m="$m" -v rows="$rows" 'BEGIN {
    printf "%-22s floor %6.2fs  rosterload validate %6.2fs  ratio %5.2fx (floor/validate %4.2fx)  %9.0f rows/s  peak RSS %4d MB\n",
      n, f, r, r / f, f / r, rows / r, m / 1024 }'
}

echo "medians of $repeats interleaved runs on $(nproc) cores"
pair "csv ${csv_rows} rows" "out/ewa-$csv_rows.csv" "$csv_rows"
pair "xlsx ${xlsx_rows} rows" "out/ewa-$xlsx_rows.xlsx" "$xlsx_rows"
read -r w m < <(timed "${validate[@]}" --report out/scale.report.jsonl "out/ewa-$csv_rows.csv")
read -r bw bm < <(timed "${validate[@]}" --report out/scale.report.jsonl "out/ewa-$big_rows.csv")
awk -v w="$w" -v m="$m" -v bw="$bw" -v bm="$bm" -v r="$csv_rows" -v br="$big_rows" 'BEGIN {
  printf "scale: %d rows %.2fs %.0f rows/s peak RSS %d MB; %d rows %.2fs %.0f rows/s peak RSS %d MB (%+.0f%%)\n",
    r, w, r / w, m / 1024, br, bw, br / bw, bm / 1024, (bm - m) * 100 / m }'
