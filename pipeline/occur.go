package pipeline

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
)

// The occurrence stream is what Seal leaves for the run instead of maps: one record per row of
// each hot key's group (a key two rows of two employees hold), in temp files by row range. The
// run's in-order reader walks it beside the roster and gives each item its row's occurrences;
// most rows have none. Only one range is in memory at once, so the run's memory does not grow
// with the rows or the hot keys.

const (
	occRecSize = 28
	// Rows per file at least: the generated 10M roster has 0.7 occurrences a row (its random
	// phones collide in proportion to rows²), 16k rows' are 650 KB in memory.
	occMinWidth = 1 << 13
	// Files at most, however long the roster (widths grow instead): with the census's 256 files
	// and a split file's 256, Seal stays under an open-file limit of 1024.
	occMaxFiles = 256
	occBufSize  = 1 << 10
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

// occSpill is the occurrence stream's files, by row range: width rows each.
type occSpill struct {
	dir   string
	width int
	mu    sync.Mutex // Seal's workers write at once
	files []*os.File
	ws    []*bufio.Writer
	sizes []int64
}

// newOccSpill makes the files for rows up to lastRow, minWidth rows each at least (0:
// occMinWidth).
func newOccSpill(dir string, lastRow, minWidth int) *occSpill {
	width := cmp.Or(minWidth, occMinWidth)
	for (lastRow+width)/width > occMaxFiles {
		width *= 2
	}
	n := lastRow/width + 1
	return &occSpill{dir: dir, width: width, files: make([]*os.File, n), ws: make([]*bufio.Writer, n), sizes: make([]int64, n)}
}

// write adds occurrences, in any order.
func (sp *occSpill) write(occs []occur) error {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	var b [occRecSize]byte
	for i := range occs {
		o := &occs[i]
		f := o.num() / sp.width
		if sp.files[f] == nil {
			tf, err := unlinkedTemp(sp.dir, "rosterload-occur-*")
			if err != nil {
				return fmt.Errorf("census: %w", err)
			}
			sp.files[f], sp.ws[f] = tf, bufio.NewWriterSize(tf, occBufSize)
		}
		binary.LittleEndian.PutUint64(b[0:], o.key)
		binary.LittleEndian.PutUint32(b[8:], o.row)
		binary.LittleEndian.PutUint32(b[12:], o.next)
		binary.LittleEndian.PutUint32(b[16:], o.later)
		binary.LittleEndian.PutUint64(b[20:], o.first)
		if _, err := sp.ws[f].Write(b[:]); err != nil {
			return fmt.Errorf("census: write temp file: %w", err)
		}
		sp.sizes[f] += occRecSize
	}
	return nil
}

// flush ends the writing, and frees the writers' buffers.
func (sp *occSpill) flush() error {
	for i, w := range sp.ws {
		if w != nil {
			if err := w.Flush(); err != nil {
				return fmt.Errorf("census: write temp file: %w", err)
			}
			sp.ws[i] = nil
		}
	}
	return nil
}

func (sp *occSpill) close() {
	for _, f := range sp.files {
		if f != nil {
			f.Close()
		}
	}
}

// load reads file i, sorted by row (nil for a range no hot key reaches).
func (sp *occSpill) load(i int) ([]occur, error) {
	if i >= len(sp.files) || sp.files[i] == nil {
		return nil, nil
	}
	occs := make([]occur, 0, sp.sizes[i]/occRecSize)
	r := bufio.NewReaderSize(io.NewSectionReader(sp.files[i], 0, sp.sizes[i]), 64<<10)
	var b [occRecSize]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("census: read temp file: %w", err)
		}
		occs = append(occs, occur{key: binary.LittleEndian.Uint64(b[0:]), row: binary.LittleEndian.Uint32(b[8:]),
			next: binary.LittleEndian.Uint32(b[12:]), later: binary.LittleEndian.Uint32(b[16:]),
			first: binary.LittleEndian.Uint64(b[20:])})
	}
	slices.SortFunc(occs, func(a, b occur) int { return int(a.num()) - int(b.num()) })
	return occs, nil
}

// occCursor walks the occurrence stream in row order, one file in memory at a time.
type occCursor struct {
	sp   *occSpill
	file int // the file loaded, -1 none
	occs []occur
	pos  int
}

func (sp *occSpill) cursor() *occCursor { return &occCursor{sp: sp, file: -1} }

// at returns row's occurrences (nil for most rows: no allocation). Rows come in increasing order;
// the slice is the row's own part of the loaded file, which route alone writes to.
func (c *occCursor) at(row int) ([]occur, error) {
	if row < 0 {
		return nil, nil
	}
	if f := row / c.sp.width; f != c.file {
		occs, err := c.sp.load(f)
		if err != nil {
			return nil, err
		}
		c.file, c.occs, c.pos = f, occs, 0
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
