package pipeline

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"sort"
	"strings"
)

// deduper remembers, for every externalId a valid record has claimed, its first row and what it
// held, so that a later occurrence can be marked DUPLICATE with the fields that differ.
//
// Memory is what limits a million-row run, so the set keeps 24 bytes a record plus a map slot
// keyed by a 64-bit hash of the externalId. The externalId itself and a hash per field go to an
// append-only temp file (no values, so no personal data), read back only when a hash matches: to
// confirm the match is real and to name the differing fields.
type deduper struct {
	seed    maphash.Seed
	hash    func(id string) uint64 // of the externalId; a field so a test can force collisions
	index   map[uint64]int32       // hash(externalId) -> newest entry with that hash
	entries []dedupEntry

	spill    *os.File
	w        *bufio.Writer
	off      int64
	pathIdx  map[string]uint32
	pathName []string
	scratch  []byte
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

func newDeduper(dir string) (*deduper, error) {
	f, err := os.CreateTemp(dir, "rosterload-dedupe-*")
	if err != nil {
		return nil, fmt.Errorf("dedupe: %w", err)
	}
	// Unlinked at once where the OS allows it: nothing is left behind even after kill -9.
	os.Remove(f.Name())
	seed := maphash.MakeSeed()
	return &deduper{
		seed:    seed,
		hash:    func(id string) uint64 { return maphash.String(seed, id) },
		index:   make(map[uint64]int32),
		spill:   f,
		w:       bufio.NewWriterSize(f, 64<<10),
		pathIdx: make(map[string]uint32),
	}, nil
}

func (d *deduper) Close() error {
	name := d.spill.Name()
	err := d.spill.Close()
	os.Remove(name)
	return err
}

// fieldHash is one field of a record's spill entry.
type fieldHash struct {
	path uint32
	sum  uint64
}

// Claim records req under id for row, or, if a valid record already claimed id, returns that
// first use and leaves the set unchanged.
func (d *deduper) Claim(id string, row int, req any) (*firstUse, error) {
	fields, sum := d.fingerprint(req)
	h := d.hash(id)
	head, seen := d.index[h]
	if seen {
		for i := head; i >= 0; i = d.entries[i].next {
			e := d.entries[i]
			firstID, firstFields, err := d.readSpill(e.off)
			if err != nil {
				return nil, err
			}
			if firstID != id {
				continue // two ids with one hash: not a duplicate
			}
			fu := &firstUse{Row: int(e.row)}
			if e.sum != sum {
				fu.Differ = d.diff(firstFields, fields)
			}
			return fu, nil
		}
	}
	next := int32(-1)
	if seen {
		next = head
	}
	d.entries = append(d.entries, dedupEntry{row: int32(row), next: next, sum: sum, off: d.off})
	d.index[h] = int32(len(d.entries) - 1)
	return nil, d.writeSpill(id, fields)
}

// fingerprint hashes each non-empty field of req and the whole.
func (d *deduper) fingerprint(req any) ([]fieldHash, uint64) {
	var fields []fieldHash
	var all maphash.Hash
	all.SetSeed(d.seed)
	flatten(req, func(path []byte, value string) {
		idx, ok := d.pathIdx[string(path)]
		if !ok {
			idx = uint32(len(d.pathName))
			d.pathIdx[string(path)] = idx
			d.pathName = append(d.pathName, string(path))
		}
		var fh maphash.Hash
		fh.SetSeed(d.seed)
		fh.WriteString(value)
		s := fh.Sum64()
		fields = append(fields, fieldHash{path: idx, sum: s})
		all.Write(path)
		all.WriteByte(0)
		all.WriteString(value)
		all.WriteByte(0)
	})
	return fields, all.Sum64()
}

func (d *deduper) writeSpill(id string, fields []fieldHash) error {
	b := d.scratch[:0]
	b = binary.AppendUvarint(b, uint64(len(id)))
	b = append(b, id...)
	b = binary.AppendUvarint(b, uint64(len(fields)))
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(f.path))
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
	if err := d.w.Flush(); err != nil {
		return "", nil, fmt.Errorf("dedupe: write temp file: %w", err)
	}
	r := bufio.NewReader(io.NewSectionReader(d.spill, off, d.off-off))
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return "", nil, fmt.Errorf("dedupe: read temp file: %w", err)
	}
	id := make([]byte, n)
	if _, err := io.ReadFull(r, id); err != nil {
		return "", nil, fmt.Errorf("dedupe: read temp file: %w", err)
	}
	count, err := binary.ReadUvarint(r)
	if err != nil {
		return "", nil, fmt.Errorf("dedupe: read temp file: %w", err)
	}
	fields := make([]fieldHash, 0, count)
	var sum [8]byte
	for range count {
		p, err := binary.ReadUvarint(r)
		if err == nil {
			_, err = io.ReadFull(r, sum[:])
		}
		if err != nil {
			return "", nil, errors.Join(errors.New("dedupe: read temp file"), err)
		}
		fields = append(fields, fieldHash{path: uint32(p), sum: binary.LittleEndian.Uint64(sum[:])})
	}
	return string(id), fields, nil
}

// diff names the fields present in one record but not the other, or present in both with
// different values, in the order of the paths' first appearance.
func (d *deduper) diff(a, b []fieldHash) []string {
	m := make(map[uint32]uint64, len(a))
	for _, f := range a {
		m[f.path] = f.sum
	}
	var out []uint32
	for _, f := range b {
		s, ok := m[f.path]
		if !ok || s != f.sum {
			out = append(out, f.path)
		}
		delete(m, f.path)
	}
	for p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	names := make([]string, len(out))
	for i, p := range out {
		names[i] = d.pathName[p]
	}
	return names
}

// message is the text a DUPLICATE line carries.
func (fu *firstUse) message(id string) string {
	if len(fu.Differ) == 0 {
		return fmt.Sprintf("externalId %s is already used by row %d (same content); this row is not sent", id, fu.Row)
	}
	return fmt.Sprintf("externalId %s is already used by row %d, which differs in %s; this row is not sent",
		id, fu.Row, strings.Join(fu.Differ, ", "))
}
