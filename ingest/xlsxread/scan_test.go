package xlsxread

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/net/html/charset"
)

// scanTokens describes the tokens the scanner reads from r, then the error that stopped it.
func scanTokens(r io.Reader) []string {
	sc := newScanner(r, 0, charset.NewReaderLabel)
	var out []string
	for range 20000 {
		err := sc.next()
		if err != nil {
			return append(out, describeErr(err))
		}
		switch sc.kind {
		case tokStart:
			d := fmt.Sprintf("<%q", sc.name)
			for _, a := range sc.attrs {
				d += fmt.Sprintf(" %q=%q", a.name, a.value)
			}
			out = append(out, d)
		case tokEnd:
			out = append(out, fmt.Sprintf("</%q", sc.name))
		case tokText:
			if len(sc.text) > 0 {
				out = append(out, fmt.Sprintf("text %q", sc.text))
			}
		default:
			out = append(out, "other")
		}
	}
	return append(out, "...")
}

// refTokens describes, as scanTokens does, the tokens encoding/xml's RawToken reads.
func refTokens(r io.Reader) []string {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = charset.NewReaderLabel
	var out []string
	for range 20000 {
		tok, err := dec.RawToken()
		if err != nil {
			return append(out, describeErr(err))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			d := fmt.Sprintf("<%q", t.Name.Local)
			for _, a := range t.Attr {
				d += fmt.Sprintf(" %q=%q", a.Name.Local, a.Value)
			}
			out = append(out, d)
		case xml.EndElement:
			out = append(out, fmt.Sprintf("</%q", t.Name.Local))
		case xml.CharData:
			if len(t) > 0 { // encoding/xml may also give nil for an empty CDATA section
				out = append(out, fmt.Sprintf("text %q", []byte(t)))
			}
		case nil:
		default:
			out = append(out, "other")
		}
	}
	return append(out, "...")
}

func describeErr(err error) string {
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return "syntax error: " + syn.Msg
	}
	return "error: " + err.Error()
}

// checkTokens compares the scanner with encoding/xml on data, read whole and a byte at a time
// (so that every token also straddles the scanner's buffer refills).
func checkTokens(t *testing.T, data []byte) []string {
	t.Helper()
	want := refTokens(bytes.NewReader(data))
	for _, src := range []struct {
		name string
		r    io.Reader
	}{
		{"whole", bytes.NewReader(data)},
		{"one byte at a time", iotest.OneByteReader(bytes.NewReader(data))},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(data))},
	} {
		if got := scanTokens(src.r); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: scanner tokens differ from encoding/xml on %q:\n got %q\nwant %q", src.name, data, got, want)
		}
	}
	return want
}

// TestScannerTokens: the SpreadsheetML forms writers emit, and malformed XML, tokenise as
// encoding/xml tokenises them.
func TestScannerTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		xml  string
		want string // a token or error that must be among those read
	}{
		{"attributes in any order, either quote", `<c t='inlineStr' s="1" r='B2'><is><t>x</t></is></c>`, `<"c" "t"="inlineStr" "s"="1" "r"="B2"`},
		{"namespace prefixes", `<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>`, `</"c"`},
		{"self-closing", `<row r="1"/><c r="A1"/>`, `</"row"`},
		{"entities", `<t>a&amp;b&lt;&gt;&quot;&apos;&#65;&#x42;&#x1F600;</t>`, `text "a&b<>\"'AB😀"`},
		{"entities in attributes", `<c r="&#65;1" t="&quot;s&quot;"/>`, `<"c" "r"="A1" "t"="\"s\""`},
		{"xml:space", `<t xml:space="preserve">  two  </t>`, `<"t" "space"="preserve"`},
		{"CDATA", `<v><![CDATA[1<2 & ]] ]]></v>`, `text "1<2 & ]] "`},
		{"line ends", "<t>a\r\nb\rc\n</t>", `text "a\nb\nc\n"`},
		{"comments, processing instructions, a doctype", `<?xml version="1.0"?><!-- c --><!DOCTYPE x [<!ENTITY a "b"> <!-- > -->]><r/>`, `<"r"`},
		{"a declared 8-bit encoding", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>D\xedaz</t>", `text "Díaz"`},
		{"white space around names", "<c  r = \"A1\"\n\t></c >", `</"c"`},
		{"non-ASCII names", `<données é="1"/>`, `<"données" "é"="1"`},
		{"an unknown entity", `<t>&nbsp;</t>`, "syntax error: invalid character entity &nbsp;"},
		{"an entity without semicolon", `<t>&#65</t>`, "syntax error: invalid character entity &#65 (no semicolon)"},
		{"a NUL character reference", `<t>&#0;</t>`, "syntax error: illegal character code U+0000"},
		{"an unquoted attribute", `<c r=A1/>`, "syntax error: unquoted or missing attribute value in element"},
		{"an attribute without value", `<c r/>`, "syntax error: attribute name without = in element"},
		{"< in an attribute", `<c r="<"/>`, "syntax error: unescaped < inside quoted string"},
		{"]]> in text", `<t>]]></t>`, "syntax error: unescaped ]]> not in CDATA section"},
		{"two colons", `<a:b:c/>`, "syntax error: expected element name after <"},
		{"a name starting with a digit", `<1c/>`, "syntax error: invalid XML name: 1c"},
		{"a bad end tag", `<c></c x>`, "syntax error: invalid characters between </c and >"},
		{"-- in a comment", `<!-- a -- b -->`, `syntax error: invalid sequence "--" not allowed in comments`},
		{"invalid UTF-8", "<t>\xff</t>", "syntax error: invalid UTF-8"},
		{"a control character", "<t>\x01</t>", "syntax error: illegal character code U+0001"},
		{"cut in a tag", `<row r="1`, "syntax error: unexpected EOF"},
		{"cut in CDATA", `<v><![CDATA[1`, "syntax error: unexpected EOF in CDATA section"},
		{"an unsupported version", `<?xml version="1.1"?><r/>`, `error: xml: unsupported version "1.1"; only version 1.0 is supported`},
		{"an unknown encoding", `<?xml version="1.0" encoding="klingon"?><r/>`, `error: xml: opening charset "klingon": unsupported charset: "klingon"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := checkTokens(t, []byte(tt.xml))
			found := false
			for _, tok := range got {
				found = found || tok == tt.want
			}
			if !found {
				t.Errorf("tokens %q lack %q", got, tt.want)
			}
		})
	}
}

// TestScannerTokenLimit: a token longer than the limit stops the scanner, however it is read.
func TestScannerTokenLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		xml  string
	}{
		{"a long attribute", `<c r="` + strings.Repeat("x", 300<<10) + `"/>`},
		{"a long text", `<t>` + strings.Repeat("x", 300<<10) + `</t>`},
		{"a long comment", `<!--` + strings.Repeat("x", 300<<10) + `-->`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := newScanner(strings.NewReader(tt.xml), 100<<10, nil)
			var err error
			for err == nil {
				err = sc.next()
			}
			if !errors.Is(err, errTokenTooLong) {
				t.Fatalf("error = %v, want errTokenTooLong", err)
			}
		})
	}
}

// sheetSeeds are worksheets' XML: from every committed workbook, and written for the fuzzers.
func sheetSeeds(t testing.TB) [][]byte {
	t.Helper()
	var seeds [][]byte
	files, _ := filepath.Glob(filepath.Join(fixtureDir, "*.xlsx"))
	for _, name := range files {
		if strings.Contains(name, "bomb") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			continue
		}
		for _, f := range zr.File {
			if strings.HasSuffix(f.Name, ".xml") && f.UncompressedSize64 < 1<<20 {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				data, _ := io.ReadAll(rc)
				rc.Close()
				seeds = append(seeds, data)
			}
		}
	}
	for _, data := range []string{
		rawCellsData,
		`<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>ID</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2" s="1"><x:v>31121</x:v></x:c></x:row>`,
		`<row r="1"><c r="B1" t="s"><v> 2 </v></c><c r="A1" t="inlineStr"><is><t>a&amp;b</t></is></c><c/><c r="A1"><v>7</v></c></row><row/><row r='3'><c t='b'><v>true</v></c></row>`,
		`<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<x>]]></t></is></c><c r="C1" t="str"><f>A1</f><v>_x000D_</v></c></row>`,
	} {
		seeds = append(seeds, []byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>`+data+`</sheetData></worksheet>`))
	}
	return seeds
}

// FuzzScanner compares the scanner's tokens with encoding/xml's on any input.
func FuzzScanner(f *testing.F) {
	for _, s := range sheetSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkTokens(t, data)
	})
}

// storedPart zips data as the one part xl/worksheets/sheet1.xml, stored, and returns it.
func storedPart(t testing.TB, data []byte) *zip.File {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr.File[0]
}

// checkSheet reads data as a worksheet with the scanner-based reader and with the reference
// (encoding/xml) one, the first row with every column kept then keep columns, and compares
// every row and error; and data as a shared-string table, with both loaders.
func checkSheet(t *testing.T, data []byte, keep int) {
	t.Helper()
	sst := &sharedStrings{}
	for _, s := range []string{"zero", "", "two & two", "Díaz"} {
		if err := sst.add([]byte(s), 1<<20, ""); err != nil {
			t.Fatal(err)
		}
	}
	cf := cellFormat{sst: sst, dates: []bool{false, true, false, true}}
	part := storedPart(t, data)
	got, err := openSheet(part, cf)
	if err != nil {
		t.Fatal(err)
	}
	defer got.close()
	want, err := refOpenSheet(part, cf)
	if err != nil {
		t.Fatal(err)
	}
	defer want.close()
	k := maxColumns
	for i := range 10000 {
		gn, gc, gerr := got.next(k)
		wn, wc, werr := want.next(k)
		if gn != wn || !reflect.DeepEqual(gc, wc) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("row %d (keep %d) of %q:\n got %d %q %v\nwant %d %q %v", i, k, data, gn, gc, gerr, wn, wc, werr)
		}
		if werr != nil {
			break
		}
		k = keep
	}

	tg, gerr := loadSST(part, 1<<20, "")
	defer tg.close()
	tw, werr := refLoadSST(part, 1<<20, "")
	defer tw.close()
	if fmt.Sprint(gerr) != fmt.Sprint(werr) || tg.n != tw.n {
		t.Fatalf("shared strings of %q: got %d, %v; want %d, %v", data, tg.n, gerr, tw.n, werr)
	}
	for i := range tg.n {
		g, _, _ := tg.get(i)
		w, _, _ := tw.get(i)
		if g != w {
			t.Fatalf("shared string %d of %q = %q, want %q", i, data, g, w)
		}
	}
}

// TestSheetMatchesReference: every committed workbook's parts and the seeds read the same rows,
// and the same shared strings, as with encoding/xml.
func TestSheetMatchesReference(t *testing.T) {
	t.Parallel()
	for i, data := range sheetSeeds(t) {
		for _, keep := range []int{0, 1, 3, 20} {
			t.Run(fmt.Sprintf("seed %d keep %d", i, keep), func(t *testing.T) {
				checkSheet(t, data, keep)
			})
		}
	}
}

// FuzzSheet holds the sheet reader and the shared-string loader to their encoding/xml
// references on any input.
func FuzzSheet(f *testing.F) {
	for _, s := range sheetSeeds(f) {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, keep uint8) {
		checkSheet(t, data, int(keep%32))
	})
}
