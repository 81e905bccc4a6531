package pipeline

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/validate"
)

// Cross-row checks: the same SSN, tax id or card number on two employees (two externalIds) is
// a mistake of the roster that no single row shows, and so, less surely, is one email or phone
// on two of them.
//
// Rows stream in source order and an earlier row's line may already be written when a later
// one shares its value, so the LATER row carries the problem, naming the earlier row; holding
// lines back would hold the whole report. When the pipeline has a second reader of the roster
// (Pipeline.Prime), the SSNs, tax ids and card numbers are counted from it first, and the
// EARLIER row carries the problem too, naming the first later one. Every pair is also kept in
// Shared (with the log's warning), so that a clerk who reads the summary still sees both rows.
// Memory: one map slot a value (16 bytes: a keyed hash of the value, never the value, and the
// first row with a 32-bit hash of its externalId). With a census before the run (Add, Seal;
// census.go) only the values that two rows hold get one, and externalIds that one row alone
// holds skip de-duplication; without one, every value of every row does, four a row at most.

// A SharedKind is what two employees share.
type SharedKind uint8

const (
	SharedSSN SharedKind = iota + 1
	SharedTaxID
	SharedCard
	SharedEmail
	SharedPhone
)

// personal: a shared number of this kind is an error with Strict; email and phone stay warnings
// (a couple, or a shared work line, may share them).
func (k SharedKind) personal() bool { return k <= SharedCard }

func (k SharedKind) String() string {
	switch k {
	case SharedSSN:
		return "social ID"
	case SharedTaxID:
		return "tax ID"
	case SharedCard:
		return "card number"
	case SharedEmail:
		return "email"
	case SharedPhone:
		return "phone number"
	}
	return "value"
}

// SharedPair is one value on two employees' rows: Later's line carries the problem.
type SharedPair struct {
	Kind         SharedKind
	First, Later int    // row numbers
	Column       string // the later row's column, masked ("" for a default)
}

func (sp SharedPair) String() string {
	return fmt.Sprintf("rows %d and %d (two %ss) have the same %s", sp.First, sp.Later, sp.Kind.holder(), sp.Kind)
}

// holder is who holds a value of the kind: a business its tax id, an employee the rest.
func (k SharedKind) holder() string {
	if k == SharedTaxID {
		return "business"
	}
	return "employee"
}

// maxSharedPairs bounds Shared.Pairs and the log lines; Count goes on counting.
const maxSharedPairs = 100

// Shared finds the values two employees share, and keeps the pairs found. Its zero value is
// ready; it is used from the pipeline's one in-order goroutine.
type Shared struct {
	Count int          // pairs found
	Pairs []SharedPair // the first maxSharedPairs of them, in source order
	// Primed: every record of the roster was Added before the run.
	Primed bool

	seed  maphash.Seed
	first map[uint64]uint64 // hash(kind, value) -> first row<<32 | hash32(externalId)
	// later holds, after prime, the first other employee's row for each personal value that
	// two employees share: what the first holder's line is told.
	later map[uint64]int

	// The census (census.go): Add spills its records to dir, Seal keeps in hot the keys (of
	// values and of externalIds) that two rows hold; once sealed, check and the de-duplication
	// skip every other key.
	dir    string
	phones *phoneKeyer // nil: Add cannot see phones as the run will, so check compares them all
	spill  *censusSpill
	err    error // the census's first temp file error, returned by Seal
	bound  int64 // the largest census file sorted in memory; 0 = censusBound
	sealed bool
	hot    []uint64
	slots  []uint64 // beside hot, once sealed, what first holds for each key without a census
	flags  rowFlags // once sealed, which of each row's keys are hot (census.go)
}

// Prepare gives the census what it needs before the first Add: the run's validator, to see a
// phone number as the run will (E.164), and a directory for its temp files ("" the system's).
func (s *Shared) Prepare(v *validate.Validator, tempDir string) {
	s.init()
	s.dir = tempDir
	if v != nil && s.phones == nil {
		s.phones = &phoneKeyer{v: v}
	}
}

// Seal ends the census: it finds the keys two rows hold and sets Primed.
func (s *Shared) Seal() error {
	s.init()
	if s.err != nil {
		return s.err
	}
	c := census{later: s.later}
	if s.spill != nil {
		c.flags = make(rowFlags, s.spill.last/2+1)
		bound := s.bound
		if bound <= 0 {
			bound = censusBound
		}
		err := s.spill.seal(&c, bound, runtime.GOMAXPROCS(0))
		s.spill = nil
		if err != nil {
			return err
		}
	}
	// The files are read in the order of the keys' bits, so hot comes sorted.
	s.hot, s.slots, s.flags, s.sealed, s.Primed = c.hot, c.first, c.flags, true, true
	return nil
}

// Where check keeps a key's first holder: a slot beside hot once sealed (none when no other row
// holds the key), else the map first (a phone the census could not see, or no census).
const (
	inMap     = -1
	noOneElse = -2
)

func (s *Shared) slot(kind SharedKind, key uint64) int {
	if !s.sealed || kind == SharedPhone && s.phones == nil {
		return inMap
	}
	if i, found := slices.BinarySearch(s.hot, key); found {
		return i
	}
	return noOneElse
}

// idKey is the key of an externalId in the census: as the validator leaves it, trimmed.
func (s *Shared) idKey(id string) uint64 {
	return s.key(sharedValue{value: strings.TrimSpace(id)})
}

// filtered says that the census saw the row's value of the kind on this row alone (or on one
// employee's rows alone): check need not look it up.
func (s *Shared) filtered(kind SharedKind, row int) bool {
	if !s.sealed || kind == SharedPhone && s.phones == nil {
		return false
	}
	return s.flags.get(row)&kindFlag(kind) == 0
}

// mayRepeat says whether another row may hold row's externalId id (as validated): false only
// when the census saw it on one row alone, so that it needs no fingerprint and no claim. It
// only reads what Seal left, so the validation workers may call it at once.
func (s *Shared) mayRepeat(row int, id string) bool {
	if !s.sealed {
		return true
	}
	if s.flags.get(row)&flagID == 0 {
		return false
	}
	_, found := slices.BinarySearch(s.hot, s.idKey(id))
	return found
}

func (s *Shared) init() {
	if s.first == nil {
		s.seed, s.first, s.later = maphash.MakeSeed(), make(map[uint64]uint64), make(map[uint64]int)
	}
}

func (s *Shared) key(v sharedValue) uint64 {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteByte(byte(v.kind))
	h.WriteString(v.value)
	return h.Sum64()
}

// prime reads the whole roster from src before the run and Adds each record, mapping and
// keying the rows on every core (census).
func (s *Shared) prime(ctx context.Context, src rows.Reader, m Mapper) error {
	return s.census(ctx, src, m, runtime.GOMAXPROCS(0))
}

// census reads src on one goroutine, hands its rows in batches to workers that map them and
// make their records, and writes the records to the spill files from one goroutine, then
// Seals. The records of a batch are written as a worker finishes it, not in source order:
// each carries its row, and Seal sorts them. m.Map must be safe for concurrent use.
func (s *Shared) census(ctx context.Context, src rows.Reader, m Mapper, workers int) error {
	s.init()
	if s.err != nil {
		return s.err
	}
	g, gctx := errgroup.WithContext(ctx)
	todo := make(chan []rows.Row, workers*2)
	done := make(chan []censusRec, workers*2)
	g.Go(func() error {
		defer close(todo)
		return recovered(func() error {
			for {
				if err := gctx.Err(); err != nil {
					return err
				}
				b := make([]rows.Row, 0, batchSize)
				var err error
				for len(b) < batchSize && err == nil {
					var row rows.Row
					if row, err = src.Next(); err == nil {
						b = append(b, row)
					}
				}
				if len(b) > 0 {
					if err := send(gctx, todo, b); err != nil {
						return err
					}
				}
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
			}
		})
	})
	// A worker's error cancels gctx at once; done is closed once every worker is out.
	var wg sync.WaitGroup
	for range workers {
		pk := s.phones
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			return recovered(func() error {
				for b := range todo {
					if err := gctx.Err(); err != nil {
						return err
					}
					recs := make([]censusRec, 0, len(b)*5)
					for _, row := range b {
						var err error
						if recs, err = s.records(recs, m.Map(row), pk); err != nil {
							return err
						}
					}
					if err := send(gctx, done, recs); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	g.Go(func() error {
		for recs := range done {
			if err := s.put(recs); err != nil {
				return err
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		if s.spill != nil {
			s.spill.close()
			s.spill = nil
		}
		return err
	}
	return s.Seal()
}

// Add notes, before the run, the values of one mapped (not yet validated) record, in any
// order; Seal ends the count. The SSN, tax id and card number of a row with an externalId are
// primed: Seal finds their first row, and the first row of another employee holding them.
// A pass over the roster that reads it anyway (the nightly census) calls it for every row,
// after Prepare.
func (s *Shared) Add(rec *ingest.Record) {
	s.init()
	if s.err != nil {
		return
	}
	var buf [5]censusRec
	recs, err := s.records(buf[:0], rec, s.phones)
	if err != nil {
		s.err = err
		return
	}
	s.put(recs) // keeps its error in s.err
}

// put writes records to the spill files; the first error is kept for Seal too.
func (s *Shared) put(recs []censusRec) error {
	if s.err != nil {
		return s.err
	}
	if s.spill == nil {
		s.spill = newCensusSpill(s.dir, 64-censusBits)
	}
	for _, r := range recs {
		if err := s.spill.put(r); err != nil {
			s.err = err
			return err
		}
	}
	return nil
}

// records appends the census records of one mapped record: its externalId's key and one for
// each value check will compare. Values are keyed as check will compare them once validated:
// SSNs, tax ids and card numbers keep only their letters and digits either way, emails are
// trimmed and lowercased either way, phones are put in E.164 as the validator does (pk; nil:
// phones are not keyed, check compares them all). It only reads s, so workers may call it at
// once, each with a phoneKeyer of its own.
func (s *Shared) records(out []censusRec, rec *ingest.Record, pk *phoneKeyer) ([]censusRec, error) {
	if rec.Malformed != nil || rec.Body == nil {
		return out, nil
	}
	if rec.Row < 0 || rec.Row > censusMaxRow {
		return out, fmt.Errorf("census: row %d is beyond the %d rows it can count", rec.Row, censusMaxRow)
	}
	raw := rec.ExternalID()
	id := strings.TrimSpace(raw)
	idHash, idV := uint32(maphash.String(s.seed, raw)), uint32(maphash.String(s.seed, id))
	put := func(key uint64, flags uint32) {
		out = append(out, censusRec{key: key, row: uint32(rec.Row)<<censusRowShift | flags, idID: idHash, idV: idV})
	}
	if id != "" {
		put(s.idKey(id), censusID)
	}
	var buf [4]sharedValue
	for _, v := range sharedValues(buf[:0], rec.Request()) {
		if v.kind == SharedPhone {
			if pk == nil {
				continue // check compares every phone
			}
			v.value = pk.key(v.value, rec.Country)
		}
		if v.value == "" {
			continue
		}
		flags := rowClass(v.kind) << 2
		if v.kind.personal() && raw != "" {
			flags |= censusPrimed
		}
		put(s.key(v), flags)
	}
	return out, nil
}

// sharedValue is one value of a request the check compares, and the field it is in.
type sharedValue struct {
	kind  SharedKind
	field string
	value string
}

// check compares the item's values with those of earlier rows, adds a problem to its line for
// each one an earlier row of another employee holds (an error for a personal number when
// strict, which makes the row INVALID), and remembers the values it is the first to hold.
func (s *Shared) check(it *item, strict bool, log *slog.Logger) {
	id := it.line.ExternalID
	if id == "" || it.rec == nil || it.rec.Malformed != nil {
		return // rows without an id cannot be told apart as employees
	}
	s.init()
	row := it.rec.Row
	if s.sealed && s.phones != nil && s.flags.get(row)&^flagID == 0 {
		return // the census saw none of the row's values on another employee's row
	}
	idHash := uint32(maphash.String(s.seed, id))
	var buf [4]sharedValue
	for _, v := range sharedValues(buf[:0], it.rec.Request()) {
		if v.value == "" || hasError(it.line.Errors, v.field) || s.filtered(v.kind, row) {
			// A value the validator refused is reported as such, not compared; one the census
			// saw on no other employee's row needs no look-up.
			continue
		}
		key := s.key(v)
		i := s.slot(v.kind, key)
		var prev uint64
		var seen bool
		switch i {
		case noOneElse:
			continue
		case inMap:
			prev, seen = s.first[key]
		default:
			prev = s.slots[i]
			seen = prev != 0
		}
		if !seen {
			prev = uint64(uint32(it.rec.Row))<<32 | uint64(idHash)
			if i == inMap {
				s.first[key] = prev
			} else {
				s.slots[i] = prev
			}
			continue
		}
		if int(prev>>32) == it.rec.Row {
			// The first holder, primed: told of the first later holder, if any.
			if later := s.later[key]; later != 0 {
				s.problem(it, v, later, strict)
			}
			continue
		}
		if uint32(prev) == idHash {
			continue // the same employee again (a DUPLICATE row): not two employees
		}
		s.found(it, v, int(prev>>32), strict, log)
	}
}

// found puts the problem on the later row's line and records the pair.
func (s *Shared) found(it *item, v sharedValue, firstRow int, strict bool, log *slog.Logger) {
	col := s.problem(it, v, firstRow, strict)
	s.Count++
	if len(s.Pairs) < maxSharedPairs {
		sp := SharedPair{Kind: v.kind, First: firstRow, Later: it.rec.Row, Column: col}
		s.Pairs = append(s.Pairs, sp)
		if log != nil {
			log.Warn(sp.String(), "column", col)
		}
	}
}

// sharedValues appends the values of a request the check compares, in a form where two ways of
// writing one value are one (the validator has normalised phones and SSNs already).
// problem puts on the item's line that v is also on row other, and returns the column it is in.
func (s *Shared) problem(it *item, v sharedValue, other int, strict bool) string {
	col, cell := it.rec.Locate(v.field)
	col = redact.Text(col)
	p := validate.Problem{Field: v.field, Column: col, Cell: cell, Code: validate.CodeShared}
	h := v.kind.holder()
	if v.kind.personal() {
		p.Message = fmt.Sprintf("this %s is also on row %d, another %s's: one %s belongs to one %s; check both rows", v.kind, other, h, v.kind, h)
	} else {
		p.Message = fmt.Sprintf("this %s is also on row %d, another %s's: check that both are right", v.kind, other, h)
	}
	if strict && v.kind.personal() {
		p.Message += " (an error with --strict: this row is not sent)"
		it.line.Errors = append(it.line.Errors, p)
		it.line.Status = outcome.Invalid
		it.valid = false
	} else {
		it.line.Warnings = append(it.line.Warnings, p)
	}
	return col
}

func sharedValues(out []sharedValue, req any) []sharedValue {
	person := func(p string, ic *api.IndividualCustomer) {
		if ic == nil {
			return
		}
		out = append(out, sharedValue{SharedSSN, p + "socialId", strings.ToUpper(alnum(ic.SocialID))})
		if e := ic.PrimaryEmail; e != nil {
			out = append(out, sharedValue{SharedEmail, p + "primaryEmail.value", strings.ToLower(strings.TrimSpace(e.Value))})
		}
		if ph := ic.PrimaryPhoneNumber; ph != nil {
			out = append(out, sharedValue{SharedPhone, p + "primaryPhoneNumber.number", strings.TrimSpace(ph.Number)})
		}
	}
	switch r := req.(type) {
	case *api.CustomerProfileRequest:
		person("customerData.", r.CustomerData)
		if fa := r.FinancialAccountData; fa != nil && fa.Card != nil {
			out = append(out, sharedValue{SharedCard, "financialAccountData.card.cardNumber", alnum(fa.Card.CardNumber)})
		}
	case *api.IndividualCustomer:
		person("", r)
	case *api.BusinessCustomer:
		// Businesses share bookkeepers' emails and phones as a matter of course: only the tax id.
		out = append(out, sharedValue{SharedTaxID, "taxId", strings.ToUpper(alnum(r.TaxID))})
	}
	return out
}

// alnum keeps the ASCII letters and digits of s: a tax id written with or without dashes.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, s)
}

func hasError(ps []validate.Problem, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}
