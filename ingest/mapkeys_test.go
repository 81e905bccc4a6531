package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/internal/rostergen"
)

// censusView is what the census before a run reads of a record (pipeline/crossrow.go: records
// and sharedValues), written out so that two records can be compared on it.
func censusView(r *Record) string {
	v := fmt.Sprintf("row %d kind %s malformed %v body %t id %q country %q",
		r.Row, r.Kind, r.Malformed, r.Body != nil, r.ExternalID(), r.Country)
	person := func(ic *api.IndividualCustomer) {
		if ic == nil {
			v += " person nil"
			return
		}
		v += fmt.Sprintf(" ssn %q", ic.SocialID)
		if e := ic.PrimaryEmail; e != nil {
			v += fmt.Sprintf(" email %q", e.Value)
		} else {
			v += " email nil"
		}
		if ph := ic.PrimaryPhoneNumber; ph != nil {
			v += fmt.Sprintf(" phone %q", ph.Number)
		} else {
			v += " phone nil"
		}
	}
	switch b := r.Body.(type) {
	case *api.CustomerProfileRequest:
		person(b.CustomerData)
		if fa := b.FinancialAccountData; fa != nil && fa.Card != nil {
			v += fmt.Sprintf(" card %q", fa.Card.CardNumber)
		} else {
			v += " card nil"
		}
	case *api.IndividualCustomer:
		person(b)
	case *api.BusinessCustomer:
		v += fmt.Sprintf(" taxId %q", b.TaxID)
	default:
		v += fmt.Sprintf(" body %T", b)
	}
	return v
}

// mapKeysRosters are the rosters the differential test reads: the repository's test rosters
// (payroll exports, samples, every kind's, broken CSVs with malformed rows) and a generated one
// with many invalid and repeated rows.
func mapKeysRosters(t *testing.T) map[string]func() (*Source, error) {
	t.Helper()
	out := map[string]func() (*Source, error){}
	for _, dir := range []string{"exports", "sample", "ewa", "individual", "business", "csv", "hostile"} {
		files, err := filepath.Glob(filepath.Join("..", "testdata", dir, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			switch filepath.Ext(f) {
			case ".csv", ".tsv", ".txt", ".xlsx":
				out[dir+"/"+filepath.Base(f)] = func() (*Source, error) { return Open(f, OpenOptions{}) }
			}
		}
	}
	var gen bytes.Buffer
	if err := rostergen.WriteCSV(&gen, rostergen.Options{Rows: 3000, Invalid: 0.3, Duplicate: 0.1, Seed: 12}); err != nil {
		t.Fatal(err)
	}
	out["generated"] = func() (*Source, error) {
		return OpenCSV(bytes.NewReader(gen.Bytes()), "generated.csv", OpenOptions{})
	}
	return out
}

// TestMapKeysAgreesWithMap: for every row of the test rosters, read as every kind with and
// without a mapping's defaults, what the census reads of MapKeys's record (a new one, and one
// refilled row after row) is what it reads of Map's.
func TestMapKeysAgreesWithMap(t *testing.T) {
	t.Parallel()
	sample, err := LoadConfig(filepath.Join("..", "testdata", "sample", "mapping.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	configs := map[string]Config{"sample mapping": *sample}
	for _, k := range []Kind{KindEWA, KindIndividual, KindBusiness} {
		configs[string(k)] = Config{Kind: k}
		defaults := map[string]string{"country": "MEX", "email": "hr@example.com"}
		if k == KindBusiness {
			delete(defaults, "email") // a business has its own email fields
		}
		configs[string(k)+" with defaults"] = Config{Kind: k, ProgramID: "prog-1", DefaultCountry: "CAN", Defaults: defaults}
	}
	var rowsCompared, malformed int
	kinds := map[Kind]int{}
	for name, open := range mapKeysRosters(t) {
		for cname, cfg := range configs {
			t.Run(name+"/"+cname, func(t *testing.T) {
				src, err := open()
				if err != nil {
					t.Skipf("not a roster: %v", err)
				}
				defer src.Close()
				header, err := src.Header()
				if err != nil {
					t.Skipf("no header: %v", err)
				}
				m, err := NewMapper(cfg, header)
				if err != nil {
					t.Skipf("not mapped: %v", err)
				}
				var reused *Record
				for {
					row, err := src.Next()
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						t.Skipf("unreadable: %v", err)
					}
					want := censusView(m.Map(row))
					if got := censusView(m.MapKeys(row, nil)); got != want {
						t.Errorf("MapKeys(new):\\n got %s\\nwant %s", got, want)
					}
					reused = m.MapKeys(row, reused)
					if got := censusView(reused); got != want {
						t.Errorf("MapKeys(reused):\\n got %s\\nwant %s", got, want)
					}
					rowsCompared++
					kinds[m.spec.Kind]++
					if row.Err != nil {
						malformed++
					}
				}
			})
		}
	}
	t.Cleanup(func() {
		// The sources must have exercised the test: many rows, malformed ones, every kind.
		if rowsCompared < 10000 || malformed == 0 || len(kinds) != 3 {
			t.Errorf("compared %d rows (%d malformed) of kinds %v: the rosters did not load", rowsCompared, malformed, kinds)
		}
	})
}

// TestMapKeysReuse: a record is refilled only when MapKeys made it for the same kind; a record
// Map made, or one of another kind, is left alone and a new one returned.
func TestMapKeysReuse(t *testing.T) {
	t.Parallel()
	ewa := newMapper(t, Config{ProgramID: "p"}, ewaHeaders...)
	biz := newMapper(t, Config{Kind: KindBusiness}, "Employee ID", "Tax ID")
	r := row(2, ewaHeaders, ewaRow)
	first := ewa.MapKeys(r, nil)
	tests := []struct {
		name   string
		m      *Mapper
		reuse  *Record
		refill bool
	}{
		{"nil", ewa, nil, false},
		{"its own", ewa, first, true},
		{"from Map", ewa, ewa.Map(r), false},
		{"another kind's", biz, first, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.m.MapKeys(rows.Row{Num: 9, Cells: r.Cells}, tt.reuse)
			if (got == tt.reuse) != tt.refill {
				t.Errorf("refilled = %t, want %t", got == tt.reuse, tt.refill)
			}
			if got.Row != 9 || got.Kind != tt.m.spec.Kind {
				t.Errorf("record row %d kind %s, want 9 %s", got.Row, got.Kind, tt.m.spec.Kind)
			}
		})
	}
	if first.Row != 9 || first.ExternalID() != "E-001" {
		t.Errorf("refilled record: row %d id %q", first.Row, first.ExternalID())
	}
}
