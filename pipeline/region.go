package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// regionFile is many append-only streams of fixed-size records ("regions": the census's
// partitions, the occurrence stream's row ranges) in ONE unlinked temp file: each region fills
// a block in memory, and a full block goes to the end of the file, where the region keeps its
// offset. One file rather than one a region: creating and unlinking hundreds of temp files
// cost more than writing them, and the open-file limit no longer bounds the regions.
type regionFile struct {
	dir, pattern string
	f            *os.File
	end          int64 // bytes written
	rec          int   // a record's size
	block        int   // a block's size, a multiple of rec: no record straddles two
	bufs         [][]byte
	exts         [][]int64 // per region: the offsets of its blocks, in order
	sizes        []int64   // per region: bytes put, once flushed
}

func newRegionFile(dir, pattern string, regions, rec, recsPerBlock int) *regionFile {
	return &regionFile{dir: dir, pattern: pattern, rec: rec, block: rec * recsPerBlock,
		bufs: make([][]byte, regions), exts: make([][]int64, regions), sizes: make([]int64, regions)}
}

// slot returns the rec bytes of region i's next record, for the caller to fill.
func (rf *regionFile) slot(i int) ([]byte, error) {
	b := rf.bufs[i]
	if n := len(b); n < cap(b) {
		rf.bufs[i] = b[:n+rf.rec]
		return b[n : n+rf.rec], nil
	}
	return rf.nextBlock(i)
}

// nextBlock writes region i's full block (or makes its first) and returns its next slot.
func (rf *regionFile) nextBlock(i int) ([]byte, error) {
	b := rf.bufs[i]
	if b == nil {
		b = make([]byte, 0, rf.block)
	} else if err := rf.writeBlock(i); err != nil {
		return nil, err
	}
	rf.bufs[i] = b[:rf.rec]
	return b[:rf.rec], nil
}

// size is how many bytes region i holds.
func (rf *regionFile) size(i int) int64 {
	return int64(len(rf.exts[i]))*int64(rf.block) + int64(len(rf.bufs[i]))
}

// writeBlock appends region i's buffered records to the file.
func (rf *regionFile) writeBlock(i int) error {
	b := rf.bufs[i]
	if len(b) == 0 {
		return nil
	}
	if rf.f == nil {
		f, err := unlinkedTemp(rf.dir, rf.pattern)
		if err != nil {
			return err
		}
		rf.f = f
	}
	if _, err := rf.f.WriteAt(b, rf.end); err != nil {
		return fmt.Errorf("write temp file: %w", err)
	}
	rf.exts[i] = append(rf.exts[i], rf.end)
	rf.end += int64(len(b))
	return nil
}

// flush writes every region's last records and frees the buffers: the file is read only after.
func (rf *regionFile) flush() error {
	for i := range rf.bufs {
		rf.sizes[i] = rf.size(i)
		if err := rf.writeBlock(i); err != nil {
			return err
		}
		rf.bufs[i] = nil
	}
	return nil
}

// extents calls f with region i's bytes, a block at a time (whole records), read into buf.
func (rf *regionFile) extents(i int, buf []byte, f func([]byte) error) error {
	left := rf.sizes[i]
	if cap(buf) < rf.block {
		buf = make([]byte, rf.block)
	}
	for _, off := range rf.exts[i] {
		b := buf[:min(left, int64(rf.block))]
		if err := rf.readAt(b, off); err != nil {
			return err
		}
		left -= int64(len(b))
		if err := f(b); err != nil {
			return err
		}
	}
	return nil
}

// readAll appends region i's bytes to dst.
func (rf *regionFile) readAll(i int, dst []byte) ([]byte, error) {
	size := int(rf.sizes[i])
	if cap(dst)-len(dst) < size {
		dst = append(make([]byte, 0, len(dst)+size), dst...)
	}
	for k, off := range rf.exts[i] {
		n := min(size-k*rf.block, rf.block)
		if err := rf.readAt(dst[len(dst):len(dst)+n], off); err != nil {
			return dst, err
		}
		dst = dst[:len(dst)+n]
	}
	return dst, nil
}

func (rf *regionFile) readAt(b []byte, off int64) error {
	if _, err := rf.f.ReadAt(b, off); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("read temp file: %w", err)
	}
	return nil
}

// drop forgets region i (its bytes stay in the file until close).
func (rf *regionFile) drop(i int) {
	rf.exts[i], rf.sizes[i] = nil, 0
}

func (rf *regionFile) close() {
	if rf.f != nil {
		rf.f.Close()
		rf.f = nil
	}
}
