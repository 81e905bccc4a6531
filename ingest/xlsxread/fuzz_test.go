package xlsxread

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/rosterload/rosterload/ingest/rows"
)

// FuzzOpen feeds arbitrary bytes to the reader: whatever they are, it must not panic, and every
// error must be a *rows.SourceError.
func FuzzOpen(f *testing.F) {
	for _, name := range []string{"dates.xlsx", "numbers.xlsx", "raw-cells.xlsx", "header-row3.xlsx", "random.xlsx", "encrypted.xlsx"} {
		b, err := os.ReadFile(fixture(name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(rawBook{sheets: []rawSheet{{name: "S", data: rawCellsData}}, sst: []string{"<t>a</t>", "<t>b</t>", "<t>c</t>", "<t>d</t>"}}.bytes(f))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := openBytes(data, Options{MaxUnzipSize: 64 << 20, MaxXMLSize: 1 << 20})
		if err != nil {
			var se *rows.SourceError
			if !errors.As(err, &se) {
				t.Fatalf("Open error %v (%T) is not a *rows.SourceError", err, err)
			}
			return
		}
		defer r.Close()
		if _, err := r.Header(); err != nil {
			t.Fatalf("Header after a successful Open: %v", err)
		}
		for range 10000 {
			_, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var se *rows.SourceError
				if !errors.As(err, &se) {
					t.Fatalf("Next error %v (%T) is not a *rows.SourceError", err, err)
				}
				return
			}
		}
	})
}
