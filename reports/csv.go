package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/validate"
)

// csvLine is a Line as the CSV report's columns (DESIGN.md "Report and summary").
type csvLine struct {
	Row                string `csv:"row"`
	ExternalID         string `csv:"externalId"`
	Name               string `csv:"name"`
	Status             string `csv:"status"`
	CustomerID         string `csv:"customerId"`
	ProfileID          string `csv:"profileId"`
	FinancialAccountID string `csv:"financialAccountId"`
	HTTPStatus         string `csv:"httpStatus"`
	Attempts           string `csv:"attempts"`
	Errors             string `csv:"errors"`
	Warnings           string `csv:"warnings"`
}

type csvWriter struct {
	file   *atomicFile
	w      *gocsv.SafeCSVWriter
	header bool
	one    [1]csvLine
}

// CreateCSV starts a CSV report at path.
func CreateCSV(path string) (Writer, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	return &csvWriter{file: f, w: gocsv.NewSafeCSVWriter(csv.NewWriter(f.bw))}, nil
}

func (c *csvWriter) Path() string { return c.file.path }

func (c *csvWriter) Write(line *Line) error {
	l := masked(line)
	c.one[0] = csvLine{
		Row:                strconv.Itoa(l.Row),
		ExternalID:         SafeCell(l.ExternalID),
		Name:               SafeCell(l.Name),
		Status:             string(l.Status),
		CustomerID:         SafeCell(l.CustomerID),
		ProfileID:          SafeCell(l.ProfileID),
		FinancialAccountID: SafeCell(l.FinancialAccountID),
		HTTPStatus:         itoaOrEmpty(l.HTTPStatus),
		Attempts:           itoaOrEmpty(l.Attempts),
		Errors:             SafeCell(JoinProblems(l.Errors)),
		Warnings:           SafeCell(JoinProblems(l.Warnings)),
	}
	var err error
	if !c.header {
		c.header = true
		err = gocsv.MarshalCSV(c.one[:], c.w)
	} else {
		err = gocsv.MarshalCSVWithoutHeaders(c.one[:], c.w)
	}
	if err != nil {
		return fmt.Errorf("write report %s: %w", c.file.path, err)
	}
	return nil
}

func (c *csvWriter) Close() error {
	if !c.header {
		// An empty roster still gets a report with its header, so a script can read it.
		if err := gocsv.MarshalCSV([]csvLine{}, c.w); err != nil {
			c.file.abort()
			return err
		}
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
	enc  *json.Encoder
}

// CreateJSONL starts a JSON Lines report at path: one Line object per line, problems as arrays of
// {field, column, cell, code, message}.
func CreateJSONL(path string) (Writer, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(f.bw)
	enc.SetEscapeHTML(false)
	return &jsonlWriter{file: f, enc: enc}, nil
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
	if err := j.enc.Encode(&c); err != nil {
		return fmt.Errorf("write report %s: %w", j.file.path, err)
	}
	return nil
}

func (j *jsonlWriter) Close() error { return j.file.commit() }
func (j *jsonlWriter) Abort() error { return j.file.abort() }

// masked returns a copy of l as it may leave for a file: every text in it (the id and name, which
// a roster may fill with a card number or SSN by mistake, and each problem, which may quote a
// header or cell) through the one masking policy, redact.Text. The line itself keeps the id the
// run matched on.
func masked(l *Line) Line {
	c := *l
	c.ExternalID, c.Name = redact.Text(l.ExternalID), redact.Text(l.Name)
	c.CustomerID, c.ProfileID, c.FinancialAccountID = redact.Text(l.CustomerID), redact.Text(l.ProfileID), redact.Text(l.FinancialAccountID)
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
