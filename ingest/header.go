package ingest

import (
	"fmt"
	"strings"

	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/redact"
)

// checkHeader refuses a header row that is an employee's data: a file without a header row, or
// a --header-row that names a data row. Taken as column names, its cells (a card number, an SSN,
// a birth date) would go to the log and to the mapping printed for the user, and every row
// would be INVALID. The error names the row, never its cells.
func checkHeader(h rows.Header, cfg Config) error {
	strong, weak := 0, 0
	for _, c := range h.Names {
		switch valueShape(strings.TrimSpace(c)) {
		case shapeStrong:
			strong++
		case shapeWeak:
			weak++
		}
	}
	if strong == 0 && weak < 2 {
		return nil
	}
	hint := "is the file missing its header row? add one (the template's names, or map the columns in a mapping file)"
	if cfg.HeaderRow > 0 {
		hint = fmt.Sprintf("the header row was given as %d: is the header on another row? (without --header-row or headerRow, the first non-blank row is the header)", cfg.HeaderRow)
	}
	return configErr("", 0, "row %d, taken as the header, looks like an employee's data rather than column names (%d of its cells hold e-mail addresses, dates, card numbers, SSNs or long numbers); %s",
		h.Num, strong+weak, hint)
}

type shape int

const (
	shapeName   shape = iota // may be a column name
	shapeWeak                // a date or a long number: one in a header is odd, two are data
	shapeStrong              // an e-mail address, a card number, an SSN: never a column name
)

// valueShape tells a column name from a value only a data row holds.
func valueShape(s string) shape {
	if s == "" {
		return shapeName
	}
	if at := strings.IndexByte(s, '@'); at > 0 && strings.IndexByte(s[at:], '.') > 0 && !strings.ContainsAny(s, " \t") {
		return shapeStrong
	}
	if redact.Text(s) != s {
		return shapeStrong
	}
	digits, others := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-./(),:", r):
		default:
			others++
		}
	}
	if others > 0 {
		return shapeName
	}
	// 1/2/1990, 1990-01-02, a ZIP, a phone number, an employee number, an amount.
	if digits >= 5 || digits >= 3 && strings.ContainsAny(s, "/-.") {
		return shapeWeak
	}
	return shapeName
}

// checkIDColumn refuses an employee id taken from a column of card numbers, SSNs or tax ids (a
// mapping file's `externalId: SSN`): the id is sent to the platform and kept in the state file,
// where none of them may go.
func (m *Mapper) checkIDColumn() error {
	for _, p := range m.placements {
		if p.Field != fExternalID.Name {
			continue
		}
		for _, s := range m.reg.specs {
			a, _, ok := m.reg.matchHeader(s, p.Header)
			if !ok {
				continue
			}
			// The personal fields but the id itself: SSNs, tax ids, card numbers and expiries.
			if f := m.reg.fields[a.field]; f.Personal && f.Name != fExternalID.Name {
				return configErr("", 0, "externalId would come from column %q, which holds %s numbers: the employee id is sent to the platform and kept in the state file, so map externalId to the payroll's employee number",
					redact.Text(p.Header), f)
			}
		}
	}
	return nil
}
