package reports

// The XLSX report's writer: its masks and limits, and its lifecycle (create, write a line,
// close or abort). The sheet's XML is in xlsx_sheet.go, the zip's parts and temp files in
// xlsx_parts.go, the cell comments and their VML notes in xlsx_notes.go, the text a cell
// may hold in xlsx_text.go, the sheet of leavers in xlsx_missing.go.

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/rosterload/rosterload/ingest/rows"
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
	leavers       *tempPart // the "Missing" sheet's rows; nil until the first leaver
	nleavers      int

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
