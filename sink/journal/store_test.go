package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// model is the journal's semantics as they were before the compact store: the last entry of each
// id, and its last CREATED or EXISTS entry.
type model struct{ last, done map[string]Entry }

func newModel() *model { return &model{last: map[string]Entry{}, done: map[string]Entry{}} }

func (m *model) apply(e Entry) {
	m.last[e.ExternalID] = e
	if e.Status == StatusCreated || e.Status == StatusExists {
		m.done[e.ExternalID] = e
	}
}

// same says whether got is want, times compared as instants.
func same(got, want Entry) bool {
	if !got.At.Equal(want.At) || got.At.IsZero() != want.At.IsZero() {
		return false
	}
	got.At, want.At = time.Time{}, time.Time{}
	return got == want
}

// compacted drops what a compaction drops: the ids whose last entry is a failure and that are
// not done (the next run tries them again).
func (m *model) compacted() *model {
	for id, e := range m.last {
		if _, done := m.done[id]; !done && e.Status == StatusFailed {
			delete(m.last, id)
		}
	}
	return m
}

func (m *model) check(t *testing.T, j *Journal, label string) {
	t.Helper()
	if j.Len() != len(m.last) {
		t.Errorf("%s: Len = %d, want %d", label, j.Len(), len(m.last))
	}
	for id, last := range m.last {
		want, wantOK := m.done[id]
		got, ok := j.Done(id)
		if ok != wantOK || (ok && !same(got, want)) {
			t.Errorf("%s: Done(%s) = %+v, %v; want %+v, %v", label, id, got, ok, want, wantOK)
		}
		wantOK = last.Status == StatusPending
		got, ok = j.Pending(id)
		if ok != wantOK || (ok && !same(got, last)) {
			t.Errorf("%s: Pending(%s) = %+v, %v; want %+v, %v", label, id, got, ok, last, wantOK)
		}
	}
	if _, ok := j.Done("nobody"); ok {
		t.Errorf("%s: Done(nobody)", label)
	}
}

// randomEntry makes entries of every shape the store holds differently: UUIDs and other ids
// (short, long, upper-case UUIDs), keys, rows and times beyond a slot's, PENDING after done.
func randomEntry(rng *rand.Rand, kinds []string, zeroTimes bool) Entry {
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	uuid := func() string {
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), 0x8000|rng.IntN(1<<14), rng.Uint64()&(1<<48-1))
	}
	id := func() string {
		switch rng.IntN(9) {
		case 0, 1:
			return ""
		case 2:
			return strings.ToUpper(uuid())
		case 3:
			return fmt.Sprint("cust-", rng.IntN(100))
		case 4:
			return "fa_0123456789abcdef0123456789abcdef" + fmt.Sprint(rng.IntN(3)) // longer than 15
		case 5:
			return "123456789012345" // 15 bytes: inline
		case 6:
			return "1234567890123456" // 16 bytes: in the arena
		}
		return uuid()
	}
	at := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(48 * time.Hour))))
	switch rng.IntN(12) {
	case 0:
		at = at.In(time.FixedZone("", -5*3600))
	case 1:
		at = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC) // beyond int64 nanoseconds
	case 2:
		at = time.Date(1600, 1, 1, 0, 0, 0, 1, time.UTC)
	case 3:
		if zeroTimes {
			at = time.Time{}
		}
	}
	e := Entry{
		ExternalID: fmt.Sprintf("E%03d", rng.IntN(40)),
		Kind:       kinds[rng.IntN(len(kinds))],
		Status:     pick(StatusPending, StatusPending, StatusCreated, StatusExists, StatusFailed),
		CustomerID: id(), ProfileID: id(), FinancialAccountID: id(),
		Row: []int{0, 2, 77, -5, 1<<31 - 1, 1 << 31, 1 << 40}[rng.IntN(7)],
		At:  at,
	}
	if rng.IntN(6) == 0 {
		e.IdempotencyKey = fmt.Sprint("key-", rng.IntN(1000))
	}
	return e
}

// Recorded entries and entries read back answer Done and Pending as the plain log replay did.
func TestStoreMatchesReplay(t *testing.T) {
	t.Parallel()
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 99))
			path := statePath(t)
			j := mustOpen(t, path)
			m := newModel()
			for range 3000 {
				e := randomEntry(rng, []string{"ewa", ""}, false)
				mustRecord(t, j, e)
				e.Kind = "ewa" // filled in by Record
				m.apply(e)
			}
			m.check(t, j, "recorded")
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			m.compacted().check(t, mustOpen(t, path), "reloaded")
		})
	}
}

// Lines read by either parser (the fast one, or encoding/json for what it does not take) give
// the same state, for any kinds (Open) and zero times.
func TestLoadMatchesReplay(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	var buf bytes.Buffer
	m := newModel()
	for i := range 4000 {
		e := randomEntry(rng, []string{"ewa", "individual", "business", ""}, true)
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		switch i % 7 { // shapes the fast path leaves to encoding/json, or takes as well
		case 1:
			line = bytes.ReplaceAll(line, []byte(`":`), []byte(`" : `))
		case 2:
			line = bytes.Replace(line, []byte(`{"externalId":"E`), []byte(`{"unknown":[1,{"a":null}],"externalId":"\u0045`), 1)
		case 3:
			line = bytes.Replace(line, []byte(`"externalId"`), []byte(`"EXTERNALID"`), 1)
		case 4:
			line = append([]byte("  \t"), line...)
		}
		buf.Write(line)
		buf.WriteString("\n")
		m.apply(e)
	}
	path := statePath(t)
	writeFile(t, path, buf.String())
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	m.check(t, j, "loaded")
}

// More kinds than a slot indexes are kept too (Open uses any kind).
func TestManyKinds(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	m := newModel()
	for i := range 300 {
		e := Entry{ExternalID: fmt.Sprint("E", i), Kind: fmt.Sprint("kind", i), Status: StatusCreated, At: time.Unix(int64(i), 0).UTC()}
		mustRecord(t, j, e)
		m.apply(e)
	}
	m.check(t, j, "recorded")
	_ = j.Close()
	j, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	m.check(t, j, "reloaded")
}

// A slot stays small: its size is most of what a million employees cost.
func TestSlotSize(t *testing.T) {
	if n := unsafe.Sizeof(slot{}); n != 80 {
		t.Errorf("slot is %d bytes, want 80", n)
	}
}

// The fast path takes a line only if encoding/json reads the same entry from it.
func FuzzParseFast(f *testing.F) {
	for _, s := range []string{
		`{"externalId":"E1","kind":"ewa","status":"CREATED","customerId":"0e01f271-80b1-4724-b5dc-6959c7cd88dc","row":2,"at":"2026-01-05T02:00:00.123456789Z"}`,
		`{"externalId":"E1","status":"PENDING","row":-0,"at":"2026-01-05T02:00:00+02:00"}`,
		`{"externalId":"E1","row":012}`,
		`{"externalId":"E1","row":1e3}`,
		`{"externalId":"E\u0031"}`,
		`{"externalId":"E1","at":"2026-13-05T02:00:00Z"}`,
		`{"externalId":"E1","externalId":"E2","row":1,"row":2}`,
		`{}`, `{ }`, `{"a":1}`, `[]`, `{"externalId":"E1",}`, `{"externalId":"E1"} x`,
		`{"rosterload":"state","version":2,"kind":"ewa","apiHost":"h"}`,
		`{"externalId":"E1","status":"CREATED","at":"2026-01-05T02:00:00Z","firstSeen":"2026-01-05","lastSeen":"2026-01-06","missingSince":"2026-01-07","shape":3,"sums":"AAECAw=="}`,
		`{"externalId":"E1","status":"CREATED","firstSeen":"2026-1-05","shape":-1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r raw
		if !parseFast(b, &r) {
			return
		}
		var e Entry
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("fast path took %q, encoding/json refuses it: %v", b, err)
		}
		if got := r.entry(); !same(got, e) {
			t.Fatalf("%q: fast path %+v, encoding/json %+v", b, got, e)
		}
		var l lineJSON
		var slow raw
		if json.Unmarshal(b, &l) != nil || slow.fromJSON(&l) != nil {
			t.Fatalf("fast path took %q, the slow path refuses its sightings", b)
		}
		if r.first != slow.first || r.last != slow.last || r.missing != slow.missing || r.shapeNo != slow.shapeNo || string(r.sumsText) != string(slow.sumsText) {
			t.Fatalf("%q: fast path %+v, encoding/json %+v", b, r, slow)
		}
	})
}

func TestSlotHoldsUUIDsExactly(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0e01f271-80b1-4724-b5dc-6959c7cd88dc", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"} {
		var u [16]byte
		if !parseUUID(&u, []byte(s)) || formatUUID(&u) != s {
			t.Errorf("%s does not round-trip", s)
		}
	}
	for _, s := range []string{"0E01F271-80B1-4724-B5DC-6959C7CD88DC", "0e01f27180b14724b5dc6959c7cd88dc", "0e01f271-80b1-4724-b5dc-6959c7cd88d", "0e01f271+80b1-4724-b5dc-6959c7cd88dc", "0e01f271-80b1-4724-b5dc-6959c7cd88dg"} {
		var u [16]byte
		if parseUUID(&u, []byte(s)) {
			t.Errorf("%s taken as a canonical UUID", s)
		}
	}
}
