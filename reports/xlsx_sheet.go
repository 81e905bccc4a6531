package reports

// The worksheet part: its head, rows and cells, their highlight styles, and its tail.

import (
	"bufio"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/validate"
)

// Cell styles: indexes into cellXfs of xlsxStyles, written as one digit (so at most ten).
const (
	styleNone          uint8 = iota
	styleHeader              // bold
	styleCellError           // light red: a cell with an error
	styleCellWarn            // light yellow: a cell with warnings only
	styleStatusOK            // green
	styleStatusBad           // red
	styleStatusStop          // amber: NOT_SUBMITTED
	styleStatusChanged       // blue: CHANGED
	styleCellChanged         // light blue: a changed field's cell, when no error names it
)

// start writes the parts that do not depend on the lines, then opens the sheet and writes its
// head and the header row.
func (w *xlsxWriter) start(header []string) error {
	for _, p := range [...]struct{ name, content string }{
		{partRootRels, xlsxRootRels},
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

func (w *xlsxWriter) setRow(row int) { w.num = strconv.AppendInt(w.num[:0], int64(row), 10) }

func (w *xlsxWriter) openRow() {
	w.sw.WriteString(`<row r="`)
	w.sw.Write(w.num)
	w.sw.WriteString(`">`)
}

// cell writes one cell of the current row as an inline string, so that nothing is ever read as
// a number or a formula; an empty cell is written only for its style.
func (w *xlsxWriter) cell(col int, style uint8, text string) {
	writeCell(w.sw, w.letters[col], w.num, style, text)
}

// writeCell writes the cell at column letters and row num of a sheet being written to sw.
func writeCell(sw *bufio.Writer, letters string, num []byte, style uint8, text string) {
	if text == "" && style == styleNone {
		return
	}
	sw.WriteString(`<c r="`)
	sw.WriteString(letters)
	sw.Write(num)
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
// error fill if any error names it, else the changed fill if a "changed" warning does, else the
// warning fill.
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
		if c < 0 {
			continue
		}
		if w.marks[c] == styleNone {
			w.touched = append(w.touched, c)
			w.marks[c] = styleCellWarn
		}
		if p.Code == validate.WarnChanged && w.marks[c] == styleCellWarn {
			w.marks[c] = styleCellChanged
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

	if w.nleavers > 0 {
		if err := w.copyTemp(partMissingSheet, xlsxMissingHead, w.leavers, xlsxMissingTail); err != nil {
			return err
		}
	}
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
	}
	// The hidden defined name is how Excel itself records an autoFilter's range.
	abs := "$A$" + strconv.Itoa(w.headerRow) + ":$" + lastCol + "$" + strconv.Itoa(w.lastRow)
	missingSheet := ""
	if w.nleavers > 0 {
		missingSheet = `<sheet name="Missing" sheetId="2" r:id="rId4"/>`
	}
	workbook := xmlHeader + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<bookViews><workbookView/></bookViews><sheets><sheet name="Report" sheetId="1" r:id="rId1"/>` + missingSheet + `</sheets>` +
		`<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">Report!` + abs + `</definedName></definedNames></workbook>`
	if err := w.writePart(partWorkbook, workbook); err != nil {
		return err
	}
	// Written last, once it is known whether there are comments and leavers; readers find
	// parts by the zip's central directory, not by their order.
	if err := w.writePart(partWorkbookRels, xlsxWorkbookRels(w.nleavers > 0)); err != nil {
		return err
	}
	if err := w.writePart(partContentTypes, xlsxContentTypes(w.ncomments > 0, w.nleavers > 0)); err != nil {
		return err
	}
	return w.zw.Close()
}

func statusStyle(s outcome.Status) uint8 {
	switch s {
	case outcome.Valid, outcome.Created, outcome.Exists, outcome.Skipped:
		return styleStatusOK
	case outcome.Invalid, outcome.Duplicate, outcome.Failed:
		return styleStatusBad
	case outcome.NotSubmitted:
		return styleStatusStop
	case outcome.Changed:
		return styleStatusChanged
	}
	return styleNone
}
