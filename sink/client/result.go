package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/sink/api"
)

// Outcome is what became of a record.
type Outcome int

// Outcomes. Unknown is the zero value, returned only with a context error: the run was stopped
// before the record was settled.
const (
	Unknown Outcome = iota
	Created         // the API answered 2xx: it created the record
	Exists          // the API answered 409: it already had this externalId
	Failed          // the API refused it (4xx other than 401/409/429), or the retries ran out
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

	CustomerID, ProfileID, FinancialAccountID string // from a 201

	Message     string           // for Failed: the API's message or the last error, one line, no personal data
	FieldErrors []api.FieldError // from a 400, messages cleaned like Message
	Note        string           // something the report should say even though the outcome is clear
}

// Notes a Result may carry.
const (
	NoteExistsAfterUnknown = "409 after an attempt whose outcome is unknown: the earlier attempt most likely created it"
	NoteUnknownOutcome     = "an attempt's outcome is unknown: it may have been created; a re-run with the same --state settles it"
	NoteNoID               = "created, but the API's answer carried no readable id"
)

var errNoID = errors.New("no id in the answer")

// maxMessage bounds a message kept from an answer, in characters.
const maxMessage = 300

func decodeJSON(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("the answer is not the documented JSON: %w", err)
	}
	return nil
}

// failure turns a refused request's answer into a Failed result's message and field errors.
func failure(status int, body []byte) (string, []api.FieldError) {
	var er api.ErrorResponse
	var msg string
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &er) == nil {
		msg = clean(er.Message)
	}
	var fes []api.FieldError
	for _, fe := range er.Errors {
		fes = append(fes, api.FieldError{Field: clean(fe.Field), Code: clean(fe.Code), Message: clean(fe.Message)})
	}
	if msg == "" {
		msg = statusLine(status)
	}
	return msg, fes
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

// clean makes an API-supplied text safe for a report: one line, bounded, and with any long digit
// run masked, because the API may quote the value it refused and the value may be a PAN or an SSN.
func clean(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
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
	if utf8.RuneCountInString(s) > maxMessage {
		r := []rune(s)
		s = string(r[:maxMessage-1]) + "…"
	}
	return s
}
