package pipeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/validate"
)

// fingerprint is what de-duplication keeps of a record: a hash per non-empty field, keyed by a
// hash of the field's path, and a hash of the whole. Workers compute it in parallel; the set,
// which runs in source order on one goroutine, only compares.
type fingerprint struct {
	fields []fieldHash
	sum    uint64
}

// fieldHash is one field of a fingerprint.
type fieldHash struct {
	path uint64
	sum  uint64
}

// hasher computes fingerprints; it is safe for concurrent use.
type hasher struct {
	seed maphash.Seed
	// path hash -> path, to name differing fields. A sync.Map: both validation workers look
	// up every field of every row, and all but the first few rows' paths are there already,
	// which it finds without a lock.
	names sync.Map
}

func newHasher() *hasher {
	return &hasher{seed: maphash.MakeSeed()}
}

// fingerprintFields is room for a request's fields: an EWA request has about 25.
const fingerprintFields = 32

func (h *hasher) fingerprint(req any) fingerprint {
	fp := fingerprint{fields: make([]fieldHash, 0, fingerprintFields)}
	var all maphash.Hash
	all.SetSeed(h.seed)
	api.Flatten(req, func(path, value string) {
		ph := maphash.String(h.seed, path)
		if _, known := h.names.Load(ph); !known {
			h.names.Store(ph, path)
		}
		fp.fields = append(fp.fields, fieldHash{path: ph, sum: maphash.String(h.seed, value)})
		all.WriteString(path)
		all.WriteByte(0)
		all.WriteString(value)
		all.WriteByte(0)
	})
	fp.sum = all.Sum64()
	return fp
}

func (h *hasher) name(path uint64) string {
	name, _ := h.names.Load(path)
	s, _ := name.(string)
	return s
}

// deduper remembers, for every externalId a valid record has claimed, its first row and what it
// held, so that a later occurrence can be marked DUPLICATE with the fields that differ.
//
// The externalId itself and a hash per field go to an append-only temp file (no values, so no
// personal data), read back only when a hash matches: to confirm the match is real and to name
// the differing fields. After a census (Shared.Seal) only the externalIds two rows hold are
// claimed, and their first claim (32 bytes: row, sum, spill offset, a hash of the id) is
// forwarded from row to row of the id's census group (ClaimForwarded), so nothing stays in
// memory per id. Without one, the set keeps 24 bytes a record plus a map slot keyed by a
// 64-bit hash of the id.
type deduper struct {
	h     *hasher
	hash  func(id string) uint64 // of the externalId; a field so a test can force collisions
	index map[uint64]int32       // hash(externalId) -> newest entry with that hash
	// entries in chunks, so that growing never copies (and briefly doubles) a million of them.
	chunks [][]dedupEntry
	n      int32

	spill   *os.File
	w       *bufio.Writer
	off     int64
	scratch []byte
	rbuf    []byte
}

const chunkSize = 1 << 16

func (d *deduper) entry(i int32) *dedupEntry { return &d.chunks[i/chunkSize][i%chunkSize] }

func (d *deduper) add(e dedupEntry) int32 {
	if int(d.n)%chunkSize == 0 {
		d.chunks = append(d.chunks, make([]dedupEntry, 0, chunkSize))
	}
	last := len(d.chunks) - 1
	d.chunks[last] = append(d.chunks[last], e)
	d.n++
	return d.n - 1
}

type dedupEntry struct {
	row  int32
	next int32 // next entry with the same id hash, -1 at the end
	sum  uint64
	off  int64 // where its spill record starts
}

// firstUse says which earlier row holds an externalId, and how this one differs from it.
type firstUse struct {
	Row    int
	Differ []string // field paths whose values differ; empty when the content is the same
}

func newDeduper(dir string, h *hasher) (*deduper, error) {
	f, err := unlinkedTemp(dir, "rosterload-dedupe-*")
	if err != nil {
		return nil, fmt.Errorf("dedupe: %w", err)
	}
	return &deduper{
		h:     h,
		hash:  func(id string) uint64 { return maphash.String(h.seed, id) },
		index: make(map[uint64]int32),
		spill: f,
		w:     bufio.NewWriterSize(f, 64<<10),
	}, nil
}

func (d *deduper) Close() error {
	name := d.spill.Name()
	err := d.spill.Close()
	os.Remove(name)
	return err
}

// Claim records a record's fingerprint under id for row, or, if a valid record already claimed
// id, returns that first use and leaves the set unchanged.
func (d *deduper) Claim(id string, row int, fp fingerprint) (*firstUse, error) {
	h := d.hash(id)
	head, seen := d.index[h]
	if seen {
		for i := head; i >= 0; i = d.entry(i).next {
			// Two ids with one hash are not a duplicate: compare confirms the id.
			if fu, same, err := d.compare(d.entry(i), id, fp); err != nil || same {
				return fu, err
			}
		}
	}
	next := int32(-1)
	if seen {
		next = head
	}
	d.index[h] = d.add(dedupEntry{row: int32(row), next: next, sum: fp.sum, off: d.off})
	return nil, d.writeSpill(id, fp.fields)
}

// forwardedClaim is an externalId's first claim as route forwards it along the rows of the
// id's census group (forward.go); ok is false until a row of the group claims it.
type forwardedClaim struct {
	entry dedupEntry
	id    uint64 // idSum of the externalId
	ok    bool
}

// ClaimForwarded is Claim for an id the census saw on two rows: the first claim is fc (which
// it sets when it makes it), not a map. A row whose id merely shares fc's 64-bit census key is
// no duplicate, and is claimed in the map instead (those few alone).
//
// The claim carries idSum of its id, so that a row of the same id and the same content sum is
// told a duplicate (of the same content) without reading the spill: its id then matches the
// claim's under two 64-bit hashes of independent random seeds (the census key and idSum),
// which is more than the 64-bit content sum, trusted on every path to say "same content",
// gives. Otherwise the spill is read, to confirm the id and to name the differing fields.
func (d *deduper) ClaimForwarded(id string, row int, fp fingerprint, fc *forwardedClaim) (*firstUse, error) {
	if !fc.ok {
		off := d.off
		if err := d.writeSpill(id, fp.fields); err != nil {
			return nil, err
		}
		*fc = forwardedClaim{entry: dedupEntry{row: int32(row), next: -1, sum: fp.sum, off: off}, id: d.idSum(id), ok: true}
		return nil, nil
	}
	if fc.entry.sum == fp.sum && fc.id == d.idSum(id) {
		return &firstUse{Row: int(fc.entry.row)}, nil
	}
	fu, same, err := d.compare(&fc.entry, id, fp)
	if err != nil || same {
		return fu, err
	}
	return d.Claim(id, row, fp)
}

// idSum is a hash of an externalId under the hasher's seed, which is not the census's.
func (d *deduper) idSum(id string) uint64 { return maphash.String(d.h.seed, id) }

// compare reads e's id from the spill and, when it is id, says how fp differs from e's.
func (d *deduper) compare(e *dedupEntry, id string, fp fingerprint) (*firstUse, bool, error) {
	firstID, firstFields, err := d.readSpill(e.off)
	if err != nil || firstID != id {
		return nil, false, err
	}
	fu := &firstUse{Row: int(e.row)}
	if e.sum != fp.sum {
		fu.Differ = d.diff(firstFields, fp.fields)
	}
	return fu, true, nil
}

func (d *deduper) writeSpill(id string, fields []fieldHash) error {
	b := d.scratch[:0]
	b = binary.AppendUvarint(b, uint64(len(id)))
	b = append(b, id...)
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for _, f := range fields {
		b = binary.LittleEndian.AppendUint64(b, f.path)
		b = binary.LittleEndian.AppendUint64(b, f.sum)
	}
	d.scratch = b
	n, err := d.w.Write(b)
	d.off += int64(n)
	if err != nil {
		return fmt.Errorf("dedupe: write temp file: %w", err)
	}
	return nil
}

func (d *deduper) readSpill(off int64) (string, []fieldHash, error) {
	// One read into a buffer kept from call to call, a second when the record is longer.
	b, err := d.readAt(off, 512)
	if err != nil {
		return "", nil, err
	}
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return "", nil, errors.New("dedupe: read temp file: a record cut short")
	}
	id := string(b[k : k+int(n)])
	head := k + int(n)
	count, k := binary.Uvarint(b[head:])
	if k <= 0 {
		return "", nil, errors.New("dedupe: read temp file: a record cut short")
	}
	head += k
	if need := head + int(count)*16; need > len(b) {
		if b, err = d.readAt(off, need); err != nil {
			return "", nil, err
		}
		if need > len(b) {
			return "", nil, errors.New("dedupe: read temp file: a record cut short")
		}
	}
	fields := make([]fieldHash, count)
	for i := range fields {
		p := b[head+i*16:]
		fields[i] = fieldHash{path: binary.LittleEndian.Uint64(p), sum: binary.LittleEndian.Uint64(p[8:])}
	}
	return id, fields, nil
}

// readAt reads up to n bytes of the spill at off (fewer at its end) into d's read buffer.
func (d *deduper) readAt(off int64, n int) ([]byte, error) {
	n = int(min(int64(n), d.off-off))
	// Flushed only when the bytes wanted are still in the writer's buffer: a duplicate's first
	// row is seldom among the last few hundred claimed, and a flush each would be a write each.
	if off+int64(n) > d.off-int64(d.w.Buffered()) {
		if err := d.w.Flush(); err != nil {
			return nil, fmt.Errorf("dedupe: write temp file: %w", err)
		}
	}
	if cap(d.rbuf) < n {
		d.rbuf = make([]byte, n)
	}
	b := d.rbuf[:n]
	if _, err := d.spill.ReadAt(b, off); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("dedupe: read temp file: %w", err)
	}
	return b, nil
}

// diff names the fields present in one record but not the other, or present in both with
// different values: those of b in b's order, then those only a has, in a's order.
func (d *deduper) diff(a, b []fieldHash) []string {
	m := make(map[uint64]uint64, len(a))
	for _, f := range a {
		m[f.path] = f.sum
	}
	var names []string
	for _, f := range b {
		s, ok := m[f.path]
		if !ok || s != f.sum {
			names = append(names, d.h.name(f.path))
		}
		delete(m, f.path)
	}
	for _, f := range a {
		if _, ok := m[f.path]; ok {
			names = append(names, d.h.name(f.path))
		}
	}
	return names
}

// message is the text a DUPLICATE line carries. (Concatenated, not formatted: a roster may
// repeat a tenth of its rows.)
func (fu *firstUse) message(id string, differ []string) string {
	row := strconv.Itoa(fu.Row)
	if len(differ) == 0 {
		return "externalId " + id + " is already used by row " + row + " (same content); this row is not sent"
	}
	return "externalId " + id + " is already used by row " + row + ", which differs in " +
		strings.Join(differ, ", ") + "; this row is not sent"
}

// duplicateProblems are a later occurrence's problems: one on its externalId naming the first
// row and the roster's columns that differ from it (a field no column gives by its path), then
// one on each differing cell, so that a spreadsheet report marks every cell to look at.
func duplicateProblems(rec *ingest.Record, id string, fu *firstUse) []validate.Problem {
	col, cell := rec.Locate("externalId")
	var named []string
	var cells []validate.Problem
	for _, path := range fu.Differ {
		c, at := rec.Locate(path)
		name := path
		if c != "" {
			name = strconv.Quote(c)
		}
		if slices.Contains(named, name) {
			continue
		}
		named = append(named, name)
		if at != "" {
			cells = append(cells, validate.Problem{Field: path, Column: c, Cell: at, Code: validate.CodeDuplicate,
				Message: "differs from row " + strconv.Itoa(fu.Row) + ", which has the same externalId"})
		}
	}
	return append([]validate.Problem{{Field: "externalId", Column: col, Cell: cell, Code: validate.CodeDuplicate,
		Message: fu.message(id, named)}}, cells...)
}
