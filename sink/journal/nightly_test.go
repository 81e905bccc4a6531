package journal

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

var day1 = time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC)

func nightOpts(night int, key string) Options {
	o := testOpts
	o.Today = day1.AddDate(0, 0, night)
	o.Key = redact.NewSecret(key)
	return o
}

// request is an EWA enrollment of employee i, with a few knobs a night changes.
func request(i int, phone, card, expiry string) *api.CustomerProfileRequest {
	return &api.CustomerProfileRequest{
		ExternalID: fmt.Sprintf("E%04d", i), ProgramID: "prog-1",
		CustomerData: &api.IndividualCustomer{Type: api.TypeIndividual, FirstName: "Ann", LastName: fmt.Sprint("Lee", i),
			PrimaryPhoneNumber: &api.Phone{Number: phone, Type: "MOBILE"}, SocialID: fmt.Sprintf("%09d", 123450000+i)},
		FinancialAccountData: &api.FinancialAccountData{Name: "card", Subtype: "DEBIT",
			Card: &api.Card{FirstName: "Ann", LastName: "Lee", CardNumber: card, Expiry: expiry,
				BillingAddress: &api.BillingAddress{AddressLine1: "1 Main St", City: "Town", CountryCode: "USA", PostalCode: "12345"}}},
	}
}

func cardOf(i int) string { return fmt.Sprintf("4111%012d", 100000000+i) }

func recordDone(t *testing.T, j *Journal, id string, req any) {
	t.Helper()
	mustRecord(t, j, Entry{ExternalID: id, Status: StatusPending})
	mustRecord(t, j, Entry{ExternalID: id, Status: StatusCreated, CustomerID: "c-" + id, Sums: j.Fingerprint(id, req)})
}

func TestChanged(t *testing.T) {
	t.Parallel()
	base := func() *api.CustomerProfileRequest { return request(1, "+15555550100", cardOf(1), "2030-12") }
	cases := []struct {
		name   string
		change func(r *api.CustomerProfileRequest)
		want   []string
	}{
		{"same content", func(*api.CustomerProfileRequest) {}, nil},
		{"phone", func(r *api.CustomerProfileRequest) { r.CustomerData.PrimaryPhoneNumber.Number = "+15555550199" },
			[]string{"customerData.primaryPhoneNumber.number"}},
		{"billing address", func(r *api.CustomerProfileRequest) {
			r.FinancialAccountData.Card.BillingAddress.AddressLine1 = "2 Elm St"
		},
			[]string{"financialAccountData.card.billingAddress.addressLine1"}},
		{"field added", func(r *api.CustomerProfileRequest) { r.CustomerData.MiddleName = "Q" }, []string{"customerData.middleName"}},
		{"field removed", func(r *api.CustomerProfileRequest) { r.CustomerData.PrimaryPhoneNumber = nil },
			[]string{"customerData.primaryPhoneNumber.number", "customerData.primaryPhoneNumber.type"}},
		// The expiry's fingerprint holds the card number: a new card changes both.
		{"card number", func(r *api.CustomerProfileRequest) { r.FinancialAccountData.Card.CardNumber = cardOf(2) },
			[]string{"financialAccountData.card.cardNumber", "financialAccountData.card.expiry"}},
		{"metadata and expiry", func(r *api.CustomerProfileRequest) {
			r.CustomerData.Metadata = map[string]string{"costCenter": "9"}
			r.FinancialAccountData.Card.Expiry = "2031-01"
		}, []string{"customerData.metadata.costCenter", "financialAccountData.card.expiry"}},
	}
	for _, key := range []string{"", "k3y"} {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("key %q %s", key, tc.name), func(t *testing.T) {
				t.Parallel()
				path := statePath(t)
				j := mustOpenFor(t, path, nightOpts(0, key))
				recordDone(t, j, "E1", base())
				if err := j.Close(); err != nil {
					t.Fatal(err)
				}
				j = mustOpenFor(t, path, nightOpts(1, key))
				r := base()
				tc.change(r)
				got, known := j.Changed("E1", j.Fingerprint("E1", r))
				// An 8-bit secret fingerprint misses 1 change in 256: these values are not such.
				if !known || !slices.Equal(got, tc.want) {
					t.Errorf("Changed = %q, %v; want %q", got, known, tc.want)
				}
				if _, known := j.Changed("E2", j.Fingerprint("E2", r)); known {
					t.Error("an unknown id is known")
				}
			})
		}
	}
}

func TestKeyScheme(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		made, opens string
		wantErr     error
		wantKnown   bool
		wantWarning string
	}{
		{"salted, no key", "", "", nil, true, ""},
		{"keyed, same key", "k1", "k1", nil, true, ""},
		{"keyed, no key", "k1", "", ErrKey, false, ""},
		{"keyed, another key", "k1", "k2", ErrKey, false, ""},
		{"salted, then a key: upgraded", "", "k1", nil, false, "keyed from now on"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := statePath(t)
			j := mustOpenFor(t, path, nightOpts(0, tc.made))
			req := request(1, "+15555550100", cardOf(1), "2030-12")
			recordDone(t, j, "E1", req)
			_ = j.Close()
			before, _ := os.ReadFile(path)
			j2, err := OpenFor(path, nightOpts(1, tc.opens))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), "set the ROSTERLOAD_STATE_KEY the state was made with") {
					t.Fatalf("OpenFor = %v, want %v", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), tc.made) {
					t.Errorf("the key is in the error: %v", err)
				}
				if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
					t.Error("a refused state was modified")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer j2.Close()
			s := j2.Fingerprint("E1", req)
			paths, known := j2.Changed("E1", s)
			if known != tc.wantKnown || len(paths) != 0 {
				t.Errorf("Changed = %q, %v; want known %v", paths, known, tc.wantKnown)
			}
			if w := strings.Join(j2.Warnings(), "\n"); !strings.Contains(w, tc.wantWarning) || (tc.wantWarning == "") != (w == "") {
				t.Errorf("warnings %q, want %q", w, tc.wantWarning)
			}
			if !known {
				j2.Refresh("E1", s)
				if _, known := j2.Changed("E1", s); !known {
					t.Error("not known after Refresh")
				}
				_ = j2.Close()
				j3 := mustOpenFor(t, path, nightOpts(2, tc.opens))
				if p, known := j3.Changed("E1", j3.Fingerprint("E1", req)); !known || len(p) != 0 {
					t.Errorf("after Refresh and a reopen: Changed = %q, %v", p, known)
				}
			}
			if h := firstLine(t, path); (h.Sums == schemeKeyed) != (tc.opens != "") {
				t.Errorf("header %+v", h)
			}
		})
	}
}

// The secret fields keep 8 bits without a key, 32 with one.
func TestSecretWidths(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		key  string
		want int
	}{{"", 1}, {"k", 4}} {
		t.Run(fmt.Sprintf("key %q", tc.key), func(t *testing.T) {
			t.Parallel()
			j := mustOpenFor(t, statePath(t), nightOpts(0, tc.key))
			s := j.Fingerprint("E1", request(1, "+1555", cardOf(1), "2030-12"))
			for k, p := range s.sh.paths {
				w, want := s.sh.offs[k+1]-s.sh.offs[k], 4
				if isSecret(p) {
					want = tc.want
				}
				if w != want {
					t.Errorf("%s: %d bytes, want %d", p, w, want)
				}
			}
		})
	}
}

func TestSightings(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	j := mustOpenFor(t, path, nightOpts(0, ""))
	for i := range 4 {
		recordDone(t, j, fmt.Sprint("E", i), request(i, "+1", cardOf(i), "2030-12"))
	}
	mustRecord(t, j, Entry{ExternalID: "P", Status: StatusPending})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	// Night 2: E2 and E3 absent, marked missing.
	j = mustOpenFor(t, path, nightOpts(1, ""))
	for _, id := range []string{"E0", "E1", "P", "nobody"} {
		if since := j.Seen(id); since != "" {
			t.Errorf("Seen(%s) = %q", id, since)
		}
	}
	var unseen []string
	for _, e := range j.Unseen() {
		unseen = append(unseen, e.ExternalID)
	}
	if !slices.Equal(unseen, []string{"E2", "E3"}) || j.Active() != 4 {
		t.Fatalf("Unseen %q, Active %d", unseen, j.Active())
	}
	j.MarkMissing(unseen)
	_ = j.Close()
	// Night 3: E2 is back; E3 still missing, not unseen again.
	j = mustOpenFor(t, path, nightOpts(2, ""))
	if j.Active() != 2 {
		t.Errorf("Active = %d, want 2", j.Active())
	}
	if since := j.Seen("E2"); since != "2026-03-03" {
		t.Errorf("Seen(E2) = %q, want the day it went missing", since)
	}
	j.Seen("E0")
	j.Seen("E1")
	if u := j.Unseen(); len(u) != 0 {
		t.Errorf("Unseen = %+v", u)
	}
	_ = j.Close()
	j = mustOpenFor(t, path, nightOpts(3, ""))
	want := map[string]Employee{
		"E0": {ExternalID: "E0", Kind: "ewa", CustomerID: "c-E0", FirstSeen: "2026-03-02", LastSeen: "2026-03-04"},
		"E2": {ExternalID: "E2", Kind: "ewa", CustomerID: "c-E2", FirstSeen: "2026-03-02", LastSeen: "2026-03-04"},
		"E3": {ExternalID: "E3", Kind: "ewa", CustomerID: "c-E3", FirstSeen: "2026-03-02", LastSeen: "2026-03-02", MissingSince: "2026-03-03"},
	}
	for id, w := range want {
		if got, ok := j.Lookup(id); !ok || got != w {
			t.Errorf("Lookup(%s) = %+v, %v; want %+v", id, got, ok, w)
		}
	}
	if _, ok := j.Lookup("P"); ok {
		t.Error("a pending id looked up as an employee")
	}
	if _, ok := j.Pending("P"); !ok {
		t.Error("the pending id did not survive compaction")
	}
}

// 30 nights of the same 1,000 employees: the state stays within twice its first night's size.
func TestCompactionBoundsSize(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	var first int64
	for night := range 30 {
		j := mustOpenFor(t, path, nightOpts(night, ""))
		for i := range 1000 {
			id := fmt.Sprintf("E%04d", i)
			req := request(i, "+15555550100", cardOf(i), "2030-12")
			if night == 0 || i%100 == night { // a few re-sent (recorded) each night
				recordDone(t, j, id, req)
				continue
			}
			j.Seen(id)
			if _, known := j.Changed(id, j.Fingerprint(id, req)); !known {
				t.Fatalf("night %d: %s has no fingerprints", night, id)
			}
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if night == 0 {
			first = fi.Size()
		} else if fi.Size() > 2*first {
			t.Fatalf("night %d: %d bytes, first night %d", night+1, fi.Size(), first)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v after compaction", fi.Mode())
		}
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	w := mustOpenFor(t, path, nightOpts(0, ""))
	recordDone(t, w, "E1", request(1, "+1", cardOf(1), "2030-12"))
	_ = w.Close()
	appendRaw(t, path, `{"externalId":"E9","kind":"ewa","sta`) // a torn line, left as it is
	w = mustOpenFor(t, path, nightOpts(0, ""))                 // a run holds it (and repairs it)
	w.Seen("E1")
	_ = w.Sync()
	before, _ := os.ReadFile(path)

	cases := []struct {
		name    string
		path    string
		opts    Options
		wantErr error
		wantLen int
	}{
		{"any host", path, Options{Kind: "ewa", ReadOnly: true}, nil, 1},
		{"its host", path, Options{Kind: "ewa", Host: "https://api.example.com", ReadOnly: true}, nil, 1},
		{"another host", path, Options{Kind: "ewa", Host: "sandbox.local", ReadOnly: true}, ErrMismatch, 0},
		{"another kind", path, Options{Kind: "business", ReadOnly: true}, ErrMismatch, 0},
		{"absent file", path + ".none", Options{Kind: "ewa", ReadOnly: true}, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j, err := OpenFor(tc.path, tc.opts)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("OpenFor = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if j.Len() != tc.wantLen {
				t.Errorf("Len = %d", j.Len())
			}
			j.Seen("E1")
			j.MarkMissing([]string{"E1"})
			j.Refresh("E1", j.Fingerprint("E1", request(1, "+2", cardOf(1), "2030-12")))
			if err := j.Record(Entry{ExternalID: "E5", Status: StatusPending}); err == nil {
				t.Error("a read-only journal recorded")
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("a read-only open changed the file")
			}
			if _, err := os.Stat(path + ".none"); err == nil {
				t.Error("a read-only open made a file")
			}
		})
	}
	_ = w.Close()
}

// Old states are read and upgraded: sightings from the entries' times, fingerprints unknown.
func TestUpgradeOldStates(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	e := Entry{ExternalID: "E1", Kind: "ewa", Status: StatusCreated, CustomerID: "c-E1", At: at}
	v2 := header{Rosterload: headerMagic, Version: oldVersion, Kind: "ewa", APIHost: "api.example.com"}
	hdr, _ := jsonLine(v2)
	for _, tc := range []struct{ name, content string }{
		{"headerless", legacyLines(t, e)},
		{"version 2", hdr + legacyLines(t, Entry{ExternalID: "E1", Kind: "ewa", Status: StatusPending, At: at}, e)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := statePath(t)
			writeFile(t, path, tc.content)
			j := mustOpenFor(t, path, nightOpts(0, ""))
			if got, ok := j.Lookup("E1"); !ok || got.FirstSeen != "2026-01-05" || got.LastSeen != "2026-01-05" {
				t.Errorf("Lookup = %+v, %v", got, ok)
			}
			if _, known := j.Changed("E1", j.Fingerprint("E1", request(1, "+1", cardOf(1), "2030-12"))); known {
				t.Error("an old state's fingerprints are known")
			}
			if h := firstLine(t, path); h.Version != formatVersion || h.Sums != schemeSalted {
				t.Errorf("not upgraded on disk: %+v", h)
			}
		})
	}
}

// standsAlone says whether needle is in b other than inside a longer run of digits: a time's
// nanoseconds (…T14:48:51.203209123Z) may hold an expiry's digits by chance.
func standsAlone(b []byte, needle string) bool {
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(needle))
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(needle)
		if (start == 0 || !isDigit(b[start-1]) || !isDigit(needle[0])) &&
			(end == len(b) || !isDigit(b[end]) || !isDigit(needle[len(needle)-1])) {
			return true
		}
		i = start + 1
	}
}

func jsonLine(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b) + "\n", err
}

// No SSN, card number or expiry reaches the state: not in clear, nor as a plain SHA-256 (hex or
// base64) of any written form.
func TestStateHoldsNoPersonalData(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"", "k"} {
		t.Run(fmt.Sprintf("key %q", key), func(t *testing.T) {
			t.Parallel()
			path := statePath(t)
			var secrets []string
			for night := range 3 {
				j := mustOpenFor(t, path, nightOpts(night, key))
				for i := range 50 {
					id := fmt.Sprintf("E%04d", i)
					exp := fmt.Sprintf("20%02d-%02d", 30+night, 1+i%12)
					r := request(i, "+1555", cardOf(i+night), exp)
					secrets = append(secrets, r.CustomerData.SocialID, r.FinancialAccountData.Card.CardNumber, exp)
					if _, ok := j.Done(id); !ok {
						recordDone(t, j, id, r)
					} else if _, known := j.Changed(id, j.Fingerprint(id, r)); known {
						j.Seen(id)
					}
				}
				j.MarkMissing([]string{"E0049"})
				_ = j.Close()
			}
			state, _ := os.ReadFile(path)
			for _, s := range secrets {
				for _, form := range writtenForms(s) {
					sum := sha256.Sum256([]byte(form))
					for _, needle := range []string{form, hex.EncodeToString(sum[:]), strings.ToUpper(hex.EncodeToString(sum[:])),
						base64.StdEncoding.EncodeToString(sum[:]), base64.RawURLEncoding.EncodeToString(sum[:])} {
						if len(needle) >= 6 && standsAlone(state, needle) {
							t.Fatalf("the state holds %q (of a personal value)", needle)
						}
					}
				}
			}
		})
	}
}

// writtenForms are the ways a value is written: as it is, without separators, and grouped.
func writtenForms(s string) []string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	forms := []string{s, digits}
	if len(digits) == 9 {
		forms = append(forms, digits[:3]+"-"+digits[3:5]+"-"+digits[5:])
	}
	if len(digits) == 16 {
		forms = append(forms, digits[:4]+" "+digits[4:8]+" "+digits[8:12]+" "+digits[12:], digits[:4]+"-"+digits[4:8]+"-"+digits[8:12]+"-"+digits[12:])
	}
	if len(digits) == 6 { // yyyy-MM: MM/yy, MMyy
		forms = append(forms, digits[4:]+"/"+digits[2:4], digits[4:]+digits[2:4])
	}
	return forms
}
