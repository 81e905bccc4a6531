package outcome

import "github.com/rosterload/rosterload/validate"

// ChangedWarning is the warning a CHANGED line carries for one changed field: field is its JSON
// path ("customerData.primaryPhoneNumber.number"), column and cell where today's value came from
// ("" when from a default), sentOn the date it was sent ("2026-11-02", "" when unknown). It never
// quotes the value, old or new.
func ChangedWarning(field, column, cell, sentOn string) validate.Problem {
	msg := "changed since it was sent; not sent (the platform has no update endpoint)"
	if sentOn != "" {
		msg = "changed since it was sent on " + sentOn + "; not sent (the platform has no update endpoint)"
	}
	return validate.Problem{Field: field, Column: column, Cell: cell, Code: validate.WarnChanged, Message: msg}
}

// ReturnedWarning is the warning on the line of an employee whose externalId an earlier full
// roster lacked: column and cell are the externalId's, missingSince the first night it was
// missing ("" when unknown).
func ReturnedWarning(column, cell, missingSince string) validate.Problem {
	msg := "back in the roster after it was missing"
	if missingSince != "" {
		msg = "back in the roster; it was missing since " + missingSince
	}
	return validate.Problem{Field: "externalId", Column: column, Cell: cell, Code: validate.WarnReturned, Message: msg}
}
