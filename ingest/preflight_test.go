package ingest

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/ingest/csvread"
	"github.com/rosterload/rosterload/ingest/rows"
)

// openTest writes body as a CSV roster and opens it as the command line does: the header
// chosen by cfg's mapping unless cfg.HeaderRow gives it.
func openTest(t *testing.T, body string, cfg Config) *Roster {
	t.Helper()
	p := filepath.Join(t.TempDir(), "roster.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var o Opener
	r, err := o.OpenRoster(context.Background(), p, cfg, OpenOptions{HeaderRow: cfg.HeaderRow, Mapping: &cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestMissingRequired(t *testing.T) {
	t.Parallel()
	person := "externalId,firstName,lastName,email,phone"
	tests := []struct {
		name   string
		header string
		cfg    Config
		want   []string
	}{
		{"individual complete", person, Config{Kind: KindIndividual}, nil},
		{"individual without contact columns", "externalId,firstName,lastName", Config{Kind: KindIndividual}, []string{"email", "phone"}},
		{"ewa: defaults and the program id count", person + ",cardNumber,cardExpiry,addressLine1,city,zip",
			Config{Kind: KindEWA, ProgramID: "p", Defaults: map[string]string{"cardName": "Pay", "cardSubtype": "DEBIT"}}, nil},
		{"ewa: a blank default does not", person + ",cardNumber,cardExpiry,addressLine1,city,zip",
			Config{Kind: KindEWA, ProgramID: "p", Defaults: map[string]string{"cardName": " ", "cardSubtype": "DEBIT"}}, []string{"cardName"}},
		{"ewa without card columns", person + ",addressLine1,city,zip", Config{Kind: KindEWA, ProgramID: "p"},
			[]string{"cardNumber", "cardExpiry", "cardName", "cardSubtype"}},
		{"ewa: billing columns stand in for the address", person + ",cardNumber,cardExpiry,cardName,cardSubtype,billingLine1,billingCity,billingZip",
			Config{Kind: KindEWA, ProgramID: "p"}, nil},
		{"ewa without a program id", person + ",cardNumber,cardExpiry,cardName,cardSubtype,addressLine1,city,zip",
			Config{Kind: KindEWA}, []string{"programId"}},
		{"business without a contact", "externalId,businessName", Config{Kind: KindBusiness},
			[]string{"contactFirstName", "contactLastName", "contactEmail", "contactPhone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := openTest(t, tt.header+"\n", tt.cfg)
			if got := r.Mapper.MissingRequired(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MissingRequired = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPreflight(t *testing.T) {
	t.Parallel()
	ewa := "externalId,firstName,lastName,email,phone,cardNumber,cardExpiry,addressLine1,city,zip,dateOfBirth\nE1,A,B,a@b.co,4155550100,4242424242424242,2030-01,1 Main,X,10001,1990-01-02\n"
	cfg := func(defaults map[string]string, mod func(*Config)) Config {
		c := Config{Kind: KindEWA, ProgramID: "p", Defaults: map[string]string{"cardName": "Pay", "cardSubtype": "DEBIT"}}
		for k, v := range defaults {
			c.Defaults[k] = v
		}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	tests := []struct {
		name string
		cfg  Config
		want string // "" passes
	}{
		{"valid", cfg(nil, nil), ""},
		{"a subtype not of the list", cfg(map[string]string{"cardSubtype": "DEBT"}, nil),
			`defaults: cardSubtype: card subtype "DEBT" is not one of DEBIT, CREDIT`},
		{"an eligibility status not of the list", cfg(map[string]string{"eligibilityStatus": "MAYBE"}, nil), `defaults: eligibilityStatus: `},
		{"a currency that is none", cfg(map[string]string{"currency": "DOLLARS"}, nil), `defaults: currency: `},
		{"a country that is none", cfg(nil, func(c *Config) { c.DefaultCountry = "Atlantis" }), `default country "Atlantis" is not a country`},
		{"a date the layouts do not read", cfg(map[string]string{"dateOfBirth": "yesterday"}, nil), `defaults: dateOfBirth: "yesterday": date of birth`},
		{"another kind whose fields are all there", Config{Kind: KindIndividual}, ""},
		{"no program id", cfg(nil, func(c *Config) { c.ProgramID = "" }), "programId: no column and no default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := openTest(t, ewa, tt.cfg)
			err := r.Preflight()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Preflight = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Preflight = %v, want one line wrapping ErrConfig holding %q", err, tt.want)
			}
		})
	}
}

// TestChooseCSVHeader: a title row above the header is passed over, and the rows under the
// header are read against it: a short row is padded and malformed, as the reader would have
// said with --header-row.
func TestChooseCSVHeader(t *testing.T) {
	t.Parallel()
	body := "Acme payroll,,\n\nexternalId,firstName,lastName,email,phone\nE1,A,B,a@b.co,4155550100\nE2,C\n"
	for _, tt := range []struct {
		name      string
		headerRow int
	}{{"chosen", 0}, {"given", 3}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := openTest(t, body, Config{Kind: KindIndividual, HeaderRow: tt.headerRow})
			h, _ := r.Header()
			if h.Num != 3 || len(h.Names) != 5 || h.Names[0] != "externalId" {
				t.Fatalf("header = %+v, want row 3", h)
			}
			if tt.headerRow == 0 && (r.Choice == nil || r.Choice.Row != 3 || r.Choice.String() != "1 (0 columns), 3 (5 columns), 5 (0 columns)") {
				t.Errorf("choice = %+v", r.Choice)
			}
			var got []rows.Row
			for row, err := r.Next(); err != io.EOF; row, err = r.Next() {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, row)
			}
			if len(got) != 2 || got[0].Num != 4 || got[0].Err != nil || len(got[0].Cells) != 5 {
				t.Fatalf("rows = %+v", got)
			}
			var bad *rows.MalformedRowError
			if !errors.As(got[1].Err, &bad) || bad.Got != 2 || bad.Want != 5 || len(got[1].Cells) != 5 {
				t.Errorf("short row = %+v (%v), want padded to 5 and malformed 2 of 5", got[1], got[1].Err)
			}
		})
	}
}

// TestPassThrough: replay skips a reheaded reader only when that reader would hand every
// further row on unchanged.
func TestPassThrough(t *testing.T) {
	t.Parallel()
	inner, err := csvread.New(strings.NewReader("a,b\n1,2\n"), "x.csv", csvread.Options{})
	if err != nil {
		t.Fatal(err)
	}
	row := rows.Row{Num: 2, Cells: []string{"1", "2"}}
	tests := []struct {
		name string
		r    rows.Reader
		skip bool
	}{
		{"a CSV reader", inner, false},
		{"nothing left of its own", &reheaded{Reader: inner}, true},
		{"rows read ahead", &reheaded{Reader: inner, pending: []rows.Row{row}}, false},
		{"the end met", &reheaded{Reader: inner, stop: io.EOF}, false},
		{"a header of its own", &reheaded{Reader: inner, rewidth: true}, false},
		{"a closer around one with nothing left", closeBoth{Reader: &reheaded{Reader: inner}}, true},
		{"a closer around the CSV reader", closeBoth{Reader: inner}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var want rows.Reader = inner
			if !tt.skip {
				want = tt.r
			}
			if got := passThrough(tt.r); got != want {
				t.Errorf("passThrough = %T %p, want %T %p", got, got, want, want)
			}
		})
	}
}
