package ingest

import (
	"github.com/rosterload/rosterload/ingest/rows"
)

// Record is one data row mapped to the request of its kind.
type Record struct {
	Row  int // the row number a spreadsheet shows
	Kind Kind
	// Body is the request of the record's kind (what its spec's NewRequest makes:
	// *api.CustomerProfileRequest for ewa, *api.IndividualCustomer, *api.BusinessCustomer).
	Body any

	// Country is the row's own country cell as written, else the mapping file's default for
	// the country column ("" when neither gives one); with the mapping's default country it
	// decides the phone region.
	Country string

	// Malformed is the reader's error for a row whose field count is wrong; such a row is
	// reported as malformed_row and not validated further.
	Malformed error

	spec   *Spec // nil for a record made by hand: Kind's
	layout *Layout
	// blank has a bit per canonical field whose cell was blank or absent in this row, so
	// that Locate can tell a value the row gave from one a default or another column gave.
	blank fieldSet
	// keysOnly marks a record MapKeys filled: only its keys are there, and it may be refilled.
	keysOnly bool
}

// Spec returns the spec of the record's kind (the default kind's when Kind is unknown).
func (r *Record) Spec() *Spec {
	if r.spec != nil {
		return r.spec
	}
	return kinds().orDefault(r.Kind)
}

// ExternalID returns the record's trimmed externalId.
func (r *Record) ExternalID() string {
	if r.Body == nil {
		return ""
	}
	return r.Spec().ExternalID(r.Body)
}

// Name returns the name a report shows for the record: "First Last" or the business name.
func (r *Record) Name() string {
	s := r.Spec()
	if r.Body == nil || s.Name == nil {
		return ""
	}
	return s.Name(r.Body)
}

// Request returns the request body of the record's kind.
func (r *Record) Request() any { return r.Body }

// Locate says which source column and cell a request field came from: ("Work Email", "E17").
// Both are "" for a field no column feeds (a default, or a value the mapping derives).
func (r *Record) Locate(field string) (column, cell string) {
	if r.layout == nil {
		return "", ""
	}
	col, ok := r.layout.fields[field]
	if ch, found := r.layout.chains[field]; found {
		col, ok = ch.column(&r.blank), true
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
