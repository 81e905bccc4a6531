package xlsxread

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/net/html/charset"
)

// sstStride is how many shared strings share one remembered offset. Memory per string is then
// 8/sstStride bytes plus its text, so a table of millions of short strings stays small.
const sstStride = 16

// sharedStrings is a workbook's shared-string table, stored compactly: each string as a uvarint
// length and its bytes, one after the other, with the offset of every sstStride-th string kept.
// The bytes stay in memory up to a limit, then move to a temporary file, removed by close.
type sharedStrings struct {
	n     int
	index []int64 // offset of string i*sstStride

	mem  bytes.Buffer // all of it while small
	file *os.File     // all of it once it outgrew the limit; mem is then empty
	w    *bufio.Writer
	size int64

	win    []byte // a window on file, for lookups
	winOff int64
}

// add appends s. limit is the size above which the table moves to a temp file in tmpDir.
func (t *sharedStrings) add(s []byte, limit int64, tmpDir string) error {
	if t.n%sstStride == 0 {
		t.index = append(t.index, t.size)
	}
	var hdr [binary.MaxVarintLen64]byte
	h := binary.PutUvarint(hdr[:], uint64(len(s)))
	if t.file == nil && t.size+int64(h+len(s)) > limit {
		f, err := os.CreateTemp(tmpDir, "rosterload-sst-")
		if err != nil {
			return fmt.Errorf("the shared-string table is too large for memory and no temporary file can be made: %w", err)
		}
		t.file, t.w = f, bufio.NewWriterSize(f, 64<<10)
		if _, err := t.w.Write(t.mem.Bytes()); err != nil {
			return fmt.Errorf("writing the shared-string table to %s: %w", f.Name(), err)
		}
		t.mem = bytes.Buffer{}
	}
	if t.file != nil {
		t.w.Write(hdr[:h])
		if _, err := t.w.Write(s); err != nil {
			return fmt.Errorf("writing the shared-string table to %s: %w", t.file.Name(), err)
		}
	} else {
		t.mem.Write(hdr[:h])
		t.mem.Write(s)
	}
	t.size += int64(h + len(s))
	t.n++
	return nil
}

// done ends adding.
func (t *sharedStrings) done() error {
	if t.w == nil {
		return nil
	}
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("writing the shared-string table to %s: %w", t.file.Name(), err)
	}
	t.w = nil
	return nil
}

// get returns string i, or false when there is no such string.
func (t *sharedStrings) get(i int) (string, bool, error) {
	b, ok, err := t.getBytes(i)
	return string(b), ok, err
}

// getBytes returns string i as bytes valid until the next call, or false when there is none.
func (t *sharedStrings) getBytes(i int) ([]byte, bool, error) {
	if i < 0 || i >= t.n {
		return nil, false, nil
	}
	off := t.index[i/sstStride]
	for skip := i % sstStride; ; skip-- {
		n, h, err := t.uvarintAt(off)
		if err != nil {
			return nil, false, err
		}
		off += int64(h)
		if skip == 0 {
			b, err := t.bytesAt(off, int(n))
			return b, err == nil, err
		}
		off += int64(n)
	}
}

// uvarintAt reads a length header at off: its value and its size.
func (t *sharedStrings) uvarintAt(off int64) (uint64, int, error) {
	b, err := t.bytesAt(off, min(binary.MaxVarintLen64, int(t.size-off)))
	if err != nil {
		return 0, 0, err
	}
	n, h := binary.Uvarint(b)
	if h <= 0 || n > uint64(t.size-off-int64(h)) {
		return 0, 0, fmt.Errorf("the shared-string table is corrupt at offset %d", off)
	}
	return n, h, nil
}

// bytesAt returns n bytes at off, valid until the next call.
func (t *sharedStrings) bytesAt(off int64, n int) ([]byte, error) {
	if n < 0 || off < 0 || off+int64(n) > t.size {
		return nil, fmt.Errorf("the shared-string table is corrupt at offset %d", off)
	}
	if t.file == nil {
		return t.mem.Bytes()[off : off+int64(n)], nil
	}
	if off >= t.winOff && off+int64(n) <= t.winOff+int64(len(t.win)) {
		return t.win[off-t.winOff : off-t.winOff+int64(n)], nil
	}
	size := int(min(max(int64(n), 64<<10), t.size-off))
	if cap(t.win) < size {
		t.win = make([]byte, size)
	}
	t.win, t.winOff = t.win[:size], off
	if _, err := t.file.ReadAt(t.win, off); err != nil && err != io.EOF {
		t.win = t.win[:0]
		return nil, fmt.Errorf("reading the shared-string table back from %s: %w", t.file.Name(), err)
	}
	return t.win[:n], nil
}

// close removes the temporary file, if there is one.
func (t *sharedStrings) close() error {
	if t.file == nil {
		return nil
	}
	name := t.file.Name()
	err := t.file.Close()
	if rmErr := os.Remove(name); err == nil {
		err = rmErr
	}
	t.file, t.w = nil, nil
	return err
}

// loadSST reads a shared-string table part. Its strings stay in memory up to limit bytes,
// beyond that in a temp file in tmpDir; the caller closes the table to remove it.
func loadSST(part *zip.File, limit int64, tmpDir string) (*sharedStrings, error) {
	t, rc, err := openSST(part)
	if rc == nil {
		return t, err
	}
	defer rc.Close()
	sc := newScanner(rc, maxTokenBytes, charset.NewReaderLabel)

	// path holds the open elements below the root: si, then t or r, then t.
	var path [3]uint8
	depth := 0 // elements open, the root included
	var text []byte
	for {
		err := sc.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return t, sstError(part, err)
		}
		switch sc.kind {
		case tokStart:
			if depth >= 1 && depth-1 < len(path) {
				path[depth-1] = sstElemOf(sc.name)
			}
			if depth == 1 {
				text = text[:0]
			}
			depth++
		case tokEnd:
			depth--
			if depth == 1 && path[0] == elemSI {
				if err := t.add([]byte(unescapeXString(string(text))), limit, tmpDir); err != nil {
					return t, err
				}
			}
		case tokText:
			in := depth - 1 // elements open below the root
			if path[0] == elemSI && (in == 2 && path[1] == elemT || in == 3 && path[1] == elemR && path[2] == elemT) {
				if len(text)+len(sc.text) > maxCellBytes {
					return t, fmt.Errorf("is damaged: %s holds a string longer than %d MiB", part.Name, maxCellBytes>>20)
				}
				text = append(text, sc.text...)
			}
		}
	}
	return t, t.done()
}

// openSST starts an empty table and opens its part; rc is nil when there is no part, or it
// cannot be opened (err says why).
func openSST(part *zip.File) (t *sharedStrings, rc io.ReadCloser, err error) {
	t = &sharedStrings{}
	if part == nil {
		return t, nil, nil
	}
	rc, err = openPart(part)
	return t, rc, err
}

// sstError says why reading the shared-string table part stopped.
func sstError(part *zip.File, err error) error {
	var syn *xml.SyntaxError
	switch {
	case errors.Is(err, errTokenTooLong):
		return fmt.Errorf("is damaged: %s holds a tag or text longer than %d MiB", part.Name, maxTokenBytes>>20)
	case errors.As(err, &syn):
		return fmt.Errorf("is damaged: %s is not well-formed XML: %s", part.Name, syn.Msg)
	}
	return partError(part, true, err)
}

// elemSI is a shared-string table's <si>, beside the elements of a cell's value.
const elemSI = elemR + 1

// sstElemOf names an element of a shared-string table by its local name.
func sstElemOf(name []byte) uint8 {
	if string(name) == "si" {
		return elemSI
	}
	return elemOf(name)
}
