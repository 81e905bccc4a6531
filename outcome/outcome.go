// Package outcome names what became of one row: a sink takes a record and gives an Outcome
// (status, the platform's ids, the last HTTP status, attempts, problems), which the pipeline
// copies into the row's report line.
package outcome

import "github.com/rosterload/rosterload/validate"

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
	// Changed: the state says this externalId was done, and its content differs from what was
	// sent then. Nothing is sent (the platform has no update endpoint); its warnings name the
	// changed fields.
	Changed Status = "CHANGED"
)

// Statuses lists every status in the order a summary shows them.
var Statuses = []Status{Valid, Invalid, Duplicate, Created, Exists, Skipped, Changed, Failed, NotSubmitted}

// OK reports whether a status leaves the exit code at 0. CHANGED is OK: the run did all it can
// (DESIGN.md "Exit codes"), and the report and summary say what a person should look at.
func (s Status) OK() bool {
	switch s {
	case Valid, Created, Exists, Skipped, Changed:
		return true
	}
	return false
}

// Outcome is what a sink learnt about one record. Its Errors and Warnings are the sink's own
// (the API's answer, a note); the pipeline adds them after the validator's. An empty Status
// from a sink that also returns an error means the record was not sent.
type Outcome struct {
	Status             Status
	CustomerID         string
	ProfileID          string
	FinancialAccountID string
	HTTPStatus         int // the last answer's; 0 when none came
	Attempts           int // requests sent for it, retries included
	Errors             []validate.Problem
	Warnings           []validate.Problem
}
