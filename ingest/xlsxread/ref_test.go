package xlsxread

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/rosterload/rosterload/ingest/rows"
)

// refSheetStream is the sheet reader as it was before scanner: encoding/xml tokens. It is the
// reference the differential fuzz targets hold the scanner-based sheetStream to.
type refSheetStream struct {
	part   *zip.File
	rc     io.ReadCloser
	cr     *countingReader
	dec    *xml.Decoder
	format cellFormat

	inData  bool // inside <sheetData>
	lastRow int  // the number of the last row read

	text []byte // the text of the cell being read
}

// openSheet starts reading a worksheet part.
func refOpenSheet(part *zip.File, cf cellFormat) (*refSheetStream, error) {
	rc, err := openPart(part)
	if err != nil {
		return nil, err
	}
	s := &refSheetStream{part: part, rc: rc, format: cf}
	s.cr = &countingReader{r: rc, maxToken: maxTokenBytes}
	s.dec = xml.NewDecoder(bufio.NewReaderSize(s.cr, 64<<10))
	s.dec.CharsetReader = charset.NewReaderLabel // as excelize does, for parts not in UTF-8
	return s, nil
}

func (s *refSheetStream) close() error { return closePart(&s.rc) }

// token returns the next XML token, a token whose bytes stay valid until the next call.
func (s *refSheetStream) token() (xml.Token, error) {
	s.cr.setMark()
	tok, err := s.dec.RawToken()
	if err != nil {
		return nil, sheetError(s.part, s.inData, s.lastRow, err)
	}
	return tok, nil
}

// skip reads past the end of the element whose start was just read.
func (s *refSheetStream) skip() error {
	for depth := 1; depth > 0; {
		tok, err := s.token()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// next reads the next row: its number and its cells, indexed by column (A = 0), with only the
// first keep columns kept and no trailing empty cells. It returns errEndOfRows after the last.
func (s *refSheetStream) next(keep int) (int, []string, error) {
	for {
		tok, err := s.token()
		if err == io.EOF {
			return 0, nil, errEndOfRows // no <sheetData>: a sheet without rows
		}
		if err != nil {
			return 0, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case !s.inData && t.Name.Local == "sheetData":
				s.inData = true
			case s.inData && t.Name.Local == "row":
				return s.row(t, keep)
			case s.inData:
				if err := s.skip(); err != nil {
					return 0, nil, err
				}
			}
		case xml.EndElement:
			if s.inData && t.Name.Local == "sheetData" {
				s.inData = false
				return 0, nil, errEndOfRows
			}
		}
	}
}

// row reads a <row> element whose start tag is start.
func (s *refSheetStream) row(start xml.StartElement, keep int) (int, []string, error) {
	num := s.lastRow + 1
	if r, ok := refAttr(start, "r"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil || n < 1 || n > maxRows {
			return 0, nil, fmt.Errorf("is damaged: %s has a row numbered %q, not 1 to %d", s.part.Name, short(r), maxRows)
		}
		num = n
	} else if num > maxRows {
		return 0, nil, fmt.Errorf("is damaged: %s has more than %d rows", s.part.Name, maxRows)
	}
	s.lastRow = num

	var cells []string
	col := -1
	for {
		tok, err := s.token()
		if err != nil {
			return 0, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := s.skip(); err != nil {
					return 0, nil, err
				}
				continue
			}
			var val string
			if col, val, err = s.cell(t, num, col, keep); err != nil {
				return 0, nil, err
			}
			if col < keep && val != "" {
				for len(cells) <= col {
					cells = append(cells, "")
				}
				cells[col] = val
			}
		case xml.EndElement:
			return num, cells, nil
		}
	}
}

// cell reads a <c> element of row num: its column (the one after prev when it has no
// reference) and, when that column is kept, its value as text.
func (s *refSheetStream) cell(start xml.StartElement, num, prev, keep int) (int, string, error) {
	col, style, typ := prev+1, 0, ""
	for _, a := range start.Attr {
		switch a.Name.Local {
		case "r":
			c, ok := refColumn(a.Value)
			if !ok {
				return 0, "", fmt.Errorf("is damaged: %s row %d has a cell reference %q that is not valid", s.part.Name, num, short(a.Value))
			}
			col = c
		case "s":
			if n, err := strconv.Atoi(a.Value); err == nil {
				style = n
			}
		case "t":
			typ = a.Value
		}
	}
	if col >= maxColumns {
		return 0, "", fmt.Errorf("is damaged: %s row %d has a cell beyond column XFD", s.part.Name, num)
	}

	// Collect the value's text: <v>, or for inline strings <is><t> and <is><r><t> (not the
	// phonetic <rPh> runs). path holds the elements open inside <c>.
	s.text = s.text[:0]
	var path [4]string
	depth := 0
	for {
		tok, err := s.token()
		if err != nil {
			return 0, "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth < len(path) {
				path[depth] = t.Name.Local
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				if col >= keep {
					return col, "", nil
				}
				v, err := s.value(typ, style, num, col)
				return col, v, err
			}
			depth--
		case xml.CharData:
			if col < keep && refValueText(path[:min(depth, len(path))], depth) {
				if len(s.text)+len(t) > maxCellBytes {
					return 0, "", fmt.Errorf("is damaged: cell %s of %s holds more than %d MiB of text", rows.Cell(col, num), s.part.Name, maxCellBytes>>20)
				}
				s.text = append(s.text, t...)
			}
		}
	}
}

// valueText reports whether text at path (depth elements deep inside <c>) is the cell's value.
func refValueText(path []string, depth int) bool {
	switch depth {
	case 1:
		return path[0] == "v"
	case 2:
		return path[0] == "is" && path[1] == "t"
	case 3:
		return path[0] == "is" && path[1] == "r" && path[2] == "t"
	}
	return false
}

// value turns the collected text of a cell of type typ and style into its text.
func (s *refSheetStream) value(typ string, style, num, col int) (string, error) {
	v := string(s.text)
	switch typ {
	case "s":
		if strings.TrimSpace(v) == "" {
			return "", nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		str, ok, lerr := s.format.sst.get(i)
		if lerr != nil {
			return "", fmt.Errorf("is damaged: %w", lerr)
		}
		if err != nil || !ok {
			// The value is not echoed: a broken writer may have put the cell's text there.
			return "", fmt.Errorf("is damaged: cell %s of %s refers to a shared string that is not in its table of %d", rows.Cell(col, num), s.part.Name, s.format.sst.n)
		}
		return str, nil
	case "str", "inlineStr":
		return unescapeXString(v), nil
	case "b":
		return boolValue(v), nil
	case "e":
		return strings.TrimSpace(v), nil
	case "d":
		if d, ok := isoDate(v); ok {
			return d, nil
		}
		return v, nil
	}
	if v == "" {
		return "", nil
	}
	if style >= 0 && style < len(s.format.dates) && s.format.dates[style] {
		if d, ok := dateValue(v, s.format.date1904); ok {
			return d, nil
		}
	}
	return numberValue(v), nil
}

// attr returns the value of the attribute named local.
func refAttr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// refLoadSST is loadSST as it was before scanner, with encoding/xml: the reference of the
// differential tests.
func refLoadSST(part *zip.File, limit int64, tmpDir string) (*sharedStrings, error) {
	t, rc, err := openSST(part)
	if rc == nil {
		return t, err
	}
	defer rc.Close()
	cr := &countingReader{r: rc, maxToken: maxTokenBytes}
	dec := xml.NewDecoder(bufio.NewReaderSize(cr, 64<<10))
	dec.CharsetReader = charset.NewReaderLabel

	// path holds the open elements below the root: si, then t or r, then t.
	var path [3]string
	depth := 0 // elements open, the root included
	var text []byte
	for {
		cr.setMark()
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return t, sstError(part, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth >= 1 && depth-1 < len(path) {
				path[depth-1] = e.Name.Local
			}
			if depth == 1 {
				text = text[:0]
			}
			depth++
		case xml.EndElement:
			depth--
			if depth == 1 && path[0] == "si" {
				if err := t.add([]byte(unescapeXString(string(text))), limit, tmpDir); err != nil {
					return t, err
				}
			}
		case xml.CharData:
			in := depth - 1 // elements open below the root
			if path[0] == "si" && (in == 2 && path[1] == "t" || in == 3 && path[1] == "r" && path[2] == "t") {
				if len(text)+len(e) > maxCellBytes {
					return t, fmt.Errorf("is damaged: %s holds a string longer than %d MiB", part.Name, maxCellBytes>>20)
				}
				text = append(text, e...)
			}
		}
	}
	return t, t.done()
}

// countingReader counts what is read through it, and caps how much may be read between two
// calls to setMark, so that a single XML token (one enormous text node or tag) cannot make the
// decoder buffer an unbounded amount: XML decoders hold a whole token in memory.
type countingReader struct {
	r        io.Reader
	n        int64
	mark     int64
	maxToken int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.maxToken > 0 && c.n-c.mark > c.maxToken {
		return 0, errTokenTooLong
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// setMark starts a new token.
func (c *countingReader) setMark() { c.mark = c.n }
