package csvread

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/rosterload/rosterload/ingest/rows"
)

// wantRow is a row a test expects. cells nil is not checked; err "" means no error, else a
// substring of the row's error, which must be a malformed row; reason, when set, must be in
// the error's chain (errors.Is).
type wantRow struct {
	num    int
	cells  []string
	err    string
	reason error
}

// readAll reads a whole source: the reader, its header, its rows and the error that ended
// reading (nil for io.EOF). It fails the test if New fails.
func readAll(t *testing.T, data []byte, opts Options) (*Reader, rows.Header, []rows.Row, error) {
	t.Helper()
	r, err := New(bytes.NewReader(data), "test.csv", opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h, err := r.Header()
	if err != nil {
		return r, h, nil, err
	}
	var out []rows.Row
	for range len(data) + 2 { // each row takes at least one byte
		row, err := r.Next()
		if err == io.EOF {
			return r, h, out, nil
		}
		if err != nil {
			return r, h, out, err
		}
		out = append(out, row)
	}
	t.Fatal("reader did not end")
	return nil, h, nil, nil
}

// checkRows compares rows with what is wanted.
func checkRows(t *testing.T, got []rows.Row, want []wantRow) {
	t.Helper()
	if len(got) != len(want) {
		nums := make([]int, len(got))
		for i, r := range got {
			nums[i] = r.Num
		}
		t.Fatalf("got %d rows (numbers %v), want %d", len(got), nums, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Num != w.num {
			t.Errorf("row %d: Num = %d, want %d", i, g.Num, w.num)
		}
		if w.cells != nil && !reflect.DeepEqual(g.Cells, w.cells) {
			t.Errorf("row %d: Cells = %q, want %q", w.num, g.Cells, w.cells)
		}
		if w.err == "" {
			if g.Err != nil {
				t.Errorf("row %d: unexpected Err %v", w.num, g.Err)
			}
			continue
		}
		if g.Err == nil {
			t.Errorf("row %d: Err = nil, want %q", w.num, w.err)
			continue
		}
		if !strings.Contains(g.Err.Error(), w.err) {
			t.Errorf("row %d: Err = %q, want it to hold %q", w.num, g.Err, w.err)
		}
		var m *rows.MalformedRowError
		if !errors.As(g.Err, &m) {
			t.Errorf("row %d: Err %T is not a *rows.MalformedRowError", w.num, g.Err)
		} else if m.Row != w.num {
			t.Errorf("row %d: MalformedRowError.Row = %d", w.num, m.Row)
		}
		if w.reason != nil && !errors.Is(g.Err, w.reason) {
			t.Errorf("row %d: Err %v is not %v", w.num, g.Err, w.reason)
		}
	}
}

func TestFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		opts      Options
		encoding  string
		delim     rune
		headerNum int
		header    []string
		rows      []wantRow
	}{
		{
			file: "utf8.csv", encoding: "utf-8", delim: ',', headerNum: 1,
			header: []string{"externalId", "firstName", "lastName", "email", "city"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "José", "Müller", "jose.muller@example.com", "München"}},
				{num: 3, cells: []string{"E002", "Zoë", "Ñúñez", "zoe@example.com", "São Paulo"}},
				{num: 4, cells: []string{"E003", "Smith, Jr.", "O'Brien", "o.brien@example.com", "Cork"}},
			},
		},
		{
			file: "utf8-bom.csv", encoding: "utf-8 (bom)", delim: ',', headerNum: 1,
			header: []string{"externalId", "firstName", "lastName"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "José", "Müller"}},
				{num: 3, cells: []string{"E002", "Zoë", "Ñúñez"}},
			},
		},
		{
			file: "cp1252-semicolon.csv", encoding: "windows-1252", delim: ';', headerNum: 1,
			header: []string{"externalId", "fullName", "firstName", "lastName", "amount"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "José Müller", "Zoë", "Ñúñez", "1.234,56"}},
				{num: 3, cells: []string{"E002", "Peña; Ana", "Ana", "Peña", "€ 12,50"}},
			},
		},
		{
			file: "cp1252-semicolon.csv", opts: Options{Encoding: "latin1"}, encoding: "windows-1252", delim: ';', headerNum: 1,
			header: []string{"externalId", "fullName", "firstName", "lastName", "amount"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "José Müller", "Zoë", "Ñúñez", "1.234,56"}},
				{num: 3, cells: []string{"E002", "Peña; Ana", "Ana", "Peña", "€ 12,50"}},
			},
		},
		{
			file: "utf16le-bom.csv", encoding: "utf-16le", delim: '\t', headerNum: 1,
			header: []string{"externalId", "firstName", "lastName"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "José", "Müller"}},
				{num: 3, cells: []string{"E002", "Zoë", "Ñúñez"}},
			},
		},
		{
			file: "utf16be-bom.csv", encoding: "utf-16be", delim: ',', headerNum: 1,
			header: []string{"externalId", "firstName", "lastName"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "José", "Müller"}},
				{num: 3, cells: []string{"E002", "Zoë", "Ñúñez"}},
			},
		},
		{
			file: "utf16be-bom.csv", opts: Options{Encoding: "UTF-16"}, encoding: "utf-16be", delim: ',', headerNum: 1,
			header: []string{"externalId", "firstName", "lastName"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "José", "Müller"}},
				{num: 3, cells: []string{"E002", "Zoë", "Ñúñez"}},
			},
		},
		{
			file: "tab.tsv", encoding: "utf-8", delim: '\t', headerNum: 1,
			header: []string{"externalId", "name", "city"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "Doe, John", "Paris"}},
				{num: 3, cells: []string{"E002", "Roe, Jane", "Lyon"}},
			},
		},
		{
			file: "pipe.txt", encoding: "utf-8", delim: '|', headerNum: 1,
			header: []string{"externalId", "name", "note"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "Doe, John", "likes; semicolons, and commas"}},
				{num: 3, cells: []string{"E002", "Roe", ""}},
			},
		},
		{
			file: "quoted-newlines.csv", encoding: "utf-8", delim: ',', headerNum: 1,
			header: []string{"externalId", "name", "address"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "Doe, John", "12 Main St\nApt 4"}},
				{num: 3, cells: []string{"E002", "Jane", "1 Elm St"}},
				{num: 4, cells: []string{"E003", "Multi\nLine\nName", `say "hi"`}},
				{num: 5, cells: []string{"E004", "Last", "End"}},
			},
		},
		{
			file: "blank-lines.csv", encoding: "utf-8", delim: ',', headerNum: 2,
			header: []string{"externalId", "name", "city"},
			rows: []wantRow{
				{num: 3, cells: []string{"E001", "Ann", "Oslo"}},
				{num: 7, cells: []string{"E002", "Bo\nBo", "Rome"}},
				{num: 9, cells: []string{"E003", "Cy", "Nice"}},
			},
		},
		{
			file: "ragged.csv", encoding: "utf-8", delim: ',', headerNum: 1,
			header: []string{"externalId", "name", "city", "zip"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "Ann", "Oslo", "0150"}},
				{num: 3, cells: []string{"E002", "Bo", "", ""}, err: "row 3 has 2 fields, the header has 4"},
				{num: 4, cells: []string{"E003", "Cy", "Nice", "06000", "extra"}, err: "row 4 has 5 fields, the header has 4"},
				{num: 5, cells: []string{"E004", "Di", "Rome", "00118"}},
			},
		},
		{
			file: "bad-quotes.csv", encoding: "utf-8", delim: ',', headerNum: 1,
			header: []string{"externalId", "name", "city"},
			rows: []wantRow{
				{num: 2, cells: []string{"E001", "Ann", "Oslo"}},
				{num: 3, cells: []string{"E002", "", ""}, err: "row 3, cell B3: a quote", reason: csv.ErrBareQuote},
				{num: 4, cells: []string{"E003", "", ""}, err: "row 4, cell B4: a quoted field's closing quote is followed by other text", reason: csv.ErrQuote},
				{num: 5, cells: []string{"E004", "Di", "Rome"}},
				{num: 6, cells: []string{"E005", "", ""}, err: "row 6, cell B6: a quote opened on this row is never closed (file line 6, byte 6); the row ends at the end of that line, and the next rows are read from the line after it", reason: ErrUnclosedQuote},
				{num: 7, cells: []string{"E006", "Eve", "Cork"}},
			},
		},
	}
	for _, tt := range tests {
		name := tt.file
		if tt.opts.Encoding != "" {
			name += "/" + tt.opts.Encoding
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, h, got, err := readAll(t, fixture(t, tt.file), tt.opts)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if h.Num != tt.headerNum || !reflect.DeepEqual(h.Names, tt.header) {
				t.Errorf("header = %d %q, want %d %q", h.Num, h.Names, tt.headerNum, tt.header)
			}
			checkRows(t, got, tt.rows)
			if e := r.Encoding(); e != tt.encoding {
				t.Errorf("Encoding() = %q, want %q", e, tt.encoding)
			}
			if d := r.Delimiter(); d != tt.delim {
				t.Errorf("Delimiter() = %q, want %q", d, tt.delim)
			}
		})
	}
}

// TestRefusals covers the whole-source errors New gives.
func TestRefusals(t *testing.T) {
	t.Parallel()
	utf16NoBOM, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewEncoder().Bytes([]byte("id,name\n1,Ann\n"))
	tests := []struct {
		name string
		data []byte
		opts Options
		want string
	}{
		{"empty.csv", fixture(t, "empty.csv"), Options{}, "file is empty"},
		{"bom-only.csv", fixture(t, "bom-only.csv"), Options{}, "file is empty"},
		{"binary.csv", fixture(t, "binary.csv"), Options{}, "looks like a binary file, not CSV (it holds NUL bytes)"},
		{"xlsx-named.csv", fixture(t, "xlsx-named.csv"), Options{}, "looks like an XLSX or ZIP file, not CSV"},
		{"white space only", []byte(" \r\n\t\n  \n"), Options{}, "file is empty"},
		{"BOM and line ends", []byte("\xEF\xBB\xBF\r\n\r\n"), Options{}, "file is empty"},
		{"UTF-16 BOM only", []byte("\xFF\xFE"), Options{}, "file is empty"},
		{"UTF-16 white space only", []byte("\xFE\xFF\x00 \x00\n"), Options{}, "file is empty"},
		{"legacy xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"), Options{}, "legacy Excel (.xls)"},
		{"gzip", []byte("\x1F\x8B\x08\x00\x00\x00"), Options{}, "gzip-compressed"},
		{"pdf", []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n"), Options{}, "PDF"},
		{"UTF-32", []byte("\xFF\xFE\x00\x00i\x00\x00\x00"), Options{}, "UTF-32"},
		{"NUL later", []byte("id,name\n1,An\x00n\n"), Options{}, "it holds NUL bytes"},
		{"control characters", []byte("\x01\x02\x03\x04\x05\x06ab\n"), Options{}, "control characters"},
		{"UTF-16LE without BOM", utf16NoBOM, Options{}, "UTF-16 text without a byte-order mark; name its encoding (utf-16le)"},
		{"utf-16 named, no BOM", []byte("id,name\n"), Options{Encoding: "utf-16"}, "no byte-order mark, which encoding utf-16 needs"},
		{"windows-1252 named, UTF-8 BOM", []byte("\xEF\xBB\xBFid\n1\n"), Options{Encoding: "cp1252"}, "starts with a utf-8 byte-order mark, but its encoding was named windows-1252"},
		{"utf-8 named, UTF-16 BOM", []byte("\xFF\xFEi\x00d\x00"), Options{Encoding: "utf-8"}, "starts with a utf-16le byte-order mark, but its encoding was named utf-8"},
		{"utf-16be named, UTF-16LE BOM", []byte("\xFF\xFEi\x00d\x00"), Options{Encoding: "utf-16be"}, "utf-16le byte-order mark, but its encoding was named utf-16be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(bytes.NewReader(tt.data), "roster.csv", tt.opts)
			var se *rows.SourceError
			if !errors.As(err, &se) || !errors.Is(err, rows.ErrUnreadable) {
				t.Fatalf("New error = %v (%T), want a *rows.SourceError", err, err)
			}
			if !strings.HasPrefix(err.Error(), "roster.csv: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want roster.csv: ...%s", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line", err)
			}
		})
	}
}

// endless is a stream that never ends; n counts what was read from it.
type endless struct {
	fill byte
	n    int
}

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = e.fill
	}
	e.n += len(p)
	return len(p), nil
}

// TestRefusalIsBounded pins that refusals look at the peek window only.
func TestRefusalIsBounded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		head string
		fill byte
	}{
		{"zip", "PK\x03\x04", 'x'},
		{"NULs", "id,name\n", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rest := &endless{fill: tt.fill}
			_, err := New(io.MultiReader(strings.NewReader(tt.head), rest), "big.csv", Options{})
			if !errors.Is(err, rows.ErrUnreadable) {
				t.Fatalf("New error = %v, want a refusal", err)
			}
			if rest.n > peekSize {
				t.Errorf("read %d bytes to refuse, want at most %d", rest.n, peekSize)
			}
		})
	}
}

func TestOptionErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"unknown encoding", Options{Encoding: "ebcdic"}, ErrUnknownEncoding},
		{"quote delimiter", Options{Delimiter: '"'}, ErrInvalidOption},
		{"newline delimiter", Options{Delimiter: '\n'}, ErrInvalidOption},
		{"non-ASCII delimiter", Options{Delimiter: '§'}, ErrInvalidOption},
		{"negative header row", Options{HeaderRow: -1}, ErrInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(strings.NewReader("id\n1\n"), "x.csv", tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("New error = %v, want %v", err, tt.want)
			}
			if errors.Is(err, rows.ErrUnreadable) {
				t.Errorf("a configuration error must not be a source error: %v", err)
			}
		})
	}
	if _, err := New(nil, "x.csv", Options{}); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("New(nil) error = %v, want ErrInvalidOption", err)
	}
}

func TestEncodings(t *testing.T) {
	t.Parallel()
	cp := func(s string) []byte {
		b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	utf16le := func(s string) []byte {
		b, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name     string
		data     []byte
		opts     Options
		encoding string // after reading everything
		header   []string
		cells    []string // of the first data row
	}{
		{"ASCII", []byte("id,name\n1,Ann\n"), Options{}, "utf-8", []string{"id", "name"}, []string{"1", "Ann"}},
		{"UTF-8 with one Windows-1252 cell", append([]byte("id,name,city\n1,Zoë,"), cp("Málaga\n")...), Options{}, "utf-8 with windows-1252 cells", []string{"id", "name", "city"}, []string{"1", "Zoë", "Málaga"}},
		{"Windows-1252 header", cp("id,Straße\n1,Groß\n"), Options{}, "windows-1252", []string{"id", "Straße"}, []string{"1", "Groß"}},
		{"Windows-1252 0x80-0x9F", cp("id,note\n1,€ „quoted“ – ™\n"), Options{}, "windows-1252", []string{"id", "note"}, []string{"1", "€ „quoted“ – ™"}},
		{"named windows-1252 on valid UTF-8 bytes", []byte("id,name\n1,Ã©\n"), Options{Encoding: "windows-1252"}, "windows-1252", []string{"id", "name"}, []string{"1", "ÃƒÂ©"}},
		{"named utf-8 keeps invalid bytes visible", []byte("id,name\n1,Jos\xE9\n"), Options{Encoding: "utf8"}, "utf-8", []string{"id", "name"}, []string{"1", "Jos\uFFFD"}},
		{"UTF-8 BOM with a Windows-1252 cell", append([]byte("\xEF\xBB\xBFid,name\n1,"), cp("José\n")...), Options{}, "utf-8 (bom) with windows-1252 cells", []string{"id", "name"}, []string{"1", "José"}},
		{"named utf-16le without BOM", utf16le("id,name\r\n1,Zoë\r\n"), Options{Encoding: "utf-16le"}, "utf-16le", []string{"id", "name"}, []string{"1", "Zoë"}},
		{"named utf-16le with its BOM", append([]byte{0xFF, 0xFE}, utf16le("id;name\n1;Zoë\n")...), Options{Encoding: "utf_16le"}, "utf-16le", []string{"id", "name"}, []string{"1", "Zoë"}},
		{"a second BOM is trimmed from the header", []byte("\xEF\xBB\xBF\xEF\xBB\xBFid,name\n1,Ann\n"), Options{}, "utf-8 (bom)", []string{"id", "name"}, []string{"1", "Ann"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, h, got, err := readAll(t, tt.data, tt.opts)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !reflect.DeepEqual(h.Names, tt.header) {
				t.Errorf("header = %q, want %q", h.Names, tt.header)
			}
			if len(got) == 0 || !reflect.DeepEqual(got[0].Cells, tt.cells) {
				t.Fatalf("rows = %+v, want first cells %q", got, tt.cells)
			}
			if e := r.Encoding(); e != tt.encoding {
				t.Errorf("Encoding() = %q, want %q", e, tt.encoding)
			}
		})
	}
}

// TestEncodingBeforeReading pins that a Windows-1252 file is named so right after New, from the
// peek window, for the log line written before any row is read.
func TestEncodingBeforeReading(t *testing.T) {
	t.Parallel()
	r, err := New(bytes.NewReader(fixture(t, "cp1252-semicolon.csv")), "x.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e := r.Encoding(); e != "windows-1252" {
		t.Errorf("Encoding() after New = %q, want windows-1252", e)
	}
}

// TestRowNumbers pins the numbering a spreadsheet shows: blank lines (CRLF ones too) are rows,
// a record with quoted newlines is one row, and broken rows keep their numbers.
func TestRowNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		data      string
		opts      Options
		headerNum int
		rows      []wantRow
	}{
		{
			name:      "blank lines before the header",
			data:      "\n\r\n\nid,name\n1,a\n",
			headerNum: 4,
			rows:      []wantRow{{num: 5, cells: []string{"1", "a"}}},
		},
		{
			name:      "quoted newlines then blank lines",
			data:      "id,note\r\n1,\"a\r\nb\r\n\r\nc\"\r\n\r\n\r\n2,x\r\n",
			headerNum: 1,
			rows: []wantRow{
				{num: 2, cells: []string{"1", "a\nb\n\nc"}},
				{num: 5, cells: []string{"2", "x"}},
			},
		},
		{
			name:      "quoted newline in the first field",
			data:      "id,note\n\"1\n1\",x\n\n2,y",
			headerNum: 1,
			rows: []wantRow{
				{num: 2, cells: []string{"1\n1", "x"}},
				{num: 4, cells: []string{"2", "y"}},
			},
		},
		{
			name:      "blank rows with delimiters and spaces are counted",
			data:      "id;name\n;\n  ;  \n\t\n1;a\n",
			headerNum: 1,
			rows:      []wantRow{{num: 5, cells: []string{"1", "a"}}},
		},
		{
			name:      "a stray quote after a multi-line record",
			data:      "id,note\n1,\"a\nb\"\n2,x\"y\n\n3,z\n",
			headerNum: 1,
			rows: []wantRow{
				{num: 2, cells: []string{"1", "a\nb"}},
				{num: 3, cells: []string{"2", ""}, err: "row 3, cell B3", reason: csv.ErrBareQuote},
				{num: 5, cells: []string{"3", "z"}},
			},
		},
		{
			// A quote "closed" on a later line by a quote followed by text is a broken quote:
			// the row ends with the quote's line, and the next line is a row of its own.
			name:      "a stray quote inside a multi-line record",
			data:      "id,note\n1,\"a\nb\"c\n\n3,z\n",
			headerNum: 1,
			rows: []wantRow{
				{num: 2, cells: []string{"1", ""}, err: "row 2, cell B2: a quote opened on this row is never closed (file line 2, byte 3)", reason: ErrUnclosedQuote},
				{num: 3, cells: []string{"", ""}, err: "row 3, cell A3", reason: csv.ErrBareQuote},
				{num: 5, cells: []string{"3", "z"}},
			},
		},
		{
			name:      "a quote left open on the last line",
			data:      "id,note\n1,x\n\n2,\"y",
			headerNum: 1,
			rows: []wantRow{
				{num: 2, cells: []string{"1", "x"}},
				{num: 4, cells: []string{"2", ""}, err: "row 4, cell B4: a quote opened on this row is never closed", reason: ErrUnclosedQuote},
			},
		},
		{
			name:      "text after a closing quote on the last line",
			data:      "id,note\n1,\"y\"z",
			headerNum: 1,
			rows: []wantRow{
				{num: 2, cells: []string{"1", ""}, err: "closing quote is followed by other text", reason: csv.ErrQuote},
			},
		},
		{
			name:      "old Mac line ends (CR only)",
			data:      "id,note\r1,\"a\rb\"\r\r2,c\r",
			headerNum: 1,
			rows: []wantRow{
				{num: 2, cells: []string{"1", "a\nb"}},
				{num: 4, cells: []string{"2", "c"}},
			},
		},
		{
			name:      "a lone CR in a quoted field of a file with LFs is a newline",
			data:      "id,note\n1,\"a\rb\"\n2,c\n",
			headerNum: 1,
			rows: []wantRow{
				{num: 2, cells: []string{"1", "a\nb"}},
				{num: 3, cells: []string{"2", "c"}},
			},
		},
		{
			name:      "a lone CR outside quotes ends the line",
			data:      "id,note\n1,a\r2,b\r\n\r3,c\n",
			headerNum: 1,
			rows: []wantRow{
				{num: 2, cells: []string{"1", "a"}},
				{num: 3, cells: []string{"2", "b"}},
				{num: 5, cells: []string{"3", "c"}},
			},
		},
		{
			name:      "a broken quote in the preamble does not swallow the header",
			data:      "title \"x\n\"y,z\nid,name\n1,a\n",
			opts:      Options{HeaderRow: 3},
			headerNum: 3,
			rows:      []wantRow{{num: 4, cells: []string{"1", "a"}}},
		},
		{
			name:      "a row of Windows-1252 no-break spaces is blank",
			data:      "\xA0\nid,name\n\xA0,\xA0 \n1,a\n",
			opts:      Options{Encoding: "windows-1252"},
			headerNum: 2,
			rows:      []wantRow{{num: 4, cells: []string{"1", "a"}}},
		},
		{
			name:      "header row named",
			data:      "Payroll export\nweek 12, 2025\n\nid,name\n1,a\n",
			opts:      Options{HeaderRow: 4},
			headerNum: 4,
			rows:      []wantRow{{num: 5, cells: []string{"1", "a"}}},
		},
		{
			name:      "header row named after a broken preamble row",
			data:      "Report \"v2\" final\nid,name\n1,a\n",
			opts:      Options{HeaderRow: 2},
			headerNum: 2,
			rows:      []wantRow{{num: 3, cells: []string{"1", "a"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, h, got, err := readAll(t, []byte(tt.data), tt.opts)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if h.Num != tt.headerNum {
				t.Errorf("header row = %d, want %d", h.Num, tt.headerNum)
			}
			checkRows(t, got, tt.rows)
		})
	}
}

// TestHeaderErrors covers sources that open but have no usable header.
func TestHeaderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		opts Options
		want string
	}{
		{"only blank rows", ",,\n,,\n ,\n", Options{}, "no header row: the file has only blank rows"},
		{"header row beyond the end", "a,b\n1,2\n", Options{HeaderRow: 5}, "header row 5 is beyond the end of the file, whose last row with data is row 2"},
		{"header row is an empty line", "title\n\nid,name\n", Options{HeaderRow: 2}, "header row 2 is blank"},
		{"header row has only delimiters", "title\n,,\nid,name\n", Options{HeaderRow: 2}, "header row 2 is blank"},
		{"header row broken", "id,\"name\n", Options{}, "the header row cannot be read: row 1, cell B1: a quote opened on this row is never closed"},
		{"header row after a broken preamble is beyond the end", "title \"x\n\"y,z\nid,name\n", Options{HeaderRow: 5}, "header row 5 is beyond the end of the file, whose last row with data is row 3 (row 2, cell A2: a quote opened on this row is never closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := New(strings.NewReader(tt.data), "x.csv", tt.opts)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			_, err = r.Header()
			if !errors.Is(err, rows.ErrUnreadable) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Header error = %v, want a source error holding %q", err, tt.want)
			}
			// Next reports the same, and keeps doing so.
			for range 2 {
				if _, err2 := r.Next(); err2 == nil || err2.Error() != err.Error() {
					t.Errorf("Next error = %v, want %v", err2, err)
				}
			}
		})
	}
}

// TestNextFirst pins that Next reads the header when Header was not called, and that Header
// still answers afterwards; and that io.EOF repeats.
func TestNextFirst(t *testing.T) {
	t.Parallel()
	r, err := New(strings.NewReader("\n  id , name \n1,a\n"), "x.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next()
	if err != nil || row.Num != 3 || !reflect.DeepEqual(row.Cells, []string{"1", "a"}) {
		t.Fatalf("Next = %+v, %v", row, err)
	}
	h, err := r.Header()
	if err != nil || h.Num != 2 || !reflect.DeepEqual(h.Names, []string{"id", "name"}) {
		t.Errorf("Header = %+v, %v; want row 2, trimmed names", h, err)
	}
	for range 2 {
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("Next at the end = %v, want io.EOF", err)
		}
	}
}

// TestRowsAreIndependent pins that a row's cells survive later reads (the csv.Reader reuses
// its record slice).
func TestRowsAreIndependent(t *testing.T) {
	t.Parallel()
	_, _, got, err := readAll(t, []byte("a,b\n1,2\n3,4\n5\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"1", "2"}, {"3", "4"}, {"5", ""}}
	for i, w := range want {
		if !reflect.DeepEqual(got[i].Cells, w) {
			t.Errorf("row %d cells = %q, want %q", i, got[i].Cells, w)
		}
	}
}

// TestPaddingAfterBlankRows: the cells of a row split by the reader are cut where the next
// row's cells go; a blank row's are left there, and must not show through the padding of a
// short row after it, however that row is read.
func TestPaddingAfterBlankRows(t *testing.T) {
	t.Parallel()
	blanks := " , , , , , \n\t,\t,\t,\t\n"
	tests := []struct {
		name string
		row  string
		want []string
	}{
		{"split", "1\n", []string{"1", "", "", ""}},
		{"one-line quotes", "\"1\"\n", []string{"1", "", "", ""}},
		{"quotes over lines", "\"1\n2\"\n", []string{"1\n2", "", "", ""}},
		{"bare quote", "1\"\n", []string{"", "", "", ""}},
		{"cells dropped", "1,\"2\" x\n", []string{"1", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, got, err := readAll(t, []byte("a,b,c,d\n"+blanks+tt.row+blanks+"5,6\n"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("rows = %+v, want 2", got)
			}
			if !reflect.DeepEqual(got[0].Cells, tt.want) {
				t.Errorf("cells = %q, want %q", got[0].Cells, tt.want)
			}
			if w := []string{"5", "6", "", ""}; !reflect.DeepEqual(got[1].Cells, w) {
				t.Errorf("last row's cells = %q, want %q", got[1].Cells, w)
			}
		})
	}
}

// failing reads its data and then fails.
type failing struct {
	r   io.Reader
	err error
}

func (f *failing) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

func TestReadFailure(t *testing.T) {
	t.Parallel()
	boom := errors.New("connection reset")
	t.Run("in the peek", func(t *testing.T) {
		t.Parallel()
		_, err := New(&failing{strings.NewReader("id\n1\n"), boom}, "s3://b/k.csv", Options{})
		if !errors.Is(err, boom) || !errors.Is(err, rows.ErrUnreadable) {
			t.Errorf("New error = %v, want a source error wrapping %v", err, boom)
		}
	})
	t.Run("after the peek", func(t *testing.T) {
		t.Parallel()
		data := "id,name\n" + strings.Repeat("1,abcdefgh\n", 2*peekSize/11)
		r, err := New(&failing{strings.NewReader(data), boom}, "s3://b/k.csv", Options{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for {
			_, err = r.Next()
			if err != nil {
				break
			}
			n++
		}
		var se *rows.SourceError
		if !errors.As(err, &se) || !errors.Is(err, boom) {
			t.Fatalf("Next error = %v, want a source error wrapping %v", err, boom)
		}
		if n == 0 || !strings.Contains(err.Error(), "reading after row") {
			t.Errorf("read %d rows, then %v", n, err)
		}
		if _, err2 := r.Next(); err2 != err {
			t.Errorf("Next after a failure = %v, want the same error", err2)
		}
	})
}

func TestClose(t *testing.T) {
	t.Parallel()
	src := &closeCounter{Reader: strings.NewReader("id\n1\n")}
	r, err := New(src, "x.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if src.closed != 0 {
		t.Error("Close closed the io.Reader it was given; its opener closes it")
	}
	if _, err := r.Next(); !errors.Is(err, rows.ErrUnreadable) {
		t.Errorf("Next after Close = %v, want an error", err)
	}
}

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestSniffDelimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		text      string
		atEOF     bool
		headerRow int
		want      rune
	}{
		{"comma", "a,b,c\n1,2,3\n", true, 0, ','},
		{"semicolon with decimal commas", "a;b;c\n1,5;2,25;3\n4;5,5;6\n", true, 0, ';'},
		{"tab with commas in values", "a\tb\n\"x, y\"\tz\nDoe, J\tq\n", true, 0, '\t'},
		{"pipe", "a|b|c\n1|2|3\n", true, 0, '|'},
		{"single column", "name\nAnn\nBo\n", true, 0, ','},
		{"delimiters inside quotes do not count", "\"a;b\",c\n\"1;2;3\",4\n", true, 0, ','},
		{"quoted newline", "a;b\n\"x\ny,z\";1\n2;3\n", true, 0, ';'},
		{"consistency beats frequency", "a,b;c;d\n1;2;3\n4;5;6\n", true, 0, ';'},
		{"header's most frequent on a tie", "a;b;c,d\n", true, 0, ';'},
		{"blank lines before the header", "\n\n  \na|b\n1|2\n", true, 0, '|'},
		{"named header row skips a title", "Export, week 12\nid;name\n1;a\n", true, 2, ';'},
		{"a cut last line is ignored", "a;b\n1;2\n3,4,5,6,7,8", false, 0, ';'},
		{"nothing", "", true, 0, ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := sniffDelimiter([]byte(tt.text), tt.atEOF, tt.headerRow); got != tt.want {
				t.Errorf("sniffDelimiter = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseEncoding(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		want charset
		ok   bool
	}{
		{"", encDetect, true},
		{"UTF-8", encUTF8, true},
		{"utf8", encUTF8, true},
		{"Windows-1252", encCP1252, true},
		{"cp1252", encCP1252, true},
		{"latin1", encCP1252, true},
		{"ISO-8859-1", encCP1252, true},
		{"utf-16", encUTF16, true},
		{"UTF-16LE", encUTF16LE, true},
		{"utf-16be", encUTF16BE, true},
		{"shift_jis", 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseEncoding(tt.name)
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseEncoding(%q) = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
			}
		})
	}
}
