package xlsxread

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/richardlehane/mscfb"
)

// oleMagic starts an OLE compound document: what Excel writes for an encrypted (password to
// open) workbook, and for the legacy .xls format.
var oleMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// archive is the zip container of a workbook, with its parts looked up by name.
type archive struct {
	parts map[string]*zip.File // lower-cased name, forward slashes -> entry
}

// openArchive opens r as a zip and checks, from its central directory alone (nothing is
// inflated), that it does not claim to unpack to more than maxUnzip bytes. A reason it cannot
// be read is returned as a plain error, to be wrapped as a SourceError by the caller.
func openArchive(r io.ReaderAt, size, maxUnzip int64) (*archive, error) {
	if size == 0 {
		return nil, errors.New("file is empty")
	}
	var magic [8]byte
	n, _ := r.ReadAt(magic[:], 0)
	if n == len(magic) && bytes.Equal(magic[:], oleMagic) {
		return nil, classifyOLE(r)
	}
	if n < 4 || string(magic[:2]) != "PK" { // a zip starts with a local header, or is an empty one
		return nil, errors.New("is not a valid XLSX file (it is not a zip archive)")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("is not a valid XLSX file (a damaged zip archive: %v)", err)
	}
	a := &archive{parts: make(map[string]*zip.File, len(zr.File))}
	var total uint64
	var largest *zip.File
	for _, f := range zr.File {
		total = satAdd(total, f.UncompressedSize64)
		if largest == nil || f.UncompressedSize64 > largest.UncompressedSize64 {
			largest = f
		}
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		if _, dup := a.parts[name]; !dup {
			a.parts[name] = f
		}
	}
	if total > uint64(maxUnzip) {
		return nil, &tooLargeError{limit: maxUnzip, total: total, part: largest.Name, declared: largest.UncompressedSize64}
	}
	return a, nil
}

// part returns the entry named name (case does not matter), or nil.
func (a *archive) part(name string) *zip.File {
	return a.parts[strings.ToLower(strings.TrimPrefix(name, "/"))]
}

// classifyOLE says what an OLE compound document is: an encrypted workbook, an .xls, or neither.
func classifyOLE(r io.ReaderAt) (err error) {
	defer func() {
		if recover() != nil {
			err = errors.New("is not a valid XLSX file (it is an OLE compound document, not a zip archive)")
		}
	}()
	doc, derr := mscfb.New(r)
	if derr == nil {
		for i := 0; i < 10000; i++ {
			e, nerr := doc.Next()
			if nerr != nil {
				break
			}
			switch e.Name {
			case "EncryptionInfo", "EncryptedPackage":
				return errors.New("is encrypted (password-protected): save an unprotected copy and read that")
			case "Workbook", "Book":
				return errors.New("is a legacy Excel 97-2003 (.xls) workbook, not XLSX: save it as .xlsx")
			}
		}
	}
	return errors.New("is not a valid XLSX file (it is an OLE compound document, not a zip archive)")
}

// satAdd adds without wrapping around.
func satAdd(a, b uint64) uint64 {
	if a+b < a {
		return math.MaxUint64
	}
	return a + b
}

// tooLargeError is a workbook that unpacks, or would unpack, to more than it may.
type tooLargeError struct {
	limit    int64  // the limit crossed; 0 when a part unpacked to more than its own header said
	total    uint64 // what all the zip headers declare together
	part     string // the largest part, or the one that lied about its size
	declared uint64 // what that part's header declares
}

func (e *tooLargeError) Error() string {
	if e.limit == 0 {
		return fmt.Sprintf("unpacks to more than its zip headers declare (%s: more than %s): refused as a zip bomb or a damaged file",
			e.part, byteSize(e.declared))
	}
	return fmt.Sprintf("unpacks to more than the %s limit (its zip headers declare %s, %s of it in %s): refused as a possible zip bomb",
		byteSize(uint64(e.limit)), byteSize(e.total), byteSize(e.declared), e.part)
}

// byteSize writes n bytes for a person: 512 bytes, 16 MiB, 4.5 GiB.
func byteSize(n uint64) string {
	switch {
	case n >= 1<<30:
		return trimZero(fmt.Sprintf("%.1f GiB", float64(n)/(1<<30)))
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)))
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.1f KiB", float64(n)/(1<<10)))
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimZero(s string) string { return strings.Replace(s, ".0 ", " ", 1) }

// errTokenTooLong stops a scanner at a token (one enormous text node or tag) longer than
// maxTokenBytes.
var errTokenTooLong = errors.New("token too long")

// checkPart inflates a part to nowhere, so that a part whose header understates its size, whose
// data is corrupt or fails its checksum is refused before any of its rows is read: archive/zip
// stops a reader at the declared size, so this takes time and memory bounded by that size.
func checkPart(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return partError(f, false, err)
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return partError(f, true, err)
	}
	return nil
}

// checked remembers the parts of files this process has inflated whole and found sound. A run
// opens its roster twice (the census before the run reads it too), and the second open need not
// inflate the sheet to nowhere again: it is the same file (os.SameFile), unchanged (its size and
// modification time), and the same part (name, offset, sizes, checksum). A file changed
// unseen in between would still fail its checksum at the end of the part, as archive/zip checks.
var checked partMemo

type partMemo struct {
	mu   sync.Mutex
	seen []checkedPart
}

type checkedPart struct {
	fi           os.FileInfo
	size         int64
	mod          time.Time
	name         string
	offset       int64
	crc          uint32
	comp, uncomp uint64
}

func newCheckedPart(fi os.FileInfo, f *zip.File) (checkedPart, bool) {
	if fi == nil {
		return checkedPart{}, false // a reader with no file to tell it by
	}
	off, err := f.DataOffset()
	if err != nil {
		return checkedPart{}, false
	}
	return checkedPart{fi: fi, size: fi.Size(), mod: fi.ModTime(), name: f.Name, offset: off,
		crc: f.CRC32, comp: f.CompressedSize64, uncomp: f.UncompressedSize64}, true
}

func (m *partMemo) has(fi os.FileInfo, f *zip.File) bool {
	c, ok := newCheckedPart(fi, f)
	if !ok {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.seen {
		if os.SameFile(s.fi, c.fi) && s.size == c.size && s.mod.Equal(c.mod) && s.name == c.name &&
			s.offset == c.offset && s.crc == c.crc && s.comp == c.comp && s.uncomp == c.uncomp {
			return true
		}
	}
	return false
}

// maxChecked bounds the memo: a process opens one roster, tests open many.
const maxChecked = 64

func (m *partMemo) add(fi os.FileInfo, f *zip.File) {
	c, ok := newCheckedPart(fi, f)
	if !ok {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.seen) >= maxChecked {
		m.seen = m.seen[1:]
	}
	m.seen = append(m.seen, c)
}

// openPart opens a part for reading.
func openPart(part *zip.File) (io.ReadCloser, error) {
	rc, err := part.Open()
	if err != nil {
		return nil, partError(part, false, err)
	}
	return rc, nil
}

// partError explains why a part could not be opened, or read once open (reading).
func partError(f *zip.File, reading bool, err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, zip.ErrFormat) && reading:
		// Once a part is open, archive/zip reports ErrFormat only for data beyond the size
		// its header declares.
		return &tooLargeError{part: f.Name, declared: f.UncompressedSize64}
	case errors.Is(err, zip.ErrAlgorithm):
		return fmt.Errorf("is not a valid XLSX file (%s uses a compression method Excel does not write)", f.Name)
	case errors.Is(err, zip.ErrChecksum):
		return fmt.Errorf("is damaged: %s fails its checksum", f.Name)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.As(err, &corrupt):
		return fmt.Errorf("is damaged: %s is cut short or corrupt", f.Name)
	}
	return fmt.Errorf("is damaged: %s cannot be read: %w", f.Name, err)
}
