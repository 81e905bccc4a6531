// Package xlsxread turns one worksheet of an .xlsx workbook into a rows.Reader: its header row,
// then its non-blank data rows as text (dates as 2006-01-02, numbers with all their digits,
// formulas as their cached values), numbered as the sheet numbers them, read as a stream.
//
// excelize reads the workbook's sheet list, date system and cell styles; the sheet itself and the
// shared-string table are decoded here, from the zip entry, because the style of each cell (is
// it a date?) is needed while streaming and excelize's Rows iterator does not expose it. Their
// XML is tokenised by a byte scanner (scan.go) that accepts, refuses and reads exactly what
// encoding/xml does, held to it by differential tests, at several times its speed; each row's
// cell strings share one allocation.
// Everything inflated is counted: a zip bomb is refused from its headers alone, and a part that
// inflates to more than its header says (or is corrupt) is refused before its first row is read.
package xlsxread

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/rosterload/rosterload/ingest/rows"
)

// Defaults of Options.
const (
	// DefaultMaxUnzipSize caps what a workbook may unpack to in total. A full Excel sheet of
	// 1,048,576 rows of a roster's width is some hundreds of MiB of XML; more is a zip bomb.
	DefaultMaxUnzipSize = 1 << 30
	// DefaultMaxXMLSize is the largest workbook, styles or relationships part read into memory,
	// and the size above which the shared-string table moves from memory to a temp file.
	DefaultMaxXMLSize = 16 << 20
)

// Options says which sheet to read, where its header is, and what the workbook may unpack to.
type Options struct {
	Sheet     string // "" = the first visible worksheet; else by name (exact, else ignoring case)
	HeaderRow int    // 0 = the first non-blank row; N = sheet row N
	// MaxUnzipSize caps the total size of the workbook's parts unpacked, as their zip headers
	// declare it; a part that unpacks to more than its header says is refused whatever the
	// limit. 0 = DefaultMaxUnzipSize.
	MaxUnzipSize int64
	// MaxXMLSize caps each part held in memory (workbook, styles, relationships) and is the size
	// above which the shared-string table is kept in a temp file. The sheet itself is streamed
	// whatever its size. 0 = DefaultMaxXMLSize.
	MaxXMLSize int64
	// ChooseHeader, when set and HeaderRow is 0, picks the header among the sheet's first
	// HeaderCandidates non-blank rows (their cells trimmed, up to the last non-blank one):
	// it returns the index of the one to use; all says that they are every non-blank row of
	// the sheet. The rows above the one chosen are skipped, those below it are data.
	ChooseHeader func(cands []rows.Header, all bool) int
}

// HeaderCandidates is how many non-blank rows ChooseHeader is offered.
const HeaderCandidates = 10

// Sheet is one sheet as the workbook lists it.
type Sheet struct {
	Name   string
	Hidden bool
}

// Reader reads one worksheet as rows. It implements rows.Reader. It is not safe for concurrent
// use; the rows it returns are the caller's.
type Reader struct {
	name      string
	sheet     string
	headerRow int

	file   io.Closer // the file Open opened, nil for OpenReader
	sst    *sharedStrings
	stream *sheetStream

	sheets []Sheet // the workbook's sheets, in its order

	header  rows.Header
	width   int        // header columns up to the last named one
	pending []rows.Row // data rows read while choosing the header, not yet returned
	err     error      // io.EOF or the *rows.SourceError that ended reading
	closed  bool
}

var _ rows.Reader = (*Reader)(nil)

// Open opens the workbook at path and reads the chosen sheet's header. A workbook that cannot be
// read (not an XLSX, encrypted, a zip bomb, no such sheet, an empty sheet...) is a
// *rows.SourceError.
func Open(path string, opts Options) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the SourceError names the file already
		}
		return nil, &rows.SourceError{Name: path, Err: fmt.Errorf("cannot open: %w", err)}
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		err = errors.New("is a directory, not a file")
	}
	if err != nil {
		f.Close()
		return nil, &rows.SourceError{Name: path, Err: err}
	}
	r, err := openReader(f, fi.Size(), path, opts, fi)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.file = f
	return r, nil
}

// OpenReader reads a workbook of size bytes from r, named name in errors, as Open does. r must
// stay readable until Close, which does not close it.
func OpenReader(r io.ReaderAt, size int64, name string, opts Options) (*Reader, error) {
	return openReader(r, size, name, opts, nil)
}

// openReader is OpenReader for the file fi describes, if not nil: a part of it this process
// has inflated whole and found sound before is not inflated again (see checked).
func openReader(r io.ReaderAt, size int64, name string, opts Options, fi os.FileInfo) (*Reader, error) {
	maxUnzip, maxXML := opts.MaxUnzipSize, opts.MaxXMLSize
	if maxUnzip <= 0 {
		maxUnzip = DefaultMaxUnzipSize
	}
	if maxXML <= 0 {
		maxXML = DefaultMaxXMLSize
	}
	maxXML = min(maxXML, maxUnzip)
	if opts.HeaderRow < 0 || opts.HeaderRow > maxRows {
		return nil, rows.Unreadable(name, "header row %d is not a row number of a sheet (1 to %d)", opts.HeaderRow, maxRows)
	}

	fail := func(err error) (*Reader, error) { return nil, &rows.SourceError{Name: name, Err: err} }
	a, err := openArchive(r, size, maxUnzip)
	if err != nil {
		return fail(err)
	}
	wb, err := loadWorkbook(a, maxUnzip, maxXML)
	if err != nil {
		return fail(err)
	}
	sheet, err := wb.pick(opts.Sheet)
	if err != nil {
		return fail(err)
	}
	if sheet.part == nil {
		return fail(fmt.Errorf("is damaged: the part of sheet %q (%s) is missing", sheet.name, sheet.target))
	}
	// Inflate the sheet once to nowhere first: a lying or corrupt part is refused now, in time
	// and memory bounded by its declared size, rather than after rows were handed out.
	for _, p := range []*zip.File{sheet.part, wb.sst} {
		if p != nil && !checked.has(fi, p) {
			if err := checkPart(p); err != nil {
				return fail(err)
			}
			checked.add(fi, p)
		}
	}
	sst, err := loadSST(wb.sst, maxXML, "")
	if err != nil {
		sst.close()
		return fail(err)
	}
	stream, err := openSheet(sheet.part, cellFormat{sst: sst, dates: wb.dates, date1904: wb.date1904})
	if err != nil {
		sst.close()
		return fail(err)
	}
	rd := &Reader{name: name, sheet: sheet.name, headerRow: opts.HeaderRow, sst: sst, stream: stream}
	for _, s := range wb.sheets {
		rd.sheets = append(rd.sheets, Sheet{Name: s.name, Hidden: s.hidden})
	}
	err = rd.readHeader()
	if err == nil && opts.HeaderRow == 0 && opts.ChooseHeader != nil {
		err = rd.chooseHeader(opts.ChooseHeader)
	}
	if err != nil {
		rd.Close()
		return nil, err
	}
	return rd, nil
}

// Sheet returns the name of the sheet being read.
func (r *Reader) Sheet() string { return r.sheet }

// Sheets returns the workbook's sheets, in its order.
func (r *Reader) Sheets() []Sheet { return slices.Clone(r.sheets) }

// Header returns the header row: Options.HeaderRow, else the first non-blank row, its cells
// trimmed, up to its last non-blank cell.
func (r *Reader) Header() (rows.Header, error) {
	if r.closed {
		return rows.Header{}, rows.Unreadable(r.name, "reader is closed")
	}
	return r.header, nil
}

// readHeader reads rows up to the header row.
func (r *Reader) readHeader() error {
	for {
		num, cells, err := r.stream.next(maxColumns)
		if err == errEndOfRows {
			if r.headerRow > 0 {
				return rows.Unreadable(r.name, "sheet %q has no row %d: its last row is %d", r.sheet, r.headerRow, r.stream.lastRow)
			}
			return rows.Unreadable(r.name, "sheet %q is empty: it has no row with data", r.sheet)
		}
		if err != nil {
			return &rows.SourceError{Name: r.name, Err: err}
		}
		switch {
		case r.headerRow > 0 && num < r.headerRow:
			continue
		case r.headerRow > 0 && (num > r.headerRow || rows.Blank(cells)):
			return rows.Unreadable(r.name, "header row %d of sheet %q is blank", r.headerRow, r.sheet)
		case rows.Blank(cells):
			continue
		}
		r.header = headerOf(num, cells)
		r.width = len(r.header.Names)
		return nil
	}
}

// headerOf makes a header of a row: its cells trimmed, up to its last non-blank one.
func headerOf(num int, cells []string) rows.Header {
	names := make([]string, len(cells))
	for i := range cells {
		names[i] = strings.TrimSpace(cells[i])
	}
	for len(names) > 0 && names[len(names)-1] == "" {
		names = names[:len(names)-1]
	}
	return rows.Header{Num: num, Names: names}
}

// chooseHeader reads the non-blank rows after the first, up to HeaderCandidates in all, and
// lets choose pick the header among them; the rows under it become the first data rows. An
// error reading them is returned by Next after those rows, as it would have been anyway.
func (r *Reader) chooseHeader(choose func([]rows.Header, bool) int) error {
	cands := []rows.Header{r.header}
	raw := [][]string{nil}
	all := false
	for len(cands) < HeaderCandidates {
		num, cells, err := r.stream.next(maxColumns)
		if err == errEndOfRows {
			all = true
			break
		}
		if err != nil {
			r.err = &rows.SourceError{Name: r.name, Err: err}
			break
		}
		if rows.Blank(cells) {
			continue
		}
		cands = append(cands, headerOf(num, cells))
		raw = append(raw, cells)
	}
	i := choose(cands, all)
	if i < 0 || i >= len(cands) {
		i = 0
	}
	r.header = cands[i]
	r.width = len(r.header.Names)
	for j := i + 1; j < len(cands); j++ {
		cells := raw[j][:min(len(raw[j]), r.width)]
		if rows.Blank(cells) {
			continue // nothing under the header: blank, as Next would have found it
		}
		if len(cells) < r.width {
			cells = append(cells, make([]string, r.width-len(cells))...)
		}
		r.pending = append(r.pending, rows.Row{Num: cands[j].Num, Cells: cells})
	}
	if all && r.err == nil {
		r.err = io.EOF
		r.stream.close()
	}
	return nil
}

// Next returns the next non-blank data row, its cells padded to the header's length (cells
// beyond the header are not read, and a row with nothing under the header is blank), io.EOF
// after the last, or a *rows.SourceError when the sheet cannot be read further.
func (r *Reader) Next() (rows.Row, error) {
	if r.closed {
		return rows.Row{}, rows.Unreadable(r.name, "reader is closed")
	}
	if len(r.pending) > 0 {
		row := r.pending[0]
		r.pending = r.pending[1:]
		return row, nil
	}
	if r.err != nil {
		return rows.Row{}, r.err
	}
	for {
		num, cells, err := r.stream.next(r.width)
		if err == errEndOfRows {
			r.err = io.EOF
			r.stream.close()
			return rows.Row{}, r.err
		}
		if err != nil {
			r.err = &rows.SourceError{Name: r.name, Err: err}
			r.stream.close()
			return rows.Row{}, r.err
		}
		if rows.Blank(cells) {
			continue
		}
		if len(cells) < r.width {
			cells = append(cells, make([]string, r.width-len(cells))...)
		}
		return rows.Row{Num: num, Cells: cells}, nil
	}
}

// Close releases the sheet, the shared-string table's temp file and the file Open opened.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.stream.close()
	if e := r.sst.close(); err == nil {
		err = e
	}
	if r.file != nil {
		if e := r.file.Close(); err == nil {
			err = e
		}
	}
	return err
}
