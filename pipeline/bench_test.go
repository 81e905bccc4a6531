package pipeline

import (
	"bytes"
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/internal/rostergen"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/validate"
)

// benchRows is the size of the benchmark's roster: large enough that the per-run set-up (the
// mapper, the validator, the de-duplication set) is lost in the per-row cost.
const benchRows = 20000

// benchRoster is a generated EWA roster as cmd/genroster writes it (its default shares of
// invalid and duplicate rows), made once.
var benchRoster = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	err := rostergen.WriteCSV(&buf, rostergen.Options{Rows: benchRows, Invalid: 0.08, Duplicate: 0.03, Seed: 1})
	return buf.Bytes(), err
})

// BenchmarkDryRun is `rosterload validate` over a CSV roster held in memory: read, map, validate,
// de-duplicate, the cross-row check with its priming read, and the report (CSV or JSONL, to a
// temporary file). It reports allocations and nanoseconds per row, the measures of issue 12.
func BenchmarkDryRun(b *testing.B) {
	data, err := benchRoster()
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := ingest.LoadConfig(filepath.Join("..", "testdata", "sample", "mapping.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	cfg.ProgramID = "prog-bench"
	v, err := validate.New(validate.Options{})
	if err != nil {
		b.Fatal(err)
	}
	open := func(b *testing.B) *ingest.Source {
		src, err := ingest.OpenCSV(bytes.NewReader(data), "bench.csv", ingest.OpenOptions{Mapping: cfg})
		if err != nil {
			b.Fatal(err)
		}
		return src
	}
	for _, ext := range []string{"csv", "jsonl"} {
		b.Run(ext, func(b *testing.B) {
			dir := b.TempDir()
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			for range b.N {
				src, prime := open(b), open(b)
				header, err := src.Header()
				if err != nil {
					b.Fatal(err)
				}
				m, err := ingest.NewMapper(*cfg, header)
				if err != nil {
					b.Fatal(err)
				}
				rep, err := reports.Create(filepath.Join(dir, "report."+ext), reports.Sheet{})
				if err != nil {
					b.Fatal(err)
				}
				sum := reports.NewSummary("validate", "bench.csv", string(cfg.Kind), time.Now())
				p := &Pipeline{Source: src, Prime: prime, Mapper: m, Validator: v, Report: rep, Summary: sum, TempDir: dir}
				if err := p.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				if sum.RowsRead != benchRows {
					b.Fatalf("%d rows read, want %d", sum.RowsRead, benchRows)
				}
				// The report is not kept: Abort removes it, as Close would leave it for the next run.
				rep.Abort()
				src.Close()
				prime.Close()
			}
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			rows := float64(benchRows) * float64(b.N)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rows, "allocs/row")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/rows, "B/row")
			b.ReportMetric(float64(elapsed.Nanoseconds())/rows, "ns/row")
		})
	}
}
