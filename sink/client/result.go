package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

// Outcome is what became of a record.
type Outcome int

// Outcomes. Unknown is the zero value, returned only with an error: the run was stopped before
// the record was settled.
const (
	Unknown Outcome = iota
	Created         // the API answered 2xx with the documented object: it created the record
	Exists          // the API answered 409: it already had this externalId
	Failed          // the API refused it (4xx other than 401/409/429), its 2xx was not the documented answer, or the retries ran out
)

func (o Outcome) String() string {
	switch o {
	case Created:
		return "CREATED"
	case Exists:
		return "EXISTS"
	case Failed:
		return "FAILED"
	}
	return "UNKNOWN"
}

// Result is what a Create call learnt about one record.
type Result struct {
	Outcome    Outcome
	HTTPStatus int // the last HTTP status received, 0 if none was
	Attempts   int // requests sent to the API for this record

	CustomerID, ProfileID, FinancialAccountID string // from a documented 2xx answer only

	Message     string           // for Failed: the API's message or the last error, one line, no personal data
	FieldErrors []api.FieldError // from a 400, cleaned like Message
	Note        string           // something the report should say even though the outcome is clear

	// Undocumented is set on a Failed result whose answer was a 2xx that is not what the API
	// documents (an HTML page, an empty body, JSON without the ids...), or a redirect: whatever
	// answered may not be the platform's API at all (a login portal, a proxy), so the caller may
	// stop sending.
	Undocumented bool
}

// Notes a Result may carry.
const (
	NoteExistsAfterUnknown = "409 after an attempt whose outcome is unknown: the earlier attempt most likely created it"
	NoteUnknownOutcome     = "an attempt's outcome is unknown: it may have been created; a re-run with the same --state settles it"
)

// maxMessage bounds a message kept from an answer, in characters.
const maxMessage = 300

// maxFieldErrors bounds how many field errors of one answer are kept.
const maxFieldErrors = 50

// withheld replaces request data an answer quotes back.
const withheld = "[request data withheld]"

// failure turns a refused request's answer into a Failed result's message and field errors. The
// body is read leniently: a message or an error entry that is not the documented string (an
// object echoing the request) is withheld rather than losing the rest of the answer.
func failure(status int, body []byte) (string, []api.FieldError) {
	var er struct {
		Message json.RawMessage   `json:"message"`
		Errors  []json.RawMessage `json:"errors"`
	}
	var msg string
	var fes []api.FieldError
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &er) == nil {
		msg = rawText(er.Message)
		for _, raw := range er.Errors {
			if len(fes) == maxFieldErrors {
				break
			}
			var fe struct {
				Field, Code, Message json.RawMessage
			}
			if json.Unmarshal(raw, &fe) != nil {
				continue
			}
			f := api.FieldError{Field: rawText(fe.Field), Code: rawText(fe.Code), Message: rawText(fe.Message)}
			if f.Message != "" && sensitiveField(f.Field) {
				// Whatever the API says about a card number, expiry, CVV or SSN may quote it.
				f.Message = "the API's message about this field is not shown: it may quote the value"
			}
			if f.Field != "" || f.Code != "" || f.Message != "" {
				fes = append(fes, f)
			}
		}
	}
	if msg == "" {
		msg = statusLine(status)
	}
	return msg, fes
}

// rawText is the cleaned text of a JSON value from an answer: a string's text, or the withheld
// mark for an object or array (the request quoted back), or "" for anything else.
func rawText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return apiText(s)
	case '{', '[':
		return withheld
	}
	return ""
}

// sensitiveLeaves are the request fields whose value the API must not be allowed to quote into a
// report: card data, social and tax ids.
var sensitiveLeaves = map[string]bool{
	"cardnumber": true, "pan": true, "expiry": true, "expirydate": true, "expiration": true,
	"expirationdate": true, "expmonth": true, "expyear": true, "cvv": true, "cvv2": true, "cvc": true,
	"cvc2": true, "csc": true, "securitycode": true, "pin": true,
	"socialid": true, "ssn": true, "taxid": true, "tin": true, "ein": true,
}

// sensitiveField reports whether a field error's path names card data (anything under
// financialAccountData.card but the cardholder's name and billing address) or a social or tax id.
func sensitiveField(field string) bool {
	p := strings.ToLower(field)
	segs := strings.FieldsFunc(p, func(r rune) bool { return r == '.' || r == '[' || r == ']' || r == '/' })
	if len(segs) == 0 {
		return false
	}
	if sensitiveLeaves[segs[len(segs)-1]] {
		return true
	}
	for i, s := range segs {
		if s != "card" {
			continue
		}
		rest := segs[i+1:]
		if len(rest) == 0 {
			return true // the card as a whole
		}
		switch rest[0] {
		case "firstname", "middlename", "lastname", "billingaddress":
			return false
		}
		return true
	}
	return false
}

// apiText makes a text taken from an API answer safe for a report: any JSON the API quoted back
// (the request, or part of it) is withheld, then clean masks what is left.
func apiText(s string) string { return clean(dropEcho(s)) }

// dropEcho replaces each JSON object or array quoted in s with the withheld mark. A complete one
// is cut out and the text after it kept; one that does not parse (cut short, escaped) takes the
// rest of the text with it.
func dropEcho(s string) string {
	var b strings.Builder
	for {
		i := echoStart(s)
		if i < 0 {
			if b.Len() == 0 {
				return s
			}
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(strings.TrimRight(s[:i], " \t"))
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(withheld)
		dec := json.NewDecoder(strings.NewReader(s[i:]))
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return b.String()
		}
		s = s[i+int(dec.InputOffset()):]
	}
}

// echoStart finds where a quoted JSON object or array starts in s: a '{' followed by a key or
// '}', or a '[' followed by an object, array or string, blanks and backslashes (escaped JSON)
// allowed between. "addresses[0]" is a field path, not an echo.
func echoStart(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] != '{' && s[i] != '[' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '\\') {
			j++
		}
		if j == len(s) {
			if s[i] == '{' {
				return i
			}
			continue
		}
		switch c := s[j]; {
		case s[i] == '{' && (c == '"' || c == '}'):
			return i
		case s[i] == '[' && (c == '{' || c == '[' || c == '"'):
			return i
		}
	}
	return -1
}

func statusLine(status int) string {
	if t := http.StatusText(status); t != "" {
		return fmt.Sprintf("HTTP %d %s", status, t)
	}
	return fmt.Sprintf("HTTP %d", status)
}

// longDigits finds runs of 9 or more digits, spaces and dashes allowed between them: what a card
// number, SSN or tax id echoed back by the API looks like.
var longDigits = regexp.MustCompile(`\d(?:[ \-]?\d){8,}`)

// zipPlus4 is the one 9-digit shape that is not an id: a US ZIP+4 code.
var zipPlus4 = regexp.MustCompile(`^\d{5}-\d{4}$`)

// cardKeyword finds a value written after a word that says it is an expiry or a card security
// code ("exp 1227", "cvv: 123"), whatever its shape.
var cardKeyword = regexp.MustCompile(`(?i)\b(?:exp(?:iry|iration)?(?:[ _-]?date)?|valid[ _-]?thru|cvv2?|cvc2?|csc|security[ _-]?code)\b["'\s:=]*(\d[\d/ \-]{0,8}\d)`)

const expiryMask = "[expiry withheld]"

// clean makes a text safe for a report: one line, bounded, with card numbers and SSN-shaped values
// masked (redact.Text), any other long digit run masked as an id, and card expiries and security
// codes withheld, because the API may quote the value it refused.
func clean(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	s = redact.Text(s)
	s = longDigits.ReplaceAllStringFunc(s, func(m string) string {
		if zipPlus4.MatchString(m) {
			return m
		}
		n := 0
		for _, r := range m {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		if n >= 12 {
			return redact.PAN(m)
		}
		return redact.ID(m)
	})
	if ms := cardKeyword.FindAllStringSubmatchIndex(s, -1); ms != nil {
		// Keep the word, withhold the value.
		var b strings.Builder
		done := 0
		for _, m := range ms {
			b.WriteString(s[done:m[2]])
			b.WriteString("[withheld]")
			done = m[3]
		}
		b.WriteString(s[done:])
		s = b.String()
	}
	s = redact.MonthYears(s, expiryMask)
	if utf8.RuneCountInString(s) > maxMessage {
		r := []rune(s)
		s = string(r[:maxMessage-1]) + "…"
	}
	return s
}
