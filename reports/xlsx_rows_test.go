package reports

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/validate"
)

func TestXLSXRowOrderAndLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rows    []int
		wantErr error  // errors.Is
		wantMsg string // in the error
	}{
		{"last row", []int{2, xlsxMaxRows}, nil, ""},
		{"past the last row", []int{2, xlsxMaxRows + 1}, ErrXLSXRowLimit, "the XLSX report holds at most 1,048,576 rows; use a .csv or .jsonl report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "r.xlsx")
			w, err := CreateXLSX(p, Sheet{Header: []string{"ID"}})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			var last error
			for _, r := range tt.rows {
				last = w.Write(&Line{Row: r, Status: outcome.Valid, Cells: []string{"x"}})
			}
			switch {
			case tt.wantErr == nil && tt.wantMsg == "":
				if last != nil {
					t.Fatalf("Write: %v", last)
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				x := openXLSX(t, p)
				if got := x.value("A" + strconv.Itoa(xlsxMaxRows)); got != "x" {
					t.Errorf("last row = %q", got)
				}
			case last == nil:
				t.Fatal("Write succeeded, want an error")
			default:
				if tt.wantErr != nil && !errors.Is(last, tt.wantErr) {
					t.Errorf("error %v, want %v", last, tt.wantErr)
				}
				if !strings.Contains(last.Error(), tt.wantMsg) {
					t.Errorf("error %q, want %q in it", last, tt.wantMsg)
				}
			}
		})
	}
}

// A sheet that lists its rows out of order or repeats a row number still gets every row in the
// report: such a row goes on the next free row and says which source row it is.
func TestXLSXRowsOutOfOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		rows   []int
		placed []int // where each line lands
	}{
		{"same row twice", []int{2, 2}, []int{2, 3}},
		{"going back", []int{5, 3, 4}, []int{5, 6, 7}},
		{"the header's row", []int{1}, []int{2}},
		{"back, then ahead again", []int{4, 2, 9}, []int{4, 5, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var lines []*Line
			for i, r := range tt.rows {
				lines = append(lines, &Line{Row: r, Status: outcome.Valid, Cells: []string{"id" + strconv.Itoa(i)}})
			}
			x := openXLSX(t, writeXLSX(t, Sheet{Header: []string{"ID"}}, lines))
			for i, at := range tt.placed {
				row := strconv.Itoa(at)
				if got, want := x.value("A"+row), "id"+strconv.Itoa(i); got != want {
					t.Errorf("A%s = %q, want %q", row, got, want)
				}
				note := x.value("C" + row)
				moved := at != tt.rows[i]
				if want := "row " + strconv.Itoa(tt.rows[i]) + " of the source sheet"; moved != strings.Contains(note, want) {
					t.Errorf("C%s = %q: moved %v, want %q in it only then", row, note, moved, want)
				}
			}
		})
	}
}

func TestXLSXTooWide(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := CreateXLSX(filepath.Join(dir, "wide.xlsx"), Sheet{Header: make([]string, 16381)}); err == nil {
		t.Fatal("a 16,381-column roster was accepted")
	}
	w, err := CreateXLSX(filepath.Join(dir, "widest.xlsx"), Sheet{Header: make([]string, 16380)})
	if err != nil {
		t.Fatalf("a 16,380-column roster: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left: %v", ents)
	}
}

// problemLines are lines whose problems make comments, so that temp files exist.
func problemLines(n int) []*Line {
	var lines []*Line
	for i := range n {
		row := i + 2
		lines = append(lines, &Line{Row: row, Status: outcome.Invalid, Cells: []string{"E" + strconv.Itoa(row), "x@"},
			Errors: []validate.Problem{{Field: "email", Cell: "B" + strconv.Itoa(row), Code: "invalid_email", Message: "not an address"}}})
	}
	return lines
}

// startProblemReport starts an XLSX report at p and writes three problemLines to it.
func startProblemReport(t *testing.T, p string) Writer {
	t.Helper()
	w, err := CreateXLSX(p, Sheet{Header: []string{"ID", "Email"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range problemLines(3) {
		if err := w.Write(l); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func TestXLSXAbortAndClose(t *testing.T) {
	t.Parallel()
	t.Run("abort leaves nothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		w := startProblemReport(t, filepath.Join(dir, "r.xlsx"))
		if ents, _ := os.ReadDir(dir); len(ents) != 3 {
			t.Errorf("while writing: %d files, want the report and two comment temp files", len(ents))
		}
		if err := w.Abort(); err != nil {
			t.Fatal(err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("after Abort: %v", ents)
		}
		if err := w.Write(problemLines(1)[0]); err == nil {
			t.Error("Write after Abort succeeded")
		}
	})
	t.Run("a failed close leaves nothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		p := filepath.Join(dir, "r.xlsx")
		// A directory in the report's place: the rename at the end of Close fails.
		if err := os.MkdirAll(filepath.Join(p, "keep"), 0o700); err != nil {
			t.Fatal(err)
		}
		w := startProblemReport(t, p)
		if err := w.Close(); err == nil {
			t.Fatal("Close over a directory succeeded")
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort after a failed Close: %v", err)
		}
		if err := w.Close(); err == nil {
			t.Error("a second Close after a failed one succeeded")
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 || ents[0].Name() != "r.xlsx" || !ents[0].IsDir() {
			t.Errorf("after a failed Close: %v, want only the directory", ents)
		}
	})
	t.Run("a failed finish leaves nothing", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		w := startProblemReport(t, filepath.Join(dir, "r.xlsx"))
		// The comments' temp file fails under Close, as a full disk would make it.
		w.(*xlsxWriter).comments.f.Close()
		if err := w.Close(); err == nil {
			t.Fatal("Close succeeded")
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("after a failed Close: %v", ents)
		}
	})
	t.Run("close commits, 0600, no temp files", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		p := filepath.Join(dir, "r.xlsx")
		w := startProblemReport(t, p)
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Fatalf("report visible before Close: %v", err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 || ents[0].Name() != "r.xlsx" {
			t.Errorf("after Close: %v, want only r.xlsx", ents)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", st.Mode().Perm())
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort after Close: %v", err)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("Abort after Close removed the report: %v", err)
		}
	})
}
