package rostergen

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func collect(t *testing.T, o Options) []Row {
	t.Helper()
	var rows []Row
	if err := Generate(o, func(r Row) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return rows
}

func luhnValid(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

var (
	ssnShape   = regexp.MustCompile(`^(\d{3})-(\d{2})-(\d{4})$`)
	phoneShape = regexp.MustCompile(`^\(\d{3}\) [2-9]\d{2}-\d{4}$`)
	cardShape  = regexp.MustCompile(`^4\d{15}$`)
)

func TestGenerateShares(t *testing.T) {
	t.Parallel()
	o := Options{Rows: 4000, Invalid: 0.08, Duplicate: 0.03, Seed: 1}
	rows := collect(t, o)
	if len(rows) != o.Rows {
		t.Fatalf("%d rows, want %d", len(rows), o.Rows)
	}
	seen := map[string]bool{}
	var invalid, dup int
	for i, r := range rows {
		if len(r.Cells) != len(Header()) {
			t.Fatalf("row %d has %d cells, header %d", i, len(r.Cells), len(Header()))
		}
		id := r.Cells[ColExternalID]
		switch {
		case r.Duplicate:
			dup++
			if !seen[id] {
				t.Errorf("row %d is a duplicate of %s, which no earlier row has", i, id)
			}
			if r.Invalid {
				t.Errorf("row %d is both duplicate and invalid", i)
			}
			if r.Changed != strings.HasPrefix(r.Cells[ColEmail], "changed.") {
				t.Errorf("row %d: Changed %v but email %q", i, r.Changed, r.Cells[ColEmail])
			}
		case seen[id]:
			t.Errorf("row %d repeats %s without being marked a duplicate", i, id)
		}
		seen[id] = true
		if r.Invalid {
			invalid++
			continue
		}
		ssn := ssnShape.FindStringSubmatch(r.Cells[ColSSN])
		if ssn == nil || ssn[1] == "000" || ssn[1] == "666" || ssn[1][0] == '9' || ssn[2] == "00" || ssn[3] == "0000" {
			t.Errorf("row %d: SSN %q is not a valid one", i, r.Cells[ColSSN])
		}
		if c := r.Cells[ColCardNumber]; !cardShape.MatchString(c) || !luhnValid(c) {
			t.Errorf("row %d: card number fails the Luhn check or its shape", i)
		}
		if !phoneShape.MatchString(r.Cells[ColPhone]) {
			t.Errorf("row %d: phone %q", i, r.Cells[ColPhone])
		}
	}
	newIDs := o.Rows - dup
	if got := float64(invalid) / float64(newIDs); math.Abs(got-o.Invalid) > 0.02 {
		t.Errorf("invalid share %.3f, want about %.2f", got, o.Invalid)
	}
	if got := float64(dup) / float64(o.Rows); math.Abs(got-o.Duplicate) > 0.015 {
		t.Errorf("duplicate share %.3f, want about %.2f", got, o.Duplicate)
	}
}

func TestGenerateSpoiledRowsDiffer(t *testing.T) {
	t.Parallel()
	// The same seed with no invalid rows gives the same people; a spoiled row differs from its
	// clean twin in exactly one cell.
	clean := collect(t, Options{Rows: 500, Seed: 2})
	spoiled := collect(t, Options{Rows: 500, Invalid: 1, Seed: 2})
	for i := range clean {
		if !spoiled[i].Invalid {
			t.Fatalf("row %d not spoiled at Invalid 1", i)
		}
		diff := 0
		for c := range clean[i].Cells {
			if clean[i].Cells[c] != spoiled[i].Cells[c] {
				diff++
			}
		}
		if diff != 1 {
			t.Errorf("row %d: %d cells differ from the clean row, want 1", i, diff)
		}
	}
}

func TestWriteCSVDeterministic(t *testing.T) {
	t.Parallel()
	o := Options{Rows: 300, Invalid: 0.1, Duplicate: 0.05, Seed: 9}
	var a, b bytes.Buffer
	if err := WriteCSV(&a, o); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&b, o); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same options gave two different files")
	}
	recs, err := csv.NewReader(&a).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows := collect(t, o)
	if len(recs) != len(rows)+1 || !slices.Equal(recs[0], Header()) {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	for i, r := range rows {
		if !slices.Equal(recs[i+1], r.Cells) {
			t.Fatalf("CSV line %d %v, Generate gave %v", i+2, recs[i+1], r.Cells)
		}
	}
	var other bytes.Buffer
	o.Seed++
	if err := WriteCSV(&other, o); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.Bytes(), b.Bytes()) {
		t.Error("another seed gave the same file")
	}
}

func TestWriteFileXLSX(t *testing.T) {
	t.Parallel()
	o := Options{Rows: 50, Invalid: 0.2, Duplicate: 0.1, Seed: 4}
	path := filepath.Join(t.TempDir(), "r.xlsx")
	if err := WriteFile(path, o); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{Header()}
	for _, r := range collect(t, o) {
		want = append(want, r.Cells)
	}
	if len(got) != len(want) {
		t.Fatalf("%d sheet rows, want %d", len(got), len(want))
	}
	for i := range want {
		// GetRows drops trailing empty cells; no generated row ends with one.
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("sheet row %d %v, want %v", i+1, got[i], want[i])
		}
	}
}

func TestOptionsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    Options
	}{
		{"negative rows", Options{Rows: -1}},
		{"invalid share above 1", Options{Rows: 1, Invalid: 1.5}},
		{"negative duplicate share", Options{Rows: 1, Duplicate: -0.1}},
		{"NaN share", Options{Rows: 1, Invalid: math.NaN()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "r.csv")
			if err := WriteFile(path, tt.o); !errors.Is(err, ErrOptions) {
				t.Errorf("WriteFile: %v, want ErrOptions", err)
			}
			called := false
			if err := Generate(tt.o, func(Row) error { called = true; return nil }); !errors.Is(err, ErrOptions) || called {
				t.Errorf("Generate: %v (called %v), want ErrOptions before any row", err, called)
			}
		})
	}
}

func TestGenerateStopsAtCallbackError(t *testing.T) {
	t.Parallel()
	stop := errors.New("stop")
	n := 0
	err := Generate(Options{Rows: 100, Seed: 1}, func(Row) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 {
		t.Errorf("Generate returned %v after %d rows, want stop after 3", err, n)
	}
}
