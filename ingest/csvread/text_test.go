package csvread

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRowTextAgreesWithCells holds the row-at-once text path (the ASCII prefix split notes, then
// one check of the rest in plain, and row text cut from a shared chunk) to the cell-by-cell
// decoding it stands in for: random rows with non-ASCII and invalid bytes at every position,
// read in each encoding, past the peek window so that detection happens while reading.
func TestRowTextAgreesWithCells(t *testing.T) {
	t.Parallel()
	pieces := []string{"a", "Zz", "0", " ", "é", "€", "𝄞", "\xE9", "\x80", "\xC3", "\xED\xA0\x80", "\xF0\x9F"}
	for _, tt := range []struct {
		name string
		opts Options
		want func(string) string // a cell's text
	}{
		{"detect", Options{}, func(c string) string {
			if utf8.ValidString(c) {
				return c
			}
			return decode1252(c)
		}},
		{"utf-8", Options{Encoding: "utf-8"}, func(c string) string { return strings.ToValidUTF8(c, "\uFFFD") }},
		{"windows-1252", Options{Encoding: "windows-1252"}, decode1252},
	} {
		for seed := range uint64(20) {
			t.Run(fmt.Sprintf("%s/%d", tt.name, seed), func(t *testing.T) {
				t.Parallel()
				rng := rand.New(rand.NewPCG(seed, 7))
				var b bytes.Buffer
				b.WriteString("id,x,y\n")
				for b.Len() < peekSize { // an ASCII start: nothing detected before reading
					b.WriteString("1,abc,def\n")
				}
				head := strings.Count(b.String(), "\n") - 1
				var want [][]string
				sawUTF8, saw1252 := false, false
				for i := range 3000 {
					cells := []string{fmt.Sprint(i)}
					for range 2 {
						var c strings.Builder
						for range rng.IntN(12) {
							p := pieces[rng.IntN(len(pieces))]
							if rng.IntN(3) > 0 {
								p = pieces[rng.IntN(4)] // mostly ASCII
							}
							c.WriteString(p)
						}
						cells = append(cells, c.String())
					}
					b.WriteString(strings.Join(cells, ",") + "\n")
					for j, c := range cells {
						if utf8.ValidString(c) {
							sawUTF8 = sawUTF8 || !isASCII(c)
						} else {
							saw1252 = true
						}
						cells[j] = tt.want(c)
					}
					want = append(want, cells)
				}
				r, _, got, err := readAll(t, b.Bytes(), tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				got = got[head:]
				if len(got) != len(want) {
					t.Fatalf("read %d rows, want %d", len(got), len(want))
				}
				for i, row := range got {
					if row.Err != nil || !reflect.DeepEqual(row.Cells, want[i]) {
						t.Fatalf("row %d = %q (%v), want %q", row.Num, row.Cells, row.Err, want[i])
					}
				}
				if tt.name == "detect" {
					wantEnc := "utf-8"
					switch {
					case saw1252 && sawUTF8:
						wantEnc = "utf-8 with windows-1252 cells"
					case saw1252:
						wantEnc = "windows-1252"
					}
					if e := r.Encoding(); e != wantEnc {
						t.Errorf("Encoding() = %q, want %q", e, wantEnc)
					}
				}
			})
		}
	}
}

// TestSplitNotesASCIIPrefix pins what split tells plain: the bytes before the first eight that
// hold a non-ASCII one (all of a row without one) are ASCII, and never a byte more.
func TestSplitNotesASCIIPrefix(t *testing.T) {
	t.Parallel()
	for n := range 40 {
		for at := range n + 1 {
			s := []byte(strings.Repeat("a,", n)[:n])
			if at < n {
				s[at] = 0xE9
			}
			t.Run(fmt.Sprintf("len%d/at%d", n, at), func(t *testing.T) {
				r := &Reader{delim: ',', delimStr: ","}
				r.split(string(s))
				if r.ascii > at || at == n && r.ascii != n || at < n && r.ascii < at&^7 {
					t.Errorf("ascii = %d for a non-ASCII byte at %d of %d", r.ascii, at, n)
				}
			})
		}
	}
}
