package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gocarina/gocsv"

	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/validate"
)

// The report writers encode lines by hand; these tests hold them to encoding/json and gocsv,
// which wrote the reports before.

// oddText makes a string of up to 12 characters that JSON and CSV have to escape or quote:
// quotes, backslashes, every control character, invalid UTF-8, U+2028 and U+2029, HTML's
// specials, DEL, separators and multi-byte letters.
func oddText(rng *rand.Rand) string {
	pieces := []string{"a", "Z", "0", " ", `"`, `\`, "<", ">", "&", ",", ";", "\x7f", "é", "日",
		"\u2028", "\u2029", "\xff", "\xe2\x80", "=", "+", "-", "@", "\r\n", "'",
		"Ann Lee-Smith", "E0000042 / 7"} // and runs of plain text longer than eight bytes
	for c := range 0x20 {
		pieces = append(pieces, string(rune(c)))
	}
	var b strings.Builder
	for range rng.IntN(13) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

func randomLine(rng *rand.Rand) *Line {
	problems := func() []validate.Problem {
		switch rng.IntN(3) {
		case 0:
			return nil
		case 1:
			return []validate.Problem{}
		}
		ps := make([]validate.Problem, 1+rng.IntN(3))
		for i := range ps {
			ps[i] = validate.Problem{Field: oddText(rng), Column: oddText(rng), Cell: oddText(rng), Code: oddText(rng), Message: oddText(rng)}
		}
		return ps
	}
	return &Line{Row: rng.IntN(2000000) - 5, ExternalID: oddText(rng), Name: oddText(rng),
		Status: outcome.Status(oddText(rng)), CustomerID: oddText(rng), ProfileID: oddText(rng),
		FinancialAccountID: oddText(rng), HTTPStatus: rng.IntN(3) * 201, Attempts: rng.IntN(3) - 1,
		Errors: problems(), Warnings: problems()}
}

func TestAppendJSONLineAsEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	lines := sampleLines()
	for range 20000 {
		lines = append(lines, randomLine(rng))
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	for i, l := range lines {
		want.Reset()
		if err := enc.Encode(l); err != nil {
			t.Fatal(err)
		}
		if got := appendJSONLine(nil, l); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("line %d:\n got %s\nwant %s", i, got, want.Bytes())
		}
	}
}

// gocsvLine is the struct gocsv wrote the CSV report from before.
type gocsvLine struct {
	Row                string `csv:"row"`
	ExternalID         string `csv:"externalId"`
	Name               string `csv:"name"`
	Status             string `csv:"status"`
	CustomerID         string `csv:"customerId"`
	ProfileID          string `csv:"profileId"`
	FinancialAccountID string `csv:"financialAccountId"`
	HTTPStatus         string `csv:"httpStatus"`
	Attempts           string `csv:"attempts"`
	Errors             string `csv:"errors"`
	Warnings           string `csv:"warnings"`
}

func TestCSVReportAsGocsv(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(8, 8))
	for _, n := range []int{0, 5000} {
		t.Run(strconv.Itoa(n)+" lines", func(t *testing.T) {
			lines := sampleLines()[:min(n, 3)]
			for range n {
				lines = append(lines, randomLine(rng))
			}
			path := filepath.Join(t.TempDir(), "r.csv")
			w, err := CreateCSV(path)
			if err != nil {
				t.Fatal(err)
			}
			old := []gocsvLine{}
			for _, l := range lines {
				if err := w.Write(l); err != nil {
					t.Fatal(err)
				}
				m := masked(l)
				old = append(old, gocsvLine{strconv.Itoa(m.Row), SafeCell(m.ExternalID), SafeCell(m.Name), string(m.Status),
					SafeCell(m.CustomerID), SafeCell(m.ProfileID), SafeCell(m.FinancialAccountID),
					itoaOrEmpty(m.HTTPStatus), itoaOrEmpty(m.Attempts), SafeCell(JoinProblems(m.Errors)), SafeCell(JoinProblems(m.Warnings))})
			}
			want, err := gocsv.MarshalBytes(old)
			if err != nil {
				t.Fatal(err)
			}
			got := closeFile(t, path, w.Close)
			if !bytes.Equal(got, want) {
				t.Fatalf("CSV report differs from gocsv's:\n got %q\nwant %q", got[:min(len(got), 400)], want[:min(len(want), 400)])
			}
		})
	}
}

// TestJSONPlain8 holds the eight-byte test of appendJSONString to the byte-by-byte one: bytes
// at and around every boundary (0x1F/0x20, the quote, the backslash, 0x7F/0x80), in every
// position, and random words.
func TestJSONPlain8(t *testing.T) {
	t.Parallel()
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
				return false
			}
		}
		return true
	}
	edge := []byte{0x00, 0x01, 0x1f, 0x20, 0x21, '"' - 1, '"', '"' + 1, '\\' - 1, '\\', '\\' + 1, 0x7e, 0x7f, 0x80, 0x81, 0xa2, 0xdc, 0xfe, 0xff, 'a'}
	for _, c := range edge {
		for pos := range 8 {
			for _, fill := range []byte{'a', 0x20, 0x7f, 0x21} {
				b := bytes.Repeat([]byte{fill}, 8)
				b[pos] = c
				t.Run(fmt.Sprintf("%#x-at-%d-in-%#x", c, pos, fill), func(t *testing.T) {
					if got, want := jsonPlain8(string(b)), plain(string(b)); got != want {
						t.Errorf("jsonPlain8(%q) = %v, want %v", b, got, want)
					}
				})
			}
		}
	}
	t.Run("random", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 9))
		b := make([]byte, 8)
		for range 1_000_000 {
			for i := range b {
				if rng.IntN(4) == 0 {
					b[i] = edge[rng.IntN(len(edge))]
				} else {
					b[i] = byte(rng.Uint32())
				}
			}
			if got, want := jsonPlain8(string(b)), plain(string(b)); got != want {
				t.Fatalf("jsonPlain8(%q) = %v, want %v", b, got, want)
			}
		}
	})
}
