package xlsxread

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/ingest/rows"
)

// rawBook is a workbook written by hand, part by part, for the cell forms excelize does not
// write (inline strings, t="d", cached formula results, exponents, rich text) and for damaged
// or hostile files.
type rawBook struct {
	sheets   []rawSheet
	sst      []string // the inner XML of each <si>
	numFmts  string   // <numFmt .../> elements
	xfs      []int    // numFmtId of each cell style; style 0 is General when nil
	date1904 bool
	omit     map[string]bool   // part names to leave out
	extra    map[string]string // more parts, or replacements
	rootRels string            // replaces _rels/.rels
}

type rawSheet struct {
	name  string
	state string // "", "hidden", "veryHidden"
	kind  string // "" worksheet, or "chartsheet"
	data  string // the inner XML of <sheetData>
}

const nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

func (b rawBook) parts() map[string]string {
	p := map[string]string{}
	p["[Content_Types].xml"] = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/></Types>`
	p["_rels/.rels"] = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	if b.rootRels != "" {
		p["_rels/.rels"] = b.rootRels
	}
	var wb, rels strings.Builder
	wb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="` + nsMain + `" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`)
	if b.date1904 {
		wb.WriteString(`<workbookPr date1904="1"/>`)
	}
	wb.WriteString(`<sheets>`)
	rels.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i, s := range b.sheets {
		state := ""
		if s.state != "" {
			state = ` state="` + s.state + `"`
		}
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, s.name, i+1, state, i+10)
		kind, dir := "worksheet", "worksheets"
		if s.kind != "" {
			kind, dir = s.kind, s.kind+"s"
		}
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/%s" Target="%s/sheet%d.xml"/>`, i+10, kind, dir, i+1)
		p[fmt.Sprintf("xl/%s/sheet%d.xml", dir, i+1)] = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="` + nsMain + `"><sheetData>` + s.data + `</sheetData></worksheet>`
	}
	wb.WriteString(`</sheets></workbook>`)
	rels.WriteString(`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`)
	if b.sst != nil {
		rels.WriteString(`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`)
		var sst strings.Builder
		fmt.Fprintf(&sst, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="%s" count="%d" uniqueCount="%d">`, nsMain, len(b.sst), len(b.sst))
		for _, si := range b.sst {
			sst.WriteString("<si>" + si + "</si>")
		}
		sst.WriteString("</sst>")
		p["xl/sharedStrings.xml"] = sst.String()
	}
	rels.WriteString(`</Relationships>`)
	p["xl/workbook.xml"] = wb.String()
	p["xl/_rels/workbook.xml.rels"] = rels.String()

	var st strings.Builder
	st.WriteString(`<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="` + nsMain + `">`)
	if b.numFmts != "" {
		st.WriteString(`<numFmts>` + b.numFmts + `</numFmts>`)
	}
	st.WriteString(`<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>`)
	st.WriteString(`<fills count="1"><fill><patternFill patternType="none"/></fill></fills>`)
	st.WriteString(`<borders count="1"><border/></borders>`)
	st.WriteString(`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`)
	xfs := b.xfs
	if xfs == nil {
		xfs = []int{0}
	}
	fmt.Fprintf(&st, `<cellXfs count="%d">`, len(xfs))
	for _, id := range xfs {
		fmt.Fprintf(&st, `<xf numFmtId="%d" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`, id)
	}
	st.WriteString(`</cellXfs></styleSheet>`)
	p["xl/styles.xml"] = st.String()

	for name, body := range b.extra {
		p[name] = body
	}
	for name := range b.omit {
		delete(p, name)
	}
	return p
}

// bytes writes the workbook as a zip.
func (b rawBook) bytes(t testing.TB) []byte {
	t.Helper()
	return zipParts(t, b.parts())
}

// zipParts zips parts, the content types first as Excel does.
func zipParts(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	sortParts(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, parts[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sortParts(names []string) {
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && partLess(names[j], names[j-1]); j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
}

func partLess(a, b string) bool {
	if a == "[Content_Types].xml" || b == "[Content_Types].xml" {
		return a == "[Content_Types].xml"
	}
	return a < b
}

// writeBomb writes a workbook whose one sheet is valid XML that inflates to about size bytes:
// the rows are followed by white space, which deflate packs about 1000 to 1. The deflate stream
// is made by compressing one chunk and repeating its compressed form: every repetition starts
// from the same window (the chunk before it), so it inflates to the same bytes. declared is the
// size the sheet's zip header states: size itself for an honest bomb, less for a lying one.
func writeBomb(w io.Writer, size uint64, declared func(actual uint64) uint64) error {
	prefix := `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="` + nsMain + `"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Employee ID</t></is></c></row>`
	suffix := `</sheetData></worksheet>`
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	n := size / uint64(len(chunk))
	if n < 2 {
		return errors.New("bomb too small")
	}

	// Flush ends each piece on a byte boundary with all its input emitted.
	var out bytes.Buffer
	fw, _ := flate.NewWriter(&out, flate.BestCompression)
	piece := func(data ...[]byte) []byte {
		for _, d := range data {
			fw.Write(d)
		}
		fw.Flush()
		b := bytes.Clone(out.Bytes())
		out.Reset()
		return b
	}
	head := piece([]byte(prefix), chunk)
	rep := piece(chunk)
	fw.Write([]byte(suffix))
	fw.Close()
	tail := out.Bytes()

	crc := crc32.NewIEEE()
	crc.Write([]byte(prefix))
	for range n {
		crc.Write(chunk)
	}
	crc.Write([]byte(suffix))
	actual := uint64(len(prefix)) + n*uint64(len(chunk)) + uint64(len(suffix))
	compressed := uint64(len(head)) + (n-1)*uint64(len(rep)) + uint64(len(tail))

	parts := rawBook{sheets: []rawSheet{{name: "Sheet1"}}}.parts()
	delete(parts, "xl/worksheets/sheet1.xml")
	zw := zip.NewWriter(w)
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	sortParts(names)
	for _, name := range names {
		pw, err := zw.Create(name)
		if err != nil {
			return err
		}
		io.WriteString(pw, parts[name])
	}
	pw, err := zw.CreateRaw(&zip.FileHeader{
		Name:               "xl/worksheets/sheet1.xml",
		Method:             zip.Deflate,
		CRC32:              crc.Sum32(),
		CompressedSize64:   compressed,
		UncompressedSize64: declared(actual),
	})
	if err != nil {
		return err
	}
	pw.Write(head)
	for range n - 1 {
		pw.Write(rep)
	}
	pw.Write(tail)
	return zw.Close()
}

// readAll reads a whole sheet: the rows, and the error that ended reading (nil for io.EOF).
func readAll(t testing.TB, r *Reader) ([]rows.Row, error) {
	t.Helper()
	var out []rows.Row
	for range maxRows + 1 {
		row, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, row)
	}
	t.Fatal("reader did not end")
	return nil, nil
}

// openBytes opens a workbook held in memory.
func openBytes(b []byte, opts Options) (*Reader, error) {
	return OpenReader(bytes.NewReader(b), int64(len(b)), "test.xlsx", opts)
}
