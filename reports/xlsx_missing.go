package reports

// The XLSX report's second sheet, "Missing": the leavers, one per row under a header. Its rows
// go to a temp file as they come and into the zip at Close, like the comments.

import (
	"fmt"
	"strconv"
)

var _ Leavers = (*xlsxWriter)(nil)

// The missing sheet's columns, as leaverHeader names them.
var missingLetters = leaverRow{"A", "B", "C", "D", "E"}

// WriteLeavers adds leavers to the report's "Missing" sheet, which exists only once there is one.
// Call it after the last Write and before Close.
func (w *xlsxWriter) WriteLeavers(ls []Leaver) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return fmt.Errorf("write report %s: the report is already closed", w.file.path)
	}
	if len(ls) == 0 {
		return nil
	}
	if w.nleavers+len(ls) > XLSXMaxDataRows {
		return fmt.Errorf("write report %s: %d leavers: %w", w.file.path, w.nleavers+len(ls), ErrXLSXRowLimit)
	}
	if w.leavers == nil {
		t, err := w.newTemp("missing")
		if err != nil {
			w.err = fmt.Errorf("write report %s: %w", w.file.path, err)
			return w.err
		}
		w.leavers = t
		w.missingRow(1, styleHeader, leaverHeader)
	}
	for _, l := range ls {
		w.nleavers++
		c := l.cells()
		for i := range c {
			c[i] = cleanText(c[i], xlsxMaxCellChars)
		}
		w.missingRow(w.nleavers+1, styleNone, c)
	}
	if _, err := w.leavers.bw.Write(nil); err != nil { // bufio keeps the first write error
		w.err = fmt.Errorf("write report %s: %w", w.file.path, err)
		return w.err
	}
	return nil
}

// missingRow writes one row of the missing sheet; cells are inline strings, never formulas.
func (w *xlsxWriter) missingRow(row int, style uint8, cells leaverRow) {
	b := w.leavers.bw
	num := strconv.AppendInt(w.digits[:0], int64(row), 10)
	b.WriteString(`<row r="`)
	b.Write(num)
	b.WriteString(`">`)
	for i, text := range cells {
		writeCell(b, missingLetters[i], num, style, text)
	}
	b.WriteString(`</row>`)
	w.digits = num
}

// The missing sheet around its rows: the header frozen, columns wide enough for the ids.
const (
	xlsxMissingHead = xmlHeader + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
		`<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>` +
		`<sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="3" width="38" customWidth="1"/><col min="4" max="5" width="12" customWidth="1"/></cols><sheetData>`
	xlsxMissingTail = `</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`
)
