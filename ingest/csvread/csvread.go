// Package csvread turns a CSV roster's byte stream (UTF-8, Windows-1252 or UTF-16; comma,
// semicolon, tab or pipe delimited) into a rows.Reader: a header, then the non-blank data rows,
// numbered as a spreadsheet numbers them.
//
// Every line of the file is read: a line ends at LF, CRLF or a lone CR, however they are mixed;
// a row too long (MaxRowBytes) or a quote that is never closed spoils that row alone, and the
// rows after it are read and numbered as the file's lines. An Excel "sep=;" first line names
// the delimiter and, as in Excel, is not a row.
package csvread

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/rosterload/rosterload/ingest/rows"
)

// MaxRowBytes is the longest row the reader reads, in bytes of text without its line end. A
// longer one is a malformed row (ErrRowTooLong) with the fields read before the cut; the rest of
// it, to the end of its line, is skipped unread, and reading goes on with the next line. When
// the row is long because a quote opened on it is never closed, the row ends at the end of the
// line the quote was opened on instead, and reading goes on with the line after that.
const MaxRowBytes = 1 << 20

// peekSize is how much of the start of a source is looked at, before any row is read, to find
// its encoding and delimiter and to refuse files that are not CSV.
const peekSize = 64 << 10

// Options says how to read a CSV source. The zero value detects everything.
type Options struct {
	// Encoding is "" to detect; else "utf-8", "windows-1252" (aliases "cp1252", "latin1",
	// "iso-8859-1"), "utf-16" (byte-order mark required), "utf-16le" or "utf-16be".
	Encoding string
	// Delimiter is 0 for the one an Excel "sep=X" first line names, or else to sniff among
	// ',' ';' '\t' '|'; else one ASCII character (a sep= line is then skipped all the same).
	Delimiter rune
	// HeaderRow is 0 for the first non-blank row; N for row N (rows before it are ignored).
	HeaderRow int
}

// Reader reads a CSV source as rows. It implements rows.Reader. It is not safe for
// concurrent use; the rows it returns are the caller's and may go to other goroutines.
type Reader struct {
	name      string
	headerRow int
	frame     *framer     // the text, a line at a time (nextLine)
	csv       *csv.Reader // parses a record with a quote in it, fed by feed
	feed      feeder

	enc     charset // after detection: never encUTF16
	bom     bool    // a UTF-8 byte-order mark was stripped
	sawUTF8 bool    // encDetect: a cell held valid non-ASCII UTF-8
	saw1252 bool    // encDetect: a cell was not UTF-8 and was read as Windows-1252
	delim   rune
	// delimStr is delim as a string, for strings.Count (made once, not per row).
	delimStr string

	header     rows.Header
	headerErr  error
	headerDone bool
	err        error // io.EOF or a *rows.SourceError: what every later Next returns
	closed     bool

	// Row numbering (see read): the row and the last file line of the previous record.
	lastRow, lastLine int
	mark              int64 // the input offset at the end of the previous record

	off    int64    // bytes of the framer's text read
	lines  int      // lines of the framer's text read
	long   []byte   // a line the framer gives in pieces, put together
	fields []string // the cells of the last record splitQuoted cut, reused
	body   []byte   // the text of the last record when split here (nil when csv parsed it)
	unq    []byte   // splitQuoted's cell text, unquoted
	ends   []int    // splitQuoted's cell ends in unq

	// cells is where rows' cell slices are cut from, many rows to an allocation.
	cells []string
	// spare is where rows' text is copied to (see keep), many rows to an allocation.
	spare []byte
	// ascii is how many bytes at the start of the last record split cut are ASCII, as split
	// found while cutting it (0 when it did not look): plain need not look at them again.
	ascii int
	// owned says the last record's cells were cut from cells already (split does so), with
	// room for the header's count: Next pads them in place rather than copying them.
	owned bool
}

// cellChunk is how many cells one allocation holds (64 rows of 16 columns); a wider row gets
// one of its own.
const cellChunk = 1024

// textChunk is how many bytes of row text one allocation holds (some 64 rows of a roster, as
// cellChunk); a row longer than textChunk/8 gets one of its own.
const textChunk = 16 << 10

var _ rows.Reader = (*Reader)(nil)

// New returns a Reader of the CSV text in r; name is the source's name, for messages. It
// looks at the first 64 KiB of r to choose the encoding and the delimiter, and refuses, with
// a *rows.SourceError, a source that is empty or not CSV at all (binary, ZIP/XLSX, ...). A
// first line "sep=X" (Excel's; case does not matter, it may be quoted) names the delimiter X and
// is skipped: the line after it is row 1.
// Options it cannot use are an error wrapping ErrUnknownEncoding or ErrInvalidOption.
// New does not close r.
func New(r io.Reader, name string, opts Options) (*Reader, error) {
	enc, ok := parseEncoding(opts.Encoding)
	if !ok {
		return nil, fmt.Errorf("%w %q: want utf-8, windows-1252 (cp1252, latin1, iso-8859-1), utf-16, utf-16le or utf-16be", ErrUnknownEncoding, opts.Encoding)
	}
	if d := opts.Delimiter; d != 0 && (d >= utf8.RuneSelf || d == '"' || d == '\r' || d == '\n') {
		return nil, fmt.Errorf("%w: delimiter %q: want one ASCII character other than a quote or a line end", ErrInvalidOption, d)
	}
	if opts.HeaderRow < 0 {
		return nil, fmt.Errorf("%w: header row %d: want 0 (the first non-blank row) or a row number from 1", ErrInvalidOption, opts.HeaderRow)
	}
	if r == nil {
		return nil, fmt.Errorf("%w: no reader for %s", ErrInvalidOption, name)
	}

	rd := &Reader{name: name, headerRow: opts.HeaderRow}
	br := bufio.NewReaderSize(r, peekSize)
	head, err := br.Peek(peekSize)
	atEOF := err == io.EOF
	if err != nil && !atEOF {
		return nil, rows.Unreadable(name, "cannot be read: %w", err)
	}
	if len(head) == 0 {
		return nil, rows.Unreadable(name, "file is empty")
	}
	if why := magicReason(head); why != "" {
		return nil, rows.Unreadable(name, "%s", why)
	}

	named := enc
	bomEnc, bomLen := bomOf(head)
	if bomEnc != encDetect {
		if !bomAgrees(enc, bomEnc) {
			return nil, rows.Unreadable(name, "file starts with a %s byte-order mark, but its encoding was named %s", encName(bomEnc), encName(enc))
		}
		enc = bomEnc
		rd.bom = bomEnc == encUTF8
	} else if enc == encUTF16 {
		return nil, rows.Unreadable(name, "file has no byte-order mark, which encoding utf-16 needs; name utf-16le or utf-16be instead")
	}
	if named == encDetect && enc == encUTF8 {
		enc = encDetect // a UTF-8 BOM still falls back to Windows-1252 for invalid cells
	}
	rd.enc = enc
	if _, err := br.Discard(bomLen); err != nil {
		return nil, rows.Unreadable(name, "cannot be read: %w", err)
	}

	text := br
	if enc == encUTF16LE || enc == encUTF16BE {
		end := xunicode.LittleEndian
		if enc == encUTF16BE {
			end = xunicode.BigEndian
		}
		// The BOM is gone already; a second one would be text, and is trimmed from the header.
		dec := transform.NewReader(br, xunicode.UTF16(end, xunicode.IgnoreBOM).NewDecoder())
		tbr := bufio.NewReaderSize(dec, peekSize)
		head, err = tbr.Peek(peekSize)
		atEOF = err == io.EOF
		if err != nil && !atEOF {
			return nil, rows.Unreadable(name, "cannot be read: %w", err)
		}
		text = tbr
	} else {
		head = head[bomLen:]
	}

	if why := textReason(head, enc != encUTF16LE && enc != encUTF16BE); why != "" {
		return nil, rows.Unreadable(name, "%s", why)
	}
	// Excel's "sep=;" line: Excel hides it, so the rows are numbered from the line after it,
	// and the sniffer must not count its delimiter.
	rd.delim = opts.Delimiter
	if d, n := sepDirective(head, atEOF); n > 0 {
		if _, err := text.Discard(n); err != nil {
			return nil, rows.Unreadable(name, "cannot be read: %w", err)
		}
		head = head[n:]
		if rd.delim == 0 {
			rd.delim = rune(d)
		}
	}
	if atEOF && isBlankText(head) {
		return nil, rows.Unreadable(name, "file is empty")
	}
	if enc == encDetect {
		rd.sawUTF8, rd.saw1252 = scanUTF8(head, atEOF)
	}
	if rd.delim == 0 {
		if bytes.IndexByte(head, '\r') >= 0 {
			// CRLF and a lone CR end lines as LF does (see framer).
			h := bytes.Clone(head)
			head = h[:(&framer{}).lineEnds(h)]
		}
		rd.delim = sniffDelimiter(head, atEOF, opts.HeaderRow)
	}

	rd.delimStr = string(rune(rd.delim))
	rd.frame = newFramer(text, MaxRowBytes, byte(rd.delim), enc != encCP1252)
	rd.feed.r = rd
	rd.csv = csv.NewReader(&rd.feed)
	rd.csv.Comma = rd.delim
	rd.csv.FieldsPerRecord = -1 // a ragged row is that row's error, not the end of the file
	rd.csv.ReuseRecord = true   // Next copies the cells (one slice per row)
	// LazyQuotes stays off. With it, a quote that is never closed silently swallows every row
	// after it and stray quotes end up in names and ids that then get submitted; without it a
	// broken row is a malformed_row that points the clerk at the cell to fix, and the rows
	// after it are still read.
	rd.csv.LazyQuotes = false
	return rd, nil
}

// bomAgrees reports whether a byte-order mark of bomEnc fits the named encoding.
func bomAgrees(named, bomEnc charset) bool {
	switch named {
	case encDetect:
		return true
	case encUTF16:
		return bomEnc == encUTF16LE || bomEnc == encUTF16BE
	}
	return named == bomEnc
}

// encName names an encoding for a message.
func encName(e charset) string {
	switch e {
	case encUTF8:
		return "utf-8"
	case encCP1252:
		return "windows-1252"
	case encUTF16:
		return "utf-16"
	case encUTF16LE:
		return "utf-16le"
	case encUTF16BE:
		return "utf-16be"
	}
	return "auto"
}

// Encoding says how the source is being read, for a log line: "utf-8", "utf-8 (bom)",
// "windows-1252", "utf-16le", "utf-16be", or "utf-8 with windows-1252 cells" when a UTF-8
// file also holds cells that are not UTF-8. Detection looks at the first 64 KiB and then at
// every cell read, so the answer is final only once the source has been read.
func (r *Reader) Encoding() string {
	switch r.enc {
	case encCP1252:
		return "windows-1252"
	case encUTF16LE:
		return "utf-16le"
	case encUTF16BE:
		return "utf-16be"
	}
	name := "utf-8"
	if r.bom {
		name = "utf-8 (bom)"
	}
	if r.enc == encDetect && r.saw1252 {
		if !r.bom && !r.sawUTF8 {
			return "windows-1252"
		}
		return name + " with windows-1252 cells"
	}
	return name
}

// Delimiter returns the field delimiter, named or sniffed.
func (r *Reader) Delimiter() rune { return r.delim }

// Header returns the header row: row Options.HeaderRow, or the first non-blank row. Its
// names are trimmed. A source without one is a *rows.SourceError.
func (r *Reader) Header() (rows.Header, error) {
	if !r.headerDone {
		if r.closed {
			return rows.Header{}, rows.Unreadable(r.name, "reader is closed")
		}
		r.headerDone = true
		r.header, r.headerErr = r.readHeader()
	}
	return r.header, r.headerErr
}

func (r *Reader) readHeader() (rows.Header, error) {
	var before error // a broken row before the header row, which may have swallowed it
	for {
		num, cells, syn, err := r.read()
		if err == io.EOF {
			hint := ""
			if before != nil {
				hint = " (" + before.Error() + ")"
			}
			if r.headerRow > 0 {
				return rows.Header{}, rows.Unreadable(r.name, "header row %d is beyond the end of the file, whose last row with data is row %d%s", r.headerRow, r.lastRow, hint)
			}
			return rows.Header{}, rows.Unreadable(r.name, "no header row: the file has only blank rows%s", hint)
		}
		if err != nil {
			return rows.Header{}, err
		}
		if r.headerRow > 0 {
			if num < r.headerRow {
				if syn != nil {
					before = syn
				}
				continue
			}
			// encoding/csv skips empty lines, so a record past the header row means that row
			// was an empty line.
			if num > r.headerRow || syn == nil && r.blank(cells) {
				return rows.Header{}, rows.Unreadable(r.name, "header row %d is blank", r.headerRow)
			}
		} else if syn == nil && r.blank(cells) {
			continue
		}
		if syn != nil {
			return rows.Header{}, &rows.SourceError{Name: r.name, Err: fmt.Errorf("the header row cannot be read: %w", syn)}
		}
		names := make([]string, len(cells))
		for i, c := range cells {
			names[i] = strings.TrimFunc(r.text(c), isSpaceOrBOM)
		}
		return rows.Header{Num: num, Names: names}, nil
	}
}

// isSpaceOrBOM is what header names are trimmed of: a byte-order mark a tool wrote twice is
// not part of the first name.
func isSpaceOrBOM(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

// Next returns the next non-blank data row, io.EOF after the last one, or a *rows.SourceError
// when the source cannot be read (no header, a read failure). A row whose fields do not match
// the header, or whose quotes are broken, is returned with Err set (a *rows.MalformedRowError,
// or a *SyntaxError that wraps one), and reading goes on; its Cells are padded with "" to the
// header's length, and keep any extra fields.
func (r *Reader) Next() (rows.Row, error) {
	if r.closed {
		return rows.Row{}, rows.Unreadable(r.name, "reader is closed")
	}
	if _, err := r.Header(); err != nil {
		return rows.Row{}, err
	}
	if r.err != nil {
		return rows.Row{}, r.err
	}
	want := len(r.header.Names)
	for {
		num, cells, syn, err := r.read()
		if err != nil {
			r.err = err
			return rows.Row{}, err
		}
		// A blank row is skipped whatever its field count: it holds nothing to report.
		if syn == nil && r.blank(cells) {
			continue
		}
		// A slice of its own per row, since read may reuse its own (the strings it returned
		// are fresh for each record already); cut from a chunk shared by the next rows (see
		// take), unless split cut it so already.
		n := max(len(cells), want)
		var out []string
		if r.owned {
			out = cells[:n:n] // the padding is the chunk's zero values: ""
		} else {
			out = r.take(n)
		}
		if syn == nil && r.body != nil && r.plain(r.body) {
			if !r.owned {
				copy(out, cells) // each cell is its own text: no need to look at them one by one
			}
		} else {
			for i, c := range cells {
				out[i] = r.text(c)
			}
		}
		row := rows.Row{Num: num, Cells: out}
		switch {
		case syn != nil:
			syn.Want = want
			row.Err = syn
		case len(cells) != want:
			row.Err = &rows.MalformedRowError{Row: num, Got: len(cells), Want: want}
		}
		return row, nil
	}
}

// take cuts a slice of n cells from the chunk shared by the next rows, capped, so that an
// append to one row's cells cannot reach another's.
func (r *Reader) take(n int) []string {
	if len(r.cells) < n {
		r.cells = make([]string, max(n, cellChunk))
	}
	out := r.cells[:n:n]
	r.cells = r.cells[n:]
	return out
}

// Close ends reading; Next then fails. It does not close the io.Reader given to New, which
// stays its opener's to close.
func (r *Reader) Close() error {
	r.closed = true
	return nil
}

// read returns the next record, blank or not, with its spreadsheet row number; a record
// whose syntax is broken comes with syn (and the fields read before the fault). err is io.EOF
// or a *rows.SourceError.
//
// The framer gives one LF per line end of the file, so the lines read are the file's lines. A
// line without a quote is a whole record (the framer gives whole records only, and a quoted
// field can only span lines when it has a quote), and it is split here at its delimiters, as
// encoding/csv would split it; a record with a quote goes to encoding/csv, fed its lines one
// at a time (feeder) so that it never reads past the record's end.
//
// Row numbers: a spreadsheet shows each record as one row (one with quoted newlines too), and
// each empty line as a row, which is skipped here, as encoding/csv skips it. So the reader keeps
// the row and the file line where the previous record ended; the next record starts at the
// line after the empty ones, and every line in between was an empty line, one row each:
//
//	row = previous row + (start line - previous end line)
//
// A record ends on the line its last field starts on (csv's FieldPos) plus the newlines inside
// that field (csv turns each line break in a quoted field into one "\n"); a broken record ends
// on ParseError.Line, since csv drops the rest of that line and goes on at the next.
func (r *Reader) read() (num int, cells []string, syn *SyntaxError, err error) {
	start := r.mark
	r.body, r.owned, r.ascii = nil, false, 0
	var line []byte
	for {
		line, err = r.nextLine()
		if line == nil {
			return r.readError(nil, 0, err, cutEvent{}, false)
		}
		if len(line) > 1 || line[0] != '\n' {
			break
		}
	}
	first, last := r.lines, r.lines
	body := line
	if body[len(body)-1] == '\n' {
		body = body[:len(body)-1]
	}
	if bytes.IndexByte(body, '"') < 0 {
		r.body, r.owned = body, true
		cells = r.split(r.keep(body))
	} else if cells = r.splitQuoted(body); cells != nil {
		r.body = body
	} else {
		r.feed.pending = line
		cells, err = r.csv.Read()
	}
	r.mark = r.off
	var ev cutEvent
	var cut bool
	if len(r.frame.events) > 0 {
		ev, cut = r.frame.take(start, r.mark)
	}
	if err != nil {
		return r.readError(cells, first, err, ev, cut)
	}
	if r.body == nil {
		// csv numbers the lines it was fed; first is the file's number of its first.
		f, _ := r.csv.FieldPos(0)
		l, _ := r.csv.FieldPos(len(cells) - 1)
		last = first + l - f + strings.Count(cells[len(cells)-1], "\n")
	}
	num = r.lastRow + first - r.lastLine
	r.lastRow, r.lastLine = num, last
	if cut {
		// The framer ended this record: it was too long, or a quote on it was broken. Its
		// last field is most often the one at fault, cut short or closed by the framer: the
		// fields before it are what was read.
		if ev.partial {
			// Emptied first: Next pads an owned slice in place, up to the header's count.
			cells[len(cells)-1] = ""
			cells = cells[:len(cells)-1]
		}
		syn = &SyntaxError{
			MalformedRowError: &rows.MalformedRowError{Row: num, Got: len(cells)},
			Cell:              rows.Cell(len(cells), num),
			Line:              r.lastLine,
			Err:               ev.reason,
		}
		if ev.quote {
			syn.Column = ev.col
			syn.Parse = &csv.ParseError{StartLine: first, Line: r.lastLine, Column: ev.col, Err: csv.ErrQuote}
		}
	}
	return num, cells, syn, nil
}

// nextLine returns the next line of the framer's text with its LF (the last line may lack
// it), or nil and what ended the text: io.EOF or a read failure. The line is the reader's
// until the next call.
func (r *Reader) nextLine() ([]byte, error) {
	line := r.frame.line()
	if line == nil {
		line = r.frame.gather(r.long[:0])
		if len(line) > 0 {
			r.long = line
		}
	}
	if len(line) == 0 || r.frame.end && r.frame.err != io.EOF && line[len(line)-1] != '\n' {
		// A read failure ends the text: the framer gives whole lines only before it.
		return nil, r.frame.err
	}
	r.off += int64(len(line))
	r.lines++
	return line, nil
}

// keep returns b's text as a string cut from a chunk that the next rows' text shares, so that a
// row costs no allocation of its own (a longer one gets its own). A chunk's bytes are never
// written again once a string is cut from them.
func (r *Reader) keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > textChunk/8 {
		return string(b)
	}
	if len(r.spare) < len(b) {
		r.spare = make([]byte, textChunk)
	}
	n := copy(r.spare, b)
	s := unsafe.String(unsafe.SliceData(r.spare), n)
	r.spare = r.spare[n:]
	return s
}

// split cuts a record without quotes at its delimiters, as encoding/csv does: s holds the
// cells' text, which share its one allocation. The slice is the row's own, cut by take with
// room for as many cells as the header has (see owned). It notes in r.ascii how many bytes
// of s are ASCII before the first eight that are not (all of them if none), for plain.
func (r *Reader) split(s string) []string {
	d := byte(r.delim)
	n := strings.Count(s, r.delimStr) + 1
	f := r.take(max(n, len(r.header.Names)))[:n]
	k, from, i := 0, 0, 0
	// Eight bytes at a time rather than IndexByte: cells are short, and a call per cell costs
	// more. hit has the top bit of each byte of the word that is the delimiter, and no other.
	const ones, lows = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	dd := uint64(d) * ones
	ascii := -1
	for ; i+8 <= len(s); i += 8 {
		_ = s[i+7] // one bounds check for the eight loads, which compile to one
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&^lows != 0 && ascii < 0 {
			ascii = i
		}
		x := w ^ dd
		hit := ^((x&lows + lows) | x | lows)
		for hit != 0 {
			at := i + bits.TrailingZeros64(hit)>>3
			f[k], k, from = s[from:at], k+1, at+1
			hit &= hit - 1
		}
	}
	if ascii < 0 {
		ascii = i // every byte before i is ASCII
	}
	for ; i < len(s); i++ {
		if s[i] == d {
			f[k], k, from = s[from:i], k+1, i+1
		}
		if ascii == i && s[i] < utf8.RuneSelf {
			ascii++
		}
	}
	f[k] = s[from:]
	r.ascii = ascii
	return f
}

// splitQuoted splits a one-line record with quoted fields as encoding/csv does, and returns
// nil for one it does not read so simply: a quoted field that goes on to the next line, or a
// quote csv finds fault with, whose error and position csv gives. The slice is reused by the
// next call, as split's.
func (r *Reader) splitQuoted(b []byte) []string {
	d := byte(r.delim)
	buf := r.unq[:0]
	ends := r.ends[:0]
	for {
		if len(b) == 0 || b[0] != '"' {
			i := 0
			for i < len(b) && b[i] != d {
				if b[i] == '"' {
					return nil // a bare quote
				}
				i++
			}
			buf = append(buf, b[:i]...)
			ends = append(ends, len(buf))
			if i == len(b) {
				break
			}
			b = b[i+1:]
			continue
		}
		b = b[1:]
		for {
			i := bytes.IndexByte(b, '"')
			if i < 0 {
				return nil // the field goes on past the line, or is never closed
			}
			buf = append(buf, b[:i]...)
			b = b[i+1:]
			if len(b) > 0 && b[0] == '"' {
				buf = append(buf, '"')
				b = b[1:]
				continue
			}
			break
		}
		ends = append(ends, len(buf))
		if len(b) == 0 {
			break
		}
		if b[0] != d {
			return nil // text after a closing quote
		}
		b = b[1:]
	}
	r.unq, r.ends = buf, ends
	str := r.keep(buf)
	f := r.fields[:0]
	prev := 0
	for _, e := range ends {
		f = append(f, str[prev:e])
		prev = e
	}
	r.fields = f
	return f
}

// feeder is encoding/csv's input: the lines of the record it parses, one line a Read, so that
// its buffer never holds a byte past the line it is on.
type feeder struct {
	r       *Reader
	pending []byte // the rest of the line being given
}

func (f *feeder) Read(p []byte) (int, error) {
	if len(f.pending) == 0 {
		line, err := f.r.nextLine()
		if line == nil {
			return 0, err
		}
		f.pending = line
	}
	n := copy(p, f.pending)
	f.pending = f.pending[n:]
	return n, nil
}

// plain reports whether every cell of the record whose text is b is its own text (see text),
// noting, as text does, a UTF-8 file's first non-ASCII cell.
func (r *Reader) plain(b []byte) bool {
	// Its first r.ascii bytes are ASCII (split saw them), which are whole characters in both
	// encodings: only the rest needs a look.
	rest := b[r.ascii:]
	switch r.enc {
	case encCP1252:
		return isASCII(string(rest))
	case encDetect:
		if len(rest) == 0 {
			return true
		}
		if !utf8.Valid(rest) {
			return false
		}
		if !r.sawUTF8 && !isASCII(string(rest)) {
			r.sawUTF8 = true
		}
		return true
	}
	return utf8.Valid(rest)
}

// readError finishes read for a record that ended in err: the end of the input, a broken record, or
// a failure to read. first is the file line the record started on; cut says the framer ended the
// record, for ev's reason.
func (r *Reader) readError(cells []string, first int, err error, ev cutEvent, cut bool) (num int, _ []string, syn *SyntaxError, _ error) {
	// Declared here, not in read: errors.As makes it escape, one allocation per call.
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return 0, nil, nil, io.EOF
	case errors.As(err, &pe):
		// csv numbers the lines it was fed; first is the file's number of its first.
		pe.Line += first - pe.StartLine
		pe.StartLine = first
		num = r.lastRow + pe.StartLine - r.lastLine
		r.lastRow, r.lastLine = num, pe.Line
		syn = &SyntaxError{
			MalformedRowError: &rows.MalformedRowError{Row: num, Got: len(cells)},
			Cell:              rows.Cell(len(cells), num), // the field at fault follows those read
			Line:              pe.Line,
			Column:            pe.Column,
			Err:               pe.Err,
			Parse:             pe,
		}
		if cut {
			syn.Err = ev.reason
			if !ev.quote {
				// The row was too long: the message should not speak of quotes.
				syn.Parse, syn.Cell, syn.Column = nil, "", 0
			}
		}
		return num, cells, syn, nil
	}
	return 0, nil, nil, &rows.SourceError{Name: r.name, Err: fmt.Errorf("reading after row %d: %w", r.lastRow, err)}
}

// blank reports whether every cell is empty or white space as text: a Windows-1252 no-break
// space (byte 0xA0) is white space only once decoded.
func (r *Reader) blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" && (isASCII(c) || strings.TrimSpace(r.text(c)) != "") {
			return false
		}
	}
	return true
}

// text turns a cell's bytes into text by the source's encoding.
func (r *Reader) text(s string) string {
	switch r.enc {
	case encDetect:
		if utf8.ValidString(s) {
			if !r.sawUTF8 && !isASCII(s) {
				r.sawUTF8 = true
			}
			return s
		}
		// Not UTF-8: a Windows-1252 file. Its delimiters, quotes and line ends are ASCII, so
		// the parse of its bytes was exact and decoding its cells one by one is too.
		r.saw1252 = true
		return decode1252(s)
	case encUTF8:
		if utf8.ValidString(s) {
			return s
		}
		return strings.ToValidUTF8(s, "\uFFFD")
	case encCP1252:
		if isASCII(s) {
			return s
		}
		return decode1252(s)
	}
	// UTF-16 was decoded to UTF-8 before parsing; only the row-length cap, cutting the text in
	// the middle of a character, can leave a cell that is not valid UTF-8.
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// decode1252 decodes Windows-1252 bytes with x/text's table.
func decode1252(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf {
			b.WriteByte(c)
		} else {
			b.WriteRune(charmap.Windows1252.DecodeByte(c))
		}
	}
	return b.String()
}
