package reports

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
		"\u2028", "\u2029", "\xff", "\xe2\x80", "=", "+", "-", "@", "\r\n", "'"}
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
