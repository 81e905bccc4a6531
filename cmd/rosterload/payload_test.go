package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/sink/payload"
)

// TestValidatePayload: --payload writes, in source order, one request per VALID row (and only
// those), to the endpoint of the kind, with the normalised values the API would get and the
// card number, SSN or tax id masked and the card expiry withheld.
func TestValidatePayload(t *testing.T) {
	t.Parallel()
	pan := regexp.MustCompile(`\d{13,19}`)
	tests := []struct {
		name  string
		args  []string
		path  string
		check func(t *testing.T, body json.RawMessage)
	}{
		{name: "ewa", args: []string{"--mapping", td("ewa", "errors.mapping.yaml"), td("ewa", "errors.csv")}, path: "/v1/customer-profiles",
			check: func(t *testing.T, body json.RawMessage) {
				var r api.CustomerProfileRequest
				if err := json.Unmarshal(body, &r); err != nil {
					t.Fatal(err)
				}
				card := r.FinancialAccountData.Card
				if !strings.HasPrefix(card.CardNumber, "****") || card.Expiry != payload.Withheld {
					t.Errorf("card %q expiry %q: want masked and withheld", card.CardNumber, card.Expiry)
				}
				if !strings.HasPrefix(r.CustomerData.SocialID, "***-**-") {
					t.Errorf("socialId %q, want masked", r.CustomerData.SocialID)
				}
				if p := r.CustomerData.PrimaryPhoneNumber; p == nil || !strings.HasPrefix(p.Number, "+") {
					t.Errorf("phone %+v, want E.164 (the normalised request)", p)
				}
			}},
		{name: "individual xlsx", args: []string{"--kind", "individual", "--sheet", "Employees", "--header-row", "3", td("individual", "employees.xlsx")}, path: "/v1/customers",
			check: func(t *testing.T, body json.RawMessage) {
				var r api.IndividualCustomer
				if err := json.Unmarshal(body, &r); err != nil {
					t.Fatal(err)
				}
				if r.SocialID != "" && !strings.HasPrefix(r.SocialID, "***-**-") {
					t.Errorf("socialId %q, want masked", r.SocialID)
				}
			}},
		{name: "business", args: []string{"--kind", "business", td("business", "companies.csv")}, path: "/v1/customers",
			check: func(t *testing.T, body json.RawMessage) {
				var r api.BusinessCustomer
				if err := json.Unmarshal(body, &r); err != nil {
					t.Fatal(err)
				}
				if r.TaxID != "" && !strings.HasPrefix(r.TaxID, "***-**-") {
					t.Errorf("taxId %q, want masked", r.TaxID)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			rep, pay := filepath.Join(dir, "r.jsonl"), filepath.Join(dir, "payload.jsonl")
			res := runCLI(t, nil, append([]string{"validate", "--log-level", "warn", "--report", rep, "--payload", pay}, tt.args...)...)
			if res.code != exitRows {
				t.Fatalf("exit %d, want 1 (the files have bad rows); stderr:\n%s", res.code, res.stderr)
			}
			var valid []int
			for _, l := range readJSONL(t, rep) {
				if l.Status == "VALID" {
					valid = append(valid, l.Row)
				}
			}
			if len(valid) == 0 {
				t.Fatal("no VALID row: the test would prove little")
			}
			info, err := os.Stat(pay)
			if err != nil {
				t.Fatal(err)
			}
			if info.Mode().Perm() != 0o600 {
				t.Errorf("payload file mode %v, want 0600", info.Mode().Perm())
			}
			raw, _ := os.ReadFile(pay)
			if m := pan.FindString(string(raw)); m != "" {
				t.Errorf("payload holds a card-like number %q", m)
			}
			f, _ := os.Open(pay)
			defer f.Close()
			sc := bufio.NewScanner(f)
			var rows []int
			for sc.Scan() {
				var l struct {
					Row          int
					Method, Path string
					Body         json.RawMessage
				}
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
					t.Fatalf("payload line %q: %v", sc.Text(), err)
				}
				if l.Method != "POST" || l.Path != tt.path {
					t.Errorf("row %d: %s %s, want POST %s", l.Row, l.Method, l.Path, tt.path)
				}
				tt.check(t, l.Body)
				rows = append(rows, l.Row)
			}
			if !equalInts(rows, valid) {
				t.Errorf("payload rows %v, want the VALID rows %v in order", rows, valid)
			}
		})
	}
}
