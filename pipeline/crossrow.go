package pipeline

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

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
// Memory: with a census before the run (Add, Seal; census.go) nothing that grows with the rows:
// each row brings its own occurrences of the keys two rows hold (occur.go), and a key's first
// holder, once a row sets it, is forwarded to the key's next row (forward.go). Without one, a
// map slot a value (16 bytes: a keyed hash of the value, never the value, and the first row
// with a 32-bit hash of its externalId), four a row at most.

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
	// later is, for the map path, what an occurrence's later is once sealed: the first other
	// employee's row for a primed personal value (only a test that runs a census's findings
	// through the map path fills it).
	later map[uint64]int

	// The census (census.go): Add spills its records to dir; Seal leaves in occ the occurrences
	// of the keys (of values and of externalIds) that two rows hold. Once sealed, check and the
	// de-duplication look up only a row's own occurrences, and fwd carries their state from row
	// to row (forward.go).
	dir    string
	phones *phoneKeyer // nil: Add cannot see phones as the run will, so check compares them all
	spill  *censusSpill
	err    error // the census's first temp file error, returned by Seal
	bound  int64 // the largest census file sealed whole; 0 = censusBound
	whole  int64 // the largest read into memory at once; 0 = censusWhole, <0 none
	sealed bool
	occ    *occSpill  // nil after a census of no record
	fwd    *fwdQueue  // during the run, once sealed
	cur    *occCursor // during the run, once sealed
	// Bounds a test may make tiny: fwd's messages in memory (0 = fwdBound), the rows of each
	// occurrence file (0 = occMinWidth), the occurrences loaded at once (0 = occLoadBound).
	fwdBound, occWidth, occLoad int
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

// Seal ends the census: it writes the occurrences of the keys two rows hold and sets Primed.
func (s *Shared) Seal() error {
	s.init()
	if s.err != nil {
		return s.err
	}
	if s.spill != nil {
		bound := s.bound
		if bound <= 0 {
			bound = censusBound
		}
		out := newOccSpill(s.dir, s.spill.last, s.occWidth, s.occLoad)
		s.spill.whole = s.whole
		err := s.spill.seal(out, bound, runtime.GOMAXPROCS(0))
		s.spill = nil
		if err == nil {
			err = out.flush()
		}
		if err != nil {
			out.close()
			return err
		}
		s.occ = out
	}
	s.sealed, s.Primed = true, true
	return nil
}

// startRun readies the forwarding of a sealed census's state for a run, and returns the
// cursor that gives each row its occurrences (nil without a census); endRun frees both.
func (s *Shared) startRun(dir string) *occCursor {
	if !s.sealed {
		return nil
	}
	s.fwd = newFwdQueue(dir, s.fwdBound)
	if s.occ == nil {
		return nil
	}
	s.cur = s.occ.cursor()
	return s.cur
}

func (s *Shared) endRun() {
	if s.cur != nil {
		s.cur.close()
		s.cur = nil
	}
	if s.fwd != nil {
		s.fwd.close()
		s.fwd = nil
	}
	if s.occ != nil {
		s.occ.close()
		s.occ = nil
	}
}

// receive gives the item's occurrences the state the group's earlier rows forwarded to it. It
// is called for every row, in source order, before route.
func (s *Shared) receive(it *item) error {
	if s.fwd == nil {
		return nil
	}
	row := uint32(it.num)
	for {
		to, ok := s.fwd.peek()
		if !ok || to > row {
			return nil
		}
		m, err := s.fwd.pop()
		if err != nil {
			return err
		}
		o := it.occurOf(m.key)
		switch {
		case m.to != row || o == nil:
			// Not this row's (a row the run did not see as the census did): dropped.
		case o.isID():
			o.claim = forwardedClaim{entry: dedupEntry{row: int32(m.row), sum: m.a, off: int64(m.b)}, id: m.c, ok: true}
		default:
			o.prev = m.a
		}
	}
}

// forward sends the state of the item's occurrences on to their groups' next rows. It is
// called for every row after route, whatever route made of it: a row skipped would lose the
// state for every later row of its groups.
func (s *Shared) forward(it *item) error {
	if s.fwd == nil {
		return nil
	}
	for i := range it.occ {
		o := &it.occ[i]
		if o.next == 0 {
			continue
		}
		var m fwdMsg
		switch {
		case o.isID() && o.claim.ok:
			e := o.claim.entry
			m = fwdMsg{to: o.next, row: uint32(e.row), key: o.key, a: e.sum, b: uint64(e.off), c: o.claim.id}
		case !o.isID() && o.first == 0 && o.prev != 0: // a primed key's first is on every row
			m = fwdMsg{to: o.next, key: o.key, a: o.prev}
		default:
			continue
		}
		if err := s.fwd.push(m); err != nil {
			return err
		}
	}
	return nil
}

// idKey is the key of an externalId in the census: as the validator leaves it, trimmed.
func (s *Shared) idKey(id string) uint64 {
	k, _ := s.key(sharedValue{value: strings.TrimSpace(id)})
	return k
}

// idOccur says how the item's externalId (as validated) is de-duplicated: without a census
// every id may repeat (the map path: nil, true); with one, only an id the census saw on two
// rows, through the item's occurrence of it. It reads only the item, so the validation workers
// may call it at once.
func (s *Shared) idOccur(it *item) (o *occur, mayRepeat bool) {
	if !s.sealed {
		return nil, true
	}
	if len(it.occ) == 0 {
		return nil, false
	}
	o = it.occurOf(s.idKey(it.line.ExternalID))
	return o, o != nil
}

func (s *Shared) init() {
	if s.first == nil {
		s.seed, s.first, s.later = maphash.MakeSeed(), make(map[uint64]uint64), make(map[uint64]int)
	}
}

// key is v's key: a keyed hash of its kind and its normal form (v.normal()), and false when
// that form is empty (the value is never compared). The form is built on the stack, not as a
// string: the census keys every value of every row.
func (s *Shared) key(v sharedValue) (uint64, bool) {
	var arr [64]byte
	b := v.appendNormal(append(arr[:0], byte(v.kind)))
	return maphash.Bytes(s.seed, b), len(b) > 1
}

// prime reads the whole roster from src before the run and Adds each record, mapping and
// keying the rows on every core (census).
func (s *Shared) prime(ctx context.Context, src rows.Reader, m Mapper) error {
	return s.census(ctx, src, m, runtime.GOMAXPROCS(0))
}

// census reads src on one goroutine, hands its rows in batches to workers that map them and
// make their records, and writes the records to the spill from one goroutine, then
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
	free := make(chan []censusRec, workers*3) // done's slices, back to the workers
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
		var kr *ingest.Record
		wg.Add(1)
		g.Go(func() error {
			defer wg.Done()
			return recovered(func() error {
				for b := range todo {
					if err := gctx.Err(); err != nil {
						return err
					}
					var recs []censusRec
					select {
					case recs = <-free:
					default:
						recs = make([]censusRec, 0, len(b)*5)
					}
					for _, row := range b {
						var err error
						// The record is refilled row after row: records keeps nothing of it.
						kr = m.MapKeys(row, kr)
						if recs, err = s.records(recs, kr, pk); err != nil {
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
			select {
			case free <- recs[:0]:
			default:
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

// put writes records to the spill; the first error is kept for Seal too.
func (s *Shared) put(recs []censusRec) error {
	if s.err != nil {
		return s.err
	}
	if s.spill == nil {
		s.spill = newCensusSpill(s.dir, 64-censusBits)
	}
	if err := s.spill.put(recs...); err != nil {
		s.err = err
		return err
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
	idHash := uint32(maphash.String(s.seed, raw))
	row := uint32(rec.Row) << censusRowShift
	if id != raw {
		row |= censusUntrimmed
	}
	put := func(key uint64, flags uint32) {
		out = append(out, censusRec{key: key, row: row | flags, idID: idHash})
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
		key, ok := s.key(v)
		if !ok {
			continue
		}
		flags := rowClass(v.kind) << 2
		if v.kind.personal() && raw != "" {
			flags |= censusPrimed
		}
		put(key, flags)
	}
	return out, nil
}

// sharedValue is one value of a request the check compares, the field it is in, and the value
// as the request holds it (normal gives the form in which two ways of writing it are one).
type sharedValue struct {
	kind  SharedKind
	field string
	value string
}

// normal is the value in the form check compares: SSNs and tax ids keep their ASCII letters
// and digits, upper-cased, card numbers their letters and digits, emails are trimmed and
// lower-cased, phones trimmed (the validator has put them in E.164 already).
func (v sharedValue) normal() string {
	var arr [64]byte
	return string(v.appendNormal(arr[:0]))
}

// appendNormal appends v's normal form to b.
func (v sharedValue) appendNormal(b []byte) []byte {
	s := v.value
	switch v.kind {
	case SharedSSN, SharedTaxID, SharedCard:
		// Byte by byte: a byte of a multi-byte rune is never an ASCII letter or digit.
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
				b = append(b, c)
			case c >= 'a' && c <= 'z':
				if v.kind != SharedCard {
					c -= 'a' - 'A'
				}
				b = append(b, c)
			}
		}
		return b
	case SharedEmail:
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf {
				return append(b, strings.ToLower(strings.TrimSpace(s))...)
			}
		}
		// ASCII: strings.TrimSpace and strings.ToLower, without their strings.
		s = strings.Trim(s, " \t\n\v\f\r")
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		}
		return b
	case SharedPhone:
		return append(b, strings.TrimSpace(s)...)
	}
	return append(b, s...)
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
	if s.sealed && s.phones != nil && !hasValueOccur(it.occ) {
		return // the census saw none of the row's values on another employee's row
	}
	idHash := uint32(maphash.String(s.seed, id))
	var buf [4]sharedValue
	for _, v := range sharedValues(buf[:0], it.rec.Request()) {
		key, ok := s.key(v)
		if !ok || hasError(it.line.Errors, v.field) {
			continue // a value the validator refused is reported as such, not compared
		}
		// Once sealed, a key's first holder is the row's occurrence's (primed, or forwarded
		// from the group's earlier rows); a phone the census could not see, or no census:
		// the map first.
		var o *occur
		var prev uint64
		var seen bool
		if s.sealed && (v.kind != SharedPhone || s.phones != nil) {
			if o = it.occurOf(key); o == nil {
				continue // the census saw it on no other employee's row
			}
			prev = o.first
			if prev == 0 {
				prev = o.prev
			}
			seen = prev != 0
		} else {
			prev, seen = s.first[key]
		}
		if !seen {
			prev = uint64(uint32(row))<<32 | uint64(idHash)
			if o != nil {
				o.prev = prev
			} else {
				s.first[key] = prev
			}
			continue
		}
		if int(prev>>32) == row {
			// The first holder, primed: told of the first later holder, if any.
			later := s.later[key]
			if o != nil {
				later = int(o.later)
			}
			if later != 0 {
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

// hasValueOccur says whether a row holds a value (not its externalId) that another row holds.
func hasValueOccur(occs []occur) bool {
	for i := range occs {
		if !occs[i].isID() {
			return true
		}
	}
	return false
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

// sharedValues appends the values of a request the check compares, as the request holds them.
func sharedValues(out []sharedValue, req any) []sharedValue {
	person := func(p *personPaths, ic *api.IndividualCustomer) {
		if ic == nil {
			return
		}
		out = append(out, sharedValue{SharedSSN, p.ssn, ic.SocialID})
		if e := ic.PrimaryEmail; e != nil {
			out = append(out, sharedValue{SharedEmail, p.email, e.Value})
		}
		if ph := ic.PrimaryPhoneNumber; ph != nil {
			out = append(out, sharedValue{SharedPhone, p.phone, ph.Number})
		}
	}
	switch r := req.(type) {
	case *api.CustomerProfileRequest:
		person(&profilePaths, r.CustomerData)
		if fa := r.FinancialAccountData; fa != nil && fa.Card != nil {
			out = append(out, sharedValue{SharedCard, "financialAccountData.card.cardNumber", fa.Card.CardNumber})
		}
	case *api.IndividualCustomer:
		person(&individualPaths, r)
	case *api.BusinessCustomer:
		// Businesses share bookkeepers' emails and phones as a matter of course: only the tax id.
		out = append(out, sharedValue{SharedTaxID, "taxId", r.TaxID})
	}
	return out
}

// personPaths are the field paths of a person's values where the request holds the person.
type personPaths struct{ ssn, email, phone string }

var (
	profilePaths    = personPaths{"customerData.socialId", "customerData.primaryEmail.value", "customerData.primaryPhoneNumber.number"}
	individualPaths = personPaths{"socialId", "primaryEmail.value", "primaryPhoneNumber.number"}
)

func hasError(ps []validate.Problem, field string) bool {
	for _, p := range ps {
		if p.Field == field {
			return true
		}
	}
	return false
}
