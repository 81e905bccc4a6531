package xlsxread

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scanner tokenises the XML of a worksheet or shared-string part straight from a buffer over the
// inflated stream. It accepts and refuses exactly what encoding/xml's Decoder.RawToken does in
// its default strict mode, with the same messages (syntax errors are *xml.SyntaxError, without a
// line number), and gives the same names and text, but reuses its buffers: a token's bytes stay
// valid until the next call. The differential fuzz target in scan_test.go holds it to that.
type scanner struct {
	src    io.Reader
	srcErr error  // what src returned with or after its last bytes; given out once buf is drained
	err    error  // sticky: io.EOF at the end, or the error that stopped scanning
	buf    []byte // buf[r:w] is read and not yet scanned
	r, w   int
	off    int64 // stream offset of buf[0]

	tokStart int64 // stream offset where the token being scanned began
	maxToken int64 // the most bytes one token may span, 0 = no limit

	charset func(label string, in io.Reader) (io.Reader, error) // for parts not in UTF-8

	needClose bool   // the last start tag was self-closing: its end comes next
	closeName []byte // the local name of that start tag

	// The token read last.
	kind  tokKind
	name  []byte    // local name of a start or end tag
	attrs []xmlAttr // attributes of a start tag (local names)
	text  []byte    // the decoded text of a text token

	// The token's bytes are in buf when the token needed no decoding, else in these.
	textBuf  []byte // backing store of text
	names    []byte // backing store of name and attrs
	attrOffs []int  // offsets into names while a start tag is read
}

// tokKind is the kind of token the scanner read.
type tokKind uint8

const (
	tokOther tokKind = iota // a processing instruction, comment or directive
	tokStart
	tokEnd
	tokText
)

// xmlAttr is one attribute of a start tag: its local name and decoded value.
type xmlAttr struct{ name, value []byte }

// newScanner scans src; maxToken caps the bytes one token may span (0: no cap).
func newScanner(src io.Reader, maxToken int64, charset func(string, io.Reader) (io.Reader, error)) *scanner {
	return &scanner{src: src, buf: make([]byte, 64<<10), maxToken: maxToken, charset: charset}
}

// syntaxError is a refusal worded as encoding/xml words it.
func syntaxError(msg string) error { return &xml.SyntaxError{Msg: msg} }

// fill reads more of the stream into buf; it is called only when buf[r:w] is empty.
func (s *scanner) fill() bool {
	if s.err != nil {
		return false
	}
	if s.srcErr != nil {
		s.err = s.srcErr
		return false
	}
	if s.maxToken > 0 && s.off+int64(s.w)-s.tokStart > s.maxToken {
		s.err = errTokenTooLong
		return false
	}
	s.off += int64(s.w)
	s.r, s.w = 0, 0
	for range 100 {
		n, err := s.src.Read(s.buf)
		s.w = n
		if err != nil {
			s.srcErr = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			s.err = err
			return false
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// getc reads one byte; false once the stream ended or failed (s.err says which).
func (s *scanner) getc() (byte, bool) {
	if s.r == s.w && !s.fill() {
		return 0, false
	}
	b := s.buf[s.r]
	s.r++
	return b, true
}

// mustgetc reads one byte that must be there: the end of the stream is a syntax error.
func (s *scanner) mustgetc() (byte, bool) {
	b, ok := s.getc()
	if !ok && s.err == io.EOF {
		s.err = syntaxError("unexpected EOF")
	}
	return b, ok
}

// ungetc steps back over the byte getc just read.
func (s *scanner) ungetc() { s.r-- }

// space skips white space.
func (s *scanner) space() {
	for {
		for s.r < s.w {
			switch s.buf[s.r] {
			case ' ', '\r', '\n', '\t':
				s.r++
			default:
				return
			}
		}
		if !s.fill() {
			return
		}
	}
}

// next reads the next token into s.kind and its fields. It returns io.EOF after the last.
func (s *scanner) next() error {
	if s.err != nil {
		return s.err
	}
	if s.needClose {
		s.needClose = false
		s.kind, s.name = tokEnd, s.closeName
		return nil
	}
	if s.fast() {
		return nil
	}
	s.tokStart = s.off + int64(s.r)
	b, ok := s.getc()
	if !ok {
		return s.err
	}
	if b != '<' {
		s.ungetc()
		var ok bool
		if s.textBuf, ok = s.readText(s.textBuf[:0], -1, false); !ok {
			return s.err
		}
		s.kind, s.text = tokText, s.textBuf
		return nil
	}
	if b, ok = s.mustgetc(); !ok {
		return s.err
	}
	switch b {
	case '/':
		s.names = s.names[:0]
		start, _, ok := s.nsname()
		if !ok {
			return s.fail("expected element name after </")
		}
		s.name = s.names[start:]
		s.space()
		if b, ok = s.mustgetc(); !ok {
			return s.err
		}
		if b != '>' {
			return s.fail("invalid characters between </" + string(s.name) + " and >")
		}
		s.kind = tokEnd
		return nil
	case '?':
		return s.procInst()
	case '!':
		return s.bang()
	}
	s.ungetc()
	return s.startTag()
}

// fast reads the next token when it lies whole in buf and is of the plain forms a worksheet is
// made of: a start tag of ASCII names and of values without references or special characters,
// an end tag without space, text without references, ]]> or \r. The token's bytes are then
// not copied. Anything else, or a token that buf cuts, is left to the general path (false),
// which reads it from its start: what this accepts, that path reads the same.
func (s *scanner) fast() bool {
	data := s.buf[s.r:s.w]
	if len(data) < 2 {
		return false
	}
	if data[0] != '<' {
		i := 0
		for i < len(data) && !textStop[data[i]] {
			i++
		}
		if i == len(data) || data[i] != '<' || checkChars(data[:i]) != nil {
			return false
		}
		s.kind, s.text = tokText, data[:i]
		s.r += i
		return true
	}
	if data[1] == '/' {
		j := 2
		for j < len(data) && asciiName[data[j]] {
			j++
		}
		if j == len(data) || data[j] != '>' {
			return false
		}
		local, ok := fastLocal(data[2:j])
		if !ok {
			return false
		}
		s.kind, s.name = tokEnd, local
		s.r += j + 1
		return true
	}
	end := bytes.IndexByte(data, '>')
	if end < 0 {
		return false
	}
	tag := data[1:end]
	i := 0
	for i < len(tag) && asciiName[tag[i]] {
		i++
	}
	name, ok := fastLocal(tag[:i])
	if !ok {
		return false
	}
	attrs := s.attrs[:0]
	empty := false
	skipSpace := func() {
		for i < len(tag) && (tag[i] == ' ' || tag[i] == '\n' || tag[i] == '\t' || tag[i] == '\r') {
			i++
		}
	}
	for {
		skipSpace()
		if i == len(tag) {
			break
		}
		if tag[i] == '/' {
			if i != len(tag)-1 {
				return false
			}
			empty = true
			break
		}
		j := i
		for j < len(tag) && asciiName[tag[j]] {
			j++
		}
		aname, ok := fastLocal(tag[i:j])
		if !ok {
			return false
		}
		i = j
		skipSpace()
		if i == len(tag) || tag[i] != '=' {
			return false
		}
		i++
		skipSpace()
		if i == len(tag) || tag[i] != '"' && tag[i] != '\'' {
			return false
		}
		q := tag[i]
		i++
		k := bytes.IndexByte(tag[i:], q)
		if k < 0 {
			return false
		}
		val := tag[i : i+k]
		for _, c := range val {
			if !plainText[c] {
				return false
			}
		}
		attrs = append(attrs, xmlAttr{name: aname, value: val})
		i += k + 1
	}
	s.kind, s.name, s.attrs = tokStart, name, attrs
	if empty {
		s.needClose, s.closeName = true, name
	}
	s.r += end + 1
	return true
}

// textStop marks the bytes that end text fast can take: < and those that need decoding or
// checking (& and ] and \r).
var textStop = func() (t [256]bool) {
	for _, c := range "<&]\r" {
		t[c] = true
	}
	return t
}()

// asciiName marks the ASCII bytes of names.
var asciiName = func() (t [256]bool) {
	for c := range utf8.RuneSelf {
		t[c] = nameByte[c]
	}
	return t
}()

// fastLocal returns the local part of an ASCII name, false when it is not a plain name (fast
// then leaves it to the general path, which refuses it or reads it as encoding/xml does).
func fastLocal(name []byte) ([]byte, bool) {
	if len(name) == 0 {
		return nil, false
	}
	if c := name[0]; c == '-' || c == '.' || '0' <= c && c <= '9' {
		return nil, false
	}
	i := bytes.IndexByte(name, ':')
	switch {
	case i < 0:
		return name, true
	case bytes.IndexByte(name[i+1:], ':') >= 0:
		return nil, false
	case i == 0 || i == len(name)-1:
		return name, true
	}
	return name[i+1:], true
}

// fail records a syntax error, unless reading already failed (then that error stands).
func (s *scanner) fail(msg string) error {
	if s.err == nil {
		s.err = syntaxError(msg)
	}
	return s.err
}

// startTag reads a start tag after its <.
func (s *scanner) startTag() error {
	s.names = s.names[:0]
	s.attrOffs = s.attrOffs[:0]
	start, _, ok := s.nsname()
	if !ok {
		return s.fail("expected element name after <")
	}
	nameEnd := len(s.names)
	empty := false
	for {
		s.space()
		b, ok := s.mustgetc()
		if !ok {
			return s.err
		}
		if b == '/' {
			empty = true
			if b, ok = s.mustgetc(); !ok {
				return s.err
			}
			if b != '>' {
				return s.fail("expected /> in element")
			}
			break
		}
		if b == '>' {
			break
		}
		s.ungetc()
		aStart, aEnd, ok := s.nsname()
		if !ok {
			return s.fail("expected attribute name in element")
		}
		s.space()
		if b, ok = s.mustgetc(); !ok {
			return s.err
		}
		if b != '=' {
			return s.fail("attribute name without = in element")
		}
		s.space()
		if b, ok = s.mustgetc(); !ok {
			return s.err
		}
		if b != '"' && b != '\'' {
			return s.fail("unquoted or missing attribute value in element")
		}
		vStart := len(s.names)
		if s.names, ok = s.readText(s.names, int(b), false); !ok {
			return s.err
		}
		s.attrOffs = append(s.attrOffs, aStart, aEnd, vStart, len(s.names))
	}
	s.kind = tokStart
	s.name = s.names[start:nameEnd]
	s.attrs = s.attrs[:0]
	for i := 0; i < len(s.attrOffs); i += 4 {
		o := s.attrOffs[i : i+4]
		s.attrs = append(s.attrs, xmlAttr{name: s.names[o[0]:o[1]], value: s.names[o[2]:o[3]]})
	}
	if empty {
		s.needClose = true
		s.closeName = s.name
	}
	return nil
}

// procInst reads a processing instruction after its <?; <?xml ...?> may switch the encoding.
func (s *scanner) procInst() error {
	var ok bool
	if s.names, ok = s.readName(s.names[:0]); !ok {
		return s.fail("expected target name after <?")
	}
	if !isXMLName(s.names) {
		return s.fail("invalid XML name: " + string(s.names))
	}
	target := string(s.names)
	s.space()
	s.textBuf = s.textBuf[:0]
	var b0 byte
	for {
		b, ok := s.mustgetc()
		if !ok {
			return s.err
		}
		s.textBuf = append(s.textBuf, b)
		if b0 == '?' && b == '>' {
			break
		}
		b0 = b
	}
	s.kind = tokOther
	if target != "xml" {
		return nil
	}
	content := string(s.textBuf[:len(s.textBuf)-2])
	if ver := procInstParam("version", content); ver != "" && ver != "1.0" {
		s.err = fmt.Errorf("xml: unsupported version %q; only version 1.0 is supported", ver)
		return s.err
	}
	enc := procInstParam("encoding", content)
	if enc == "" || strings.EqualFold(enc, "utf-8") {
		return nil
	}
	if s.charset == nil {
		s.err = fmt.Errorf("xml: encoding %q declared but Decoder.CharsetReader is nil", enc)
		return s.err
	}
	// The rest of the stream, what is buffered first, is read through the converter.
	rest := io.Reader(s.src)
	if s.r < s.w {
		rest = io.MultiReader(bytes.NewReader(bytes.Clone(s.buf[s.r:s.w])), s.src)
	}
	if s.srcErr != nil {
		rest = io.MultiReader(bytes.NewReader(bytes.Clone(s.buf[s.r:s.w])), errReader{s.srcErr})
	}
	conv, err := s.charset(enc, rest)
	if err != nil {
		s.err = fmt.Errorf("xml: opening charset %q: %w", enc, err)
		return s.err
	}
	s.src, s.srcErr = conv, nil
	s.off += int64(s.r)
	s.r, s.w = 0, 0
	return nil
}

// errReader returns its error.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// procInstParam returns the value of param in the content of <?xml ...?>, parsed as
// encoding/xml parses it.
func procInstParam(param, s string) string {
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// bang reads what follows <!: a comment, a CDATA section or a directive.
func (s *scanner) bang() error {
	b, ok := s.mustgetc()
	if !ok {
		return s.err
	}
	switch b {
	case '-':
		if b, ok = s.mustgetc(); !ok {
			return s.err
		}
		if b != '-' {
			return s.fail("invalid sequence <!- not part of <!--")
		}
		var b0, b1 byte
		for {
			if b, ok = s.mustgetc(); !ok {
				return s.err
			}
			if b0 == '-' && b1 == '-' {
				if b != '>' {
					return s.fail(`invalid sequence "--" not allowed in comments`)
				}
				break
			}
			b0, b1 = b1, b
		}
		s.kind = tokOther
		return nil
	case '[':
		for i := range 6 {
			if b, ok = s.mustgetc(); !ok {
				return s.err
			}
			if b != "CDATA["[i] {
				return s.fail("invalid <![ sequence")
			}
		}
		if s.textBuf, ok = s.readText(s.textBuf[:0], -1, true); !ok {
			return s.err
		}
		s.kind, s.text = tokText, s.textBuf
		return nil
	}
	// A directive (<!DOCTYPE ...>): skipped, minding quotes, nested <...> and comments.
	var inquote byte
	depth := 0
	for {
		if b, ok = s.mustgetc(); !ok {
			return s.err
		}
		if inquote == 0 && b == '>' && depth == 0 {
			break
		}
	handle:
		switch {
		case b == inquote:
			inquote = 0
		case inquote != 0:
		case b == '\'' || b == '"':
			inquote = b
		case b == '>':
			depth--
		case b == '<':
			for i := range 3 {
				if b, ok = s.mustgetc(); !ok {
					return s.err
				}
				if b != "!--"[i] {
					depth++
					goto handle
				}
			}
			var b0, b1 byte
			for {
				if b, ok = s.mustgetc(); !ok {
					return s.err
				}
				if b0 == '-' && b1 == '-' && b == '>' {
					break
				}
				b0, b1 = b1, b
			}
		}
	}
	s.kind = tokOther
	return nil
}

// plainText marks the bytes that text copies as they are: printable ASCII other than the
// delimiters and escapes text has to look at (< & ] \r and both quotes).
var plainText = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range "<&]\r\"'" {
		t[c] = false
	}
	t['\t'], t['\n'] = true, true
	return t
}()

// readText appends character data to dst: text up to the next <, an attribute value up to its
// closing quote (quote >= 0), or a CDATA section up to ]]>. Entities are decoded and line ends
// normalised to \n. false when the text is refused or reading failed (s.err says why).
func (s *scanner) readText(dst []byte, quote int, cdata bool) ([]byte, bool) {
	var b0, b1 byte
	trunc := 0
	start := len(dst)
	for {
		// The common bytes in bulk, unless the byte before starts a ]]> or a \r\n.
		if !cdata && b1 != ']' && b1 != '\r' {
			i := s.r
			for i < s.w && plainText[s.buf[i]] {
				i++
			}
			if i > s.r {
				dst = append(dst, s.buf[s.r:i]...)
				s.r = i
				b0, b1 = 0, 0
			}
		}
		b, ok := s.getc()
		if !ok {
			if cdata {
				if s.err == io.EOF {
					s.err = syntaxError("unexpected EOF in CDATA section")
				}
				return dst, false
			}
			break
		}
		if quote < 0 && b0 == ']' && b1 == ']' && b == '>' {
			if cdata {
				trunc = 2
				break
			}
			s.err = syntaxError("unescaped ]]> not in CDATA section")
			return dst, false
		}
		if b == '<' && !cdata {
			if quote >= 0 {
				s.err = syntaxError("unescaped < inside quoted string")
				return dst, false
			}
			s.ungetc()
			break
		}
		if quote >= 0 && b == byte(quote) {
			break
		}
		if b == '&' && !cdata {
			var ok bool
			if dst, ok = s.entity(dst); !ok {
				return dst, false
			}
			b0, b1 = 0, 0
			continue
		}
		switch {
		case b == '\r':
			dst = append(dst, '\n')
		case b1 == '\r' && b == '\n':
		default:
			dst = append(dst, b)
		}
		b0, b1 = b1, b
	}
	dst = dst[:len(dst)-trunc]
	if err := checkChars(dst[start:]); err != nil {
		s.err = err
		return dst, false
	}
	return dst, true
}

// entity decodes a character reference after its &, appending it to dst.
func (s *scanner) entity(dst []byte) ([]byte, bool) {
	before := len(dst)
	dst = append(dst, '&')
	b, ok := s.mustgetc()
	if !ok {
		return dst, false
	}
	var text []byte
	haveText := false
	if b == '#' {
		dst = append(dst, b)
		if b, ok = s.mustgetc(); !ok {
			return dst, false
		}
		base := uint64(10)
		if b == 'x' {
			base = 16
			dst = append(dst, b)
			if b, ok = s.mustgetc(); !ok {
				return dst, false
			}
		}
		digits := len(dst)
		for '0' <= b && b <= '9' || base == 16 && ('a' <= b && b <= 'f' || 'A' <= b && b <= 'F') {
			dst = append(dst, b)
			if b, ok = s.mustgetc(); !ok {
				return dst, false
			}
		}
		if b != ';' {
			s.ungetc()
		} else {
			n, valid := parseDigits(dst[digits:], base)
			dst = append(dst, ';')
			if valid {
				text = utf8.AppendRune(nil, rune(n))
				haveText = true
			}
		}
	} else {
		s.ungetc()
		if dst, ok = s.readName(dst); !ok && s.err != nil {
			return dst, false
		}
		name := dst[before+1:]
		if b, ok = s.mustgetc(); !ok {
			return dst, false
		}
		if b != ';' {
			s.ungetc()
		} else {
			dst = append(dst, ';')
			if isXMLName(name) {
				switch string(name) {
				case "lt":
					text = []byte{'<'}
				case "gt":
					text = []byte{'>'}
				case "amp":
					text = []byte{'&'}
				case "apos":
					text = []byte{'\''}
				case "quot":
					text = []byte{'"'}
				}
				haveText = text != nil
			}
		}
	}
	if haveText {
		return append(dst[:before], text...), true
	}
	ent := string(dst[before:])
	if ent[len(ent)-1] != ';' {
		ent += " (no semicolon)"
	}
	s.err = syntaxError("invalid character entity " + ent)
	return dst, false
}

// parseDigits parses a character reference's digits as strconv.ParseUint(s, base, 64) would,
// and reports whether the number is a rune (at most unicode.MaxRune).
func parseDigits(d []byte, base uint64) (uint64, bool) {
	if len(d) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range d {
		var v uint64
		switch {
		case '0' <= c && c <= '9':
			v = uint64(c - '0')
		case 'a' <= c && c <= 'f':
			v = uint64(c-'a') + 10
		default:
			v = uint64(c-'A') + 10
		}
		n = n*base + v
		if n > unicode.MaxRune {
			return 0, false // also stops overflow: no larger number is a rune either
		}
	}
	return n, true
}

// checkChars refuses text that is not UTF-8 or holds a character XML does not allow.
func checkChars(data []byte) error {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return syntaxError(fmt.Sprintf("illegal character code %U", rune(c)))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return syntaxError("invalid UTF-8")
		}
		if !isInCharacterRange(r) {
			return syntaxError(fmt.Sprintf("illegal character code %U", r))
		}
		i += size
	}
	return nil
}

// isInCharacterRange is XML's Char production.
func isInCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// nameByte marks the ASCII bytes that continue a name; bytes from 0x80 up are taken too and
// judged with the whole name.
var nameByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '_' || c == ':' || c == '.' || c == '-'
	}
	return t
}()

// readName appends a name's bytes to dst; false (and nothing read) when none starts here, or
// when the stream ends within it.
func (s *scanner) readName(dst []byte) ([]byte, bool) {
	b, ok := s.mustgetc()
	if !ok {
		return dst, false
	}
	if !nameByte[b] {
		s.ungetc()
		return dst, false
	}
	dst = append(dst, b)
	for {
		i := s.r
		for i < s.w && nameByte[s.buf[i]] {
			i++
		}
		dst = append(dst, s.buf[s.r:i]...)
		s.r = i
		if s.r < s.w {
			return dst, true
		}
		if !s.fill() {
			if s.err == io.EOF {
				s.err = syntaxError("unexpected EOF")
			}
			return dst, false
		}
	}
}

// nsname reads a name, possibly with a namespace prefix, into s.names and returns where its
// local part starts and ends there. ok is false (s.err still nil) when there is no name.
func (s *scanner) nsname() (start, end int, ok bool) {
	from := len(s.names)
	if s.names, ok = s.readName(s.names); !ok {
		return 0, 0, false
	}
	name := s.names[from:]
	// One pass for the common case, an ASCII name: its first byte, and its colons.
	colon, colons, ascii := -1, 0, true
	for i, c := range name {
		switch {
		case c == ':':
			if colons == 0 {
				colon = i
			}
			colons++
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if c := name[0]; ascii && (c == '-' || c == '.' || '0' <= c && c <= '9') || !ascii && !isXMLName(name) {
		s.err = syntaxError("invalid XML name: " + string(name))
		return 0, 0, false
	}
	switch {
	case colons > 1:
		return 0, 0, false
	case colons == 1 && colon > 0 && colon < len(name)-1:
		return from + colon + 1, len(s.names), true
	}
	return from, len(s.names), true
}

// isXMLName reports whether b is an XML name. Names in ASCII are judged here; any other is
// given to encoding/xml, whose Unicode tables are not exported.
func isXMLName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		c := b[0]
		return c != '-' && c != '.' && (c < '0' || c > '9')
	}
	d := xml.NewDecoder(strings.NewReader("<" + string(b) + "/>"))
	_, err := d.RawToken()
	var syn *xml.SyntaxError
	return !errors.As(err, &syn) || !strings.HasPrefix(syn.Msg, "invalid XML name")
}
