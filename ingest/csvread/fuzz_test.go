package csvread

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rosterload/rosterload/ingest/rows"
)

// fuzzOptions are the Options a fuzz input is read with, picked by its second argument.
var fuzzOptions = []Options{
	{},
	{Delimiter: ';'},
	{Encoding: "windows-1252"},
	{Encoding: "utf-16le"},
	{HeaderRow: 2},
	{Encoding: "utf-8", Delimiter: '\t'},
}

func FuzzReader(f *testing.F) {
	for name := range fixtureBytes(f) {
		f.Add(fixture(f, name), uint8(0))
	}
	f.Add([]byte("a,b\n\"x\ny\"z\n\n1,2\n"), uint8(0))
	f.Add([]byte("t\n\na;b\n1;\"2\n"), uint8(4))
	f.Add([]byte("a,b\n1,\""+strings.Repeat("x\n", 400)), uint8(0x80)) // with a small row limit
	f.Add([]byte("a\tb\r\n1\t\"2\"\"\"\r\n"), uint8(5))
	for _, data := range hostileBytes() {
		f.Add(data, uint8(0))
	}
	// Line ends of every kind, mixed, in and out of quotes; blank lines of each.
	f.Add([]byte("a,b\r1,2\n3,4\r\n\r\r\n\n5,\"6\r7\r\n8\"\r"), uint8(0))
	f.Add([]byte("a;b\r\n"+strings.Repeat("\r\n", 200)+strings.Repeat(" ;\r", 200)+"1;2"), uint8(0x80))
	// Excel's sep= line: plain, quoted, after a BOM with a tab, in UTF-16, padded.
	f.Add([]byte("sep=;\r\na;b\r\n1;2\r\n"), uint8(0))
	f.Add([]byte("\"sep=|\"\na|b\n1|2\n"), uint8(0))
	f.Add([]byte("\xEF\xBB\xBFsep=\t\na\tb\n1\t2\n"), uint8(2))
	f.Add([]byte("\xFF\xFEs\x00e\x00p\x00=\x00;\x00\n\x00a\x00;\x00b\x00\n\x001\x00;\x00\"\x00\n\x00"), uint8(3))
	f.Add([]byte("SEP=,,,\ra,b\r"), uint8(4))
	// Quotes never closed, in the middle, with quoted fields after, and across the row limit.
	f.Add([]byte("a,b\n1,\"x\n2,y\n\n3,\"z, w\"\n"), uint8(0))
	f.Add([]byte("a,b\n1,\"x\n"+strings.Repeat("2,y\n", 100)), uint8(0x80))
	f.Add([]byte("a,b\n1,\""+strings.Repeat("x", 400)+"\"\n2,y\n"), uint8(0x80))
	f.Add([]byte("a,b\n1,"+strings.Repeat("é", 400)+"\n2,y\r\n"), uint8(0x80))

	f.Fuzz(func(t *testing.T, data []byte, opt uint8) {
		opts := fuzzOptions[int(opt&0x7F)%len(fuzzOptions)]
		smallLimit := opt&0x80 != 0

		r, err := New(bytes.NewReader(data), "fuzz.csv", opts)
		if err != nil {
			if !errors.Is(err, rows.ErrUnreadable) {
				t.Fatalf("New: %v is not a source error", err)
			}
			return
		}
		if smallLimit {
			r.frame.limit = 300
		}
		h, err := r.Header()
		if err != nil {
			if !errors.Is(err, rows.ErrUnreadable) {
				t.Fatalf("Header: %v is not a source error", err)
			}
			if _, err2 := r.Next(); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("Next after a header error = %v, want %v", err2, err)
			}
			return
		}
		if h.Num < 1 || opts.HeaderRow > 0 && h.Num != opts.HeaderRow || len(h.Names) == 0 {
			t.Fatalf("header %+v", h)
		}
		for _, n := range h.Names {
			if !utf8.ValidString(n) || n != strings.TrimSpace(n) || strings.HasPrefix(n, "\uFEFF") {
				t.Fatalf("header name %q not valid, trimmed UTF-8", n)
			}
		}

		// Every row, even one spoilt by its quotes, starts on its own line: no row number
		// exceeds the file's count of line-end bytes (UTF-16 ones included, and CRs, which
		// end lines too) plus one.
		maxRow := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1
		prev := h.Num
		var got []rows.Row
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatal("reader does not end")
			}
			row, err := r.Next()
			if err == io.EOF {
				if _, err := r.Next(); err != io.EOF {
					t.Fatalf("Next after io.EOF = %v", err)
				}
				break
			}
			if err != nil {
				var se *rows.SourceError
				if !errors.As(err, &se) {
					t.Fatalf("Next: %v (%T) is not a *rows.SourceError", err, err)
				}
				break
			}
			if row.Num <= prev || row.Num > maxRow {
				t.Fatalf("row number %d after %d (at most %d)", row.Num, prev, maxRow)
			}
			prev = row.Num
			if len(row.Cells) < len(h.Names) {
				t.Fatalf("row %d has %d cells, the header %d", row.Num, len(row.Cells), len(h.Names))
			}
			for _, c := range row.Cells {
				if !utf8.ValidString(c) {
					t.Fatalf("row %d: cell %q is not UTF-8", row.Num, c)
				}
			}
			if row.Err == nil {
				if len(row.Cells) != len(h.Names) || rows.Blank(row.Cells) {
					t.Fatalf("row %d without error: %q", row.Num, row.Cells)
				}
			} else {
				var m *rows.MalformedRowError
				if !errors.As(row.Err, &m) || m.Row != row.Num || m.Want != len(h.Names) {
					t.Fatalf("row %d: Err %v (%T) is not this row's malformed row", row.Num, row.Err, row.Err)
				}
				_ = row.Err.Error()
			}
			got = append(got, row)
		}

		// UTF-8 read with defaults: the rows are what encoding/csv reads, blank records left out.
		if opts == (Options{}) && !smallLimit && utf8.Valid(data) && !bytes.HasPrefix(data, bomUTF8) {
			compareWithCSV(t, data, r.Delimiter(), h, got)
		}
	})
}

// compareWithCSV checks rows read from data against encoding/csv's own reading of data with
// its line ends made LF and without a sep= first line, as the reader reads it, up to the first
// broken quote (from which csv reads on in the quoted field, and the reader on the next line).
func compareWithCSV(t *testing.T, data []byte, delim rune, h rows.Header, got []rows.Row) {
	t.Helper()
	if _, n := sepDirective(data[:min(len(data), peekSize)], len(data) <= peekSize); n > 0 {
		data = data[n:]
	}
	data = bytes.Clone(data)
	data = data[:(&framer{}).lineEnds(data)]
	for i, row := range got {
		if errors.Is(row.Err, ErrUnclosedQuote) {
			got = got[:i+1]
			break
		}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	type item struct {
		rec []string
		err bool
	}
	var items []item
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("csv: %v", err)
		}
		if err == nil && rows.Blank(rec) {
			continue
		}
		items = append(items, item{rec, err != nil})
	}
	if len(items) == 0 || items[0].err {
		t.Fatalf("csv has no header but the reader found %+v", h)
	}
	items = items[1:]
	if len(got) > 0 && errors.Is(got[len(got)-1].Err, ErrUnclosedQuote) && len(items) >= len(got) {
		items = items[:len(got)]
	}
	if len(items) != len(got) {
		t.Fatalf("csv reads %d rows, the reader %d", len(items), len(got))
	}
	for i, it := range items {
		if it.err != (got[i].Err != nil && !isCountError(got[i].Err)) {
			t.Fatalf("row %d: csv error %v, reader error %v", got[i].Num, it.err, got[i].Err)
		}
		if !it.err && !reflect.DeepEqual(got[i].Cells[:len(it.rec)], it.rec) {
			t.Fatalf("row %d: csv reads %q, the reader %q", got[i].Num, it.rec, got[i].Cells)
		}
		if !it.err && len(it.rec) < len(got[i].Cells) && slices.ContainsFunc(got[i].Cells[len(it.rec):], func(s string) bool { return s != "" }) {
			t.Fatalf("row %d: padding %q is not empty", got[i].Num, got[i].Cells)
		}
	}
}

// isCountError reports whether err is a field count error alone (not a syntax error).
func isCountError(err error) bool {
	var s *SyntaxError
	return !errors.As(err, &s)
}
