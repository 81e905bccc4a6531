package journal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

// Fingerprints: what the state remembers of each field of a request that was sent, so that the
// next night can tell which fields changed without the state holding any of them.
//
// A field's fingerprint is HMAC-SHA256 over the externalId, the field's JSON path and its value
// (length-prefixed each, so that no two inputs run together), cut short. The externalId and the
// path make equal values of two employees, or of two fields, differ, so that nobody can see who
// shares a value. The HMAC key is:
//
//   - with ROSTERLOAD_STATE_KEY set (Options.Key): that key. Every field keeps 32 bits, so a
//     change goes unseen once in 4 billion. Without the key nobody can test a guess at all. The
//     header records a key id (an HMAC of a constant under the key, never the key), and a state
//     made with a key refuses to open without it or with another (ErrKey).
//   - without a key: 32 random bytes made with the state and kept in its header (a salt). The
//     salt is no secret to whoever holds the state file, so a field of few possible values could
//     be found by trying them all. Ordinary fields keep 32 bits; the secret ones (socialId,
//     taxId, cardNumber, expiry) keep only 8 bits, so that each value tried matches one guess in
//     256: an SSN's 1e9 candidates leave ~4 million, a card's unknown middle digits (~1e5 with
//     its BIN and last four known) ~400, an expiry's ~120 all of them; and the expiry's input
//     also holds the card number beside it, so its small space never stands alone. The price: 1
//     change in 256 of a secret field goes unseen (it looks unchanged) without a key. Set
//     ROSTERLOAD_STATE_KEY to see all of them.
//
// A salted state opened with a key is upgraded: its fingerprints cannot be compared with keyed
// ones, so they are unknown (Changed says known=false) until Refresh stores new ones, and the
// header is keyed from then on.

// ErrKey is what opening a state made with ROSTERLOAD_STATE_KEY fails with when the key is not
// set, or is another: its fingerprints cannot be compared.
var ErrKey = errors.New("state fingerprint key mismatch")

// Sums are the fingerprints of one request's fields, made by (*Journal).Fingerprint: opaque, and
// meaningful to the journal that made them only.
type Sums struct {
	sh *shape
	b  string // immutable, and an Entry stays comparable
}

// secretFields are the last path elements whose fingerprints a state without a key cuts to 8 bits.
var secretFields = []string{"socialId", "taxId", "cardNumber", "expiry"}

const (
	sumBits       = 32
	secretSumBits = 8
	keyIDInput    = "rosterload state key id"
	saltSize      = 32
	maxSums       = 1 << 16 // a request's fingerprints larger than this are not kept
)

// scheme is how a journal's fingerprints are made: keyed (by ROSTERLOAD_STATE_KEY) or salted.
type scheme struct {
	keyed bool
	keyID string // keyed: hex of the first 8 bytes of HMAC(key, keyIDInput)
	salt  []byte // salted
	pool  sync.Pool
}

func newScheme(key redact.Secret, salt []byte) (*scheme, error) {
	s := &scheme{}
	var mk []byte
	switch {
	case !key.Empty():
		mk = []byte(key.Reveal())
		s.keyed, s.keyID = true, keyID(key)
	case salt == nil:
		salt = make([]byte, saltSize)
		if _, err := rand.Read(salt); err != nil {
			return nil, fmt.Errorf("state journal: a salt for its fingerprints: %w", err)
		}
		fallthrough
	default:
		s.salt, mk = salt, salt
	}
	s.pool.New = func() any { return hmac.New(sha256.New, mk) }
	return s, nil
}

func keyID(key redact.Secret) string {
	h := hmac.New(sha256.New, []byte(key.Reveal()))
	h.Write([]byte(keyIDInput))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// width is how many bytes a field's fingerprint keeps.
func (s *scheme) width(path string) int {
	if !s.keyed && isSecret(path) {
		return secretSumBits / 8
	}
	return sumBits / 8
}

func isSecret(path string) bool { return slices.Contains(secretFields, lastElement(path)) }

func lastElement(path string) string { return path[strings.LastIndexByte(path, '.')+1:] }

// shape is the list of paths a request's fingerprints are of, in flatten order, interned per
// journal: a state holds one per set of fields its rosters fill, not one per employee.
type shape struct {
	id     uint32 // 1-based, in the journal
	paths  []string
	offs   []int // offs[i] is where field i's fingerprint starts; offs[len(paths)] is size
	size   int
	saved  bool  // its line is in the file (guarded by Journal.mu)
	pathID []int // each path's index in shapes.paths, to compare two shapes
	owner  *shapes
}

// shapes is a journal's shape table, safe for concurrent use (Fingerprint runs on many rows at
// once).
type shapes struct {
	mu     sync.RWMutex
	list   []*shape
	byKey  map[string]*shape // the paths joined by NUL
	paths  map[string]int    // every path met, numbered
	scheme *scheme
}

func newShapes(sc *scheme) *shapes {
	return &shapes{byKey: map[string]*shape{}, paths: map[string]int{}, scheme: sc}
}

func (t *shapes) get(id uint32) *shape {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if id == 0 || int(id) > len(t.list) {
		return nil
	}
	return t.list[id-1]
}

// intern returns the shape of paths; key is the paths joined by NUL.
func (t *shapes) intern(paths []string, key []byte) *shape {
	t.mu.RLock()
	sh := t.byKey[string(key)]
	t.mu.RUnlock()
	if sh != nil {
		return sh
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if sh := t.byKey[string(key)]; sh != nil {
		return sh
	}
	sh = &shape{id: uint32(len(t.list) + 1), paths: slices.Clone(paths), owner: t}
	for _, p := range sh.paths {
		sh.offs = append(sh.offs, sh.size)
		sh.size += t.scheme.width(p)
		id, ok := t.paths[p]
		if !ok {
			id = len(t.paths)
			t.paths[p] = id
		}
		sh.pathID = append(sh.pathID, id)
	}
	sh.offs = append(sh.offs, sh.size)
	t.list = append(t.list, sh)
	t.byKey[string(key)] = sh
	return sh
}

func shapeKey(dst []byte, paths []string) []byte {
	for _, p := range paths {
		dst = append(append(dst, p...), 0)
	}
	return dst
}

// fingerprinter is the scratch space of one Fingerprint call.
type fingerprinter struct {
	paths, values []string
	key, in, sum  []byte
}

var fingerprinters = sync.Pool{New: func() any { return new(fingerprinter) }}

// Fingerprint returns the fingerprints of each non-empty field of req (see api.Flatten) as this
// journal makes them, for Changed, Refresh and Entry.Sums. It is safe for concurrent use.
func (j *Journal) Fingerprint(externalID string, req any) Sums {
	fp := fingerprinters.Get().(*fingerprinter)
	defer fingerprinters.Put(fp)
	fp.paths, fp.values = fp.paths[:0], fp.values[:0]
	api.Flatten(req, func(path, value string) {
		fp.paths = append(fp.paths, path)
		fp.values = append(fp.values, value)
	})
	fp.key = shapeKey(fp.key[:0], fp.paths)
	sh := j.shapes.intern(fp.paths, fp.key)
	out := make([]byte, sh.size)
	h := j.scheme.pool.Get().(hash.Hash)
	defer j.scheme.pool.Put(h)
	for i, p := range fp.paths {
		in := appendField(fp.in[:0], externalID)
		in = appendField(in, p)
		in = appendField(in, fp.values[i])
		if lastElement(p) == "expiry" {
			// The expiry's few values are bound to the card number beside it.
			if k := sibling(fp.paths, p, "cardNumber"); k >= 0 {
				in = appendField(in, fp.values[k])
			}
		}
		fp.in = in
		h.Reset()
		h.Write(in)
		fp.sum = h.Sum(fp.sum[:0])
		copy(out[sh.offs[i]:sh.offs[i+1]], fp.sum)
	}
	clear(fp.values) // no personal data left in the pool
	clear(fp.in[:cap(fp.in)])
	return Sums{sh: sh, b: string(out)}
}

func appendField(dst []byte, s string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(s))), s...)
}

// sibling returns the index of the path beside p (same parent) whose last element is name, -1
// if there is none.
func sibling(paths []string, p, name string) int {
	parent := p[:strings.LastIndexByte(p, '.')+1]
	for k, q := range paths {
		if len(q) == len(parent)+len(name) && strings.HasPrefix(q, parent) && strings.HasSuffix(q, name) {
			return k
		}
	}
	return -1
}

// Changed compares s with the fingerprints of what was sent for externalID and returns the paths
// of the fields added, removed or changed since, in flatten order (a removed one where it was).
// known is false when there is nothing to compare with: externalID is not done, or its entry has
// no fingerprints (an upgraded state, or one whose fingerprints were made another way); the
// caller then takes it as unchanged and calls Refresh.
func (j *Journal) Changed(externalID string, s Sums) (paths []string, known bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i, ok := j.st.index[externalID]
	if !ok || s.sh == nil || s.sh.owner != j.shapes {
		return nil, false
	}
	sl := j.st.slot(i)
	if !isDone(sl.status) || sl.shape == 0 {
		return nil, false
	}
	old := j.shapes.get(sl.shape)
	ob := j.st.sums.get(sl.sums, old.size)
	if old == s.sh {
		for k, p := range old.paths {
			if string(ob[old.offs[k]:old.offs[k+1]]) != s.b[old.offs[k]:old.offs[k+1]] {
				paths = append(paths, p)
			}
		}
		return paths, true
	}
	return diffShapes(old, ob, s.sh, s.b), true
}

// diffShapes compares fingerprints of two shapes: the paths of new that old lacks or holds
// another sum for, in new's order, each path old holds and new lacks placed after the last path
// before it that both hold.
func diffShapes(old *shape, ob []byte, cur *shape, nb string) []string {
	type pos struct {
		at, sub int
		path    string
	}
	var out []pos
	where := make(map[int]int, len(cur.pathID)) // path id → index in cur
	for k, id := range cur.pathID {
		where[id] = k
	}
	after := -1 // index in cur of the last path of old met that cur holds
	for k, id := range old.pathID {
		c, ok := where[id]
		if !ok {
			out = append(out, pos{after, 1 + k, old.paths[k]})
			continue
		}
		after = c
		if string(ob[old.offs[k]:old.offs[k+1]]) != nb[cur.offs[c]:cur.offs[c+1]] {
			out = append(out, pos{c, 0, cur.paths[c]})
		}
		delete(where, id)
	}
	for _, c := range where {
		out = append(out, pos{c, 0, cur.paths[c]})
	}
	slices.SortFunc(out, func(a, b pos) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return a.sub - b.sub
	})
	paths := make([]string, len(out))
	for k, p := range out {
		paths[k] = p.path
	}
	return paths
}

// Refresh stores s as externalID's fingerprints (a done id's; nothing otherwise), for one whose
// Changed said known=false. It is written when the journal closes.
func (j *Journal) Refresh(externalID string, s Sums) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i, ok := j.st.index[externalID]
	if !ok || s.sh == nil || s.sh.owner != j.shapes || !isDone(j.st.slot(i).status) {
		return
	}
	j.st.setSums(j.st.slot(i), s.sh, []byte(s.b))
	j.changed = true
}

// sumsArena holds the fingerprints of done ids back to back in chunks that are never moved; a
// reference is the chunk (12 bits) and the offset in it (20 bits).
type sumsArena struct{ chunks [][]byte }

const sumsChunk = 1 << 20

func (a *sumsArena) put(b []byte) uint32 {
	n := len(a.chunks)
	if n == 0 || cap(a.chunks[n-1])-len(a.chunks[n-1]) < len(b) {
		a.chunks = append(a.chunks, make([]byte, 0, sumsChunk))
		n++
	}
	c := &a.chunks[n-1]
	ref := uint32(n-1)<<20 | uint32(len(*c))
	*c = append(*c, b...)
	return ref
}

func (a *sumsArena) get(ref uint32, n int) []byte {
	off := int(ref & (sumsChunk - 1))
	return a.chunks[ref>>20][off : off+n]
}
