package csvread

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// charset is an encoding: how the bytes of a source become text.
type charset int

const (
	encDetect  charset = iota // UTF-8, with cells that are not valid UTF-8 read as Windows-1252
	encUTF8                   // named utf-8: invalid bytes become U+FFFD
	encCP1252                 // named windows-1252: every byte above 0x7F is Windows-1252
	encUTF16                  // named utf-16: the byte-order mark decides
	encUTF16LE                // UTF-16 little endian
	encUTF16BE                // UTF-16 big endian
)

// parseEncoding maps an Options.Encoding to a charset. Case, spaces, '-' and '_' are
// ignored, so "UTF_8" and "utf8" both work; Latin-1 is read as Windows-1252, its superset, as
// browsers do (a "Latin-1" export from Windows is nearly always Windows-1252).
func parseEncoding(name string) (charset, bool) {
	key := strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ' ':
			return -1
		}
		return r
	}, strings.ToLower(name))
	switch key {
	case "", "auto":
		return encDetect, true
	case "utf8":
		return encUTF8, true
	case "windows1252", "cp1252", "latin1", "iso88591":
		return encCP1252, true
	case "utf16":
		return encUTF16, true
	case "utf16le":
		return encUTF16LE, true
	case "utf16be":
		return encUTF16BE, true
	}
	return 0, false
}

// Byte-order marks.
var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
	bomUTF32LE = []byte{0xFF, 0xFE, 0x00, 0x00}
	bomUTF32BE = []byte{0x00, 0x00, 0xFE, 0xFF}
)

// bomOf returns the charset a byte-order mark at the start of b announces, and the mark's
// length, or (encDetect, 0) when b has none.
func bomOf(b []byte) (charset, int) {
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		return encUTF8, len(bomUTF8)
	case bytes.HasPrefix(b, bomUTF16LE):
		return encUTF16LE, len(bomUTF16LE)
	case bytes.HasPrefix(b, bomUTF16BE):
		return encUTF16BE, len(bomUTF16BE)
	}
	return encDetect, 0
}

// magic is the signature of a binary format someone may save with a .csv name.
type magic struct {
	prefix string
	what   string
}

// magics are checked against the first bytes of a source. Only signatures long or odd enough
// that no text roster starts with them are listed.
var magics = []magic{
	{"PK\x03\x04", "looks like an XLSX or ZIP file, not CSV"},
	{"PK\x05\x06", "looks like an (empty) ZIP file, not CSV"},
	{"PK\x07\x08", "looks like a ZIP file, not CSV"},
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "looks like a legacy Excel (.xls) or other Office file, not CSV; save it as CSV or XLSX"},
	{"%PDF-", "looks like a PDF file, not CSV"},
	{"\x1F\x8B", "looks like a gzip-compressed file, not CSV; unpack it first"},
	{"BZh", "looks like a bzip2-compressed file, not CSV; unpack it first"}, // checked with its block magic below
	{"\xFD7zXZ\x00", "looks like an xz-compressed file, not CSV; unpack it first"},
	{"\x28\xB5\x2F\xFD", "looks like a zstd-compressed file, not CSV; unpack it first"},
	{"7z\xBC\xAF\x27\x1C", "looks like a 7-Zip file, not CSV"},
	{"Rar!\x1A\x07", "looks like a RAR file, not CSV"},
	{"\x89PNG\r\n\x1A\n", "looks like a PNG image, not CSV"},
	{"\xFF\xD8\xFF", "looks like a JPEG image, not CSV"},
	{"GIF87a", "looks like a GIF image, not CSV"},
	{"GIF89a", "looks like a GIF image, not CSV"},
	{"\x7FELF", "looks like a program (ELF), not CSV"},
}

// magicReason says why raw, the first bytes of a source, is a known binary format, or "" when
// it is none of them.
func magicReason(raw []byte) string {
	for _, m := range magics {
		if !bytes.HasPrefix(raw, []byte(m.prefix)) {
			continue
		}
		// "BZh" alone could start a header; bzip2 follows it with a level digit and the
		// block magic 0x314159265359.
		if m.prefix == "BZh" && !(len(raw) >= 10 && raw[3] >= '1' && raw[3] <= '9' && string(raw[4:10]) == "1AY&SY") {
			continue
		}
		return m.what
	}
	if bytes.HasPrefix(raw, bomUTF32LE) || bytes.HasPrefix(raw, bomUTF32BE) {
		return "is UTF-32 text, which is not supported; save it as UTF-8 CSV"
	}
	return ""
}

// textReason says why b, the start of a source's text, is not text, or "" when it may be. raw
// is true when b is the source's own bytes (not decoded from UTF-16), where NUL bytes may be
// UTF-16 without a byte-order mark.
func textReason(b []byte, raw bool) string {
	if bytes.IndexByte(b, 0) >= 0 {
		if raw {
			if le, be := utf16Hint(b); le || be {
				which := "utf-16le"
				if be {
					which = "utf-16be"
				}
				return fmt.Sprintf("looks like UTF-16 text without a byte-order mark; name its encoding (%s)", which)
			}
		}
		return "looks like a binary file, not CSV (it holds NUL bytes)"
	}
	// Text has next to no control characters; tab, CR, LF, FF, VT, ESC and SUB (a DOS
	// end-of-file mark) are left out of the count, since real files do hold them.
	ctl := 0
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1A && c != 0x1B || c == 0x7F {
			ctl++
		}
	}
	if ctl > 0 && ctl*10 >= len(b) {
		return "looks like a binary file, not CSV (it holds control characters)"
	}
	return ""
}

// utf16Hint reports whether b looks like UTF-16 text of mostly ASCII characters without a BOM:
// NUL bytes at nearly every odd (little endian) or even (big endian) offset and none at the others.
func utf16Hint(b []byte) (le, be bool) {
	var even, odd int
	for i, c := range b {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(b) / 2
	if half < 2 {
		return false, false
	}
	return odd*10 >= half*7 && even == 0, even*10 >= half*7 && odd == 0
}

// isBlankText reports whether b holds nothing but white space (and byte-order marks).
func isBlankText(b []byte) bool {
	return len(bytes.TrimSpace(bytes.ReplaceAll(b, bomUTF8, nil))) == 0
}

// scanUTF8 reports whether b holds valid non-ASCII UTF-8 and bytes that are not UTF-8. When
// more follows b (!atEOF), a sequence cut at b's end is not held against it.
func scanUTF8(b []byte, atEOF bool) (utf8Seen, invalidSeen bool) {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		if !atEOF && !utf8.FullRune(b[i:]) {
			break
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			invalidSeen = true
		} else {
			utf8Seen = true
		}
		i += n
	}
	return utf8Seen, invalidSeen
}

// candidates are the delimiters sniffed for, in order of preference when all else is equal.
var candidates = [...]byte{',', ';', '\t', '|'}

// sniffRecords caps the records the sniffer looks at.
const sniffRecords = 1000

// sniffDelimiter picks the delimiter of the CSV text at the start of a source, b (more may
// follow when !atEOF). It splits b into records as encoding/csv would (a quote opens a quoted
// field at the start of a field, where newlines and delimiters do not count), counts each
// candidate per record, and then, of the candidates the header row holds, keeps the one whose
// count the most data rows repeat exactly; a tie goes to the one the header holds most, then to
// the earlier candidate. headerRow as in Options. A file without any candidate in its header
// is a single column: ','.
func sniffDelimiter(b []byte, atEOF bool, headerRow int) rune {
	type record struct {
		counts [len(candidates)]int
		blank  bool
	}
	var recs []record
	cur := record{blank: true}
	inQuote, fieldStart, pending := false, true, false
	for i := 0; i < len(b) && len(recs) < sniffRecords; i++ {
		c := b[i]
		pending = true
		if inQuote {
			if c == '"' {
				if i+1 < len(b) && b[i+1] == '"' {
					i++
				} else {
					inQuote = false
				}
			}
			continue
		}
		if c == '\n' {
			recs = append(recs, cur)
			cur, fieldStart, pending = record{blank: true}, true, false
			continue
		}
		if k := bytes.IndexByte(candidates[:], c); k >= 0 {
			cur.counts[k]++
			fieldStart = true
			continue
		}
		if c == '"' && fieldStart {
			inQuote = true
		}
		if c != ' ' && c != '\r' && c != '\f' && c != '\v' {
			cur.blank = false
		}
		fieldStart = false
	}
	// A last record without its line end is whole only at the end of the file.
	if pending && atEOF && len(recs) < sniffRecords {
		recs = append(recs, cur)
	}

	// Find the header as Header will: the first non-blank record, or row headerRow (each
	// record is one row, blank ones included).
	h := -1
	for i, r := range recs {
		if headerRow > 0 && i+1 == headerRow || headerRow == 0 && !r.blank {
			h = i
			break
		}
	}
	if h < 0 || recs[h].blank {
		// The header is beyond what was peeked: judge by the first non-blank record.
		h = -1
		for i, r := range recs {
			if !r.blank {
				h = i
				break
			}
		}
		if h < 0 {
			return ','
		}
	}
	best, bestFit, bestCount := -1, -1, 0
	for k := range candidates {
		want := recs[h].counts[k]
		if want == 0 {
			continue
		}
		fit := 0
		for _, r := range recs[h+1:] {
			if !r.blank && r.counts[k] == want {
				fit++
			}
		}
		if fit > bestFit || fit == bestFit && want > bestCount {
			best, bestFit, bestCount = k, fit, want
		}
	}
	if best < 0 {
		return ','
	}
	return rune(candidates[best])
}

// sepDirective looks for Excel's delimiter line at the start of text: "sep=X" (sep in any case,
// the line possibly quoted as "sep=X", and possibly padded with more X, as a tool writing it as
// a row pads it to the header's width), X one ASCII character that can be a delimiter. It
// returns X and the line's length with its line end, or (0, 0) when text does not start with
// one. atEOF: text is the whole file.
func sepDirective(text []byte, atEOF bool) (delim byte, n int) {
	end := bytes.IndexAny(text, "\r\n")
	if end < 0 {
		if !atEOF {
			return 0, 0
		}
		end = len(text)
	}
	line := text[:end]
	quoted := len(line) > 0 && line[0] == '"'
	if quoted {
		line = line[1:]
	}
	if len(line) < 5 || !bytes.EqualFold(line[:4], []byte("sep=")) {
		return 0, 0
	}
	d, rest := line[4], line[5:]
	if d == 0 || d == '"' || d >= utf8.RuneSelf {
		return 0, 0
	}
	if quoted {
		if len(rest) == 0 || rest[0] != '"' {
			return 0, 0
		}
		rest = rest[1:]
	}
	for _, c := range rest {
		if c != d {
			return 0, 0
		}
	}
	n = end
	switch {
	case end == len(text):
	case text[end] == '\r' && end+1 < len(text) && text[end+1] == '\n':
		n += 2
	default:
		n++
	}
	return d, n
}
