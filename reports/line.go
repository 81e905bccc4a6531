// Package reports writes what a run found: one line per non-blank data row, in source order, as
// CSV, JSONL or XLSX, the leavers of a nightly run (the missing file), and a summary of the whole
// run for the terminal, as JSON and as one line for a webhook.
package reports

import (
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/validate"
)

// Line is one row of the report.
type Line struct {
	Row                int                `json:"row"`
	ExternalID         string             `json:"externalId"`
	Name               string             `json:"name"`
	Status             outcome.Status     `json:"status"`
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
