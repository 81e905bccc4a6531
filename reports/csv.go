package reports

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/validate"
)

// csvHeader names the CSV report's columns (DESIGN.md "Report and summary").
var csvHeader = []string{"row", "externalId", "name", "status", "customerId", "profileId",
	"financialAccountId", "httpStatus", "attempts", "errors", "warnings"}

// csvWriter writes each line's cells straight to encoding/csv through one reused record: no
// reflection and no slice per line.
type csvWriter struct {
	file   *atomicFile
	w      *csv.Writer
	header bool
	record [11]string
}

// CreateCSV starts a CSV report at path.
func CreateCSV(path string) (Writer, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	return &csvWriter{file: f, w: csv.NewWriter(f.bw)}, nil
}

func (c *csvWriter) Path() string { return c.file.path }

func (c *csvWriter) Write(line *Line) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	l := masked(line)
	c.record = [11]string{
		strconv.Itoa(l.Row),
		SafeCell(l.ExternalID),
		SafeCell(l.Name),
		string(l.Status),
		SafeCell(l.CustomerID),
		SafeCell(l.ProfileID),
		SafeCell(l.FinancialAccountID),
		itoaOrEmpty(l.HTTPStatus),
		itoaOrEmpty(l.Attempts),
		SafeCell(JoinProblems(l.Errors)),
		SafeCell(JoinProblems(l.Warnings)),
	}
	return c.flush(c.w.Write(c.record[:]))
}

// writeHeader writes the header row before the first line.
func (c *csvWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	return c.flush(c.w.Write(csvHeader))
}

// flush hands what was written to the file's buffer after each row, so that a failure to
// write shows at the row that met it.
func (c *csvWriter) flush(err error) error {
	if err == nil {
		c.w.Flush()
		err = c.w.Error()
	}
	if err != nil {
		return fmt.Errorf("write report %s: %w", c.file.path, err)
	}
	return nil
}

func (c *csvWriter) Close() error {
	// An empty roster still gets a report with its header, so a script can read it.
	if err := c.writeHeader(); err != nil {
		c.file.abort()
		return err
	}
	return c.file.commitCSV(c.w, "report")
}

func (c *csvWriter) Abort() error { return c.file.abort() }

func itoaOrEmpty(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// JoinProblems renders problems for one CSV cell: "field [cell] code: message; …".
func JoinProblems(ps []validate.Problem) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Field)
		if p.Cell != "" {
			b.WriteString(" [")
			b.WriteString(p.Cell)
			b.WriteString("]")
		}
		b.WriteString(" ")
		b.WriteString(p.Code)
		b.WriteString(": ")
		b.WriteString(p.Message)
	}
	return b.String()
}

// SafeCell neutralises a value that a spreadsheet would run as a formula (OWASP "CSV
// injection"): a leading = + - @ tab or carriage return gets a leading apostrophe.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

type jsonlWriter struct {
	file *atomicFile
	buf  []byte // one line's JSON, reused
}

// CreateJSONL starts a JSON Lines report at path: one Line object per line, problems as arrays of
// {field, column, cell, code, message}.
func CreateJSONL(path string) (Writer, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	return &jsonlWriter{file: f}, nil
}

func (j *jsonlWriter) Path() string { return j.file.path }

func (j *jsonlWriter) Write(l *Line) error {
	// Arrays, never null, so a consumer can iterate without a check.
	if l.Errors == nil {
		l.Errors = []validate.Problem{}
	}
	if l.Warnings == nil {
		l.Warnings = []validate.Problem{}
	}
	c := masked(l)
	j.buf = appendJSONLine(j.buf[:0], &c)
	if _, err := j.file.bw.Write(j.buf); err != nil {
		return fmt.Errorf("write report %s: %w", j.file.path, err)
	}
	return nil
}

func (j *jsonlWriter) Close() error { return j.file.commit() }
func (j *jsonlWriter) Abort() error { return j.file.abort() }

// appendJSONLine appends l as one line of JSON, the bytes a json.Encoder with SetEscapeHTML(false)
// writes for it (line_test.go holds the two together), without reflection or allocation.
func appendJSONLine(b []byte, l *Line) []byte {
	b = strconv.AppendInt(append(b, `{"row":`...), int64(l.Row), 10)
	b = appendJSONString(append(b, `,"externalId":`...), l.ExternalID)
	b = appendJSONString(append(b, `,"name":`...), l.Name)
	b = appendJSONString(append(b, `,"status":`...), string(l.Status))
	if l.CustomerID != "" {
		b = appendJSONString(append(b, `,"customerId":`...), l.CustomerID)
	}
	if l.ProfileID != "" {
		b = appendJSONString(append(b, `,"profileId":`...), l.ProfileID)
	}
	if l.FinancialAccountID != "" {
		b = appendJSONString(append(b, `,"financialAccountId":`...), l.FinancialAccountID)
	}
	if l.HTTPStatus != 0 {
		b = strconv.AppendInt(append(b, `,"httpStatus":`...), int64(l.HTTPStatus), 10)
	}
	if l.Attempts != 0 {
		b = strconv.AppendInt(append(b, `,"attempts":`...), int64(l.Attempts), 10)
	}
	b = appendJSONProblems(append(b, `,"errors":`...), l.Errors)
	b = appendJSONProblems(append(b, `,"warnings":`...), l.Warnings)
	return append(b, "}\n"...)
}

// appendJSONProblems appends ps as a JSON array (null when nil, as encoding/json writes it).
func appendJSONProblems(b []byte, ps []validate.Problem) []byte {
	if ps == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range ps {
		p := &ps[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"field":`...), p.Field)
		b = appendJSONString(append(b, `,"column":`...), p.Column)
		b = appendJSONString(append(b, `,"cell":`...), p.Cell)
		b = appendJSONString(append(b, `,"code":`...), p.Code)
		b = appendJSONString(append(b, `,"message":`...), p.Message)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSONString appends s quoted as encoding/json quotes a string with HTML escaping off:
// quotes, backslashes and control characters escaped, invalid UTF-8 as \ufffd, and U+2028 and
// U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time past what needs no escape: most text is plain ASCII.
		for i+8 <= len(s) && jsonPlain8(s[i:i+8]) {
			i += 8
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}

// jsonPlain8 reports whether the eight bytes of s are ASCII that a JSON string holds as they
// are: none below 0x20, no quote, no backslash. (The tests for "a byte below n" and "a zero
// byte" are exact as to whether there is one, which is all that is asked of them.)
func jsonPlain8(s string) bool {
	_ = s[7]
	w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q, bs := w^(ones*'"'), w^(ones*'\\')
	return ((w-ones*0x20)&^w|(q-ones)&^q|(bs-ones)&^bs|w)&highs == 0
}

// masked returns a copy of l as it may leave for a file: every text in it (the id and name, which
// a roster may fill with a card number or SSN by mistake, and each problem, which may quote a
// header or cell) through the one masking policy, redact.Text; the platform's ids through
// redact.IssuedID, which shows a UUID whole. The line itself keeps the id the run matched on.
func masked(l *Line) Line {
	c := *l
	c.ExternalID, c.Name = redact.Text(l.ExternalID), redact.Text(l.Name)
	c.CustomerID, c.ProfileID, c.FinancialAccountID = redact.IssuedID(l.CustomerID), redact.IssuedID(l.ProfileID), redact.IssuedID(l.FinancialAccountID)
	c.Errors, c.Warnings = maskedProblems(l.Errors), maskedProblems(l.Warnings)
	return c
}

// maskedProblems masks ps, copying the slice only when something in it changes.
func maskedProblems(ps []validate.Problem) []validate.Problem {
	var out []validate.Problem
	for i, p := range ps {
		m := validate.Problem{Field: redact.Text(p.Field), Column: redact.Text(p.Column), Cell: redact.Text(p.Cell), Code: p.Code, Message: redact.Text(p.Message)}
		if out == nil {
			if m == p {
				continue
			}
			out = append(make([]validate.Problem, 0, len(ps)), ps[:i]...)
		}
		out = append(out, m)
	}
	if out == nil {
		return ps
	}
	return out
}
