package reports

import (
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/outcome"
)

// The XLSX report lists the leavers on a sheet "Missing", masked, under a bold header, beside
// the report sheet; without leavers there is no such sheet.
func TestXLSXMissingSheet(t *testing.T) {
	t.Parallel()
	lines := []*Line{{Row: 2, Status: outcome.Skipped, Cells: []string{"E9"}}}
	tests := []struct {
		name    string
		batches [][]Leaver // one WriteLeavers call each
		want    [][]string // the Missing sheet's rows; nil: no sheet
	}{
		{"no leavers", nil, nil},
		{"an empty list", [][]Leaver{{}}, nil},
		// Cells are inline strings, never formulas: no apostrophe is needed.
		{"leavers, in two calls", [][]Leaver{sampleLeavers[:1], sampleLeavers[1:]},
			append([][]string{{"externalId", "customerId", "profileId", "firstSeen", "lastSeen"}}, sampleLeaverRows...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := writeXLSXLeavers(t, Sheet{Header: []string{"ID"}}, lines, tt.batches...)
			x := openXLSX(t, p)
			if got := x.value("B2"); got != "SKIPPED" {
				t.Errorf("report sheet B2 = %q, want SKIPPED", got)
			}
			sheets := x.f.GetSheetList()
			if tt.want == nil {
				if len(sheets) != 1 {
					t.Errorf("sheets %q, want the report alone", sheets)
				}
				return
			}
			if !slices.Equal(sheets, []string{"Report", "Missing"}) {
				t.Fatalf("sheets %q, want [Report Missing]", sheets)
			}
			got, err := x.f.GetRows("Missing")
			if err != nil {
				t.Fatal(err)
			}
			for i := range got { // excelize drops trailing empty cells
				for len(got[i]) < len(tt.want[i]) {
					got[i] = append(got[i], "")
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Missing sheet =\n%q\nwant\n%q", got, tt.want)
			}
			for _, cell := range []string{"A1", "E1"} {
				id, err := x.f.GetCellStyle("Missing", cell)
				if err != nil {
					t.Fatal(err)
				}
				if st, err := x.f.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
					t.Errorf("Missing!%s is not bold (%v)", cell, err)
				}
			}
			if f, err := x.f.GetCellFormula("Missing", "A3"); err != nil || f != "" {
				t.Errorf("Missing!A3 has formula %q (%v)", f, err)
			}
			for name, b := range zipParts(t, p) {
				if strings.Contains(string(b), "4242424242424242") || strings.Contains(string(b), "123-45-6789") {
					t.Errorf("%s holds a card number or SSN", name)
				}
			}
		})
	}
}

// WriteLeavers after Close fails, and only the XLSX report lists leavers (Abort after leavers:
// TestAbortLeavesNothing).
func TestXLSXLeaversLifecycle(t *testing.T) {
	t.Parallel()
	t.Run("after Close", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "r.xlsx")
		w, err := Create(p, Sheet{Header: []string{"ID"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.(Leavers).WriteLeavers(sampleLeavers); err == nil {
			t.Error("WriteLeavers after Close succeeded")
		}
	})
	t.Run("CSV and JSONL reports list no leavers", func(t *testing.T) {
		for _, ext := range []string{".csv", ".jsonl"} {
			w, err := Create(filepath.Join(t.TempDir(), "r"+ext), Sheet{})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := w.(Leavers); ok {
				t.Errorf("the %s report implements Leavers", ext)
			}
			w.Abort()
		}
	})
}
