package reports

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/validate"
)

func TestXLSXMasks(t *testing.T) {
	t.Parallel()
	header := []string{"Card Number", "SSN", "Card Expiry", "Note", "Tax ID", "Extra"}
	masks := []Mask{MaskPAN, MaskID, MaskDrop, MaskScan, MaskID} // Extra: past the end, MaskScan
	p := writeXLSX(t, Sheet{Header: header, Masks: masks}, []*Line{
		{Row: 2, Status: outcome.Invalid, Cells: []string{"4242 4242 4242 4242", "123-45-6789", "2031-12", "note: card 4242 4242 4242 4242", "98-7654321", "5555555555554444"},
			Errors: []validate.Problem{
				{Field: "financialAccountData.cardExpiry", Cell: "C2", Code: "card_expired", Message: "the card has expired"},
				// The validator redacts; if it ever did not, the report still would.
				{Field: "x", Cell: "D2", Code: "invalid_format", Message: "bad card 4111111111111111"},
			}},
		{Row: 3, Status: outcome.Valid, Cells: []string{"", " ", "", "", ""}},
	})
	x := openXLSX(t, p)
	for cell, want := range map[string]string{
		"A2": "****4242", "B2": "***-**-6789", "C2": "", "D2": "note: card ****4242", "E2": "***-**-4321", "F2": "****4444",
		"A3": "", "B3": "", "C3": "", "E3": "", // blank stays blank
	} {
		if got := x.value(cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	if c := x.comments["C2"]; !strings.Contains(c, "card_expired") {
		t.Errorf("the blanked expiry cell C2 has comment %q, want card_expired", c)
	}
	if c := x.comments["D2"]; c != "invalid_format: bad card ****1111" {
		t.Errorf("comment on D2 = %q, want the card masked", c)
	}
	parts := zipParts(t, p)
	for _, secret := range []struct{ name, text string }{
		{"card, spaced", "4242 4242 4242 4242"},
		{"card, digits", "4242424242424242"},
		{"second card", "5555555555554444"},
		{"card in a message", "4111111111111111"},
		{"ssn", "123-45-6789"},
		{"ssn digits", "123456789"},
		{"tax id", "98-7654321"},
		{"expiry", "2031-12"},
	} {
		t.Run(secret.name, func(t *testing.T) {
			t.Parallel()
			for name, b := range parts {
				if strings.Contains(string(b), secret.text) {
					t.Errorf("part %s holds %q", name, secret.text)
				}
			}
		})
	}
}

// TestXLSXUnplacedPersonalData: the report copies every roster column, also those no field
// takes (a repeated header, a blank one, a note); card numbers and SSNs in them are masked all
// the same, and a repeated header of a masked column is masked like it.
func TestXLSXUnplacedPersonalData(t *testing.T) {
	t.Parallel()
	header := []string{"SSN", "Card Number", "Expiry", "ssn", "card_number", "EXPIRY", "", "Note", "Zip"}
	masks := []Mask{MaskID, MaskPAN, MaskDrop}
	p := writeXLSX(t, Sheet{Header: header, Masks: masks}, []*Line{
		{Row: 2, Status: outcome.Valid, Cells: []string{
			"123-45-6789", "4242424242424242", "2031-12",
			"987654321", "5555 5555 5555 4444 (old)", "2030-11",
			"555-44-3333",
			"card 4111  1111  1111  1111, SSN 321 54 9876",
			"02134-1234",
		}},
	})
	x := openXLSX(t, p)
	for cell, want := range map[string]string{
		"D2": "***-**-4321", "E2": "****4444", "F2": "", // repeated headers: masked as the first
		"G2": "***-**-3333", // blank header: the SSN's form gives it away
		"H2": "card ****1111, SSN ***-**-9876",
		"I2": "02134-1234", // a ZIP+4 is not an SSN
		"D1": "ssn", "G1": "",
	} {
		if got := x.value(cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
	for name, b := range zipParts(t, p) {
		for _, secret := range []string{"987654321", "5555 5555 5555 4444", "2030-11", "555-44-3333", "4111  1111", "321 54 9876"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("part %s holds %q", name, secret)
			}
		}
	}
}

func TestColumnMasks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		sheet Sheet
		want  []Mask
	}{
		{"no masks", Sheet{Header: []string{"a", "b"}}, []Mask{MaskScan, MaskScan}},
		{"masks shorter than the header", Sheet{Header: []string{"SSN", "x", "S.S.N"}, Masks: []Mask{MaskID}}, []Mask{MaskID, MaskScan, MaskID}},
		{"blank headers do not match", Sheet{Header: []string{"", " "}, Masks: []Mask{MaskDrop}}, []Mask{MaskDrop, MaskScan}},
		{"the stricter of two", Sheet{Header: []string{"Card", "card", "CARD"}, Masks: []Mask{MaskPAN, MaskDrop}}, []Mask{MaskPAN, MaskDrop, MaskDrop}},
		{"a given mask is kept", Sheet{Header: []string{"SSN", "ssn"}, Masks: []Mask{MaskID, MaskPAN}}, []Mask{MaskID, MaskPAN}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := columnMasks(tt.sheet); !slices.Equal(got, tt.want) {
				t.Errorf("columnMasks = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		limit    int
		want     string
	}{
		{"plain", "Ana Lee", 100, "Ana Lee"},
		{"card", "card 4242-4242-4242-4242", 100, "card ****4242"},
		{"ssn", "ssn 123 45 6789", 100, "ssn ***-**-6789"},
		{"control characters before scanning", "4242\x004242\x014242\x024242", 100, "****4242"},
		{"cut makes a card", "42424242424242424242", 17, "****4242…"}, // 20 digits: no card until cut
		{"cut makes an ssn", "123-45-678901", 12, "***-**-6789…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cleanText(tt.in, tt.limit); got != tt.want {
				t.Errorf("cleanText(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
		})
	}
}

func TestXLSXHostileText(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 40000)
	emoji := strings.Repeat("😀", 20000) // 40,000 UTF-16 units
	tests := []struct {
		name, in, want string
	}{
		{"markup", `<b>&amp; "q" 'a'</b> ]]>`, `<b>&amp; "q" 'a'</b> ]]>`},
		{"formula", `=HYPERLINK("http://evil.example","click")`, `=HYPERLINK("http://evil.example","click")`},
		{"plus", "+1+2", "+1+2"},
		{"control characters", "a\x00b\x01c\x1fd\x7fe", "abcd\x7fe"},
		{"tab newline cr", "a\tb\nc\rd", "a\tb\nc\rd"},
		{"invalid utf-8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"non-characters", "a\uFFFEb\uFFFFc", "abc"},
		{"excel escape", "_x0041_ and _x005F_", "_x0041_ and _x005F_"},
		{"leading and trailing space", "  padded  ", "  padded  "},
		{"accents", "Zoë Ñúñez 张伟", "Zoë Ñúñez 张伟"},
		{"long", long, long[:32766] + "…"},
		{"long astral", emoji, strings.Repeat("😀", 16383) + "…"},
	}
	header := make([]string, len(tests))
	cells := make([]string, len(tests))
	for i, tt := range tests {
		header[i] = tt.name
		cells[i] = tt.in
	}
	p := writeXLSX(t, Sheet{Header: header}, []*Line{{Row: 2, Status: outcome.Valid, Cells: cells}})
	x := openXLSX(t, p)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cell := string(rune('A'+i)) + "2"
			got := x.value(cell)
			if got != tt.want {
				t.Errorf("%s = %q, want %q", cell, trim(got), trim(tt.want))
			}
			if n := len(utf16.Encode([]rune(got))); n > 32767 {
				t.Errorf("%s holds %d UTF-16 units, Excel's limit is 32,767", cell, n)
			}
			if f, err := x.f.GetCellFormula("Report", cell); err != nil || f != "" {
				t.Errorf("%s formula %q (%v), want none", cell, f, err)
			}
			if ct, err := x.f.GetCellType("Report", cell); err != nil || ct != excelize.CellTypeInlineString {
				t.Errorf("%s type %v (%v), want an inline string", cell, ct, err)
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 60 {
		return s[:30] + "…" + s[len(s)-30:]
	}
	return s
}
