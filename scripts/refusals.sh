#!/usr/bin/env bash
# Runs rosterload validate on sources and configurations it must refuse and prints, for each, the
# exit code, wall time, peak RSS and the one line it wrote on stderr.
set -uo pipefail
cd "$(dirname "$0")/.."
go build -o bin/rosterload ./cmd/rosterload || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty.csv"
head -c 65536 /dev/urandom >"$tmp/random.xlsx"
printf 'columns:\n  externalId: "Associate ID"\n' >"$tmp/mapping.yaml"

check() { # name, then the arguments
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$tmp/time" bin/rosterload validate --report "$tmp/r.csv" "$@" 2>"$tmp/err" >/dev/null
  local code=$?
  read -r wall rss < <(tail -1 "$tmp/time")
  printf '%-22s exit %d  %5.2fs  %4d MB  lines %d  | %s\n' "$name" "$code" "$wall" $((rss / 1024)) \
    "$(wc -l <"$tmp/err")" "$(head -c 160 "$tmp/err" | head -1)"
}
check "empty file" "$tmp/empty.csv"
check "random bytes .xlsx" "$tmp/random.xlsx"
check "zip bomb (4 GiB)" testdata/xlsx/bomb.xlsx
check "lying zip bomb" testdata/xlsx/lying-bomb.xlsx
check "missing header" --mapping "$tmp/mapping.yaml" testdata/sample/employees.csv
