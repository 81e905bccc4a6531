package csvread

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/rosterload/rosterload/ingest/rows"
)

// readFrom reads a whole source from src with the row limit set to limit (0: MaxRowBytes).
func readFrom(t *testing.T, src io.Reader, opts Options, limit int) (*Reader, rows.Header, []rows.Row, error) {
	t.Helper()
	r, err := New(src, "test.csv", opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if limit > 0 {
		r.frame.limit = limit
	}
	h, err := r.Header()
	if err != nil {
		return r, h, nil, err
	}
	var out []rows.Row
	for range 10_000_000 {
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

// TestRowTooLong: a row past the limit is that row's malformed row, and the rows after it are
// read, numbered as the file's lines. The limit is 64 bytes here.
func TestRowTooLong(t *testing.T) {
	t.Parallel()
	const hdr = "id,name,note\n1,a,b\n" // header row 1, a row 2
	x := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name string
		data string
		rows []wantRow
		// notQuote: the error must not be csv.ErrQuote (a row too long outside quotes).
		notQuote bool
	}{
		{
			name: "unquoted long cell, rows after it",
			data: hdr + "2," + x(200) + ",c\n3,d,e\n\n4,f,g\n",
			rows: []wantRow{
				{num: 2, cells: []string{"1", "a", "b"}},
				{num: 3, cells: []string{"2", "", ""}, err: "row 3, cell B3: the row is longer than 1 MiB; this cell and the rest of the row, to the end of file line 3, were skipped", reason: ErrRowTooLong},
				{num: 4, cells: []string{"3", "d", "e"}},
				{num: 6, cells: []string{"4", "f", "g"}},
			},
			notQuote: true,
		},
		{
			name: "unquoted long cell on the last line, no line end",
			data: hdr + "2," + x(200),
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", "", ""}, err: "row 3, cell B3: the row is longer than 1 MiB", reason: ErrRowTooLong},
			},
			notQuote: true,
		},
		{
			name: "quoted long cell on one line, closed",
			data: hdr + "2,\"" + x(200) + "\",c\n3,d,e\n",
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", "", ""}, err: "row 3, cell B3: a quote opened on this row is still open after 1 MiB, most likely its closing quote is missing; the row ends at the end of file line 3", reason: ErrRowTooLong},
				{num: 4, cells: []string{"3", "d", "e"}},
			},
		},
		{
			name: "quoted long cell on one line, never closed",
			data: hdr + "2,\"" + x(200) + "\n3,d,e\n4,f,g\n",
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", "", ""}, err: "row 3, cell B3: a quote opened on this row is still open after 1 MiB", reason: ErrRowTooLong},
				{num: 4, cells: []string{"3", "d", "e"}},
				{num: 5, cells: []string{"4", "f", "g"}},
			},
		},
		{
			name: "quote open over many lines: the row ends with the quote's line",
			data: hdr + "2,a,\"b\n" + strings.Repeat("z,z,z\n", 20) + "9,h,i\n",
			rows: append(append([]wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", "a", ""}, err: "row 3, cell C3: a quote opened on this row is still open after 1 MiB, most likely its closing quote is missing; the row ends at the end of file line 3", reason: ErrRowTooLong},
			}, func() (w []wantRow) {
				for n := 4; n <= 23; n++ {
					w = append(w, wantRow{num: n, cells: []string{"z", "z", "z"}})
				}
				return w
			}()...), wantRow{num: 24, cells: []string{"9", "h", "i"}}),
		},
		{
			name: "exactly the limit is not too long, one more byte is",
			data: hdr + "2,a," + x(60) + "\n3,b," + x(61) + "\n4,c,d\n",
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", "a", x(60)}},
				{num: 4, cells: []string{"3", "b", ""}, err: "row 4, cell C4: the row is longer", reason: ErrRowTooLong},
				{num: 5, cells: []string{"4", "c", "d"}},
			},
			notQuote: true,
		},
		{
			name: "multi-byte characters at the cut",
			data: hdr + "2,ab," + strings.Repeat("é", 100) + "\n3,b,c\n",
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", "ab", ""}, err: "row 3, cell C3: the row is longer", reason: ErrRowTooLong},
				{num: 4, cells: []string{"3", "b", "c"}},
			},
			notQuote: true,
		},
		{
			name: "long row after a multi-line quoted field",
			data: hdr + "2,\"a\nb\"," + x(100) + "\n3,c,d\n",
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", "a\nb", ""}, err: "row 3, cell C3: the row is longer than 1 MiB; this cell and the rest of the row, to the end of file line 4, were skipped", reason: ErrRowTooLong},
				{num: 4, cells: []string{"3", "c", "d"}},
			},
			notQuote: true,
		},
		{
			name: "bare quote, then too long",
			data: hdr + "2,a\"b," + x(100) + "\n3,c,d\n",
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", "", ""}, err: "row 3 is longer than 1 MiB; the rest of it, to the end of file line 3, was skipped", reason: ErrRowTooLong},
				{num: 4, cells: []string{"3", "c", "d"}},
			},
			notQuote: true,
		},
		{
			// The quoted field before the cut is whole: it is kept, and the fault is after it.
			name: "cut just after a closing quote",
			data: hdr + "2,\"" + x(60) + "\"," + x(100) + "\n3,c,d\n",
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", x(60), ""}, err: "row 3, cell C3: the row is longer than 1 MiB", reason: ErrRowTooLong},
				{num: 4, cells: []string{"3", "c", "d"}},
			},
			notQuote: true,
		},
		{
			// What was read of it is blank, but what was skipped is not known to be.
			name: "a long line of delimiters is a malformed row",
			data: hdr + strings.Repeat(",", 100) + "\n3,c,d\n",
			rows: []wantRow{
				{num: 2},
				{num: 3, err: "row 3, cell BM3: the row is longer", reason: ErrRowTooLong},
				{num: 4, cells: []string{"3", "c", "d"}},
			},
			notQuote: true,
		},
		{
			name: "rows just under the limit",
			data: "id,note\n" + strings.Repeat("1,"+x(60)+"\n", 50),
			rows: func() (w []wantRow) {
				for n := 2; n <= 51; n++ {
					w = append(w, wantRow{num: n, cells: []string{"1", x(60)}})
				}
				return w
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Whole, and a byte at a time (every read boundary).
			for _, src := range []io.Reader{strings.NewReader(tt.data), iotest.OneByteReader(strings.NewReader(tt.data))} {
				r, _, got, err := readFrom(t, src, Options{}, 64)
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				checkRows(t, got, tt.rows)
				for _, row := range got {
					if tt.notQuote && errors.Is(row.Err, csv.ErrQuote) {
						t.Errorf("row %d: %v is a quote error", row.Num, row.Err)
					}
				}
				if e := r.Encoding(); e != "utf-8" {
					t.Errorf("Encoding() = %q", e)
				}
			}
		})
	}
	t.Run("too long header", func(t *testing.T) {
		t.Parallel()
		r, err := New(strings.NewReader("id,"+x(100)+"\n1,2\n"), "x.csv", Options{})
		if err != nil {
			t.Fatal(err)
		}
		r.frame.limit = 64
		if _, err := r.Header(); !errors.Is(err, rows.ErrUnreadable) || !strings.Contains(err.Error(), "the header row cannot be read: row 1, cell B1: the row is longer than 1 MiB") {
			t.Errorf("Header error = %v", err)
		}
	})
	t.Run("real limit, quote open over 3 MiB of lines", func(t *testing.T) {
		t.Parallel()
		data := "id,note\n1,\"" + strings.Repeat("abcdefg\n", 3*MaxRowBytes/8) + "2,end\n"
		_, _, got, err := readFrom(t, strings.NewReader(data), Options{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Row 2 is the quote's line; each later "abcdefg" line is a row of one field; then "2,end".
		if want := 1 + 3*MaxRowBytes/8; len(got) != want {
			t.Fatalf("%d rows, want %d", len(got), want)
		}
		if g := got[0]; g.Num != 2 || !errors.Is(g.Err, ErrRowTooLong) || !errors.Is(g.Err, csv.ErrQuote) {
			t.Errorf("row 2: %+v", g)
		}
		if g := got[len(got)-1]; g.Num != len(got)+1 || g.Err != nil || g.Cells[1] != "end" {
			t.Errorf("last row: %d %q %v", g.Num, g.Cells, g.Err)
		}
	})
}

// repeated is a stream of n copies of a byte, made on the fly.
type repeated struct {
	chunk []byte
	n     int64
	// every this many bytes, sample calls sample (for memory checks while the reader reads)
	every, since int64
	sample       func()
}

func newRepeated(b byte, n int64) *repeated {
	return &repeated{chunk: bytes.Repeat([]byte{b}, 64<<10), n: n}
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p[:min(int64(len(p)), r.n)], r.chunk)
	r.n -= int64(k)
	if r.sample != nil {
		if r.since += int64(k); r.since >= r.every {
			r.since = 0
			r.sample()
		}
	}
	return k, nil
}

// hugeRoster is a 20-row roster (header and 19 data rows) whose row 3 has a cell of size bytes
// made on the fly: unquoted, quoted and closed, or quoted and never closed.
func hugeRoster(size int64, shape string) (io.Reader, *repeated) {
	var head, tail strings.Builder
	head.WriteString("Employee ID,First Name,Last Name,Email,Mobile Phone\n")
	head.WriteString("E0002,Ann,Lee,ann@example.com,+14155550102\n")
	head.WriteString("E0003,Bo,")
	switch shape {
	case "quoted", "unclosed":
		head.WriteString(`"`)
	}
	if shape == "quoted" {
		tail.WriteString(`"`)
	}
	tail.WriteString(",bo@example.com,+14155550103\n")
	for n := 4; n <= 20; n++ {
		fmt.Fprintf(&tail, "E%04d,First%d,Last%d,p%d@example.com,+141555501%02d\n", n, n, n, n, n)
	}
	big := newRepeated('x', size)
	return io.MultiReader(strings.NewReader(head.String()), big, strings.NewReader(tail.String())), big
}

// TestHugeCell is the 200 MB cell on row 3: rows 4 to 20 come back numbered 4..20, row 3 is
// a row too long, and the reader's memory does not grow with the cell. Not parallel, so that
// the allocation count is this test's.
func TestHugeCell(t *testing.T) {
	const size = 200 << 20
	for _, shape := range []string{"unquoted", "quoted", "unclosed"} {
		t.Run(shape, func(t *testing.T) {
			src, big := hugeRoster(size, shape)
			runtime.GC()
			var m0 runtime.MemStats
			runtime.ReadMemStats(&m0)
			peak := m0.HeapInuse
			big.every, big.sample = 16<<20, func() {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
			_, h, got, err := readFrom(t, src, Options{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			var m1 runtime.MemStats
			runtime.ReadMemStats(&m1)
			if h.Num != 1 || len(h.Names) != 5 {
				t.Fatalf("header %+v", h)
			}
			if len(got) != 19 {
				t.Fatalf("%d rows, want 19", len(got))
			}
			for i, row := range got {
				if row.Num != i+2 {
					t.Errorf("row %d has number %d", i+2, row.Num)
				}
				if row.Num == 3 {
					var syn *SyntaxError
					if !errors.As(row.Err, &syn) || syn.Err != ErrRowTooLong || syn.Row != 3 {
						t.Errorf("row 3: Err = %v, want a row too long", row.Err)
					}
					if row.Cells[0] != "E0003" || row.Cells[1] != "Bo" || len(row.Cells) != 5 {
						t.Errorf("row 3 cells start %q (%d)", row.Cells[:2], len(row.Cells))
					}
					if strings.Contains(row.Err.Error(), "\n") {
						t.Errorf("row 3 error is not one line: %q", row.Err)
					}
					continue
				}
				if row.Err != nil || row.Cells[0] != fmt.Sprintf("E%04d", row.Num) {
					t.Errorf("row %d: %q %v", row.Num, row.Cells, row.Err)
				}
			}
			if big.n != 0 {
				t.Errorf("%d bytes of the cell not read", big.n)
			}
			if grew := int64(peak) - int64(m0.HeapInuse); grew > 64<<20 {
				t.Errorf("heap in use grew by %d MiB while reading", grew>>20)
			}
			if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 64<<20 {
				t.Errorf("reading allocated %d MiB", alloc>>20)
			}
		})
	}
}

// TestBlankLines: blank lines of any line end, and lines of spaces or delimiters only, are
// skipped however many there are (here 1.5 MiB of each, at the real row limit), and counted as
// rows.
func TestBlankLines(t *testing.T) {
	t.Parallel()
	const n = 3 << 18 // 786432 lines
	tests := []struct {
		name  string
		blank string // one blank line
	}{
		{"CRLF", "\r\n"},
		{"CR", "\r"},
		{"LF", "\n"},
		{"spaces and CR", " \r"},
		{"spaces and CRLF", "   \r\n"},
		{"delimiters and CRLF", ",,\r\n"},
		{"tab and LF", "\t\n"},
		{"spaces, delimiters and a lone CR", " , ,\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			blank := strings.Repeat(tt.blank, n)
			data := blank + "id,name\r\n1,a\r\n" + blank + "2,b\n" + blank
			_, h, got, err := readFrom(t, strings.NewReader(data), Options{}, 0)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if h.Num != n+1 {
				t.Errorf("header row %d, want %d", h.Num, n+1)
			}
			checkRows(t, got, []wantRow{
				{num: n + 2, cells: []string{"1", "a"}},
				{num: 2*n + 3, cells: []string{"2", "b"}},
			})
		})
	}
}

// endsRoster is a roster of rows data rows whose line i (0: the header) ends with ends[i%len].
func endsRoster(rowCount int, ends ...string) []byte {
	var b bytes.Buffer
	b.WriteString("Employee ID,First Name,Last Name,Email,Mobile Phone")
	b.WriteString(ends[0])
	for i := 1; i <= rowCount; i++ {
		fmt.Fprintf(&b, "E%04d,First%d,Last%d,p%d@example.com,+1415555%04d", i, i, i, i, i)
		b.WriteString(ends[i%len(ends)])
	}
	return b.Bytes()
}

// TestLineEnds: a lone CR, LF and CRLF each end a line wherever they are; CR and CRLF in a
// quoted field are a newline in its value.
func TestLineEnds(t *testing.T) {
	t.Parallel()
	twenty := func() (w []wantRow) {
		for n := 2; n <= 21; n++ {
			w = append(w, wantRow{num: n, cells: []string{fmt.Sprintf("E%04d", n-1), fmt.Sprintf("First%d", n-1), fmt.Sprintf("Last%d", n-1), fmt.Sprintf("p%d@example.com", n-1), fmt.Sprintf("+1415555%04d", n-1)}})
		}
		return w
	}()
	tests := []struct {
		name string
		data []byte
		rows []wantRow
	}{
		{"CR, LF, CRLF in turn", endsRoster(20, "\r", "\n", "\r\n"), twenty},
		{"CRLF, LF, CR in turn", endsRoster(20, "\r\n", "\n", "\r"), twenty},
		{"CRLF with one lone CR", endsRoster(20, "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r\n", "\r"), twenty},
		{"LF with lone CRs", endsRoster(20, "\n", "\r"), twenty},
		{"CR only (old Mac)", endsRoster(20, "\r"), twenty},
		{"lone CR only after 64 KiB of LF", append(bytes.Repeat([]byte("\n"), 70<<10), endsRoster(3, "\r")...), []wantRow{
			{num: 70<<10 + 2}, {num: 70<<10 + 3}, {num: 70<<10 + 4},
		}},
		{"blank lines of each end count once", []byte("id,note\r\n\r\n\r\r\n\n\r1,a\r\n"), []wantRow{{num: 7, cells: []string{"1", "a"}}}},
		{"CR and CRLF in quoted fields", []byte("id,note\r\n1,\"a\rb\r\nc\nd\"\r2,\"\r\"\n3,e"), []wantRow{
			{num: 2, cells: []string{"1", "a\nb\nc\nd"}},
			{num: 3, cells: []string{"2", "\n"}},
			{num: 4, cells: []string{"3", "e"}},
		}},
		{"lone CR in an unquoted field ends the row", []byte("id,note\n1,a\rb\n2,c\n"), []wantRow{
			{num: 2, cells: []string{"1", "a"}},
			{num: 3, cells: []string{"b", ""}, err: "row 3 has 1 fields, the header has 2"},
			{num: 4, cells: []string{"2", "c"}},
		}},
		{"CR before the end of the file", []byte("id\r1\r"), []wantRow{{num: 2, cells: []string{"1"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, src := range []io.Reader{bytes.NewReader(tt.data), iotest.OneByteReader(bytes.NewReader(tt.data)), iotest.HalfReader(bytes.NewReader(tt.data))} {
				_, h, got, err := readFrom(t, src, Options{}, 0)
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				if h.Names[0] != "Employee ID" && h.Names[0] != "id" {
					t.Errorf("header %+v", h)
				}
				checkRows(t, got, tt.rows)
			}
		})
	}
	t.Run("UTF-16 with mixed line ends", func(t *testing.T) {
		t.Parallel()
		data, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes(endsRoster(20, "\r\n", "\r", "\n"))
		if err != nil {
			t.Fatal(err)
		}
		_, _, got, err := readFrom(t, bytes.NewReader(data), Options{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		checkRows(t, got, twenty)
	})
}

// TestSepDirective: Excel's "sep=X" first line names the delimiter and is not a row.
func TestSepDirective(t *testing.T) {
	t.Parallel()
	utf16 := func(s string) []byte {
		b, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name      string
		data      []byte
		opts      Options
		delim     rune
		encoding  string
		headerNum int
		header    []string
		rows      []wantRow
	}{
		{"sep=;", []byte("sep=;\nid;name\n1;a\n\n2;b\n"), Options{}, ';', "utf-8", 1, []string{"id", "name"}, []wantRow{{num: 2, cells: []string{"1", "a"}}, {num: 4, cells: []string{"2", "b"}}}},
		{"quoted \"sep=|\"", []byte("\"sep=|\"\r\nid|name\r\n1|a\r\n"), Options{}, '|', "utf-8", 1, []string{"id", "name"}, []wantRow{{num: 2, cells: []string{"1", "a"}}}},
		{"sep=<tab> after a BOM", []byte("\xEF\xBB\xBFsep=\t\r\nid\tname\r\n1\ta,b\r\n"), Options{}, '\t', "utf-8 (bom)", 1, []string{"id", "name"}, []wantRow{{num: 2, cells: []string{"1", "a,b"}}}},
		{"SEP=; in capitals", []byte("SEP=;\nid;name\n1;a\n"), Options{}, ';', "utf-8", 1, []string{"id", "name"}, []wantRow{{num: 2, cells: []string{"1", "a"}}}},
		{"Sep=, ends with a lone CR", []byte("Sep=,\rid,name\r1,a\r"), Options{}, ',', "utf-8", 1, []string{"id", "name"}, []wantRow{{num: 2, cells: []string{"1", "a"}}}},
		{"padded as a row", []byte("sep=;;;\nid;name;x\n1;a;b\n"), Options{}, ';', "utf-8", 1, []string{"id", "name", "x"}, []wantRow{{num: 2, cells: []string{"1", "a", "b"}}}},
		{"quoted and padded", []byte("\"sep=;\";;\nid;name;x\n1;a;b\n"), Options{}, ';', "utf-8", 1, []string{"id", "name", "x"}, []wantRow{{num: 2, cells: []string{"1", "a", "b"}}}},
		{"UTF-16", utf16("sep=;\r\nid;name\r\n1;a,b\r\n"), Options{}, ';', "utf-16le", 1, []string{"id", "name"}, []wantRow{{num: 2, cells: []string{"1", "a,b"}}}},
		{"wins over what sniffing would pick", []byte("sep=;\nid,x;name,y\n1,2;a,b\n"), Options{}, ';', "utf-8", 1, []string{"id,x", "name,y"}, []wantRow{{num: 2, cells: []string{"1,2", "a,b"}}}},
		{"the named delimiter wins, the line is skipped all the same", []byte("sep=;\nid,name\n1,a\n"), Options{Delimiter: ','}, ',', "utf-8", 1, []string{"id", "name"}, []wantRow{{num: 2, cells: []string{"1", "a"}}}},
		{"header row counted from the line after it", []byte("sep=;\nExport\nid;name\n1;a\n"), Options{HeaderRow: 2}, ';', "utf-8", 2, []string{"id", "name"}, []wantRow{{num: 3, cells: []string{"1", "a"}}}},
		{"no character: a header", []byte("sep=\n1\n"), Options{}, ',', "utf-8", 1, []string{"sep="}, []wantRow{{num: 2, cells: []string{"1"}}}},
		{"more text: a header", []byte("sep=;x\n1\n"), Options{}, ';', "utf-8", 1, []string{"sep=", "x"}, []wantRow{{num: 2, cells: []string{"1", ""}, err: "row 2 has 1 fields"}}},
		{"not on the first line: a row", []byte("id;name\nsep=;\n1;a\n"), Options{}, ';', "utf-8", 1, []string{"id", "name"}, []wantRow{{num: 2, cells: []string{"sep=", ""}}, {num: 3, cells: []string{"1", "a"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, h, got, err := readFrom(t, bytes.NewReader(tt.data), tt.opts, 0)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if d := r.Delimiter(); d != tt.delim {
				t.Errorf("Delimiter() = %q, want %q", d, tt.delim)
			}
			if e := r.Encoding(); e != tt.encoding {
				t.Errorf("Encoding() = %q, want %q", e, tt.encoding)
			}
			if h.Num != tt.headerNum || !reflect.DeepEqual(h.Names, tt.header) {
				t.Errorf("header = %d %q, want %d %q", h.Num, h.Names, tt.headerNum, tt.header)
			}
			checkRows(t, got, tt.rows)
		})
	}
	t.Run("only the line", func(t *testing.T) {
		t.Parallel()
		if _, err := New(strings.NewReader("sep=;\r\n"), "x.csv", Options{}); !errors.Is(err, rows.ErrUnreadable) || !strings.Contains(err.Error(), "file is empty") {
			t.Errorf("New error = %v, want file is empty", err)
		}
	})
}

// TestUnclosedQuote: a quote never closed ends its row with its line; the rows after it are
// read, in small files too.
func TestUnclosedQuote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		rows []wantRow
	}{
		{
			name: "in the middle of a small file",
			data: "id,name,city\n1,Ann,Oslo\n2,\"Bo,Rome\n3,Cy,Nice\n\n4,Di,Bath\n",
			rows: []wantRow{
				{num: 2, cells: []string{"1", "Ann", "Oslo"}},
				{num: 3, cells: []string{"2", "", ""}, err: "row 3, cell B3: a quote opened on this row is never closed (file line 3, byte 3)", reason: ErrUnclosedQuote},
				{num: 4, cells: []string{"3", "Cy", "Nice"}},
				{num: 6, cells: []string{"4", "Di", "Bath"}},
			},
		},
		{
			// The next quote csv finds opens a later field: text follows it, so the quote
			// from row 3 is the broken one, and row 4 is still row 4.
			name: "later rows have quoted fields",
			data: "id,name,city\n1,Ann,Oslo\n2,\"Bo,Rome\n3,\"Cy, Jr\",Nice\n4,Di,\"Bath\"\n",
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", "", ""}, reason: ErrUnclosedQuote, err: "row 3, cell B3"},
				{num: 4, cells: []string{"3", "Cy, Jr", "Nice"}},
				{num: 5, cells: []string{"4", "Di", "Bath"}},
			},
		},
		{
			name: "in the first field, CRLF",
			data: "id,name\r\n\"1,Ann\r\n2,Bo\r\n",
			rows: []wantRow{
				{num: 2, cells: []string{"", ""}, err: "row 2, cell A2: a quote opened on this row is never closed (file line 2, byte 1)", reason: ErrUnclosedQuote},
				{num: 3, cells: []string{"2", "Bo"}},
			},
		},
		{
			name: "on the last line",
			data: "id,name\n1,Ann\n2,\"Bo",
			rows: []wantRow{
				{num: 2},
				{num: 3, cells: []string{"2", ""}, err: "row 3, cell B3", reason: ErrUnclosedQuote},
			},
		},
		{
			name: "after a closed multi-line field on the same row",
			data: "id,a,b\n1,\"x\ny\",\"z\n2,c,d\n",
			rows: []wantRow{
				{num: 2, cells: []string{"1", "x\ny", ""}, err: "row 2, cell C2: a quote opened on this row is never closed (file line 3, byte 4)", reason: ErrUnclosedQuote},
				{num: 3, cells: []string{"2", "c", "d"}},
			},
		},
		{
			name: "two of them",
			data: "id,name\n1,\"a\n2,b\n3,\"c\n4,d\n",
			rows: []wantRow{
				{num: 2, reason: ErrUnclosedQuote, err: "row 2"},
				{num: 3, cells: []string{"2", "b"}},
				{num: 4, reason: ErrUnclosedQuote, err: "row 4"},
				{num: 5, cells: []string{"4", "d"}},
			},
		},
		{
			name: "a multi-line field that closes stays one row",
			data: "id,name\n1,\"a\nb\"\n2,c\n",
			rows: []wantRow{
				{num: 2, cells: []string{"1", "a\nb"}},
				{num: 3, cells: []string{"2", "c"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, got, err := readFrom(t, strings.NewReader(tt.data), Options{}, 0)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			checkRows(t, got, tt.rows)
			for _, row := range got {
				if row.Err != nil && strings.Contains(row.Err.Error(), "\n") {
					t.Errorf("row %d: error is not one line: %q", row.Num, row.Err)
				}
			}
		})
	}
}

// hostileDir holds small hostile CSV fixtures, shared with the rest of the project's tests.
const hostileDir = "../../testdata/hostile"

// hostileBytes is what each hostile fixture holds (written with go test -run TestHostileFiles
// -update), with the data rows each must read as: their numbers, and the reason of any malformed.
func hostileBytes() map[string][]byte {
	ewa := [][]string{
		{"E1001", "Ana", "Abbott", "ana.abbott@example.com", "+12125550101"},
		{"E1002", "Ben", "Brown", "ben.brown@example.com", "+14155550102"},
		{"E1003", "Chloé", "Chen", "chloe.chen@example.com", "+13125550103"},
		{"E1004", "Diego", "Díaz", "diego.diaz@example.com", "+16175550104"},
		{"E1005", "Emma", "Evans", "emma.evans@example.com", "+12065550105"},
		{"E1006", "Farid", "Fischer", "farid.fischer@example.com", "+15125550106"},
		{"E1007", "Grace", "García", "grace.garcia@example.com", "+13035550107"},
		{"E1008", "Hiro", "Haddad", "hiro.haddad@example.com", "+13055550108"},
		{"E1009", "Ines", "Ivanova", "ines.ivanova@example.com", "+12125550109"},
		{"E1010", "José", "Jones", "jose.jones@example.com", "+14155550110"},
		{"E1011", "Kai", "Kim", "kai.kim@example.com", "+13125550111"},
		{"E1012", "Lena", "López", "lena.lopez@example.com", "+16175550112"},
		{"E1013", "Mateo", "Müller", "mateo.muller@example.com", "+12065550113"},
		{"E1014", "Nia", "Nguyen", "nia.nguyen@example.com", "+15125550114"},
		{"E1015", "Omar", "O'Brien", "omar.obrien@example.com", "+13035550115"},
		{"E1016", "Priya", "Patel", "priya.patel@example.com", "+13055550116"},
		{"E1017", "Quinn", "Rossi", "quinn.rossi@example.com", "+12125550117"},
		{"E1018", "Rosa", "Smith", "rosa.smith@example.com", "+14155550118"},
		{"E1019", "Sven", "Tanaka", "sven.tanaka@example.com", "+13125550119"},
		{"E1020", "Zoë", "Weiß", "zoe.weiss@example.com", "+16175550120"},
	}
	header := "Employee ID,First Name,Last Name,Email,Mobile Phone"
	var mixed, sep, unclosed strings.Builder
	// mixed-line-ends.csv: header row 1, data rows 2..21, line ends CR, LF, CRLF in turn.
	ends := []string{"\r", "\n", "\r\n"}
	mixed.WriteString(header + ends[0])
	for i, r := range ewa {
		mixed.WriteString(strings.Join(r, ",") + ends[(i+1)%3])
	}
	// sep-directive.csv: the sep=; line (not a row), header row 1, data rows 2..6.
	sep.WriteString("sep=;\r\n" + strings.ReplaceAll(header, ",", ";") + "\r\n")
	for _, r := range ewa[:5] {
		sep.WriteString(strings.Join(r, ";") + "\r\n")
	}
	// unclosed-quote.csv: header row 1, data rows 2..11; row 4 opens a quote in its Last Name
	// and never closes it.
	unclosed.WriteString(header + "\n")
	for i, r := range ewa[:10] {
		if i+2 == 4 {
			r = append([]string(nil), r...)
			r[2] = `"` + r[2]
		}
		unclosed.WriteString(strings.Join(r, ",") + "\n")
	}
	return map[string][]byte{
		"mixed-line-ends.csv": []byte(mixed.String()),
		"sep-directive.csv":   []byte(sep.String()),
		"unclosed-quote.csv":  []byte(unclosed.String()),
	}
}

// TestHostileFiles checks that testdata/hostile holds exactly hostileBytes (or writes it, with
// -update), and reads each file.
func TestHostileFiles(t *testing.T) {
	seq := func(from, to int) (w []wantRow) {
		for n := from; n <= to; n++ {
			w = append(w, wantRow{num: n})
		}
		return w
	}
	unclosed := seq(2, 11)
	unclosed[2] = wantRow{num: 4, cells: []string{"E1003", "Chloé", "", "", ""}, err: "row 4, cell C4: a quote opened on this row is never closed (file line 4, byte 14)", reason: ErrUnclosedQuote}
	want := map[string]struct {
		delim rune
		rows  []wantRow
	}{
		"mixed-line-ends.csv": {',', seq(2, 21)},
		"sep-directive.csv":   {';', seq(2, 6)},
		"unclosed-quote.csv":  {',', unclosed},
	}
	for name, data := range hostileBytes() {
		path := filepath.Join(hostileDir, name)
		if *update {
			if err := os.MkdirAll(hostileDir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Run(name, func(t *testing.T) {
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestHostileFiles -update)", err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("%s differs from hostileBytes (run go test -run TestHostileFiles -update)", name)
			}
			r, h, rs, err := readFrom(t, bytes.NewReader(got), Options{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			w := want[name]
			if r.Delimiter() != w.delim || h.Num != 1 || len(h.Names) != 5 || h.Names[0] != "Employee ID" {
				t.Errorf("delimiter %q, header %+v", r.Delimiter(), h)
			}
			checkRows(t, rs, w.rows)
			for _, row := range rs {
				if row.Err == nil && (len(row.Cells) != 5 || !strings.HasPrefix(row.Cells[0], "E10")) {
					t.Errorf("row %d: %q", row.Num, row.Cells)
				}
			}
		})
	}
}
