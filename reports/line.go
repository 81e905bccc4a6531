// Package reports writes what a run found: one line per non-blank data row, in source order, as
// CSV, JSONL or XLSX, and a summary of the whole run for the terminal and as JSON.
package reports

import (
	"github.com/rosterload/rosterload/validate"
)

// Status is a row's outcome (DESIGN.md "Statuses").
type Status string

// The statuses, one per non-blank data row.
const (
	Valid        Status = "VALID"         // dry run: would be submitted
	Invalid      Status = "INVALID"       // failed validation
	Duplicate    Status = "DUPLICATE"     // a later occurrence of an externalId
	Created      Status = "CREATED"       // the API created it
	Exists       Status = "EXISTS"        // the API already had this externalId
	Skipped      Status = "SKIPPED"       // the state journal says an earlier run did it
	Failed       Status = "FAILED"        // rejected by the API, or retries ran out
	NotSubmitted Status = "NOT_SUBMITTED" // valid, but the run stopped before sending it
)

// Statuses lists every status in the order a summary shows them.
var Statuses = []Status{Valid, Invalid, Duplicate, Created, Exists, Skipped, Failed, NotSubmitted}

// OK reports whether a status leaves the exit code at 0.
func (s Status) OK() bool {
	switch s {
	case Valid, Created, Exists, Skipped:
		return true
	}
	return false
}

// Line is one row of the report.
type Line struct {
	Row                int                `json:"row"`
	ExternalID         string             `json:"externalId"`
	Name               string             `json:"name"`
	Status             Status             `json:"status"`
	CustomerID         string             `json:"customerId,omitempty"`
	ProfileID          string             `json:"profileId,omitempty"`
	FinancialAccountID string             `json:"financialAccountId,omitempty"`
	HTTPStatus         int                `json:"httpStatus,omitempty"`
	Attempts           int                `json:"attempts,omitempty"`
	Errors             []validate.Problem `json:"errors"`
	Warnings           []validate.Problem `json:"warnings"`
	// Cells are the source row's cells as read, for the XLSX report (which is the roster
	// itself); nil unless the pipeline was asked to keep them. Never written as they are.
	Cells []string `json:"-"`
}

// Writer takes report lines in source order.
type Writer interface {
	Write(*Line) error
	// Close finishes the report; until it returns nil the report is not at its path.
	Close() error
	// Abort removes what was written.
	Abort() error
	Path() string
}
