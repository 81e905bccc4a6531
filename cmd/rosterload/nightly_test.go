package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/internal/rostergen"
	"github.com/rosterload/rosterload/sink/emulator"
)

// history is a client's nightly rosters as a test builds them: rows by externalId, in order.
type history struct {
	t    *testing.T
	dir  string
	api  *testAPI
	f    runFiles
	seen map[string][]string // every row any night had, for the leak scan
}

func newHistory(t *testing.T) *history {
	dir := t.TempDir()
	return &history{t: t, dir: dir, api: newAPI(t, emulator.Config{Idempotency: true}, apiHooks{}),
		f: newRunFiles(dir, "client"), seen: map[string][]string{}}
}

// people returns the generated rows of employees first..last (E0000001 is 1).
func people(first, last int) [][]string {
	var out [][]string
	rostergen.Generate(rostergen.Options{Rows: last, Seed: 1}, func(r rostergen.Row) error {
		out = append(out, r.Cells)
		return nil
	})
	return out[first-1:]
}

// write puts a night's roster on disk.
func (h *history) write(name string, rows [][]string) string {
	h.t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(rostergen.Header())
	for _, r := range rows {
		w.Write(r)
		h.seen[r[rostergen.ColExternalID]+"/"+r[rostergen.ColPhone]] = r
	}
	w.Flush()
	p := filepath.Join(h.dir, name+".csv")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// night is what one command made of a roster.
type night struct {
	code    int
	stderr  string
	byID    map[string]runLine
	status  map[string]string // externalId -> status
	missing []string          // externalIds in the missing file
}

// run runs (or, with validate, dry-runs) a roster on date and reads what it wrote.
func (h *history) run(command, date, roster string, extra ...string) night {
	h.t.Helper()
	name := command + "-" + date + fmt.Sprint(len(extra))
	report := filepath.Join(h.dir, name+".report.jsonl")
	missing := filepath.Join(h.dir, name+".missing.csv")
	args := runArgs(h.api.URL, runFiles{state: h.f.state, report: report, summary: filepath.Join(h.dir, name+".summary.json")}, roster,
		append([]string{"--today", date, "--missing", missing, "--rate", "0"}, extra...)...)
	if command == "validate" {
		// run's --rate 0, which validate lacks, is the last pair before extra.
		i := slices.Index(args, "--rate")
		args = slices.Delete(args, i, i+2)
		args[0] = "validate"
	}
	res := runCLI(h.t, oauthEnv(), args...)
	n := night{code: res.code, stderr: res.stderr, byID: map[string]runLine{}, status: map[string]string{}}
	for _, l := range readRunReport(h.t, report) {
		n.byID[l.ExternalID] = l
		n.status[l.ExternalID] = l.Status
	}
	b, err := os.ReadFile(missing)
	if err != nil {
		h.t.Fatalf("%s on %s wrote no missing file: %v\n%s", command, date, err, res.stderr)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) == 0 || strings.Join(recs[0], ",") != "externalId,customerId,profileId,firstSeen,lastSeen" {
		h.t.Fatalf("missing file: %v %q", err, recs)
	}
	for _, r := range recs[1:] {
		n.missing = append(n.missing, r[0])
	}
	return n
}

// tonight dry-runs the roster with the state, then runs it, and checks that the dry run said
// what the run then did and left the state as it was.
func (h *history) tonight(date, roster string, extra ...string) night {
	h.t.Helper()
	before, _ := os.ReadFile(h.f.state)
	dry := h.run("validate", date, roster, extra...)
	after, _ := os.ReadFile(h.f.state)
	if !bytes.Equal(before, after) {
		h.t.Errorf("%s: validate --state changed the state file", date)
	}
	got := h.run("run", date, roster, extra...)
	if dry.code != got.code && !(dry.code == 0 && got.code == 0) {
		h.t.Errorf("%s: validate exit %d, run exit %d", date, dry.code, got.code)
	}
	for id, st := range got.status {
		want := st
		if st == "CREATED" {
			want = "VALID"
		}
		if dry.status[id] != want {
			h.t.Errorf("%s: %s: validate says %s, run says %s", date, id, dry.status[id], st)
		}
	}
	if !slices.Equal(dry.missing, got.missing) {
		h.t.Errorf("%s: validate's missing file has %d ids, run's %d", date, len(dry.missing), len(got.missing))
	}
	return got
}

func ids(rows [][]string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[rostergen.ColExternalID]
	}
	return out
}

// expect checks that exactly ids have status (and no other row has it).
func expect(t *testing.T, n night, status string, want []string) {
	t.Helper()
	var got []string
	for id, st := range n.status {
		if st == status {
			got = append(got, id)
		}
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s: %d rows, want %d (first got %v, want %v)", status, len(got), len(want), first5(got), first5(want))
	}
}

func first5(s []string) []string { return s[:min(len(s), 5)] }

// TestNightlyHistory runs four nights of one client (and the confirmation of a held one)
// through validate --state and run against one emulator: who is new, changed, gone, back.
func TestNightlyHistory(t *testing.T) {
	h := newHistory(t)
	base := people(1, 1000)

	// Night 1: the first roster of 1,000.
	n1 := h.tonight("2026-11-01", h.write("n1", base))
	if n1.code != 0 {
		t.Fatalf("night 1: exit %d\n%s", n1.code, n1.stderr)
	}
	expect(t, n1, "CREATED", ids(base))
	if len(n1.missing) != 0 {
		t.Errorf("night 1: %d leavers, want none", len(n1.missing))
	}

	// Night 2: 30 leave, 20 change phone, 15 move, 25 are hired.
	leavers, phones, moves, stay := base[:30], base[30:50], base[50:65], base[65:]
	hires := people(1001, 1025)
	var n2rows [][]string
	for i, r := range phones {
		r = slices.Clone(r)
		r[rostergen.ColPhone] = people(2001+i, 2001+i)[0][rostergen.ColPhone]
		n2rows = append(n2rows, r)
	}
	for i, r := range moves {
		r = slices.Clone(r)
		r[rostergen.ColAddressLine1] = fmt.Sprintf("%d Harbour Road", 10+i)
		n2rows = append(n2rows, r)
	}
	n2rows = append(append(n2rows, stay...), hires...)
	n2 := h.tonight("2026-11-02", h.write("n2", n2rows))
	if n2.code != 0 {
		t.Fatalf("night 2: exit %d\n%s", n2.code, n2.stderr)
	}
	expect(t, n2, "CREATED", ids(hires))
	expect(t, n2, "CHANGED", append(ids(phones), ids(moves)...))
	expect(t, n2, "SKIPPED", ids(stay))
	if !slices.Equal(slices.Sorted(slices.Values(n2.missing)), ids(leavers)) {
		t.Errorf("night 2: leavers %v, want %v", first5(n2.missing), first5(ids(leavers)))
	}
	for _, c := range []struct {
		rows [][]string
		path string
	}{{phones, "customerData.primaryPhoneNumber.number"}, {moves, "financialAccountData.card.billingAddress.addressLine1"}} {
		for _, id := range ids(c.rows) {
			l := n2.byID[id]
			if len(l.Warnings) == 0 || l.Warnings[len(l.Warnings)-1].Field != c.path || l.Warnings[len(l.Warnings)-1].Code != "changed" {
				t.Errorf("night 2: %s: warnings %+v, want changed %s", id, l.Warnings, c.path)
			}
		}
	}
	requests := h.api.Stats().Requests

	// Night 3: a truncated export (the first 600 of night 2's rows) with 10 new hires: held.
	hires3 := people(1026, 1035)
	n3rows := append(slices.Clone(n2rows[:600]), hires3...)
	n3path := h.write("n3", n3rows)
	n3 := h.tonight("2026-11-03", n3path)
	if n3.code != exitHeld {
		t.Fatalf("night 3: exit %d, want 4 (held)\n%s", n3.code, n3.stderr)
	}
	if !strings.Contains(n3.stderr, "--max-missing 100%") || !strings.Contains(n3.stderr, "of 995 active employees") {
		t.Errorf("night 3: stderr does not say how many are missing and how to confirm:\n%s", n3.stderr)
	}
	if got := h.api.Stats().Requests; got != requests {
		t.Errorf("night 3 (held): %d requests sent, want none", got-requests)
	}
	if len(n3.status) != len(n3rows) {
		t.Errorf("night 3: %d rows in the report, want %d", len(n3.status), len(n3rows))
	}
	expect(t, n3, "NOT_SUBMITTED", ids(hires3))
	truncated := ids(n2rows[600:])
	if len(n3.missing) != len(truncated) {
		t.Errorf("night 3: %d would be missing, want %d", len(n3.missing), len(truncated))
	}

	// The operator confirms: the truncated ones have left.
	n3c := h.tonight("2026-11-03", n3path, "--max-missing", "100%")
	if n3c.code != 0 {
		t.Fatalf("night 3 confirmed: exit %d\n%s", n3c.code, n3c.stderr)
	}
	expect(t, n3c, "CREATED", ids(hires3))
	if !slices.Equal(slices.Sorted(slices.Values(n3c.missing)), slices.Sorted(slices.Values(truncated))) {
		t.Errorf("night 3 confirmed: %d leavers, want %d", len(n3c.missing), len(truncated))
	}

	// Night 4: everyone is back, as they were on night 2.
	all := append(append(slices.Clone(leavers), n2rows...), hires3...)
	n4 := h.tonight("2026-11-04", h.write("n4", all))
	if n4.code != 0 {
		t.Fatalf("night 4: exit %d\n%s", n4.code, n4.stderr)
	}
	expect(t, n4, "CREATED", nil)
	expect(t, n4, "CHANGED", append(ids(phones), ids(moves)...))
	if len(n4.missing) != 0 {
		t.Errorf("night 4: %d leavers, want none", len(n4.missing))
	}
	back := map[string]string{}
	for _, id := range ids(leavers) {
		back[id] = "2026-11-02"
	}
	for _, id := range truncated {
		back[id] = "2026-11-03"
	}
	for id, l := range n4.byID {
		var ret *problem
		for i := range l.Warnings {
			if l.Warnings[i].Code == "returned" {
				ret = &l.Warnings[i]
			}
		}
		since, wasGone := back[id]
		switch {
		case wasGone && (ret == nil || !strings.Contains(ret.Message, since)):
			t.Errorf("night 4: %s was missing since %s: warnings %+v", id, since, l.Warnings)
		case !wasGone && ret != nil:
			t.Errorf("night 4: %s was never missing but has %+v", id, *ret)
		}
	}

	// The emulator holds each employee once.
	everyone := append(ids(people(1, 1025)), ids(hires3)...)
	for _, id := range everyone {
		if n := h.api.ExternalIDCount(id); n != 1 {
			t.Errorf("the emulator holds %s %d times", id, n)
		}
	}

	// Nothing in the state gives away an SSN, a card number or an expiry.
	state, err := os.ReadFile(h.f.state)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range slices.Sorted(maps.Keys(h.seen)) {
		r := h.seen[key]
		for _, col := range []int{rostergen.ColSSN, rostergen.ColCardNumber, rostergen.ColCardExpiry} {
			for _, form := range forms(r[col]) {
				sum := sha256.Sum256([]byte(form))
				for _, needle := range []string{form, hex.EncodeToString(sum[:]), base64.StdEncoding.EncodeToString(sum[:]),
					base64.RawURLEncoding.EncodeToString(sum[:])} {
					if len(needle) >= 4 && containsBounded(string(state), needle) {
						t.Fatalf("the state holds %q (a form of %s's column %d)", needle, r[0], col)
					}
				}
			}
		}
	}
}

// forms are the ways a value may be written: as is, its digits, dashed and slashed variants.
func forms(v string) []string {
	d := digitsOf(v)
	out := []string{v, d}
	if len(d) == 9 {
		out = append(out, d[:3]+"-"+d[3:5]+"-"+d[5:])
	}
	if len(d) == 6 { // an expiry yyyyMM
		out = append(out, d[4:]+"/"+d[2:4], d[4:]+"/"+d[:4], d[:4]+"-"+d[4:])
	}
	return out
}

// TestNightlyStateSize: thirty nights of the same roster leave the state within twice its
// size after the first.
func TestNightlyStateSize(t *testing.T) {
	h := newHistory(t)
	roster := h.write("same", people(1, 1000))
	var first int64
	for d := 1; d <= 30; d++ {
		n := h.run("run", fmt.Sprintf("2026-11-%02d", d), roster)
		if n.code != 0 {
			t.Fatalf("night %d: exit %d\n%s", d, n.code, n.stderr)
		}
		fi, err := os.Stat(h.f.state)
		if err != nil {
			t.Fatal(err)
		}
		if d == 1 {
			first = fi.Size()
			continue
		}
		if fi.Size() > 2*first {
			t.Fatalf("night %d: the state is %d bytes, more than twice the %d of night 1", d, fi.Size(), first)
		}
	}
}
