package validate

import (
	"bytes"

	"github.com/rosterload/rosterload/redact"
)

// An externalId is sent to the platform, written in the report, named in DUPLICATE messages and
// kept in the state file, so one that is personal data is refused before any of that. These
// are the messages that refuse it: they say why without quoting the id.
const (
	employeeIDAdvice = ": use the payroll's employee number (the id is sent to the platform and kept in the state file)"
	businessIDAdvice = ": use your own number for the business (the id is sent to the platform and kept in the state file)"

	msgEmployeeIDCard     = "the employee id looks like a card number" + employeeIDAdvice
	msgEmployeeIDSSN      = "the employee id looks like a social security number" + employeeIDAdvice
	msgEmployeeIDOwnSSN   = "the employee id holds the employee's own social ID" + employeeIDAdvice
	msgEmployeeIDOwnCard  = "the employee id holds the employee's own card number" + employeeIDAdvice
	msgBusinessIDCard     = "the business id looks like a card number" + businessIDAdvice
	msgBusinessIDSSN      = "the business id looks like a social security number" + businessIDAdvice
	msgBusinessIDOwnTaxID = "the business id holds the business's own tax ID" + businessIDAdvice
)

// minOwnDigits is the fewest digits compared with the row's own numbers: an SSN or a US tax id
// has nine, and fewer match too much by chance.
const minOwnDigits = 9

var personalIDMessages = map[string]bool{
	msgEmployeeIDCard: true, msgEmployeeIDSSN: true, msgEmployeeIDOwnSSN: true, msgEmployeeIDOwnCard: true,
	msgBusinessIDCard: true, msgBusinessIDSSN: true, msgBusinessIDOwnTaxID: true,
}

// IDIsPersonalData reports whether p is the error that refuses a request's externalId because
// it is personal data: it is or holds a card number, an SSN written with separators
// (123-45-6789), or the digits of the row's own social ID, tax ID or card number. The Problem's
// code is CodeInvalidFormat (the id is not in the form an id must have), so the documented code
// list and whatever reads reports stay as they are; its message never quotes the id. The
// pipeline can use this to keep such an id out of what it writes (the report's id column, logs):
// the row is invalid, so it is neither sent, nor claimed for de-duplication, nor journalled. For
// a whole result:
//
//	slices.ContainsFunc(res.Errors, validate.IDIsPersonalData)
func IDIsPersonalData(p Problem) bool {
	return p.Field == "externalId" && p.Code == CodeInvalidFormat && personalIDMessages[p.Message]
}

// ownNumber is a personal number of the row itself, and the message that refuses an id holding
// its digits.
type ownNumber struct{ value, msg string }

// personalID refuses id (trimmed, not empty) when it is or holds a card number or an SSN written
// with separators, or when its digits (nine or more) hold, or are held in, those of one of the
// row's own numbers (nine digits or more each). Nine bare digits that match nothing of the row
// are an employee number, and allowed.
func (c *checker) personalID(id string, business bool, own ...ownNumber) {
	msg := ""
	k := redact.Holds(id)
	switch {
	case k&redact.CardNumber != 0 && business:
		msg = msgBusinessIDCard
	case k&redact.CardNumber != 0:
		msg = msgEmployeeIDCard
	case k&redact.SSN != 0 && business:
		msg = msgBusinessIDSSN
	case k&redact.SSN != 0:
		msg = msgEmployeeIDSSN
	default:
		var buf [64]byte
		d := appendDigits(buf[:0], id)
		if len(d) < minOwnDigits {
			return
		}
		for _, o := range own {
			var obuf [64]byte
			e := appendDigits(obuf[:0], o.value)
			if len(e) >= minOwnDigits && (bytes.Contains(d, e) || bytes.Contains(e, d)) {
				msg = o.msg
				break
			}
		}
	}
	if msg != "" {
		c.fail("externalId", CodeInvalidFormat, "%s", msg)
	}
}

// appendDigits appends the ASCII digits of s to b.
func appendDigits(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if isASCIIDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return b
}
