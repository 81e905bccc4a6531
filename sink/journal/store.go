package journal

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"time"
)

// The in-memory state is one compact, pointer-free slot per externalId, so that a state costs
// about 130 bytes per employee (a 64-byte slot, its map entry, the externalId), however many
// lines each has, and the GC has next to nothing to scan:
//
//   - index maps the externalId to its slot (the only strings the GC sees: one per employee);
//   - a slot holds the entry that decides Done (the last CREATED/EXISTS), or the last entry when
//     none did, plus the status of the last entry, which decides Pending;
//   - a platform id is held in 16 bytes: a lower-case UUID as its 16 bytes, a string of up to 15
//     bytes inline, a longer one in an append-only byte arena;
//   - what does not fit (an idempotency key, which only files of early versions carry, a row
//     beyond int32, a time beyond what int64 nanoseconds hold, a 256th kind) keeps the whole
//     Entry in a side map: correct for any file, compact for the ones rosterload writes.
//
// Lines read back from disk are applied without building an Entry (see parse.go). A time comes
// back as the same instant in UTC (rosterload writes UTC).

// Status codes of a slot.
const (
	stNone uint8 = iota
	stPending
	stCreated
	stExists
	stFailed
)

var statusNames = [...]string{stNone: "", stPending: StatusPending, stCreated: StatusCreated, stExists: StatusExists, stFailed: StatusFailed}

func statusCode(s []byte) uint8 {
	switch string(s) { // no allocation
	case StatusPending:
		return stPending
	case StatusCreated:
		return stCreated
	case StatusExists:
		return stExists
	case StatusFailed:
		return stFailed
	}
	return stNone
}

func isDone(st uint8) bool { return st == stCreated || st == stExists }

// How a platform id is held in its 16 bytes (2 bits of slot.flags per id).
const (
	idEmpty  = 0
	idUUID   = 1 // the 16 bytes of a canonical lower-case UUID
	idInline = 2 // [0] is the length (≤ 15), then the bytes
	idArena  = 3 // chunk, offset, length (uint32 each) in the arena
)

const flagSpilled = 1 << 7 // the kept entry is in store.spill

// atZero stands for the zero time.Time in slot.at.
const atZero = math.MinInt64

var (
	minAt = time.Unix(0, math.MinInt64+1)
	maxAt = time.Unix(0, math.MaxInt64)
)

// slot is an externalId's state: 80 bytes, no pointers.
type slot struct {
	at     int64 // the kept entry's At, in Unix nanoseconds (atZero: the zero time)
	row    int32
	status uint8 // the kept entry's status
	last   uint8 // the status of the id's last entry
	kind   uint8 // index in store.kinds
	flags  uint8 // id encodings (2 bits each: customer, profile, financial account), flagSpilled
	ids    [3][16]byte

	// What the nightly reconciliation reads of a done id (see sightings.go): the fingerprints
	// of what was sent (shape 0: none known; else their bytes at sums in store.sums), and the
	// days (since 1970-01-01, 0: unknown) it was first and last seen and went missing.
	shape                      uint32
	sums                       uint32
	firstDay, lastDay, missDay uint16
	seen                       bool // seen in this run (Seen, or recorded done)
}

// raw is a parsed line: views into the line being read (or copies of an Entry's strings), valid
// until the next line; what a slot keeps of it is copied.
type raw struct {
	extID, kind, status, key []byte
	ids                      [3][]byte // customer, profile, financial account
	row                      int64
	at                       time.Time

	// A done entry's sightings (hasSeen: the line says them; else they are the day of at) and
	// fingerprints (sh nil: none). shapeNo and sumsText are what a line says, resolved by load.
	hasSeen              bool
	first, last, missing uint16
	sh                   *shape
	sums                 []byte
	shapeNo              int64
	sumsText             []byte
}

func (r *raw) check() error {
	if len(r.extID) == 0 {
		return errNoExternalID
	}
	if statusCode(r.status) == stNone {
		// The status is one of our words or garbage: neither is personal data, but keep it short.
		return unknownStatus(string(r.status))
	}
	return nil
}

func (r *raw) entry() Entry {
	return Entry{ExternalID: string(r.extID), Kind: string(r.kind), Status: string(r.status),
		IdempotencyKey: string(r.key), CustomerID: string(r.ids[0]), ProfileID: string(r.ids[1]),
		FinancialAccountID: string(r.ids[2]), Row: int(r.row), At: r.at}
}

func rawOf(e *Entry) raw {
	return raw{extID: []byte(e.ExternalID), kind: []byte(e.Kind), status: []byte(e.Status), key: []byte(e.IdempotencyKey),
		ids: [3][]byte{[]byte(e.CustomerID), []byte(e.ProfileID), []byte(e.FinancialAccountID)}, row: int64(e.Row), at: e.At,
		sh: e.Sums.sh, sums: []byte(e.Sums.b)}
}

const chunkSlots = 1 << 14 // 1 MiB of slots per chunk: growing never copies what is held

type store struct {
	index  map[string]int32
	chunks [][]slot
	n      int32
	arena  arena
	spill  map[int32]Entry // the kept entry of a slot flagged flagSpilled
	kinds  []string        // slot.kind indexes it; kinds[0] is ""
	sums   sumsArena       // the fingerprints of done ids
	shapes *shapes         // what slot.shape indexes

	// A PENDING entry recorded after the id was done, by slot (pendingSpill when flagSpilled).
	pending      map[int32]slot
	pendingSpill map[int32]Entry
}

func newStore(sh *shapes) *store {
	return &store{index: map[string]int32{}, spill: map[int32]Entry{}, kinds: []string{""}, shapes: sh,
		pending: map[int32]slot{}, pendingSpill: map[int32]Entry{}}
}

func (s *store) len() int { return len(s.index) }

func (s *store) slot(i int32) *slot { return &s.chunks[i/chunkSlots][i%chunkSlots] }

func (s *store) newSlot() int32 {
	if int(s.n)%chunkSlots == 0 {
		s.chunks = append(s.chunks, make([]slot, chunkSlots))
	}
	s.n++
	return s.n - 1
}

// kindIndex returns the index of kind in s.kinds, adding it if there is room.
func (s *store) kindIndex(kind []byte) (uint8, bool) {
	for i, k := range s.kinds {
		if k == string(kind) {
			return uint8(i), true
		}
	}
	if len(s.kinds) > math.MaxUint8 {
		return 0, false
	}
	s.kinds = append(s.kinds, string(kind))
	return uint8(len(s.kinds) - 1), true
}

// apply records r, a checked entry, as its externalId's latest: the rules Done and Pending read
// are those of a log replayed in order (a done id stays done).
func (s *store) apply(r *raw) {
	st := statusCode(r.status)
	i, ok := s.index[string(r.extID)] // no allocation
	if !ok {
		i = s.newSlot()
		s.index[string(r.extID)] = i
	}
	sl := s.slot(i)
	if ok && isDone(sl.status) && !isDone(st) {
		// Done stays done; only Pending can change. (A run never sends a done id again, so this
		// is a state edited by hand, or one a later version writes each night.)
		sl.last = st
		if st != stPending {
			s.dropPending(i)
			return
		}
		p := s.pending[i]
		if !s.encode(&p, &p, r, st) {
			s.pendingSpill[i] = r.entry()
		} else {
			delete(s.pendingSpill, i)
		}
		s.pending[i] = p
		return
	}
	if ok {
		s.dropPending(i)
	}
	if !s.encode(sl, sl, r, st) {
		s.spill[i] = r.entry()
	} else if ok {
		delete(s.spill, i)
	}
	if isDone(st) {
		s.sighted(sl, r)
		if r.sh != nil {
			s.setSums(sl, r.sh, r.sums)
		}
	}
}

// sighted merges a done entry's sightings into sl: the earliest first day, the latest last day,
// and missing as the line says (a line without sightings was written the day it was seen).
func (s *store) sighted(sl *slot, r *raw) {
	first, last, missing := r.first, r.last, r.missing
	if !r.hasSeen {
		first, last, missing = dayOf(r.at), dayOf(r.at), 0
	}
	if first != 0 && (sl.firstDay == 0 || first < sl.firstDay) {
		sl.firstDay = first
	}
	if last >= sl.lastDay {
		sl.lastDay, sl.missDay = last, missing
	}
}

// setSums makes b (of shape sh) sl's fingerprints, in place when it has some of that size.
func (s *store) setSums(sl *slot, sh *shape, b []byte) {
	if len(b) != sh.size || len(b) > maxSums {
		return
	}
	if old := s.shapes.get(sl.shape); old != nil && old.size == len(b) {
		copy(s.sums.get(sl.sums, len(b)), b)
	} else {
		sl.sums = s.sums.put(b)
	}
	sl.shape = sh.id
}

func (s *store) dropPending(i int32) {
	if len(s.pending) > 0 {
		delete(s.pending, i)
		delete(s.pendingSpill, i)
	}
}

// encode makes r (of status st) the entry dst holds; old is what dst held (dst itself will do:
// it is read first). False means r does not fit a slot: dst is flagged flagSpilled and the
// caller keeps r's Entry aside.
func (s *store) encode(dst, old *slot, r *raw, st uint8) bool {
	prev := *old
	dst.status, dst.last = st, st
	kind, kok := s.kindIndex(r.kind)
	at, aok := atOf(r.at)
	if !kok || !aok || len(r.key) > 0 || r.row < math.MinInt32 || r.row > math.MaxInt32 {
		dst.flags = flagSpilled
		return false
	}
	dst.at, dst.row, dst.kind, dst.flags = at, int32(r.row), kind, 0
	for k, id := range r.ids {
		tag := s.putID(&dst.ids[k], id, &prev, k)
		dst.flags |= tag << (2 * k)
	}
	return true
}

func atOf(t time.Time) (int64, bool) {
	if t.IsZero() {
		return atZero, true
	}
	if t.Before(minAt) || t.After(maxAt) {
		return 0, false
	}
	return t.UnixNano(), true
}

// putID encodes id into dst and returns its tag; old is the slot before, whose arena string is
// reused when it holds the same id (a state where each night rewrites the same ids does not grow
// the arena).
func (s *store) putID(dst *[16]byte, id []byte, old *slot, k int) uint8 {
	switch {
	case len(id) == 0:
		*dst = [16]byte{}
		return idEmpty
	case parseUUID(dst, id):
		return idUUID
	case len(id) < 16:
		*dst = [16]byte{}
		dst[0] = byte(len(id))
		copy(dst[1:], id)
		return idInline
	}
	if old.flags&flagSpilled == 0 && (old.flags>>(2*k))&3 == idArena && string(s.arena.get(&old.ids[k])) == string(id) {
		*dst = old.ids[k]
		return idArena
	}
	s.arena.put(dst, id)
	return idArena
}

func (s *store) getID(sl *slot, k int) string {
	b := &sl.ids[k]
	switch (sl.flags >> (2 * k)) & 3 {
	case idUUID:
		return formatUUID(b)
	case idInline:
		return string(b[1 : 1+b[0]])
	case idArena:
		return string(s.arena.get(b))
	}
	return ""
}

// entry returns the entry sl holds for externalID; spilled is where it is if flagSpilled.
func (s *store) entry(sl *slot, spilled map[int32]Entry, i int32, externalID string) Entry {
	if sl.flags&flagSpilled != 0 {
		return spilled[i]
	}
	e := Entry{ExternalID: externalID, Kind: s.kinds[sl.kind], Status: statusNames[sl.status], Row: int(sl.row),
		CustomerID: s.getID(sl, 0), ProfileID: s.getID(sl, 1), FinancialAccountID: s.getID(sl, 2)}
	if sl.at != atZero {
		e.At = time.Unix(0, sl.at).UTC()
	}
	return e
}

// done returns externalID's last CREATED or EXISTS entry.
func (s *store) done(externalID string) (Entry, bool) {
	i, ok := s.index[externalID]
	if !ok || !isDone(s.slot(i).status) {
		return Entry{}, false
	}
	return s.entry(s.slot(i), s.spill, i, externalID), true
}

// pendingEntry returns externalID's last entry if it is PENDING.
func (s *store) pendingEntry(externalID string) (Entry, bool) {
	i, ok := s.index[externalID]
	if !ok {
		return Entry{}, false
	}
	sl := s.slot(i)
	switch {
	case sl.last != stPending:
		return Entry{}, false
	case isDone(sl.status):
		p, ok := s.pending[i]
		if !ok {
			return Entry{}, false
		}
		return s.entry(&p, s.pendingSpill, i, externalID), true
	}
	return s.entry(sl, s.spill, i, externalID), true
}

// parseUUID decodes a canonical lower-case UUID (8-4-4-4-12 hex digits): only such a string is
// written back the same by formatUUID.
func parseUUID(dst *[16]byte, b []byte) bool {
	if len(b) != 36 || b[8] != '-' || b[13] != '-' || b[18] != '-' || b[23] != '-' {
		return false
	}
	var u [16]byte
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, lo := hexValue[b[i]], hexValue[b[i+1]]
		if hi|lo > 0xf {
			return false
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	*dst = u
	return true
}

// hexValue is a lower-case hex digit's value, 0xff for any other byte.
var hexValue = func() (t [256]byte) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9':
			t[c] = byte(c - '0')
		case 'a' <= c && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		default:
			t[c] = 0xff
		}
	}
	return t
}()

func formatUUID(u *[16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:36], u[10:16])
	return string(b[:])
}

// arena holds the platform ids longer than 15 bytes that are not UUIDs, back to back in chunks
// that are never moved.
type arena struct{ chunks [][]byte }

const maxArenaChunk = 1 << 20

func (a *arena) put(dst *[16]byte, b []byte) {
	n := len(a.chunks)
	if n == 0 || cap(a.chunks[n-1])-len(a.chunks[n-1]) < len(b) {
		size := max(len(b), min(maxArenaChunk, 4<<10<<min(n, 8)))
		a.chunks = append(a.chunks, make([]byte, 0, size))
		n++
	}
	c := &a.chunks[n-1]
	binary.LittleEndian.PutUint32(dst[0:4], uint32(n-1))
	binary.LittleEndian.PutUint32(dst[4:8], uint32(len(*c)))
	binary.LittleEndian.PutUint32(dst[8:12], uint32(len(b)))
	*c = append(*c, b...)
}

func (a *arena) get(src *[16]byte) []byte {
	c := binary.LittleEndian.Uint32(src[0:4])
	off := binary.LittleEndian.Uint32(src[4:8])
	n := binary.LittleEndian.Uint32(src[8:12])
	return a.chunks[c][off : off+n]
}
