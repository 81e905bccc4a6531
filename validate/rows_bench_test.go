package validate_test

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/validate"
)

// benchRoster is the generated roster the dry-run benchmark reads (scripts/bench-dryrun.sh);
// the benchmark is skipped where it is absent.
const benchRoster = "/work/perf/ewa-100k.csv"

// BenchmarkEWARows validates real rows, mapped as a dry run maps them from the generated
// roster, the way the pipeline calls the validator: its time and allocations per op are those
// of one row of the dry run's validation stage. Rows are mapped again, off the clock, whenever
// the mapped ones are used up, since validation normalises them in place.
func BenchmarkEWARows(b *testing.B) {
	const n = 20000
	if _, err := os.Stat(benchRoster); err != nil {
		b.Skipf("no %s: %v", benchRoster, err)
	}
	cfg, err := ingest.LoadConfig("../testdata/sample/mapping.yaml")
	if err != nil {
		b.Fatal(err)
	}
	cfg.ProgramID = "prog-bench"
	src, err := ingest.Open(benchRoster, ingest.OpenOptions{Mapping: cfg})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	var m *ingest.Mapper
	header, err := src.Header()
	if err == nil {
		m, err = ingest.NewMapper(*cfg, header)
	}
	if err != nil {
		b.Fatal(err)
	}
	var raw []rows.Row
	for len(raw) < n {
		r, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		raw = append(raw, r)
	}
	v, err := validate.New(validate.Options{DateLayouts: cfg.DateFormats, DefaultCountry: cfg.DefaultCountry})
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]*ingest.Record, len(raw))
	remap := func() {
		for i, r := range raw {
			recs[i] = m.Map(r)
		}
	}
	validateAll := func() (invalid int) {
		for _, rec := range recs {
			if !rec.Spec().Validate(v, rec.Body, validate.Hint{Country: rec.Country, Loc: rec}).Valid() {
				invalid++
			}
		}
		return invalid
	}
	remap()
	if validateAll() == len(recs) { // and the phone cache warm, as the census leaves it
		b.Fatal("no row is valid")
	}
	remap()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(recs) {
			b.StopTimer()
			remap()
			i = 0
			b.StartTimer()
		}
		rec := recs[i]
		rec.Spec().Validate(v, rec.Body, validate.Hint{Country: rec.Country, Loc: rec})
		i++
	}
}
