package reports

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/redact"
)

// Mask says how an XLSX report shows one roster column's cells. Whatever the mask, no output of
// rosterload holds a full card number, SSN or tax id, or any card expiry.
type Mask uint8

// The masks.
const (
	// MaskScan shows the cell, except that a card number found in it is masked to its last
	// four digits: for ordinary and unmapped columns, which may hold anything.
	MaskScan Mask = iota
	MaskPAN       // a card number column: "****4242"
	MaskID        // an SSN or tax id column: "***-**-6789"
	MaskDrop      // a card expiry column: never shown
)

// Sheet is the roster an XLSX report copies: its header, where the header was, and how each
// column is shown.
type Sheet struct {
	HeaderRow int      // the header's row number (1 for most files); data rows keep their own
	Header    []string // the header cells as written
	// Masks are by 0-based column; a column past the end is MaskScan. A column whose header
	// repeats a masked column's (same name, ignoring case, spaces, "_", "-" and ".") gets its
	// mask too: a second "SSN" column, which no field takes, holds SSNs all the same.
	Masks []Mask
}

// Excel's limits (and so the report's).
const (
	xlsxMaxRows      = 1048576
	xlsxMaxCols      = 16384
	xlsxMaxCellChars = 32767 // UTF-16 code units, as Excel counts them
	xlsxMaxNoteChars = 32512 // a comment's text, as excelize bounds it
)

// XLSXMaxDataRows is the most data rows an XLSX report of a roster with its header on row 1
// can hold: Excel's 1,048,576 rows less the header.
const XLSXMaxDataRows = xlsxMaxRows - 1

// ErrXLSXRowLimit is what Write returns (wrapped) for a row Excel cannot hold.
var ErrXLSXRowLimit = errors.New("the XLSX report holds at most 1,048,576 rows; use a .csv or .jsonl report")

// The columns an XLSX report adds after the roster's last one, in order.
var xlsxAddedColumns = [...]string{"Onboarding status", "Onboarding problems", "Platform customer ID", "Platform profile ID"}

// Cell styles: indexes into cellXfs of xlsxStyles.
const (
	styleNone       uint8 = iota
	styleHeader           // bold
	styleCellError        // light red: a cell with an error
	styleCellWarn         // light yellow: a cell with warnings only
	styleStatusOK         // green
	styleStatusBad        // red
	styleStatusStop       // amber: NOT_SUBMITTED
)

// The part names, as the package and its relationships name them.
const (
	partContentTypes = "[Content_Types].xml"
	partRootRels     = "_rels/.rels"
	partWorkbook     = "xl/workbook.xml"
	partWorkbookRels = "xl/_rels/workbook.xml.rels"
	partStyles       = "xl/styles.xml"
	partTheme        = "xl/theme/theme1.xml"
	partSheet        = "xl/worksheets/sheet1.xml"
	partSheetRels    = "xl/worksheets/_rels/sheet1.xml.rels"
	partComments     = "xl/comments1.xml"
	partVML          = "xl/drawings/vmlDrawing1.vml"
)

// xlsxWriter streams SpreadsheetML into a zip by hand: excelize's stream writer cannot add
// comments and its ordinary mode keeps the whole sheet in memory, and a report can have a
// million rows. The sheet goes into its zip entry line by line; comments and their VML shapes
// go to temp files beside the report and are copied into the zip by Close, so memory stays flat.
type xlsxWriter struct {
	file     *atomicFile
	zw       *zip.Writer
	sw       *bufio.Writer // the sheet entry
	modified time.Time

	ncols     int      // the roster's columns; the added ones follow
	letters   []string // column letters, roster and added columns
	masks     []Mask
	headerRow int
	lastRow   int // the last row written (the header's at first)

	comments, vml *tempPart // nil until the first comment
	ncomments     int

	// Scratch reused from line to line, so that a line costs few allocations.
	num      []byte  // the row number as text
	marks    []uint8 // per roster column: its style on this line
	touched  []int   // the roster columns marked on this line
	errCols  []int   // per error of the line: its roster column, or -1
	warnCols []int   // per warning of the line: its roster column, or -1
	note     []byte  // a comment's text
	digits   []byte  // a number in a VML shape

	err    error // sticky: once the zip is damaged, nothing more can be written
	closed bool
}

// tempPart is a part of the zip written to a private temp file while the sheet streams.
type tempPart struct {
	f  *os.File
	bw *bufio.Writer
}

// CreateXLSX starts an XLSX report at path: the roster itself, with columns added for the
// outcome, each bad cell highlighted and its problems in a cell comment. The header goes at
// sheet.HeaderRow (1 when unset) and each line at its own row, each source cell in its own
// column, so that a problem's cell ("E17") names the same cell in the report. A roster wider
// than Excel allows, less the four added columns, is an error.
func CreateXLSX(path string, sheet Sheet) (Writer, error) {
	if max := xlsxMaxCols - len(xlsxAddedColumns); len(sheet.Header) > max {
		return nil, fmt.Errorf("report %s: the roster has %d columns and the XLSX report holds at most %d (16,384 with its %d added columns); use a .csv or .jsonl report",
			path, len(sheet.Header), max, len(xlsxAddedColumns))
	}
	headerRow := sheet.HeaderRow
	if headerRow < 1 {
		headerRow = 1
	}
	if headerRow > xlsxMaxRows {
		return nil, fmt.Errorf("report %s: header at row %d: %w", path, headerRow, ErrXLSXRowLimit)
	}
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	zw := zip.NewWriter(f.bw)
	// The fastest level still shrinks repetitive sheet XML about tenfold, at several times
	// the speed of the default level.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	n := len(sheet.Header)
	w := &xlsxWriter{
		file:      f,
		zw:        zw,
		modified:  time.Now(),
		ncols:     n,
		letters:   make([]string, n+len(xlsxAddedColumns)),
		masks:     columnMasks(sheet),
		headerRow: headerRow,
		lastRow:   headerRow,
		marks:     make([]uint8, n),
	}
	for i := range w.letters {
		w.letters[i] = rows.ColumnName(i)
	}
	if err := w.start(sheet.Header); err != nil {
		w.Abort()
		return nil, fmt.Errorf("write report %s: %w", path, err)
	}
	return w, nil
}

func (w *xlsxWriter) Path() string { return w.file.path }

// columnMasks returns the mask of each roster column: sheet.Masks, and for a MaskScan column
// whose header repeats a masked column's, that column's mask.
func columnMasks(sheet Sheet) []Mask {
	masks := make([]Mask, len(sheet.Header))
	copy(masks, sheet.Masks)
	byHeader := map[string]Mask{}
	for i, m := range masks {
		if k := headerKey(sheet.Header[i]); m != MaskScan && k != "" {
			byHeader[k] = max(byHeader[k], m) // the stricter, should two masked columns share a name
		}
	}
	if len(byHeader) == 0 {
		return masks
	}
	for i, m := range masks {
		if m == MaskScan {
			masks[i] = byHeader[headerKey(sheet.Header[i])]
		}
	}
	return masks
}

// headerKey is the form in which two headers are the same column name: lower case, without
// white space, "_", "-" and "." (as the mapper compares them).
func headerKey(h string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == '-' || r == '.' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, h)
}

// entry starts a zip entry.
func (w *xlsxWriter) entry(name string) (io.Writer, error) {
	return w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: w.modified})
}

func (w *xlsxWriter) writePart(name, content string) error {
	e, err := w.entry(name)
	if err != nil {
		return err
	}
	_, err = io.WriteString(e, content)
	return err
}

// start writes the parts that do not depend on the lines, then opens the sheet and writes its
// head and the header row.
func (w *xlsxWriter) start(header []string) error {
	for _, p := range [...]struct{ name, content string }{
		{partRootRels, xlsxRootRels},
		{partWorkbookRels, xlsxWorkbookRels},
		{partStyles, xlsxStyles},
		{partTheme, xlsxTheme},
	} {
		if err := w.writePart(p.name, p.content); err != nil {
			return err
		}
	}
	e, err := w.entry(partSheet)
	if err != nil {
		return err
	}
	w.sw = bufio.NewWriterSize(e, 64<<10)
	sw := w.sw
	sw.WriteString(xmlHeader)
	sw.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`)
	// Freeze the panes below the header, unless the header is the sheet's last row.
	sw.WriteString(`<sheetViews><sheetView tabSelected="1" workbookViewId="0">`)
	if w.headerRow < xlsxMaxRows {
		below := "A" + strconv.Itoa(w.headerRow+1)
		sw.WriteString(`<pane ySplit="` + strconv.Itoa(w.headerRow) + `" topLeftCell="` + below + `" activePane="bottomLeft" state="frozen"/>`)
		sw.WriteString(`<selection pane="bottomLeft" activeCell="` + below + `" sqref="` + below + `"/>`)
	}
	sw.WriteString(`</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>`)
	for i := range w.letters {
		var width int
		if i < w.ncols {
			width = min(max(utf8.RuneCountInString(header[i])+3, 10), 40)
		} else {
			width = [...]int{18, 80, 38, 38}[i-w.ncols]
		}
		col := strconv.Itoa(i + 1)
		sw.WriteString(`<col min="` + col + `" max="` + col + `" width="` + strconv.Itoa(width) + `" customWidth="1"/>`)
	}
	sw.WriteString(`</cols><sheetData>`)

	w.setRow(w.headerRow)
	w.openRow()
	for i, name := range header {
		w.cell(i, styleHeader, cleanText(name, xlsxMaxCellChars))
	}
	for i, name := range xlsxAddedColumns {
		w.cell(w.ncols+i, styleHeader, name)
	}
	sw.WriteString(`</row>`)
	_, err = sw.Write(nil) // bufio keeps the first write error
	return err
}

// Write adds one line at its own row (or, for a row the sheet lists out of order, the next
// free one), below the header.
func (w *xlsxWriter) Write(l *Line) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return fmt.Errorf("write report %s: the report is already closed", w.file.path)
	}
	// A line goes at its own row, so that "E17" in a problem is E17 here too. A sheet may list
	// its rows out of order or repeat a row number (a damaged or hand-made file): such a line
	// goes on the next free row instead, saying which row it is, since every row must be in
	// the report and a sheet's rows can only be written in order.
	at, moved := l.Row, false
	if at <= w.lastRow {
		at, moved = w.lastRow+1, true
	}
	if at > xlsxMaxRows {
		return fmt.Errorf("write report %s: row %d: %w", w.file.path, at, ErrXLSXRowLimit)
	}
	w.lastRow = at
	w.setRow(at)
	w.markCells(l)

	w.openRow()
	for col := 0; col < w.ncols; col++ {
		text := ""
		if col < len(l.Cells) {
			text = w.cellText(col, l.Cells[col])
		}
		// Cells past the header (a malformed row's extra fields) are not shown: their
		// columns are the added ones. The problems column says the row is malformed.
		if style := w.marks[col]; text != "" || style != styleNone {
			w.cell(col, style, text)
		}
	}
	w.cell(w.ncols, statusStyle(l.Status), cleanText(string(l.Status), xlsxMaxCellChars))
	if len(l.Errors)+len(l.Warnings) > 0 || moved {
		problems := JoinProblems(l.Errors)
		if moved {
			where := fmt.Sprintf("row %d of the source sheet, which lists its rows out of order or repeats this row number", l.Row)
			if problems != "" {
				where += ": "
			}
			problems = where + problems
		}
		if len(l.Warnings) > 0 {
			if problems != "" {
				problems += "; "
			}
			problems += JoinProblems(l.Warnings)
		}
		w.cell(w.ncols+1, styleNone, cleanText(problems, xlsxMaxCellChars))
	}
	w.cell(w.ncols+2, styleNone, cleanText(l.CustomerID, xlsxMaxCellChars))
	w.cell(w.ncols+3, styleNone, cleanText(l.ProfileID, xlsxMaxCellChars))
	w.sw.WriteString(`</row>`)

	err := w.writeComments(l)
	for _, c := range w.touched {
		w.marks[c] = styleNone
	}
	if err == nil {
		_, err = w.sw.Write(nil)
	}
	if err != nil {
		w.err = fmt.Errorf("write report %s: %w", w.file.path, err)
		return w.err
	}
	return nil
}

func (w *xlsxWriter) setRow(row int) { w.num = strconv.AppendInt(w.num[:0], int64(row), 10) }

func (w *xlsxWriter) openRow() {
	w.sw.WriteString(`<row r="`)
	w.sw.Write(w.num)
	w.sw.WriteString(`">`)
}

// cell writes one cell of the current row as an inline string, so that nothing is ever read as
// a number or a formula; an empty cell is written only for its style.
func (w *xlsxWriter) cell(col int, style uint8, text string) {
	if text == "" && style == styleNone {
		return
	}
	sw := w.sw
	sw.WriteString(`<c r="`)
	sw.WriteString(w.letters[col])
	sw.Write(w.num)
	sw.WriteByte('"')
	if style != styleNone {
		sw.WriteString(` s="`)
		sw.WriteByte('0' + style)
		sw.WriteByte('"')
	}
	if text == "" {
		sw.WriteString(`/>`)
		return
	}
	sw.WriteString(` t="inlineStr"><is>`)
	writeT(sw, text)
	sw.WriteString(`</is></c>`)
}

// cellText is a roster cell as the report shows it, by its column's mask.
func (w *xlsxWriter) cellText(col int, s string) string {
	mask := MaskScan
	if col < len(w.masks) {
		mask = w.masks[col]
	}
	switch mask {
	case MaskDrop:
		return ""
	case MaskPAN:
		if strings.TrimSpace(s) == "" {
			return ""
		}
		return redact.PAN(s)
	case MaskID:
		if strings.TrimSpace(s) == "" {
			return ""
		}
		return redact.ID(s)
	}
	return cleanText(s, xlsxMaxCellChars)
}

// markCells finds the roster cells the line's problems name, and the style each gets: the
// error fill if any error names it, else the warning fill.
func (w *xlsxWriter) markCells(l *Line) {
	w.touched = w.touched[:0]
	w.errCols = w.errCols[:0]
	w.warnCols = w.warnCols[:0]
	for _, p := range l.Errors {
		c := w.problemCol(p.Cell, l.Row)
		w.errCols = append(w.errCols, c)
		if c >= 0 {
			if w.marks[c] == styleNone {
				w.touched = append(w.touched, c)
			}
			w.marks[c] = styleCellError
		}
	}
	for _, p := range l.Warnings {
		c := w.problemCol(p.Cell, l.Row)
		w.warnCols = append(w.warnCols, c)
		if c >= 0 && w.marks[c] == styleNone {
			w.touched = append(w.touched, c)
			w.marks[c] = styleCellWarn
		}
	}
	slices.Sort(w.touched)
}

// problemCol returns the roster column of a problem's cell reference ("E17") when it is in row
// and within the roster's columns, else -1: no cell, "row 17" (a malformed row), another row.
func (w *xlsxWriter) problemCol(ref string, row int) int {
	col, i := 0, 0
	for ; i < len(ref) && i < 3; i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a') + 1
	}
	if i == 0 || i == len(ref) || ref[i] == '0' {
		return -1
	}
	n := 0
	for _, c := range []byte(ref[i:]) {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
		if n > xlsxMaxRows {
			return -1
		}
	}
	if n != row || col > w.ncols {
		return -1
	}
	return col - 1
}

// writeComments writes one comment per marked cell, listing its problems, errors first.
func (w *xlsxWriter) writeComments(l *Line) error {
	if len(w.touched) == 0 {
		return nil
	}
	if w.comments == nil {
		var err error
		if w.comments, err = w.newTemp("comments"); err != nil {
			return err
		}
		if w.vml, err = w.newTemp("vml"); err != nil {
			return err
		}
	}
	for _, c := range w.touched {
		w.note = w.note[:0]
		lines := 0
		for i, pc := range w.errCols {
			if pc == c {
				w.note = appendNoteLine(w.note, l.Errors[i].Code, l.Errors[i].Message)
				lines++
			}
		}
		for i, pc := range w.warnCols {
			if pc == c {
				w.note = appendNoteLine(w.note, l.Warnings[i].Code, l.Warnings[i].Message)
				lines++
			}
		}
		text := cleanText(strings.TrimSuffix(string(w.note), "\n"), xlsxMaxNoteChars)
		w.ncomments++

		cw := w.comments.bw
		cw.WriteString(`<comment ref="`)
		cw.WriteString(w.letters[c])
		cw.Write(w.num)
		cw.WriteString(`" authorId="0"><text>`)
		writeT(cw, text)
		cw.WriteString(`</text></comment>`)
		w.writeShape(c, w.lastRow, lines)
	}
	if _, err := w.comments.bw.Write(nil); err != nil {
		return err
	}
	_, err := w.vml.bw.Write(nil)
	return err
}

func appendNoteLine(b []byte, code, message string) []byte {
	b = append(b, code...)
	b = append(b, ": "...)
	b = append(b, message...)
	return append(b, '\n')
}

// writeShape writes the VML shape Excel needs to show a comment: a hidden note box anchored
// beside the cell, tall enough for its lines.
func (w *xlsxWriter) writeShape(col, row, lines int) {
	const boxCols = 2
	boxRows := min(max(lines+1, 4), 20)
	col0, row0 := col+1, row-2 // the box's top-left cell, 0-based: right of the cell, a row up
	col0 = min(col0, xlsxMaxCols-1-boxCols)
	row0 = max(min(row0, xlsxMaxRows-1-boxRows), 0)

	b := w.vml.bw
	itoa := func(n int) {
		w.digits = strconv.AppendInt(w.digits[:0], int64(n), 10)
		b.Write(w.digits)
	}
	b.WriteString(`<v:shape id="_x0000_s`)
	itoa(1024 + w.ncomments)
	b.WriteString(`" type="#_x0000_t202" style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:108pt;height:`)
	itoa(boxRows * 15)
	b.WriteString(`pt;z-index:`)
	itoa(w.ncomments)
	b.WriteString(`;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>`)
	itoa(col0)
	b.WriteString(`, 15, `)
	itoa(row0)
	b.WriteString(`, 10, `)
	itoa(col0 + boxCols)
	b.WriteString(`, 15, `)
	itoa(row0 + boxRows)
	b.WriteString(`, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>`)
	itoa(row - 1)
	b.WriteString(`</x:Row><x:Column>`)
	itoa(col)
	b.WriteString(`</x:Column></x:ClientData></v:shape>`)
}

func (w *xlsxWriter) newTemp(what string) (*tempPart, error) {
	dir, base := filepath.Split(w.file.path)
	if dir == "" {
		dir = "."
	}
	// CreateTemp makes the file with mode 0600: comments quote problems about personal data.
	f, err := os.CreateTemp(dir, "."+base+"."+what+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &tempPart{f: f, bw: bufio.NewWriterSize(f, 64<<10)}, nil
}

// copyTemp writes head, the temp file's content and tail as one zip entry.
func (w *xlsxWriter) copyTemp(name, head string, t *tempPart, tail string) error {
	if err := t.bw.Flush(); err != nil {
		return err
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	e, err := w.entry(name)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(e, head); err != nil {
		return err
	}
	if _, err := io.Copy(e, t.f); err != nil {
		return err
	}
	_, err = io.WriteString(e, tail)
	return err
}

func (w *xlsxWriter) removeTemps() {
	for _, t := range []*tempPart{w.comments, w.vml} {
		if t != nil {
			t.f.Close()
			os.Remove(t.f.Name())
		}
	}
	w.comments, w.vml = nil, nil
}

// Close finishes the sheet, adds the comments and the parts that depend on the lines, and
// renames the report into place.
func (w *xlsxWriter) Close() error {
	if w.closed {
		return w.err
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	w.closed = true
	err := w.finish()
	w.removeTemps()
	if err != nil {
		w.file.abort()
		w.err = fmt.Errorf("write report %s: %w", w.file.path, err)
		return w.err
	}
	if err := w.file.commit(); err != nil {
		w.err = err
		return err
	}
	return nil
}

func (w *xlsxWriter) finish() error {
	lastCol := w.letters[len(w.letters)-1]
	filter := "A" + strconv.Itoa(w.headerRow) + ":" + lastCol + strconv.Itoa(w.lastRow)
	sw := w.sw
	sw.WriteString(`</sheetData><autoFilter ref="` + filter + `"/>`)
	sw.WriteString(`<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>`)
	if w.ncomments > 0 {
		sw.WriteString(`<legacyDrawing r:id="rId1"/>`)
	}
	sw.WriteString(`</worksheet>`)
	if err := sw.Flush(); err != nil {
		return err
	}

	types := xlsxContentTypes
	if w.ncomments > 0 {
		if err := w.writePart(partSheetRels, xlsxSheetRels); err != nil {
			return err
		}
		head := xmlHeader + `<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>rosterload</author></authors><commentList>`
		if err := w.copyTemp(partComments, head, w.comments, `</commentList></comments>`); err != nil {
			return err
		}
		if err := w.copyTemp(partVML, vmlHead(w.ncomments), w.vml, `</xml>`); err != nil {
			return err
		}
		types = xlsxContentTypesComments
	}
	// The hidden defined name is how Excel itself records an autoFilter's range.
	abs := "$A$" + strconv.Itoa(w.headerRow) + ":$" + lastCol + "$" + strconv.Itoa(w.lastRow)
	workbook := xmlHeader + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<bookViews><workbookView/></bookViews><sheets><sheet name="Report" sheetId="1" r:id="rId1"/></sheets>` +
		`<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Report!` + abs + `</definedName></definedNames></workbook>`
	if err := w.writePart(partWorkbook, workbook); err != nil {
		return err
	}
	// Written last, once it is known whether there are comments; readers find parts by the
	// zip's central directory, not by their order.
	if err := w.writePart(partContentTypes, types); err != nil {
		return err
	}
	return w.zw.Close()
}

// Abort removes the report and its temp files.
func (w *xlsxWriter) Abort() error {
	if w.closed && w.err == nil {
		return nil // already committed: nothing of ours is left to remove
	}
	wasClosed := w.closed
	w.closed = true
	if w.err == nil {
		w.err = fmt.Errorf("write report %s: aborted", w.file.path)
	}
	w.removeTemps()
	if wasClosed {
		return nil // Close failed and already removed the temp file
	}
	return w.file.abort()
}

// vmlHead opens the VML drawing. Shape ids come in blocks of 1024 and the idmap lists every
// block the shapes use (ids 1025 on are blocks 1, 2, …).
func vmlHead(shapes int) string {
	var b strings.Builder
	b.WriteString(`<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="`)
	for blk := 1; blk <= (1024+shapes)/1024; blk++ {
		if blk > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(blk))
	}
	b.WriteString(`"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>`)
	return b.String()
}

func statusStyle(s Status) uint8 {
	switch s {
	case Valid, Created, Exists, Skipped:
		return styleStatusOK
	case Invalid, Duplicate, Failed:
		return styleStatusBad
	case NotSubmitted:
		return styleStatusStop
	}
	return styleNone
}

// cleanText makes s fit for a cell or comment: characters XML 1.0 does not allow dropped
// (invalid UTF-8 becomes U+FFFD), card numbers and SSNs written as such (123-45-6789) masked,
// since a roster column that no field takes, a second SSN column or a note is shown through
// here, and at most limit characters, the last "…" when cut. Text that needs none of it comes
// back as it is, without allocating.
func cleanText(s string, limit int) string {
	s = scanPersonal(xmlChars(s))
	if t, cut := truncateUTF16(s, limit); cut {
		// Cutting may leave the start of a longer digit run that is a card number or an SSN
		// by itself.
		s = scanPersonal(t)
	}
	return s
}

func scanPersonal(s string) string { return redact.Text(s) }

// xmlChars returns s without the characters XML 1.0 does not allow: control characters other
// than tab, LF and CR, U+FFFE and U+FFFF; invalid UTF-8 becomes U+FFFD.
func xmlChars(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return rebuildXMLChars(s, i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			return rebuildXMLChars(s, i)
		}
		i += size
	}
	return s
}

func rebuildXMLChars(s string, from int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:from])
	for i := from; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncateUTF16 cuts s to at most limit UTF-16 code units (Excel's measure), ending it with "…"
// when it cuts.
func truncateUTF16(s string, limit int) (string, bool) {
	if len(s) <= limit { // a UTF-16 unit takes at least one byte of UTF-8
		return s, false
	}
	units := 0
	cut := -1
	for i, r := range s {
		u := 1
		if r > 0xFFFF {
			u = 2
		}
		if cut < 0 && units+u > limit-1 {
			cut = i // where "…" goes, if the whole does not fit
		}
		units += u
		if units > limit {
			return s[:cut] + "…", true
		}
	}
	return s, false
}

// writeT writes text as a <t> element: XML-escaped, CR kept as a character reference (a parser
// would turn a bare one into LF), and a literal "_x0041_" escaped as Excel does ("_x005F_x0041_")
// so that Excel does not read it as an escaped character.
func writeT(b *bufio.Writer, s string) {
	if s != "" && (isSpace(s[0]) || isSpace(s[len(s)-1]) || strings.IndexByte(s, '\n') >= 0) {
		b.WriteString(`<t xml:space="preserve">`)
	} else {
		b.WriteString(`<t>`)
	}
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		case '_':
			if isExcelEscape(s[i:]) {
				esc = "_x005F_"
			}
		}
		if esc != "" {
			b.WriteString(s[last:i])
			b.WriteString(esc)
			last = i + 1
		}
	}
	b.WriteString(s[last:])
	b.WriteString(`</t>`)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isExcelEscape reports whether s starts with "_xHHHH_".
func isExcelEscape(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const xlsxRootRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
	`</Relationships>`

const xlsxWorkbookRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="theme/theme1.xml"/>` +
	`</Relationships>`

const xlsxSheetRels = xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments1.xml"/>` +
	`</Relationships>`

const xlsxContentTypesHead = xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>`

const xlsxContentTypesParts = `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
	`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
	`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
	`<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>`

const xlsxContentTypes = xlsxContentTypesHead + xlsxContentTypesParts + `</Types>`

const xlsxContentTypesComments = xlsxContentTypesHead +
	`<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>` +
	xlsxContentTypesParts +
	`<Override PartName="/xl/comments1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>` +
	`</Types>`

// xlsxStyles: cellXfs in the order of the style constants. Fills 2.. are the highlight colours:
// Excel's own "Bad" and "Good" shades, a light yellow for warnings and an amber.
const xlsxStyles = xmlHeader + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="2">` +
	`<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>` +
	`<font><b/><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>` +
	`</fonts>` +
	`<fills count="6">` +
	`<fill><patternFill patternType="none"/></fill>` +
	`<fill><patternFill patternType="gray125"/></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFFFC7CE"/><bgColor indexed="64"/></patternFill></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF99"/><bgColor indexed="64"/></patternFill></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFC6EFCE"/><bgColor indexed="64"/></patternFill></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFFFC000"/><bgColor indexed="64"/></patternFill></fill>` +
	`</fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="7">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
	`<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>` +
	`<xf numFmtId="0" fontId="0" fillId="3" borderId="0" xfId="0" applyFill="1"/>` +
	`<xf numFmtId="0" fontId="0" fillId="4" borderId="0" xfId="0" applyFill="1"/>` +
	`<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>` +
	`<xf numFmtId="0" fontId="0" fillId="5" borderId="0" xfId="0" applyFill="1"/>` +
	`</cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>` +
	`</styleSheet>`

// xlsxTheme is a minimal Office theme: the styles refer to its colours and fonts, and readers
// (excelize among them) resolve colours through it.
const xlsxTheme = xmlHeader + `<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme"><a:themeElements>` +
	`<a:clrScheme name="Office">` +
	`<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1><a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>` +
	`<a:dk2><a:srgbClr val="44546A"/></a:dk2><a:lt2><a:srgbClr val="E7E6E6"/></a:lt2>` +
	`<a:accent1><a:srgbClr val="4472C4"/></a:accent1><a:accent2><a:srgbClr val="ED7D31"/></a:accent2>` +
	`<a:accent3><a:srgbClr val="A5A5A5"/></a:accent3><a:accent4><a:srgbClr val="FFC000"/></a:accent4>` +
	`<a:accent5><a:srgbClr val="5B9BD5"/></a:accent5><a:accent6><a:srgbClr val="70AD47"/></a:accent6>` +
	`<a:hlink><a:srgbClr val="0563C1"/></a:hlink><a:folHlink><a:srgbClr val="954F72"/></a:folHlink>` +
	`</a:clrScheme>` +
	`<a:fontScheme name="Office">` +
	`<a:majorFont><a:latin typeface="Calibri Light"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>` +
	`<a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont>` +
	`</a:fontScheme>` +
	`<a:fmtScheme name="Office">` +
	`<a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:fillStyleLst>` +
	`<a:lnStyleLst><a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln><a:ln w="12700"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln><a:ln w="19050"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln></a:lnStyleLst>` +
	`<a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst>` +
	`<a:bgFillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:bgFillStyleLst>` +
	`</a:fmtScheme>` +
	`</a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>`
