package csvread

import (
	"bytes"
	"cmp"
	"io"
)

// framer sits between the decoded text and encoding/csv. It
//
//   - turns every line end into one LF: CRLF and a lone CR (old Mac files, or a file that mixes
//     them) alike, inside quoted fields too, so that csv and the row numbers see one line end per
//     line of the file;
//   - finds where each record ends, following csv's own quote rules, and gives csv whole records
//     only, so that it can end a record csv would otherwise read on and on;
//   - ends a record that runs past limit bytes: csv gets its first limit bytes and a line end (and a
//     closing quote, if a quoted field was open), and the rest of the line is dropped unread
//     (never kept) — so neither a huge cell nor a quote that is never closed can fill memory;
//   - ends a broken quote where it began: a quoted field still open at the end of the input, past
//     limit bytes, or closed on a later line by a quote that is followed by other text, ends the
//     record at the end of the line it was opened on (csv gets a closing quote there), and
//     framing starts again on the line after it, so the rows after a broken quote are still read
//     and numbered as the lines of the file.
//
// Each record it ended so is noted (an event) with the offset of its end in what csv read, for
// Reader.read to attach the right error to the record csv returns. At most limit+1 bytes of a
// record are ever kept, in buf (which grows to limit+1+minBuf at most).
type framer struct {
	src   io.Reader
	limit int  // the longest record, in bytes, without its line end
	delim byte // the field delimiter
	utf8  bool // the text is UTF-8: a record is cut before a character, not inside one
	// bufSize is buf's first size, 0 for minBuf (tests make it small).
	bufSize int

	// buf[r:ready] goes to csv next, then lit; buf[ready:s] is the start of a record being
	// framed (from rec) or bytes being dropped; buf[s:w] has not been looked at.
	buf                 []byte
	r, ready, rec, s, w int
	lit                 []byte // a closing quote and/or line end the framer adds, given after buf[r:ready]
	mode                int
	qOpen, qNL          int   // modeQuote: the opening quote; the first line end after it, or -1
	crEnd               bool  // the last byte read was a CR (given as LF): an LF first in the next read is its pair
	err                 error // the input's end (io.EOF) or read error
	eof                 bool  // err is io.EOF: buf[s:w] is all there is
	end                 bool  // everything has been framed: after buf and lit, Read returns err
	out                 int64 // bytes given to csv
	events              []cutEvent
	evHead              int
}

// Framing modes: what the byte at s is part of.
const (
	modeField   = iota // a record outside quotes
	modeQuote          // a quoted field
	modeSkip           // the rest of a line csv drops after a quote error (ErrBareQuote, ErrQuote)
	modeDiscard        // the rest of a record past the limit, dropped up to its line end
)

// minBuf is the framer's first buffer size, and how much more than limit it may grow to. It is
// larger than the bufio.Reader it reads from (peekSize), so that most reads go past that
// reader's buffer straight into this one, not through a copy.
const minBuf = 256 << 10

var (
	litNL      = []byte("\n")
	litQuote   = []byte(`"`)
	litQuoteNL = []byte("\"\n")
)

// cutEvent is a record the framer ended itself.
type cutEvent struct {
	end    int64 // offset in csv's input just past the record's last byte from the framer
	reason error // ErrRowTooLong or ErrUnclosedQuote
	// partial: the record's last field is the one at fault, cut short (or a quoted field the
	// framer closed); else the field at fault is the one after it (cut right after a closing quote).
	partial bool
	quote   bool // the fault is a quote: the last field is a quoted field the framer closed
	col     int  // when quote: the 1-based byte column of its opening quote on its line
}

func newFramer(src io.Reader, limit int, delim byte, utf8 bool) *framer {
	return &framer{src: src, limit: limit, delim: delim, utf8: utf8, qNL: -1}
}

// Read gives csv framed text: whole records, each ended by one LF (the last may lack it).
func (f *framer) Read(p []byte) (int, error) {
	for {
		if f.r < f.ready {
			n := copy(p, f.buf[f.r:f.ready])
			f.r += n
			f.out += int64(n)
			return n, nil
		}
		if len(f.lit) > 0 {
			n := copy(p, f.lit)
			f.lit = f.lit[n:]
			f.out += int64(n)
			return n, nil
		}
		if f.end {
			return 0, f.err
		}
		f.advance()
	}
}

// line returns the next line of what is framed, with its LF, when it lies whole in buf (it
// most often does: the framer makes whole records ready), else nil (see gather). It is as
// Read would give it, without a copy; it stays valid until the framer is next called.
func (f *framer) line() []byte {
	seg := f.buf[f.r:f.ready]
	i := bytes.IndexByte(seg, '\n')
	if i < 0 {
		return nil
	}
	f.r += i + 1
	f.out += int64(i + 1)
	return seg[:i+1]
}

// gather appends to p the next line of what Read gives, up to and with its LF, from as many
// pieces as it comes in (a record the framer ended itself, and its lit); short of an LF, the
// rest of the text before its end (then f.end is set, and f.err says why).
func (f *framer) gather(p []byte) []byte {
	for {
		var piece []byte
		switch {
		case f.r < f.ready:
			piece = f.buf[f.r:f.ready]
		case len(f.lit) > 0:
			piece = f.lit
		case f.end:
			return p
		default:
			f.advance()
			continue
		}
		nl := bytes.IndexByte(piece, '\n')
		if nl >= 0 {
			piece = piece[:nl+1]
		}
		p = append(p, piece...)
		if f.r < f.ready {
			f.r += len(piece)
		} else {
			f.lit = f.lit[len(piece):]
		}
		f.out += int64(len(piece))
		if nl >= 0 {
			return p
		}
	}
}

// advance frames more text, once csv has had all that was framed; it reads more when it must.
func (f *framer) advance() {
	f.scan()
	if f.r < f.ready || len(f.lit) > 0 {
		return
	}
	if f.err != nil {
		f.finish()
		return
	}
	f.fill()
}

// fill reads more input into buf, first moving the record being framed to its start, or
// growing buf when that record fills it.
func (f *framer) fill() {
	if f.buf == nil {
		f.buf = make([]byte, cmp.Or(f.bufSize, minBuf))
	}
	if k := f.rec; k > 0 {
		// Here r == ready == rec: csv has had everything before the record.
		copy(f.buf, f.buf[k:f.w])
		f.r -= k
		f.ready -= k
		f.rec -= k
		f.s -= k
		f.w -= k
		f.qOpen -= k
		if f.qNL >= 0 {
			f.qNL -= k
		}
	}
	if f.w == len(f.buf) {
		// The record has fewer than limit+1 bytes (scan has cut it otherwise): grow, to at
		// most limit plus one more read.
		nb := make([]byte, max(min(2*len(f.buf), f.limit+1+minBuf), f.w+1))
		copy(nb, f.buf[:f.w])
		f.buf = nb
	}
	n, err := f.src.Read(f.buf[f.w:])
	if n > 0 {
		f.w += f.lineEnds(f.buf[f.w : f.w+n])
	}
	if err != nil {
		f.err = err
		f.eof = err == io.EOF
	}
}

// lineEnds turns the line ends in p, bytes just read, into LFs: CRLF becomes LF and a lone CR
// becomes LF. It returns p's new length.
func (f *framer) lineEnds(p []byte) int {
	start := 0
	if f.crEnd {
		f.crEnd = false
		if p[0] == '\n' {
			start = 1 // the LF of a CRLF whose CR ended the last read
		}
	}
	i := bytes.IndexByte(p[start:], '\r')
	if i < 0 {
		if start == 0 {
			return len(p)
		}
		return copy(p, p[start:])
	}
	i += start
	w := copy(p, p[start:i])
	for i < len(p) {
		// p[i] is a CR.
		switch {
		case i+1 == len(p):
			f.crEnd = true
			p[w] = '\n'
			w++
			i++
		case p[i+1] == '\n':
			i++ // the CR goes; its LF is kept below
		default:
			p[w] = '\n'
			w++
			i++
		}
		j := bytes.IndexByte(p[i:], '\r')
		if j < 0 {
			j = len(p) - i
		}
		w += copy(p[w:], p[i:i+j])
		i += j
	}
	return w
}

// scan frames buf[s:w]: it moves ready past each record that ends there, and stops at the
// first record it ends itself (a cut or a broken quote, with lit and an event), or when the
// record being framed needs more input.
func (f *framer) scan() {
	b := f.buf[:f.w]
	for {
		switch f.mode {
		case modeDiscard:
			i := bytes.IndexByte(b[f.s:], '\n')
			if i < 0 {
				f.s = f.w
				f.r, f.ready, f.rec = f.s, f.s, f.s
				return
			}
			f.s += i + 1
			f.r, f.ready, f.rec = f.s, f.s, f.s
			f.mode = modeField

		case modeField:
			i := bytes.IndexByte(b[f.s:], '"')
			e := f.w
			if i >= 0 {
				e = f.s + i
			}
			if !f.lines(e) {
				return
			}
			if i < 0 {
				f.ready = f.rec
				return
			}
			if L := f.rec + f.limit; e >= L {
				f.cut(L) // the quote is past the limit, and no line end before it
				return
			}
			// A quote at the start of a field opens a quoted field; anywhere else it is a bare
			// quote (csv.ErrBareQuote), and csv drops the rest of the line.
			if e == f.rec || b[e-1] == f.delim {
				f.mode, f.qOpen, f.qNL = modeQuote, e, -1
			} else {
				f.mode = modeSkip
			}
			f.s = e + 1

		case modeSkip:
			L := f.rec + f.limit
			i := bytes.IndexByte(b[f.s:min(f.w, L+1)], '\n')
			if i >= 0 {
				f.s += i + 1
				f.rec = f.s
				f.mode = modeField
				continue
			}
			if f.w > L {
				f.cut(L)
				return
			}
			f.s = f.w
			f.ready = f.rec
			return

		case modeQuote:
			L := f.rec + f.limit
			lim := min(f.w, L)
			i := bytes.IndexByte(b[f.s:lim], '"')
			q := lim
			if i >= 0 {
				q = f.s + i
			}
			if f.qNL < 0 {
				if j := bytes.IndexByte(b[f.s:q], '\n'); j >= 0 {
					f.qNL = f.s + j
				}
			}
			if i < 0 {
				f.s = lim
				if f.w > L {
					f.cutQuote(L, ErrRowTooLong)
					return
				}
				f.ready = f.rec
				return
			}
			if q+1 == f.w {
				if f.eof {
					// The closing quote ends the input, and the record.
					f.s, f.rec, f.mode = f.w, f.w, modeField
				} else {
					f.s = q // look at it again with the byte after it
				}
				f.ready = f.rec
				return
			}
			switch c := b[q+1]; c {
			case '"':
				if q+1 >= L {
					f.cutQuote(q, ErrRowTooLong) // not between the two quotes of a pair
					return
				}
				f.s = q + 2
			case f.delim:
				f.s, f.mode = q+2, modeField
			case '\n':
				f.s, f.mode = q+2, modeField
				f.rec = f.s
			default:
				// Text after a closing quote: csv.ErrQuote, and csv drops the rest of the line.
				// When the quote was opened on an earlier line, that quote is the broken one,
				// and the rows it swallowed are given back.
				if f.qNL >= 0 {
					f.cutQuote(q, ErrUnclosedQuote)
					return
				}
				f.s, f.mode = q+1, modeSkip
			}
		}
	}
}

// lines passes the line ends in buf[s:e], a stretch outside quotes, each the end of a record,
// and cuts a record that runs past the limit there. It reports false after a cut.
func (f *framer) lines(e int) bool {
	for {
		L := f.rec + f.limit // the record's line end may come at L at the latest
		if L >= e {
			if i := bytes.LastIndexByte(f.buf[f.s:e], '\n'); i >= 0 {
				f.rec = f.s + i + 1
			}
			f.s = e
			return true
		}
		i := bytes.IndexByte(f.buf[f.s:L+1], '\n')
		if i < 0 {
			f.cut(L)
			return false
		}
		f.s += i + 1
		f.rec = f.s
	}
}

// cut ends the record outside quotes at c (L, its limit): csv gets buf[rec:c] and a line end,
// and the rest of the line is dropped.
func (f *framer) cut(c int) {
	f.ready = f.charStart(c)
	f.lit = litNL
	// Outside quotes, a quote just before the cut can only close a quoted field, which is whole.
	f.event(ErrRowTooLong, !(f.ready > f.rec && f.buf[f.ready-1] == '"'), false, 0)
	f.mode, f.s, f.rec = modeDiscard, c, c
}

// cutQuote ends the record at a broken quote, found at c. When the quote's line has ended, the
// record ends there, with a closing quote, and framing starts again at that line end; else
// (the quote's line is itself past the limit) csv gets buf[rec:c], a closing quote and a line
// end, and the rest of the line is dropped.
func (f *framer) cutQuote(c int, reason error) {
	col := f.quoteCol()
	if f.qNL >= 0 {
		f.ready = f.qNL
		f.lit = litQuote
		f.event(reason, true, true, col)
		f.mode, f.s, f.rec = modeField, f.qNL, f.qNL
		return
	}
	f.ready = f.charStart(c)
	f.lit = litQuoteNL
	f.event(reason, true, true, col)
	f.mode, f.s, f.rec = modeDiscard, c, c
}

// finish frames the end of the input, once scan has framed all it could.
func (f *framer) finish() {
	if !f.eof {
		// A read error: csv gets the records framed before it, then the error.
		f.end = true
		return
	}
	switch f.mode {
	case modeQuote:
		// A quote still open at the end of the input.
		if f.qNL >= 0 {
			f.cutQuote(f.w, ErrUnclosedQuote)
			return
		}
		// Its line is the last one: the record ends the input.
		f.ready, f.lit = f.w, litQuote
		f.event(ErrUnclosedQuote, true, true, f.quoteCol())
	case modeDiscard:
	default:
		f.ready = f.w // the last record, without a line end
	}
	f.s, f.rec, f.mode = f.w, f.w, modeField
	f.end = true
}

// quoteCol is the 1-based byte column of the open quote on its line.
func (f *framer) quoteCol() int {
	return f.qOpen - (bytes.LastIndexByte(f.buf[f.rec:f.qOpen], '\n') + 1 + f.rec) + 1
}

// charStart moves a cut at c back to the start of the UTF-8 character it would split.
func (f *framer) charStart(c int) int {
	if !f.utf8 || c >= f.w {
		return c
	}
	for k := 0; k < 3 && c > f.rec+1 && f.buf[c]&0xC0 == 0x80; k++ {
		c--
	}
	return c
}

// event notes the record just ended, whose last bytes are buf[:ready] then lit.
func (f *framer) event(reason error, partial, quote bool, col int) {
	end := f.out + int64(f.ready-f.r) + int64(len(f.lit))
	f.events = append(f.events, cutEvent{end: end, reason: reason, partial: partial, quote: quote, col: col})
}

// take returns the event of the record csv read from offset start to end, if there is one,
// and forgets the events up to end.
func (f *framer) take(start, end int64) (ev cutEvent, ok bool) {
	for f.evHead < len(f.events) && f.events[f.evHead].end <= end {
		if e := f.events[f.evHead]; e.end > start && !ok {
			ev, ok = e, true
		}
		f.evHead++
	}
	if f.evHead == len(f.events) {
		f.events, f.evHead = f.events[:0], 0
	}
	return ev, ok
}
