package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/ingest/rows"
)

func TestContentShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		shape string
		is    func(string) bool
		value string
		want  bool
	}{
		{"email", looksEmail, "ana.diaz@example.com", true},
		{"email", looksEmail, "ana.diaz.example.com", false},
		{"email", looksEmail, "a@b@example.com", false},
		{"email", looksEmail, "Ana Diaz <ana@example.com>", false},
		{"card", looksCard, "4111 1111 1111 1111", true},
		{"card", looksCard, "4111-1111-1111-1111", true},
		{"card", looksCard, "4111111111111112", false}, // fails the Luhn check
		{"card", looksCard, "4111111111", false},
		{"ssn", looksSSN, "123-45-6789", true},
		{"ssn", looksSSN, "123 45 6789", true},
		{"ssn", looksSSN, "123456789", true},
		{"ssn", looksSSN, "12345678", false},
		{"ssn", looksSSN, "12-3456789", false}, // an EIN
		{"ssn", looksSSN, "123-456-789", false},
		{"date", looksDate, "1985-03-07", true},
		{"date", looksDate, "3/7/1985", true},
		{"date", looksDate, "03/07/85", true},
		{"date", looksDate, "Mar 7, 1985", true},
		{"date", looksDate, "1985-02-30", false},
		{"date", looksDate, "Sales", false},
		{"phone", looksPhone, "(201) 555-0123", true},
		{"phone", looksPhone, "+1 201 555 0123", true},
		{"phone", looksPhone, "201.555.0123", true},
		{"phone", looksPhone, "555-0123", false},
		{"phone", looksPhone, "ext 12", false},
		{"zip", looksZIP, "07102", true},
		{"zip", looksZIP, "07102-1234", true},
		{"zip", looksZIP, "7102", false},
		{"zip", looksZIP, "K1A 0B1", false},
	}
	for _, tt := range tests {
		t.Run(tt.shape+"/"+tt.value, func(t *testing.T) {
			if got := tt.is(tt.value); got != tt.want {
				t.Errorf("%s(%q) = %v, want %v", tt.shape, tt.value, got, tt.want)
			}
		})
	}
}

// sampleRows makes numbered rows from cells, a row per slice.
func sampleRows(cells ...[]string) []rows.Row {
	out := make([]rows.Row, len(cells))
	for i, c := range cells {
		out[i] = rows.Row{Num: i + 2, Cells: c}
	}
	return out
}

func TestSniff(t *testing.T) {
	t.Parallel()
	// Three people; the unplaced column "Ident" is filled per case, the rest are valid.
	header := []string{"Employee ID", "First Name", "Last Name", "Work Email", "Personal Email", "Ident"}
	people := func(ident ...string) []rows.Row {
		var cells [][]string
		for i, v := range ident {
			cells = append(cells, []string{fmt.Sprintf("E%d", i), "Ana", "Diaz", "w@example.org", "p@example.com", v})
		}
		return sampleRows(cells...)
	}
	ssns := []string{"123-45-6789", "234-56-7890", "345-67-8901", "4567890", "456-78-9012"} // one damaged
	cards := []string{"4111 1111 1111 1111", "5500 0000 0000 0004", "3400 0000 0000 009"}
	tests := []struct {
		name    string
		kind    Kind
		header  []string
		sample  []rows.Row
		ignore  []string
		survey  bool
		want    string // Guess.String(), "" for none
		refused bool
	}{
		{name: "SSNs in an unknown column, ewa has ssn unmapped", kind: KindEWA, sample: people(ssns...), refused: true,
			want: `column "Ident" (F) feeds no field but holds what look like SSNs (4 of 5 values): ssn, which has no column: map it (columns: ssn: "Ident")`},
		{name: "the same, listed under ignore", kind: KindEWA, sample: people(ssns...), ignore: []string{" ident "}},
		{name: "the same, surveyed for rosterload mapping", kind: KindEWA, sample: people(ssns...), survey: true,
			want: `column "Ident" (F) feeds no field but holds what look like SSNs (4 of 5 values): ssn, which has no column: map it (columns: ssn: "Ident")`},
		{name: "SSNs while an SSN column is placed", kind: KindIndividual, header: []string{"Employee ID", "First Name", "Last Name", "Work Email", "SSN", "Ident"},
			sample: people(ssns...), want: `column "Ident" (F) feeds no field but holds what look like SSNs (4 of 5 values): ssn, which comes from "SSN"`},
		{name: "card numbers, ewa has cardNumber unmapped", kind: KindEWA, sample: people(cards...), refused: true,
			want: `column "Ident" (F) feeds no field but holds what look like card numbers (3 of 3 values): cardNumber, which has no column: map it (columns: cardNumber: "Ident")`},
		{name: "card numbers for a kind without cards", kind: KindIndividual, sample: people(cards...),
			want: `column "Ident" (F) feeds no field but holds what look like card numbers (3 of 3 values): cardNumber, a field of kind ewa`},
		{name: "phones", kind: KindIndividual, sample: people("(201) 555-0123", "", "312.555.0188"),
			want: `column "Ident" (F) feeds no field but holds what look like phone numbers (2 of 2 values): phone, which has no column: map it (columns: phone: "Ident")`},
		{name: "dates", kind: KindIndividual, sample: people("1985-03-07", "1990-12-01", "2001-01-31"),
			want: `column "Ident" (F) feeds no field but holds what look like dates (3 of 3 values): dateOfBirth, which has no column: map it (columns: dateOfBirth: "Ident")`},
		{name: "ZIPs", kind: KindIndividual, sample: people("07102", "60601-1234", "98101"),
			want: `column "Ident" (F) feeds no field but holds what look like ZIP codes (3 of 3 values): zip, which has no column: map it (columns: zip: "Ident")`},
		{name: "emails for a business", kind: KindBusiness, header: []string{"Company", "Ident"},
			sample: sampleRows([]string{"Acme", "a@example.com"}, []string{"Beta", "b@example.com"}),
			want:   `column "Ident" (B) feeds no field but holds what look like emails (2 of 2 values): contactEmail, which has no column: map it (columns: contactEmail: "Ident")`},
		{name: "a mix of shapes is no guess", kind: KindEWA, sample: people("123-45-6789", "Sales", "07102", "a@example.com")},
		{name: "a blank column is no guess", kind: KindEWA, sample: people("", "", "")},
		{name: "no rows", kind: KindEWA, sample: nil},
		// "Work Email" lost email to "Personal Email": a known header, not sniffed.
		{name: "a column a header alias claims", kind: KindIndividual, header: []string{"Employee ID", "Work Email", "Personal Email"},
			sample: sampleRows([]string{"E1", "w@example.org", "p@example.com"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := header
			if tt.header != nil {
				h = tt.header
			}
			m := newMapper(t, Config{Kind: tt.kind, Ignore: tt.ignore}, h...)
			gs, err := m.Sniff(tt.sample, tt.survey)
			var got string
			if len(gs) > 1 {
				t.Fatalf("guesses %+v, want at most one", gs)
			}
			if len(gs) == 1 {
				got = gs[0].String()
			}
			if got != tt.want {
				t.Errorf("guess\n got %s\nwant %s", got, tt.want)
			}
			if refused := errors.Is(err, ErrConfig); refused != tt.refused || (err != nil && !refused) {
				t.Fatalf("err = %v, want refused %v", err, tt.refused)
			}
			if err == nil {
				return
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "ignore:") || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line naming the column and ignore:", msg)
			}
			for _, r := range tt.sample {
				if v := r.Cells[len(r.Cells)-1]; strings.Contains(msg, v) || strings.Contains(msg, strings.ReplaceAll(v, " ", "")) {
					t.Errorf("message %q shows the value %q", msg, v)
				}
			}
		})
	}
}

// TestOpenRosterSniffsAndReplays: the rows sampled before the pipeline starts are read again,
// in order, then the rest of the file, beyond the sample; an SSN column the mapping misses
// refuses the roster before any row is handed out.
func TestOpenRosterSniffsAndReplays(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, header string, n int, row func(i int) string) string {
		var b strings.Builder
		b.WriteString(header + "\n")
		for i := range n {
			b.WriteString(row(i) + "\n")
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, n := range []int{0, 3, sniffRows, sniffRows + 17} {
		t.Run(fmt.Sprintf("%d rows", n), func(t *testing.T) {
			p := write(fmt.Sprintf("r%d.csv", n), "Employee ID,First Name,Hired", n, func(i int) string {
				return fmt.Sprintf("E%d,Ana,2020-01-%02d", i, 1+i%28)
			})
			var o Opener
			r, err := o.OpenRoster(context.Background(), p, Config{Kind: KindIndividual}, OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if n > 0 && (len(r.Guesses) != 1 || r.Guesses[0].Field != "dateOfBirth") {
				t.Errorf("guesses %+v, want Hired as dateOfBirth", r.Guesses)
			}
			for i := 0; ; i++ {
				row, err := r.Next()
				if err == io.EOF {
					if i != n {
						t.Fatalf("%d rows read, want %d", i, n)
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if want := fmt.Sprintf("E%d", i); row.Cells[0] != want || row.Num != i+2 {
					t.Fatalf("row %d is %q (line %d), want %s", i, row.Cells[0], row.Num, want)
				}
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		p := write("ssn.csv", "Employee ID,First Name,Tax Number", 5, func(i int) string {
			return fmt.Sprintf("E%d,Ana,%03d-45-6789", i, 100+i)
		})
		var o Opener
		_, err := o.OpenRoster(context.Background(), p, Config{Kind: KindIndividual}, OpenOptions{})
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `"Tax Number"`) {
			t.Fatalf("err = %v, want a configuration error naming the column", err)
		}
		o.Survey = true
		r, err := o.OpenRoster(context.Background(), p, Config{Kind: KindIndividual}, OpenOptions{})
		if err != nil {
			t.Fatalf("survey: %v", err)
		}
		defer r.Close()
		y := string(r.YAML())
		for _, want := range []string{`# content: column "Tax Number" (C) feeds no field but holds what look like SSNs (5 of 5 values): ssn`,
			"# required, unplaced: lastName (a column or defaults: lastName:)",
			"# required, unplaced: email (a column or defaults: email:)"} {
			if !strings.Contains(y, want) {
				t.Errorf("mapping lacks %q:\n%s", want, y)
			}
		}
		if strings.Contains(y, "45-6789") {
			t.Errorf("mapping shows a value:\n%s", y)
		}
	})
}

func TestConfigIgnore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		want       []string
		err        string
	}{
		{"a list", "ignore: [\"Old SSN\", Notes]\n", []string{"Old SSN", "Notes"}, ""},
		{"one header", "ignore: Old SSN\n", []string{"Old SSN"}, ""},
		{"a block list", "ignore:\n  - Old SSN\n", []string{"Old SSN"}, ""},
		{"a map", "ignore: {a: b}\n", nil, "m.yaml:1: ignore must be a list of the file's headers"},
		{"a blank entry", "ignore: [\"\"]\n", nil, "m.yaml:1: ignore must be a list of the file's headers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig("m.yaml", []byte(tt.yaml))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(cfg.Ignore) != fmt.Sprint(tt.want) {
				t.Errorf("Ignore = %q, want %q", cfg.Ignore, tt.want)
			}
		})
	}
}

// TestRosterYAMLReadsBack: what rosterload mapping prints, ignore: and comments included, is a
// mapping file LoadConfig takes back with the same columns and ignore list.
func TestRosterYAMLReadsBack(t *testing.T) {
	t.Parallel()
	m := newMapper(t, Config{Kind: KindEWA, Ignore: []string{"Old Card"}}, "Employee ID", "First Name", "Old Card")
	r := &Roster{Config: m.cfg, Mapper: m, Guesses: []Guess{{Header: "Old Card", Column: 2, Looks: "card numbers", Field: "cardNumber", Of: 3, Sample: 3}}}
	y := r.YAML()
	cfg, err := parseConfig("m.yaml", y)
	if err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	if fmt.Sprint(cfg.Ignore) != "[Old Card]" || cfg.Columns["externalId"] != "Employee ID" || cfg.Columns["firstName"] != "First Name" {
		t.Errorf("read back %+v from\n%s", cfg, y)
	}
	if !strings.Contains(string(y), "# required, unplaced: programId (a column, --program-id or programId:)") ||
		!strings.Contains(string(y), "# required, unplaced: cardNumber (a column)") {
		t.Errorf("the required fields unplaced are not listed:\n%s", y)
	}
}

// TestPayCardAliases: the pay card columns of ADP Workforce Now's export, for the ewa kind.
func TestPayCardAliases(t *testing.T) {
	t.Parallel()
	m := newMapper(t, Config{Kind: KindEWA}, "Associate ID", "Pay Card Number", "Pay Card Expiration")
	got := placed(m)
	if got["cardNumber"] != "Pay Card Number" || got["cardExpiry"] != "Pay Card Expiration" || got["externalId"] != "Associate ID" {
		t.Errorf("placed %v", got)
	}
}
