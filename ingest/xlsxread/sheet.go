package xlsxread

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/net/html/charset"

	"github.com/rosterload/rosterload/ingest/rows"
)

const (
	maxRows    = 1 << 20 // Excel's last row is 1,048,576
	maxColumns = 1 << 14 // and its last column XFD, 16,384

	// maxTokenBytes caps one XML token (a tag, or a run of text) and maxCellBytes the text of
	// one cell or shared string. Excel holds at most 32,767 characters in a cell, so both are
	// far above anything real and only stop a damaged or hostile file from filling memory.
	maxTokenBytes = 1 << 20
	maxCellBytes  = 1 << 20
)

// cellFormat is how the values of a sheet's cells are turned into text.
type cellFormat struct {
	sst      *sharedStrings
	dates    []bool // style index -> shows a date
	date1904 bool
}

// sheetStream reads the <row> elements of a worksheet part, one at a time, in constant memory.
type sheetStream struct {
	part   *zip.File
	rc     io.ReadCloser
	sc     *scanner
	format cellFormat

	inData  bool // inside <sheetData>
	lastRow int  // the number of the last row read

	text  []byte     // the text of the cell being read
	vals  []byte     // the values of the row's kept cells, one after the other
	spans []cellSpan // where each kept cell's value is in vals, in the order read
}

// cellSpan is a kept cell's value in sheetStream.vals.
type cellSpan struct{ col, start, end int }

// errEndOfRows is what next returns after the last row.
var errEndOfRows = errors.New("end of rows")

// openSheet starts reading a worksheet part.
func openSheet(part *zip.File, cf cellFormat) (*sheetStream, error) {
	rc, err := openPart(part)
	if err != nil {
		return nil, err
	}
	s := &sheetStream{part: part, rc: rc, format: cf}
	s.sc = newScanner(rc, maxTokenBytes, charset.NewReaderLabel) // as excelize does, for parts not in UTF-8
	return s, nil
}

func (s *sheetStream) close() error { return closePart(&s.rc) }

// closePart closes *rc, once.
func closePart(rc *io.ReadCloser) error {
	if *rc == nil {
		return nil
	}
	err := (*rc).Close()
	*rc = nil
	return err
}

// token reads the next XML token into s.sc.
func (s *sheetStream) token() error {
	if err := s.sc.next(); err != nil {
		return sheetError(s.part, s.inData, s.lastRow, err)
	}
	return nil
}

// sheetError says why reading the worksheet part stopped after row lastRow (io.EOF, outside
// <sheetData>, stays io.EOF).
func sheetError(part *zip.File, inData bool, lastRow int, err error) error {
	var syn *xml.SyntaxError
	switch {
	case errors.Is(err, errTokenTooLong):
		return fmt.Errorf("is damaged: %s holds a tag or text longer than %d MiB after row %d", part.Name, maxTokenBytes>>20, lastRow)
	case err == io.EOF:
		if inData {
			return fmt.Errorf("is damaged: %s ends in the middle of its rows, after row %d", part.Name, lastRow)
		}
		return err
	case errors.As(err, &syn):
		return fmt.Errorf("is damaged: %s is not well-formed XML after row %d: %s", part.Name, lastRow, syn.Msg)
	}
	return partError(part, true, err)
}

// skip reads past the end of the element whose start was just read.
func (s *sheetStream) skip() error {
	for depth := 1; depth > 0; {
		if err := s.token(); err != nil {
			return err
		}
		switch s.sc.kind {
		case tokStart:
			depth++
		case tokEnd:
			depth--
		}
	}
	return nil
}

// next reads the next row: its number and its cells, indexed by column (A = 0), with only the
// first keep columns kept and no trailing empty cells. It returns errEndOfRows after the last.
// The cells' strings share one allocation; when keep is a header's width, the slice has room
// for keep cells, so that padding it to the header does not copy it.
func (s *sheetStream) next(keep int) (int, []string, error) {
	for {
		err := s.token()
		if err == io.EOF {
			return 0, nil, errEndOfRows // no <sheetData>: a sheet without rows
		}
		if err != nil {
			return 0, nil, err
		}
		switch s.sc.kind {
		case tokStart:
			name := string(s.sc.name)
			switch {
			case !s.inData && name == "sheetData":
				s.inData = true
			case s.inData && name == "row":
				return s.row(keep)
			case s.inData:
				if err := s.skip(); err != nil {
					return 0, nil, err
				}
			}
		case tokEnd:
			if s.inData && string(s.sc.name) == "sheetData" {
				s.inData = false
				return 0, nil, errEndOfRows
			}
		}
	}
}

// row reads a <row> element whose start tag was just read.
func (s *sheetStream) row(keep int) (int, []string, error) {
	num := s.lastRow + 1
	if r, ok := s.attr("r"); ok {
		n, ok := atoi(bytes.TrimSpace(r))
		if !ok || n < 1 || n > maxRows {
			return 0, nil, fmt.Errorf("is damaged: %s has a row numbered %q, not 1 to %d", s.part.Name, short(string(r)), maxRows)
		}
		num = n
	} else if num > maxRows {
		return 0, nil, fmt.Errorf("is damaged: %s has more than %d rows", s.part.Name, maxRows)
	}
	s.lastRow = num

	s.vals, s.spans = s.vals[:0], s.spans[:0]
	col := -1
	for {
		if err := s.token(); err != nil {
			return 0, nil, err
		}
		switch s.sc.kind {
		case tokStart:
			if string(s.sc.name) != "c" {
				if err := s.skip(); err != nil {
					return 0, nil, err
				}
				continue
			}
			start := len(s.vals)
			var err error
			if col, err = s.cell(num, col, keep); err != nil {
				return 0, nil, err
			}
			if col < keep && len(s.vals) > start {
				s.spans = append(s.spans, cellSpan{col, start, len(s.vals)})
			}
		case tokEnd:
			return num, s.cells(keep), nil
		}
	}
}

// cells makes the row's cells of the kept values read: one string for all of them, sliced.
func (s *sheetStream) cells(keep int) []string {
	if len(s.spans) == 0 {
		return nil
	}
	n := 0
	for _, sp := range s.spans {
		n = max(n, sp.col+1)
	}
	room := n
	if keep < maxColumns {
		room = max(n, keep)
	}
	cells := make([]string, n, room)
	all := string(s.vals)
	for _, sp := range s.spans {
		cells[sp.col] = all[sp.start:sp.end] // a later cell of the same column wins, as it always did
	}
	return cells
}

// attr returns the value of the current start tag's attribute named local.
func (s *sheetStream) attr(local string) ([]byte, bool) {
	for _, a := range s.sc.attrs {
		if string(a.name) == local {
			return a.value, true
		}
	}
	return nil, false
}

// Elements that may hold a cell's value text, inside <c>.
const (
	elemOther = iota
	elemV
	elemIs
	elemT
	elemR
)

// cell reads a <c> element of row num whose start tag was just read: its column (the one after
// prev when it has no reference) and, when that column is kept, its value, appended to s.vals.
func (s *sheetStream) cell(num, prev, keep int) (int, error) {
	col, style, typ := prev+1, 0, cellNumber
	for _, a := range s.sc.attrs {
		switch string(a.name) {
		case "r":
			c, ok := refColumn(string(a.value))
			if !ok {
				return 0, fmt.Errorf("is damaged: %s row %d has a cell reference %q that is not valid", s.part.Name, num, short(string(a.value)))
			}
			col = c
		case "s":
			if n, ok := atoi(a.value); ok {
				style = n
			}
		case "t":
			typ = cellTypeOf(a.value)
		}
	}
	if col >= maxColumns {
		return 0, fmt.Errorf("is damaged: %s row %d has a cell beyond column XFD", s.part.Name, num)
	}

	// Collect the value's text: <v>, or for inline strings <is><t> and <is><r><t> (not the
	// phonetic <rPh> runs). path holds the elements open inside <c>.
	s.text = s.text[:0]
	var path [4]uint8
	depth := 0
	for {
		if err := s.token(); err != nil {
			return 0, err
		}
		switch s.sc.kind {
		case tokStart:
			if depth < len(path) {
				path[depth] = elemOf(s.sc.name)
			}
			depth++
		case tokEnd:
			if depth == 0 {
				if col >= keep {
					return col, nil
				}
				return col, s.value(typ, style, num, col)
			}
			depth--
		case tokText:
			if col < keep && valueText(path[:min(depth, len(path))], depth) {
				if len(s.text)+len(s.sc.text) > maxCellBytes {
					return 0, fmt.Errorf("is damaged: cell %s of %s holds more than %d MiB of text", rows.Cell(col, num), s.part.Name, maxCellBytes>>20)
				}
				s.text = append(s.text, s.sc.text...)
			}
		}
	}
}

// elemOf names an element inside <c> by its local name.
func elemOf(name []byte) uint8 {
	switch string(name) {
	case "v":
		return elemV
	case "is":
		return elemIs
	case "t":
		return elemT
	case "r":
		return elemR
	}
	return elemOther
}

// valueText reports whether text at path (depth elements deep inside <c>) is the cell's value.
func valueText(path []uint8, depth int) bool {
	switch depth {
	case 1:
		return path[0] == elemV
	case 2:
		return path[0] == elemIs && path[1] == elemT
	case 3:
		return path[0] == elemIs && path[1] == elemR && path[2] == elemT
	}
	return false
}

// cellType is a cell's t attribute.
type cellType uint8

const (
	cellNumber cellType = iota // "n", absent, or a type this reader does not know
	cellShared                 // "s"
	cellString                 // "str" (a formula's text), "inlineStr"
	cellBool                   // "b"
	cellError                  // "e"
	cellDate                   // "d"
)

func cellTypeOf(t []byte) cellType {
	switch string(t) {
	case "s":
		return cellShared
	case "str", "inlineStr":
		return cellString
	case "b":
		return cellBool
	case "e":
		return cellError
	case "d":
		return cellDate
	}
	return cellNumber
}

// value turns the collected text of a cell of type typ and style into its text, appended to
// s.vals. The text is looked at through a string that is not a copy: every function given it
// returns it, part of it or a new string, and none keeps it; what they return is copied into
// s.vals before s.text changes.
func (s *sheetStream) value(typ cellType, style, num, col int) error {
	v := unsafe.String(unsafe.SliceData(s.text), len(s.text))
	switch typ {
	case cellShared:
		if strings.TrimSpace(v) == "" {
			return nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		str, ok, lerr := s.format.sst.getBytes(i)
		if lerr != nil {
			return fmt.Errorf("is damaged: %w", lerr)
		}
		if err != nil || !ok {
			// The value is not echoed: a broken writer may have put the cell's text there.
			return fmt.Errorf("is damaged: cell %s of %s refers to a shared string that is not in its table of %d", rows.Cell(col, num), s.part.Name, s.format.sst.n)
		}
		s.vals = append(s.vals, str...)
		return nil
	case cellString:
		v = unescapeXString(v)
	case cellBool:
		v = boolValue(v)
	case cellError:
		v = strings.TrimSpace(v)
	case cellDate:
		if d, ok := isoDate(v); ok {
			v = d
		}
	default:
		if v == "" {
			return nil
		}
		if style >= 0 && style < len(s.format.dates) && s.format.dates[style] {
			if d, ok := dateValue(v, s.format.date1904); ok {
				v = d
				break
			}
		}
		v = numberValue(v)
	}
	s.vals = append(s.vals, v...)
	return nil
}

// atoi is strconv.Atoi for bytes, without copying them.
func atoi(b []byte) (int, bool) {
	n, err := strconv.Atoi(string(b)) // not copied to the heap: Atoi keeps nothing of it
	return n, err == nil
}

// short cuts an attribute value quoted in an error to a length fit for one line.
func short(s string) string {
	if len(s) > 20 {
		return s[:20] + "..."
	}
	return s
}

// refColumn returns the 0-based column of a cell reference such as "AB12" (or "$AB$12").
func refColumn(ref string) (int, bool) {
	i := 0
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	col, letters := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		if col > maxColumns {
			return 0, false
		}
		col = col*26 + int(c-'a'+1)
		letters++
	}
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	for ; i < len(ref); i++ {
		if ref[i] < '0' || ref[i] > '9' {
			return 0, false
		}
	}
	return col - 1, letters > 0
}
