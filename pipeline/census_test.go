package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"hash/maphash"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/internal/rostergen"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/validate"
)

func newTestValidator(t *testing.T) *validate.Validator {
	t.Helper()
	v, err := validate.New(validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// person is a mapped individual record as a roster row gives it.
func person(row int, id, country, ssn, email, phone string) *ingest.Record {
	ic := &api.IndividualCustomer{ExternalID: id, SocialID: ssn, SocialIDCountryCode: "USA"}
	if email != "" {
		ic.PrimaryEmail = &api.Email{Value: email}
	}
	if phone != "" {
		ic.PrimaryPhoneNumber = &api.Phone{Number: phone, Type: "MOBILE"}
	}
	return &ingest.Record{Row: row, Kind: ingest.KindIndividual, Body: ic, Country: country}
}

// Seal, whether every file is sorted at once or split again and again (a bound of a few
// records), writes occurrences of exactly the keys two rows hold (for a value, two employees:
// not the same id on every row, as mapped and as validated), one per row holding one, each
// chained to the key's next row and of the key's class, and primes first and later as an Add
// that kept every key in maps (the code before the census) would have, for those keys.
func TestCensusSpillSeal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	recs := make([]*ingest.Record, 4000)
	for i := range recs {
		id := fmt.Sprintf("E%d", rng.IntN(3000)) // some ids repeat: the same employee again
		switch rng.IntN(50) {
		case 0:
			id = "" // not primed, but still counted
		case 1:
			id = " " + id // the same employee once validated, not as mapped
		}
		recs[i] = person(i+2, id, "USA",
			fmt.Sprintf("%03d-45-%04d", 100+rng.IntN(50), rng.IntN(100)),
			fmt.Sprintf("p%d@x.com", rng.IntN(5000)),
			fmt.Sprintf("(312) 359-%04d", rng.IntN(9000)))
	}
	v := newTestValidator(t)
	// One phone on many rows: a file above the bound at every level, down to the last bits.
	for i := 0; i < len(recs); i += 20 {
		recs[i].Body.(*api.IndividualCustomer).PrimaryPhoneNumber.Number = "+1 206 719 7540"
	}
	// whole -1: every partition read twice from the file, not once into memory.
	for _, c := range []struct{ bound, whole int64 }{{0, 0}, {80 * censusRecSize, 0}, {0, -1}, {80 * censusRecSize, -1}} {
		t.Run(fmt.Sprintf("bound %d whole %d", c.bound, c.whole), func(t *testing.T) {
			dir := t.TempDir()
			var s Shared
			s.Prepare(v, dir)
			s.bound, s.whole = c.bound, c.whole
			// What the code before the census kept: every key, in maps.
			rows := map[uint64]map[int]bool{}
			ids := map[uint64]map[[2]uint64]bool{} // of a value key: the ids (as mapped, as validated) holding it
			first, later := map[uint64]uint64{}, map[uint64]int{}
			classOf := map[uint64]uint32{} // the class bits a key's occurrences carry
			for _, rec := range recs {
				s.Add(rec)
				raw := rec.ExternalID()
				idHash := uint32(maphash.String(s.seed, raw))
				var keys []uint64
				if strings.TrimSpace(raw) != "" {
					keys = append(keys, s.idKey(raw))
					classOf[s.idKey(raw)] = censusID
				}
				held := [2]uint64{maphash.String(s.seed, raw), maphash.String(s.seed, strings.TrimSpace(raw))}
				for _, sv := range sharedValues(nil, rec.Request()) {
					if sv.kind == SharedPhone {
						sv.value = s.phones.key(sv.value, rec.Country)
					}
					key, ok := s.key(sv)
					if !ok {
						continue // never compared
					}
					keys = append(keys, key)
					classOf[key] = rowClass(sv.kind) << 2
					if ids[key] == nil {
						ids[key] = map[[2]uint64]bool{}
					}
					ids[key][held] = true
					if !sv.kind.personal() || raw == "" {
						continue
					}
					prev, seen := first[key]
					switch {
					case !seen:
						first[key] = uint64(uint32(rec.Row))<<32 | uint64(idHash)
					case uint32(prev) != idHash && later[key] == 0:
						later[key] = rec.Row
					}
				}
				for _, k := range keys {
					if rows[k] == nil {
						rows[k] = map[int]bool{}
					}
					rows[k][rec.Row] = true
				}
			}
			if err := s.Seal(); err != nil {
				t.Fatal(err)
			}
			var hot []uint64
			for k, r := range rows {
				if len(r) < 2 {
					continue
				}
				one := false
				for h := range ids[k] {
					one = len(ids[k]) == 1 && uint32(h[0]) == uint32(h[1])
				}
				if !one { // not one employee's rows
					hot = append(hot, k)
				}
			}
			slices.Sort(hot)
			occs := occurrences(t, &s)
			var got []uint64
			primed, gotLater := map[uint64]uint64{}, map[uint64]int{}
			for _, o := range occs {
				if len(got) == 0 || got[len(got)-1] != o.key {
					got = append(got, o.key)
				}
				if o.first != 0 {
					primed[o.key] = o.first
				}
				if o.later != 0 {
					gotLater[o.key] = int(o.later)
				}
			}
			if !slices.Equal(got, hot) {
				t.Fatalf("%d hot keys, want %d", len(got), len(hot))
			}
			if len(hot) == 0 || len(hot) == len(rows) {
				t.Fatalf("%d of %d keys hot: the test proves nothing", len(hot), len(rows))
			}
			// Each row holding a hot key has an occurrence of it, of its class, chained to
			// the next row holding it; and no other.
			n := 0
			for _, k := range hot {
				held := slices.Sorted(maps.Keys(rows[k]))
				for i, row := range held {
					want := occur{key: k, row: uint32(row)<<censusRowShift | classOf[k]}
					if i+1 < len(held) {
						want.next = uint32(held[i+1])
					}
					if o := occs[n]; o.key != want.key || o.row != want.row || o.next != want.next {
						t.Fatalf("occurrence %d: key %x row %d next %d, want %x %d %d", n, o.key, o.num(), o.next, k, row, want.next)
					}
					n++
				}
			}
			if n != len(occs) {
				t.Errorf("%d occurrences, want %d", len(occs), n)
			}
			maps.DeleteFunc(first, func(k uint64, _ uint64) bool { _, ok := slices.BinarySearch(hot, k); return !ok })
			if !maps.Equal(primed, first) || !maps.Equal(gotLater, later) {
				t.Errorf("first %d later %d, want %d and %d", len(primed), len(gotLater), len(first), len(later))
			}
			s.endRun()
			if len(later) == 0 {
				t.Error("no personal value on two employees: the test proves nothing")
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("temp files left: %d", len(left))
			}
		})
	}
}

// Whenever two rows' values are equal once validated, the census gave them the same key, so
// both are kept: the key is the value as check compares it. Rows whose values differ as
// mapped but not as validated are the case that matters.
func TestCensusKeysAreValidatedValues(t *testing.T) {
	v := newTestValidator(t)
	var s Shared
	s.Prepare(v, t.TempDir())
	type row struct{ country, ssn, email, phone string }
	rows := []row{
		{"USA", "123-45-6789", "Ana.Lee@Example.com", "(312) 359-2374"},
		{"USA", "123 45 6789", " ana.lee@example.COM ", "+1 312 359 2374"},
		{"", "123456789", "ANA.LEE@EXAMPLE.COM", "1-312-359-2374"},
		{"United States", "", "", "312.359.2374 ext. 7"},
		{"CAN", "", "", "+13123592374"},
		{"GBR", "", "", "+44 20 7946 0958"},
		{"GBR", "", "", "020 7946 0958"},
		{"GB", "", "", "0044 20 7946 0958"},
		{"USA", "", "", "+44 (0)20 7946 0958"},
		{"ATG", "", "", "268 464 1234"},
		{"ATG", "", "", "464-1234"},
		{"USA", "", "", "+1 268 464 1234"},
		{"DEU", "", "", "030 123456"},
		{"USA", "", "", "+49 30 123456"},
		{"USA", "", "", "(201) 555-0101"}, // invalid: not compared, no key needed
	}
	type value struct {
		kind  SharedKind
		value string
	}
	censusKey := map[value][]string{} // what check compares -> what the census keyed for it
	for i, r := range rows {
		rec := person(i+2, fmt.Sprintf("E%d", i), r.country, r.ssn, r.email, r.phone)
		var mapped []sharedValue
		for _, sv := range sharedValues(nil, rec.Request()) {
			if sv.kind == SharedPhone {
				sv.value = s.phones.key(sv.value, rec.Country)
			}
			sv.value = sv.normal()
			mapped = append(mapped, sv)
		}
		res := v.Individual(rec.Body.(*api.IndividualCustomer), validate.Hint{Country: r.country})
		for j, sv := range sharedValues(nil, rec.Request()) {
			sv.value = sv.normal()
			if sv.value == "" || hasError(res.Errors, sv.field) {
				continue
			}
			k := value{sv.kind, sv.value}
			censusKey[k] = append(censusKey[k], mapped[j].value)
		}
	}
	shared := 0
	for k, got := range censusKey {
		for _, c := range got {
			if c != k.value {
				t.Errorf("%s %q: the census keyed one %q", k.kind, k.value, c)
			}
		}
		if len(got) > 1 {
			shared++
		}
	}
	if shared < 5 {
		t.Errorf("only %d values on two rows once validated: the test proves nothing (%v)", shared, censusKey)
	}
}

// validatedNumber is the phone number a whole validation of it alone, in the row's region,
// leaves in the request ("" when refused): what check compares.
func validatedNumber(v *validate.Validator, number, country string) string {
	ic := &api.IndividualCustomer{PrimaryPhoneNumber: &api.Phone{Number: number}}
	res := v.Individual(ic, validate.Hint{Country: country})
	for _, p := range res.Errors {
		if p.Field == "primaryPhoneNumber.number" {
			return ""
		}
	}
	return ic.PrimaryPhoneNumber.Number
}

// phoneKeyer's key of a North American number in any shape is what the validator gives.
func TestPhoneKeyFastMatchesValidator(t *testing.T) {
	v := newTestValidator(t)
	pk := &phoneKeyer{v: v}
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := []string{"(%s) %s-%s", "%s-%s-%s", "%s.%s.%s", "1 %s %s %s", "1-%s-%s-%s", "+1 %s %s %s", "+1%s%s%s", "+1 (%s) %s-%s", "%s%s%s"}
	for _, country := range []string{"", "USA", "US", "CAN", "PRI", "ATG", "JAM", "GBR", "DEU", "MEX", "Nowhere"} {
		t.Run("country "+country, func(t *testing.T) {
			for range 300 {
				a := fmt.Sprintf("%03d", rng.IntN(1000))
				e := fmt.Sprintf("%03d", rng.IntN(1000))
				n := fmt.Sprintf("%04d", rng.IntN(10000))
				if rng.IntN(2) == 0 {
					a = []string{"312", "206", "268", "876", "787", "416", "212"}[rng.IntN(7)]
				}
				number := fmt.Sprintf(shapes[rng.IntN(len(shapes))], a, e, n)
				if got, want := pk.key(number, country), validatedNumber(v, number, country); got != want && want != "" {
					t.Errorf("%q: key %q, the validator %q", number, got, want)
				}
			}
		})
	}
}

// With a census the run writes the same report as with one that filters nothing (every
// value and every externalId looked up, as before the census): same rows flagged, same rows
// named, same order.
func TestCensusFilterChangesNoReport(t *testing.T) {
	var gen bytes.Buffer
	if err := rostergen.WriteCSV(&gen, rostergen.Options{Rows: 3000, Invalid: 0.08, Duplicate: 0.05, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	// Employees sharing values, written differently.
	shared, err := os.ReadFile(filepath.Join("..", "testdata", "ewa", "shared.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		cfg  ingest.Config
		code string // a problem the report must show
	}{
		{"generated", gen.Bytes(), mustConfig(t), validate.CodeDuplicate},
		{"shared.csv", shared, ingest.Config{ProgramID: "p1", Defaults: map[string]string{"cardName": "Payroll", "cardSubtype": "DEBIT"}}, validate.CodeShared},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				filtered := censusRun(t, tt.data, tt.cfg, strict, true, 0, 0, 0)
				all := censusRun(t, tt.data, tt.cfg, strict, false, 0, 0, 0)
				if !bytes.Equal(filtered, all) {
					t.Errorf("strict %v: reports differ", strict)
				}
				if !bytes.Contains(filtered, []byte(tt.code)) {
					t.Errorf("strict %v: no %s: the test proves nothing", strict, tt.code)
				}
			}
		})
	}
}

// However few forwarded messages the run keeps in memory (the rest in sorted runs on disk), and
// however narrow the occurrence files (a group's rows in many of them), the report is the one
// the map path (no filter, nothing forwarded) writes, on a roster with SSNs, emails, phones and
// cards on two employees and repeated externalIds.
func TestCensusForwardBoundsChangeNoReport(t *testing.T) {
	data := repeatsRoster(t, 4000)
	cfg := mustConfig(t)
	for _, strict := range []bool{false, true} {
		want := censusRun(t, data, cfg, strict, false, 0, 0, 0)
		for _, code := range []string{validate.CodeShared, validate.CodeDuplicate} {
			if !bytes.Contains(want, []byte(code)) {
				t.Fatalf("no %s: the test proves nothing", code)
			}
		}
		// load: a file holding more occurrences is split by row before it is read (2: every
		// file of the default width is, and its parts again).
		for _, b := range []struct{ fwd, width, load int }{{1, 0, 0}, {5, 97, 0}, {0, 1, 0}, {0, 0, 0}, {0, 0, 2}, {3, 300, 7}} {
			t.Run(fmt.Sprintf("strict %v bound %d width %d load %d", strict, b.fwd, b.width, b.load), func(t *testing.T) {
				if got := censusRun(t, data, cfg, strict, true, b.fwd, b.width, b.load); !bytes.Equal(got, want) {
					t.Error("reports differ")
				}
			})
		}
	}
}

func mustConfig(t *testing.T) ingest.Config {
	t.Helper()
	cfg, err := ingest.LoadConfig(filepath.Join("..", "testdata", "sample", "mapping.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ProgramID = "prog-test"
	return *cfg
}

// censusRun is a dry run of data after a census; filter false makes the census keep every key.
// With filter, fwdBound and occWidth are the census's forwarding queue's and occurrence files'
// bounds (0: the defaults).
func censusRun(t *testing.T, data []byte, cfg ingest.Config, strict, filter bool, fwdBound, occWidth, occLoad int) []byte {
	t.Helper()
	src, m := openRoster(t, data, cfg)
	prime, _ := openRoster(t, data, cfg)
	v := newTestValidator(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.jsonl")
	rep, err := reports.CreateJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &Pipeline{Source: src, Mapper: m, Validator: v, Workers: 2, Report: rep, Strict: strict,
		Summary: reports.NewSummary("validate", "roster.csv", string(cfg.Kind), time.Now()), TempDir: dir}
	p.Shared.Prepare(v, dir)
	p.Shared.fwdBound, p.Shared.occWidth, p.Shared.occLoad = fwdBound, occWidth, occLoad
	if err := p.Shared.prime(context.Background(), prime, m); err != nil {
		t.Fatal(err)
	}
	if !filter {
		// Every key in first, as before the census, with what the census primed.
		for _, o := range occurrences(t, &p.Shared) {
			if o.first != 0 {
				p.Shared.first[o.key] = o.first
			}
			if o.later != 0 {
				p.Shared.later[o.key] = int(o.later)
			}
		}
		p.Shared.endRun()
		p.Shared.sealed = false
	}
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := rep.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// occurrences reads the whole occurrence stream Seal wrote, by key and row.
func occurrences(t *testing.T, s *Shared) []occur {
	t.Helper()
	var all []occur
	for i := range s.occ.ranges() {
		occs, err := s.occ.load(i)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, occs...)
	}
	slices.SortFunc(all, func(a, b occur) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		return a.num() - b.num()
	})
	return all
}

// BenchmarkCensusSpill is the census's own work on a million records (most keys on one row,
// some on two, as a roster's values are): put, then Seal to the occurrence stream.
func BenchmarkCensusSpill(b *testing.B) {
	const n = 1 << 20
	rng := rand.New(rand.NewPCG(5, 6))
	recs := make([]censusRec, n)
	for i := range recs {
		key := rng.Uint64()
		if i > 0 && rng.IntN(20) == 0 {
			key = recs[rng.IntN(i)].key
		}
		recs[i] = censusRec{key: key, row: uint32(i/4+2)<<censusRowShift | rowClass(SharedPhone)<<2, idID: rng.Uint32()}
	}
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		cs := newCensusSpill(dir, 64-censusBits)
		for _, r := range recs {
			if err := cs.put(r); err != nil {
				b.Fatal(err)
			}
		}
		out := newOccSpill(dir, cs.last, 0, 0)
		if err := cs.seal(out, censusBound, 2); err != nil {
			b.Fatal(err)
		}
		if err := out.flush(); err != nil {
			b.Fatal(err)
		}
		out.close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/rec")
}
