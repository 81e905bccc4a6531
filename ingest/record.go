package ingest

import (
	"strings"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest/rows"
)

// Kind is the kind of record a roster's rows become (--kind).
type Kind string

// The record kinds.
const (
	KindEWA        Kind = "ewa"        // POST /v1/customer-profiles
	KindIndividual Kind = "individual" // POST /v1/customers, type INDIVIDUAL
	KindBusiness   Kind = "business"   // POST /v1/customers, type BUSINESS
)

// ParseKind returns the Kind named s ("" is ewa, the default).
func ParseKind(s string) (Kind, bool) {
	switch k := Kind(strings.ToLower(strings.TrimSpace(s))); k {
	case "":
		return KindEWA, true
	case KindEWA, KindIndividual, KindBusiness:
		return k, true
	}
	return "", false
}

// Record is one data row mapped to the request of its kind. Exactly one of EWA, Individual and
// Business is set, by Kind.
type Record struct {
	Row  int // the row number a spreadsheet shows
	Kind Kind

	EWA        *api.CustomerProfileRequest
	Individual *api.IndividualCustomer
	Business   *api.BusinessCustomer

	// Country is the row's own country cell as written, else the mapping file's default for
	// the country column ("" when neither gives one); with the mapping's default country it
	// decides the phone region.
	Country string

	// Malformed is the reader's error for a row whose field count is wrong; such a row is
	// reported as malformed_row and not validated further.
	Malformed error

	layout *Layout
	// blank has a bit per canonical field whose cell was blank or absent in this row, so
	// that Locate can tell a value the row gave from one a default or another column gave.
	blank uint64
}

// ExternalID returns the record's trimmed externalId.
func (r *Record) ExternalID() string {
	switch {
	case r.EWA != nil:
		return r.EWA.ExternalID
	case r.Individual != nil:
		return r.Individual.ExternalID
	case r.Business != nil:
		return r.Business.ExternalID
	}
	return ""
}

// Name returns the name a report shows for the record: "First Last" or the business name.
func (r *Record) Name() string {
	var c *api.IndividualCustomer
	switch {
	case r.Business != nil:
		return r.Business.BusinessName
	case r.Individual != nil:
		c = r.Individual
	case r.EWA != nil:
		c = r.EWA.CustomerData
	}
	if c == nil {
		return ""
	}
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// Request returns the request body of the record's kind.
func (r *Record) Request() any {
	switch {
	case r.EWA != nil:
		return r.EWA
	case r.Individual != nil:
		return r.Individual
	case r.Business != nil:
		return r.Business
	}
	return nil
}

// Locate says which source column and cell a request field came from: ("Work Email", "E17").
// Both are "" for a field no column feeds (a default, or a value the mapping derives).
func (r *Record) Locate(field string) (column, cell string) {
	if r.layout == nil {
		return "", ""
	}
	col, ok := r.layout.fields[field]
	if ch, found := r.layout.chains[field]; found {
		col, ok = ch.column(r.blank), true
	}
	if !ok || col < 0 || col >= len(r.layout.headers) {
		return "", ""
	}
	return r.layout.headers[col], rows.Cell(col, r.Row)
}

// Layout is what all records of one source share: the header, and which column feeds each
// request field. Keeping it per source, not per row, is what lets Locate cost nothing until a
// problem is found.
type Layout struct {
	headers []string       // the header cells as written
	fields  map[string]int // request field path -> 0-based column index
	// chains locate the fields whose column depends on the row (a card name taken from the
	// first-name column when the card-name cell is blank); they take precedence over fields.
	chains map[string]*chain
}
