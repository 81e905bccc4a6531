package csvread

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// refFrame is the framer written the slow, obvious way, a byte at a time over the whole input:
// what csv should read from data, and the records the framer ends itself.
func refFrame(data []byte, delim byte, limit int, utf8 bool) ([]byte, []cutEvent) {
	// Line ends: CRLF and a lone CR become LF.
	var text []byte
	for i := 0; i < len(data); i++ {
		if data[i] == '\r' {
			text = append(text, '\n')
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			continue
		}
		text = append(text, data[i])
	}
	var out []byte
	var evs []cutEvent
	note := func(reason error, quote bool, col int) {
		partial := quote || !(len(out) > 1 && out[len(out)-1] == '\n' && out[len(out)-2] == '"')
		evs = append(evs, cutEvent{end: int64(len(out)), reason: reason, partial: partial, quote: quote, col: col})
	}
	charStart := func(rec, c int) int {
		for k := 0; utf8 && k < 3 && c > rec+1 && c < len(text) && text[c]&0xC0 == 0x80; k++ {
			c--
		}
		return c
	}
	// skipLine returns the position after the line end at or after c.
	skipLine := func(c int) int {
		for c < len(text) && text[c] != '\n' {
			c++
		}
		return min(c+1, len(text))
	}
	rec := 0
	for rec < len(text) {
		L := rec + limit
		const (
			field = iota
			quote
			skip
		)
		mode, fieldStart, qOpen, qNL := field, true, 0, -1
		col := func() int {
			ls := rec
			for k := rec; k < qOpen; k++ {
				if text[k] == '\n' {
					ls = k + 1
				}
			}
			return qOpen - ls + 1
		}
		// brokenQuote ends the record at a broken quote found at c; it returns where the next
		// record starts.
		brokenQuote := func(c int, reason error) int {
			if qNL >= 0 {
				out = append(out, text[rec:qNL]...)
				out = append(out, '"')
				note(reason, true, col())
				out = append(out, '\n')
				return qNL + 1
			}
			out = append(out, text[rec:charStart(rec, c)]...)
			out = append(out, '"', '\n')
			note(reason, true, col())
			return skipLine(c)
		}
		next := -1
		for i := rec; next < 0; {
			if i == len(text) {
				if mode != quote && i > L {
					// A closing quote and delimiter stepped past the limit to the end.
					out = append(out, text[rec:charStart(rec, L)]...)
					out = append(out, '\n')
					note(ErrRowTooLong, false, 0)
					next = i
					break
				}
				if mode == quote {
					if qNL >= 0 {
						next = brokenQuote(i, ErrUnclosedQuote)
						break
					}
					out = append(out, text[rec:]...)
					out = append(out, '"')
					note(ErrUnclosedQuote, true, col())
				} else {
					out = append(out, text[rec:]...)
				}
				next = i
				break
			}
			c := text[i]
			switch mode {
			case field, skip:
				if c == '\n' && i <= L {
					out = append(out, text[rec:i+1]...)
					next = i + 1
					break
				}
				if i >= L {
					out = append(out, text[rec:charStart(rec, L)]...)
					out = append(out, '\n')
					note(ErrRowTooLong, false, 0)
					next = skipLine(L)
					break
				}
				if mode == field {
					switch {
					case c == '"' && fieldStart:
						mode, qOpen, qNL = quote, i, -1
					case c == '"':
						mode = skip
					}
					fieldStart = c == delim
				}
				i++
			case quote:
				if i >= L {
					next = brokenQuote(L, ErrRowTooLong)
					break
				}
				if c == '\n' && qNL < 0 {
					qNL = i
				}
				if c != '"' {
					i++
					continue
				}
				if i+1 == len(text) {
					out = append(out, text[rec:]...)
					next = len(text)
					break
				}
				switch n := text[i+1]; {
				case n == '"':
					if i+1 >= L {
						next = brokenQuote(i, ErrRowTooLong)
						break
					}
					i += 2
				case n == delim:
					mode, fieldStart = field, true
					i += 2
				case n == '\n':
					out = append(out, text[rec:i+2]...)
					next = i + 2
				default:
					if qNL >= 0 {
						next = brokenQuote(i, ErrUnclosedQuote)
						break
					}
					mode = skip
					i++
				}
			}
		}
		rec = next
	}
	return out, evs
}

// chunky returns its data in reads of the sizes it cycles through.
type chunky struct {
	data  []byte
	sizes []int
	k     int
}

func (c *chunky) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := c.sizes[c.k%len(c.sizes)]
	c.k++
	n = min(n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// frameAll reads everything a framer gives, in reads of readSize, and its events.
func frameAll(t testing.TB, f *framer, readSize int) ([]byte, []cutEvent) {
	t.Helper()
	var out []byte
	p := make([]byte, readSize)
	for range 1 << 20 {
		n, err := f.Read(p)
		out = append(out, p[:n]...)
		if err == io.EOF {
			return out, f.events[f.evHead:]
		}
		if err != nil {
			t.Fatalf("framer: %v", err)
		}
	}
	t.Fatal("framer does not end")
	return nil, nil
}

// checkFramer compares the framer with refFrame on data, read in chunks of the given sizes
// through a buffer of bufSize.
func checkFramer(t testing.TB, data []byte, delim byte, limit, bufSize int, sizes []int, readSize int) {
	t.Helper()
	wantOut, wantEv := refFrame(data, delim, limit, true)
	f := newFramer(&chunky{data: data, sizes: sizes}, limit, delim, true)
	f.bufSize = bufSize
	gotOut, gotEv := frameAll(t, f, readSize)
	if !bytes.Equal(gotOut, wantOut) {
		t.Fatalf("framer(%q, limit %d, buf %d, reads %v)\n got %q\nwant %q", data, limit, bufSize, sizes, gotOut, wantOut)
	}
	if len(gotEv) != len(wantEv) || len(gotEv) > 0 && !reflect.DeepEqual(gotEv, wantEv) {
		t.Fatalf("framer(%q, limit %d, buf %d, reads %v): events\n got %+v\nwant %+v", data, limit, bufSize, sizes, gotEv, wantEv)
	}
	// The buffer grows only while the record being framed (at most limit+1 bytes) fills it.
	if first := cmp.Or(bufSize, minBuf); len(f.buf) > max(first, 2*(limit+1)) {
		t.Fatalf("buffer grew to %d (first %d, limit %d)", len(f.buf), first, limit)
	}
	// Taken a line at a time (line, else gather), as the Reader takes it, the text and the
	// events are the same.
	f = newFramer(&chunky{data: data, sizes: sizes}, limit, delim, true)
	f.bufSize = bufSize
	gotOut, gotEv = frameLines(t, f)
	if !bytes.Equal(gotOut, wantOut) {
		t.Fatalf("framer lines(%q, limit %d, buf %d, reads %v)\n got %q\nwant %q", data, limit, bufSize, sizes, gotOut, wantOut)
	}
	if len(gotEv) != len(wantEv) || len(gotEv) > 0 && !reflect.DeepEqual(gotEv, wantEv) {
		t.Fatalf("framer lines(%q, limit %d, buf %d, reads %v): events\n got %+v\nwant %+v", data, limit, bufSize, sizes, gotEv, wantEv)
	}
}

// frameLines takes all of f's text a line at a time, as Reader.nextLine does, checking that
// every line but the last ends in an LF and holds no other.
func frameLines(t testing.TB, f *framer) ([]byte, []cutEvent) {
	t.Helper()
	var out []byte
	for range 1 << 20 {
		line := f.line()
		if line == nil {
			line = f.gather(nil)
		}
		if len(line) == 0 {
			if !f.end || f.err != io.EOF {
				t.Fatalf("framer lines: no line, end %v, err %v", f.end, f.err)
			}
			return out, f.events[f.evHead:]
		}
		if i := bytes.IndexByte(line, '\n'); i >= 0 && i != len(line)-1 || i < 0 && !f.end {
			t.Fatalf("framer lines: %q is not one line", line)
		}
		out = append(out, line...)
	}
	t.Fatal("framer does not end")
	return nil, nil
}

// TestFramer compares the framer with refFrame on hand-made inputs, whole and cut into reads
// of every small size, through small buffers.
func TestFramer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		data  string
		limit int
	}{
		{"plain", "a,b\n1,2\n", 100},
		{"no final line end", "a,b\n1,2", 100},
		{"CRLF, lone CR and LF", "a,b\r\n1,2\r3,4\n\r\n\r\r5,6\r", 100},
		{"CR and CRLF in quotes", "a,\"x\ry\r\nz\"\r\n1,2\r", 100},
		{"quoted fields", "a,\"b,c\",\"d\"\"e\"\n\"\",\"\"\"\"\n", 100},
		{"bare quote", "a,b\"c,\"d\n1,2\n", 100},
		{"text after closing quote", "a,\"b\"c,\"d\n1,2\n", 100},
		{"quote across lines", "a,\"b\nc\",d\n1,2\n", 100},
		{"quote closed on a later line, then text", "a,\"b\nc\nd\"e,f\n1,\"2\"\n", 100},
		{"unclosed on the last line", "a,b\n1,\"2", 100},
		{"unclosed at the end, opened earlier", "a,b\n1,\"2\n3,4\n\n5,6", 100},
		{"unclosed quote at the end of a line", "a,b\n1,\"\n3,4\n", 100},
		{"quote at the very end", "a,\"b\"", 100},
		{"long unquoted", "a,b\n1," + strings.Repeat("x", 40) + "\n2,3\n", 16},
		{"long unquoted, last line", "a,b\n1," + strings.Repeat("x", 40), 16},
		{"exactly the limit", "0123456789abcdef\n0123456789abcdefg\nx\n", 16},
		{"exactly the limit, quoted", "\"123456789abcde\"\n\"123456789abcdef\"\nx\n", 16},
		{"long quoted on one line, closed", "a,\"" + strings.Repeat("y", 40) + "\",z\n2,3\n", 16},
		{"long quoted on one line, never closed", "a,\"" + strings.Repeat("y", 40) + "\n2,3\n4,5\n", 16},
		{"long quote over lines", "a,\"b\n" + strings.Repeat("ccc\n", 10) + "2,3\n", 16},
		{"long quote over lines, closed late", "a,\"b\n" + strings.Repeat("ccc\n", 10) + "\",2\n", 16},
		{"pair across the limit", "\"12345678901234\"\"5\"\n1\n", 16},
		{"delimiter after the limit", "\"12345678901234\",5\n1\n", 16},
		{"delimiter at the limit", "\"1234567890123\",5\n1\n", 16},
		{"delimiter at the limit, then the end", "\"\",\"\",", 5},
		{"text after quote at the limit", "\"12345678901234\"x\n1\n", 16},
		{"bare quote, long", "a\"b" + strings.Repeat("c", 30) + "\n1\n", 16},
		{"UTF-8 at the cut", "ab," + strings.Repeat("é", 20) + "\nz\n", 16},
		{"UTF-8 at the cut, quoted", "ab,\"" + strings.Repeat("€", 20) + "\nz\n", 16},
		{"blank lines", strings.Repeat("\r\n", 50) + strings.Repeat("\r", 50) + strings.Repeat("\n", 50) + "x\n", 16},
		{"blank lines of spaces and delimiters", strings.Repeat(" \r", 50) + strings.Repeat(",,,\r\n", 50) + "x\n", 16},
		{"quote after a multi-line field", "\"a\nb\",\"c" + strings.Repeat("d", 30) + "\n1\n", 16},
		{"lone CR ends the quote's line", "a,\"b\rc,d\r", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := []byte(tt.data)
			checkFramer(t, data, ',', tt.limit, 0, []int{len(data) + 1}, 4096)
			for size := 1; size <= 7; size++ {
				for _, buf := range []int{1, 3, 8, 64} {
					checkFramer(t, data, ',', tt.limit, buf, []int{size, 1, size + 2}, size)
				}
			}
		})
	}
}

// TestFramerReadError pins that a read error reaches csv after the records read before it.
func TestFramerReadError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	f := newFramer(&failing{iotest.HalfReader(strings.NewReader("a,b\n1,\"2\n")), boom}, 100, ',', true)
	var out []byte
	p := make([]byte, 3)
	var err error
	for range 100 {
		var n int
		n, err = f.Read(p)
		out = append(out, p[:n]...)
		if err != nil {
			break
		}
	}
	if err != boom || string(out) != "a,b\n" {
		t.Fatalf("read %q then %v; want %q then %v", out, err, "a,b\n", boom)
	}
}

// FuzzFramer compares the framer with refFrame on any input, limit, buffer and read sizes.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("a,\"b\nc\"d\n1,2\n"), uint8(16), uint8(3), uint8(5))
	f.Add([]byte("a,\""+strings.Repeat("x", 40)+"\n1\r\n2\r3"), uint8(8), uint8(1), uint8(2))
	f.Add([]byte("\"12345678901234\"\"5\"\n1\n"), uint8(16), uint8(4), uint8(1))
	f.Add([]byte("x;\"é€\r\n\";\"\"\"\r"), uint8(5), uint8(2), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, limit, buf, read uint8) {
		delim := byte(',')
		if limit&0x80 != 0 {
			delim = ';'
		}
		lim := 4 + int(limit%64)
		sizes := []int{1 + int(read%9), 1 + int(read/9%5), 1 + int(read/45)}
		checkFramer(t, data, delim, lim, 1+int(buf%32), sizes, 1+int(read%13))
	})
}

// TestFramerShowsCSVWhatItReads pins what csv reads for a quote never closed: the quote's line
// with a closing quote added, then the lines after it as they are.
func TestFramerShowsCSVWhatItReads(t *testing.T) {
	t.Parallel()
	f := newFramer(strings.NewReader("id,name\n1,\"Ann\n2,Bo\n"), 100, ',', true)
	out, evs := frameAll(t, f, 64)
	if got := fmt.Sprintf("%q %d", out, len(evs)); got != `"id,name\n1,\"Ann\"\n2,Bo\n" 1` {
		t.Errorf("got %s", got)
	}
}
