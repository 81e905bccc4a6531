package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/internal/rostergen"
)

// repeatsRoster is a generated roster where many rows repeat an id (the same employee again) or
// share an SSN, email, phone or card number with another employee's row, written differently.
func repeatsRoster(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(rostergen.Header()); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	err := rostergen.Generate(rostergen.Options{Rows: n, Invalid: 0.05, Duplicate: 0.1, Seed: 9}, func(r rostergen.Row) error {
		c := r.Cells
		switch rng.IntN(12) {
		case 0:
			c[rostergen.ColSSN] = fmt.Sprintf("123-45-%04d", 1000+rng.IntN(20))
		case 1:
			c[rostergen.ColSSN] = fmt.Sprintf("12345%04d", 1000+rng.IntN(20))
		case 2:
			c[rostergen.ColEmail] = fmt.Sprintf(" Shared%d@Example.com", rng.IntN(20))
		case 3:
			c[rostergen.ColPhone] = []string{"(312) 359-2374", "+1 312 359 2374", "1-206-719-7540", "206.719.7540"}[rng.IntN(4)]
		case 4:
			c[rostergen.ColCardNumber] = []string{"4111 1111 1111 1111", "4111111111111111", "5500-0000-0000-0004"}[rng.IntN(3)]
		}
		return w.Write(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return buf.Bytes()
}

// openRoster opens data as the run does and returns its reader and mapper.
func openRoster(t *testing.T, data []byte, cfg ingest.Config) (*ingest.Source, *ingest.Mapper) {
	t.Helper()
	src, err := ingest.OpenCSV(bytes.NewReader(data), "roster.csv", ingest.OpenOptions{Mapping: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	header, err := src.Header()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ingest.NewMapper(cfg, header)
	if err != nil {
		t.Fatal(err)
	}
	return src, m
}

// The census on 1 to 4 workers seals what Adding every row in order on one goroutine seals:
// the same occurrences (keys, rows, classes, next rows, first and later holders).
func TestCensusParallelSealsAsSequential(t *testing.T) {
	data := repeatsRoster(t, 5000)
	v := newTestValidator(t)
	var seq Shared
	seq.Prepare(v, t.TempDir())
	src, m := openRoster(t, data, mustConfig(t))
	for {
		row, err := src.Next()
		if err != nil {
			break
		}
		seq.Add(m.Map(row))
	}
	if err := seq.Seal(); err != nil {
		t.Fatal(err)
	}
	want := occurrences(t, &seq)
	defer seq.endRun()
	flagged, later := 0, 0
	for _, o := range want {
		if !o.isID() {
			flagged++
		}
		if o.later != 0 {
			later++
		}
	}
	if later == 0 || flagged < 200 {
		t.Fatalf("%d occurrences, %d of values, %d with a later row: the test proves nothing", len(want), flagged, later)
	}
	for workers := 1; workers <= 4; workers++ {
		for _, bound := range []int64{0, 80 * censusRecSize} {
			t.Run(fmt.Sprintf("workers %d bound %d", workers, bound), func(t *testing.T) {
				var par Shared
				par.Prepare(v, t.TempDir())
				par.seed = seq.seed // the same keys
				par.bound = bound
				src, m := openRoster(t, data, mustConfig(t))
				if err := par.census(context.Background(), src, m, workers); err != nil {
					t.Fatal(err)
				}
				defer par.endRun()
				if got := occurrences(t, &par); !slices.Equal(got, want) {
					t.Errorf("%d occurrences, want %d", len(got), len(want))
				}
				if !par.Primed {
					t.Error("not primed")
				}
			})
		}
	}
}

// cancelAfter cancels its context once n rows have been read.
type cancelAfter struct {
	rows.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Next() (rows.Row, error) {
	if c.n--; c.n == 0 {
		c.cancel()
	}
	return c.Reader.Next()
}

// A census cancelled mid-pass returns the context's error and leaves no goroutine behind.
func TestCensusCancelled(t *testing.T) {
	data := repeatsRoster(t, 5000)
	v := newTestValidator(t)
	for _, at := range []int{1, 300, 2500} {
		t.Run(fmt.Sprintf("at row %d", at), func(t *testing.T) {
			before := runtime.NumGoroutine()
			src, m := openRoster(t, data, mustConfig(t))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var s Shared
			s.Prepare(v, t.TempDir())
			err := s.census(ctx, &cancelAfter{Reader: src, n: at, cancel: cancel}, m, 3)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			if s.sealed || s.Primed {
				t.Error("sealed after a cancelled census")
			}
			// Goroutines that have returned may take a moment to be gone from the count.
			for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > before {
				t.Errorf("%d goroutines left, %d before", n, before)
			}
		})
	}
}
