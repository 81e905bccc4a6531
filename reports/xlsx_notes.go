package reports

// Cell comments and the VML shapes Excel needs to show them as notes.

import (
	"strconv"
	"strings"

	"github.com/rosterload/rosterload/validate"
)

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
				p := &l.Warnings[i]
				// A changed cell's note names the field: the message (when it was sent) is
				// the same for every field of the line and is in the problems column.
				text := p.Message
				if p.Code == validate.WarnChanged {
					text = p.Field
				}
				w.note = appendNoteLine(w.note, p.Code, text)
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
