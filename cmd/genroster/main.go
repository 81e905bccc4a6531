// Command genroster writes a synthetic EWA payroll roster (CSV or XLSX) of any size, with a chosen
// share of invalid and duplicate rows, for benchmarks and soak tests. The data is made up: card
// numbers pass the Luhn check but belong to no one. The rows come from internal/rostergen, which
// the end-to-end tests share.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rosterload/rosterload/internal/rostergen"
)

func main() {
	var o rostergen.Options
	var out string
	flag.IntVar(&o.Rows, "rows", 1000, "data rows to write")
	flag.StringVar(&out, "o", "roster.csv", "output `file`: .csv or .xlsx")
	flag.Float64Var(&o.Invalid, "invalid", 0.08, "share of rows with one invalid field")
	flag.Float64Var(&o.Duplicate, "duplicate", 0.03, "share of rows repeating an earlier externalId")
	flag.Uint64Var(&o.Seed, "seed", 1, "random seed (same seed, same file)")
	flag.Parse()
	if err := rostergen.WriteFile(out, o); err != nil {
		fmt.Fprintln(os.Stderr, "genroster:", err)
		os.Exit(1)
	}
}
