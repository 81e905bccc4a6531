package pipeline

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
)

// The occurrence stream is what Seal leaves for the run instead of maps: one record per row of
// each hot key's group (a key two rows of two employees hold), by row range in a temp file. The
// run's in-order reader walks it beside the roster and gives each item its row's occurrences;
// most rows have none. Only one range is in memory at once, so the run's memory does not grow
// with the rows or the hot keys.

const (
	occRecSize = 28
	// Rows per range at least: the generated 10M roster has 0.7 occurrences a row (its random
	// phones collide in proportion to rows²), 16k rows' are 650 KB in memory.
	occMinWidth = 1 << 13
	// Ranges at most, however long the roster (widths grow instead): each buffers a block
	// while Seal writes, 7 KB, 1.8 MB for the 256.
	occMaxRanges = 256
	occBlockRecs = 256
	// The most occurrences the run loads at once (~600 KB): a range holding more (it is
	// wide because ranges are few, and long rosters repeat more) is split by row into narrower
	// ranges first, so that what the run holds does not grow with the rows.
	occLoadBound = 1 << 13
)

// occur is one row's part in a hot key's group.
type occur struct {
	key  uint64
	row  uint32 // row<<censusRowShift | class<<2 | censusID, as in censusRec (censusPrimed clear)
	next uint32 // the group's next row; 0: this row is its last
	// For a personal key some row with an externalId holds (primed), what Add primes, the
	// same on every row of the group: its first primed row<<32 | hash32 of that row's id as
	// mapped, and the first later primed row of another employee (0: none).
	later uint32
	first uint64

	// Set during the run by route (in source order): what the group's earlier rows forwarded
	// or this row set, forwarded on to next (forward.go). prev is check's first holder
	// (row<<32 | hash32(id)) of a key that is not primed; claim is the id's first claim.
	prev  uint64
	claim forwardedClaim
}

func (o *occur) num() int   { return int(o.row >> censusRowShift) }
func (o *occur) isID() bool { return o.row&censusID != 0 }

// occurOf finds the item's occurrence of key, nil when the census saw it on no other row.
func (it *item) occurOf(key uint64) *occur {
	for i := range it.occ {
		if it.occ[i].key == key {
			return &it.occ[i]
		}
	}
	return nil
}

// occSpill is the occurrence stream's row ranges, width rows each from row base: regions of
// one temp file.
type occSpill struct {
	dir   string
	base  int
	width int
	most  int        // occurrences a range may hold to be loaded whole; more, and it is split
	mu    sync.Mutex // Seal's workers write at once
	rf    *regionFile
}

// newOccSpill makes the ranges for rows up to lastRow, minWidth rows each at least (0:
// occMinWidth), and loaded whole up to load occurrences (0: occLoadBound).
func newOccSpill(dir string, lastRow, minWidth, load int) *occSpill {
	width := cmp.Or(minWidth, occMinWidth)
	for (lastRow+width)/width > occMaxRanges {
		width *= 2
	}
	return newOccRange(dir, 0, lastRow, width, cmp.Or(load, occLoadBound))
}

// newOccRange makes the ranges for rows base to last, width rows each.
func newOccRange(dir string, base, last, width, load int) *occSpill {
	n := (last-base)/width + 1
	return &occSpill{dir: dir, base: base, width: width, most: load,
		rf: newRegionFile(dir, "rosterload-occur-*", n, occRecSize, occBlockRecs)}
}

// ranges is how many row ranges sp has.
func (sp *occSpill) ranges() int { return len(sp.rf.sizes) }

// rangeOf is the index of the range holding row.
func (sp *occSpill) rangeOf(row int) int { return (row - sp.base) / sp.width }

// write adds occurrences, in any order.
func (sp *occSpill) write(occs []occur) error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	for i := range occs {
		o := &occs[i]
		b, err := sp.rf.slot(sp.rangeOf(o.num()))
		if err != nil {
			return fmt.Errorf("census: %w", err)
		}
		binary.LittleEndian.PutUint64(b[0:], o.key)
		binary.LittleEndian.PutUint32(b[8:], o.row)
		binary.LittleEndian.PutUint32(b[12:], o.next)
		binary.LittleEndian.PutUint32(b[16:], o.later)
		binary.LittleEndian.PutUint64(b[20:], o.first)
	}
	return nil
}

// flush ends the writing, and frees the writers' buffers.
func (sp *occSpill) flush() error {
	if err := sp.rf.flush(); err != nil {
		return fmt.Errorf("census: %w", err)
	}
	return nil
}

func (sp *occSpill) close() { sp.rf.close() }

// load reads range i, sorted by row (nil for a range no hot key reaches).
func (sp *occSpill) load(i int) ([]occur, error) {
	if i >= sp.ranges() || sp.rf.sizes[i] == 0 {
		return nil, nil
	}
	occs := make([]occur, 0, sp.rf.sizes[i]/occRecSize)
	if err := sp.each(i, func(o occur) error { occs = append(occs, o); return nil }); err != nil {
		return nil, err
	}
	slices.SortFunc(occs, func(a, b occur) int { return int(a.num()) - int(b.num()) })
	return occs, nil
}

// each calls f with each occurrence of range i, in the order written.
func (sp *occSpill) each(i int, f func(occur) error) error {
	err := sp.rf.extents(i, nil, func(b []byte) error {
		for ; len(b) >= occRecSize; b = b[occRecSize:] {
			err := f(occur{key: binary.LittleEndian.Uint64(b[0:]), row: binary.LittleEndian.Uint32(b[8:]),
				next: binary.LittleEndian.Uint32(b[12:]), later: binary.LittleEndian.Uint32(b[16:]),
				first: binary.LittleEndian.Uint64(b[20:])})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("census: %w", err)
	}
	return nil
}

// tooBig says whether range i holds more occurrences than are loaded at once.
func (sp *occSpill) tooBig(i int) bool {
	return i < sp.ranges() && sp.rf.sizes[i]/occRecSize > int64(sp.most) && sp.width > 1
}

// split writes range i into narrower ranges (of a file of their own) holding about half the
// load bound each.
func (sp *occSpill) split(i int) (*occSpill, error) {
	n := int(sp.rf.sizes[i] / occRecSize)
	parts := (2*n + sp.most - 1) / sp.most
	base := sp.base + i*sp.width
	sub := newOccRange(sp.dir, base, base+sp.width-1, max(1, (sp.width+parts-1)/parts), sp.most)
	chunk := make([]occur, 0, 256)
	err := sp.each(i, func(o occur) error {
		if chunk = append(chunk, o); len(chunk) < cap(chunk) {
			return nil
		}
		err := sub.write(chunk)
		chunk = chunk[:0]
		return err
	})
	if err == nil {
		err = sub.write(chunk)
	}
	if err == nil {
		err = sub.flush()
	}
	sp.rf.drop(i)
	if err != nil {
		sub.close()
		return nil, err
	}
	return sub, nil
}

// occCursor walks the occurrence stream in row order, one range in memory at a time.
type occCursor struct {
	sp   *occSpill
	rng  int // the range loaded, -1 none
	occs []occur
	pos  int
	sub  *occCursor // walks the split of rng when it was too big to load whole
}

func (sp *occSpill) cursor() *occCursor { return &occCursor{sp: sp, rng: -1} }

// close closes the file of the split the cursor walks, if any.
func (c *occCursor) close() {
	if c.sub != nil {
		c.sub.close()
		c.sub.sp.close()
		c.sub = nil
	}
}

// at returns row's occurrences (nil for most rows: no allocation). Rows come in increasing order;
// the slice is the row's own part of the loaded range, which route alone writes to.
func (c *occCursor) at(row int) ([]occur, error) {
	if row < 0 {
		return nil, nil
	}
	if f := c.sp.rangeOf(row); f != c.rng {
		c.close()
		c.rng, c.occs, c.pos = f, nil, 0
		if c.sp.tooBig(f) {
			sub, err := c.sp.split(f)
			if err != nil {
				return nil, err
			}
			c.sub = sub.cursor()
		} else {
			occs, err := c.sp.load(f)
			if err != nil {
				return nil, err
			}
			c.occs = occs
		}
	}
	if c.sub != nil {
		return c.sub.at(row)
	}
	for c.pos < len(c.occs) && c.occs[c.pos].num() < row {
		c.pos++
	}
	i := c.pos
	for c.pos < len(c.occs) && c.occs[c.pos].num() == row {
		c.pos++
	}
	if i == c.pos {
		return nil, nil
	}
	return c.occs[i:c.pos:c.pos], nil
}
