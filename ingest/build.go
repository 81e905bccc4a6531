package ingest

import (
	"strings"
	"unicode/utf8"

	"github.com/rosterload/rosterload/ingest/rows"
)

// Map builds the record of one row with its kind's Build. It never fails: the validator judges
// the values, and a row the reader found malformed keeps its error in Record.Malformed. Cells
// are copied as written, except that a blank cell counts as empty and externalId is trimmed
// (dedupe keys on it); optional objects nobody filled stay nil, required ones are always there
// so that the validator reports the field inside them.
func (m *Mapper) Map(row rows.Row) *Record {
	c := m.cells(row)
	rec := m.spec.Build(c)
	m.finish(rec, row, &c)
	return rec
}

// MapKeys is Map for the census before a run, which reads of a record only its row number,
// Malformed, whether it has a Body, ExternalID, Country, and the values the cross-row check
// compares (a person's socialId, primaryEmail.value and primaryPhoneNumber.number, an
// enrollment's card number, a business's taxId): those are as Map gives them, and every
// other field of the request is left empty, so such a record is not to be validated,
// reported or sent. reuse, a record an earlier MapKeys of this kind returned, is filled
// again in place and returned (a census worker keeps one: no allocation per row); nil, or
// any other record, means a new one. A kind whose spec has no Keys is mapped whole by Map.
func (m *Mapper) MapKeys(row rows.Row, reuse *Record) *Record {
	if m.spec.Keys == nil {
		return m.Map(row)
	}
	c := m.cells(row)
	rec := reuse
	if rec == nil || !rec.keysOnly || rec.spec != m.spec {
		rec = &Record{keysOnly: true}
	}
	rec.Body = m.spec.Keys(c, rec.Body)
	m.finish(rec, row, &c)
	return rec
}

// cells is a row as a kind's Build reads it: which fields are blank in it.
func (m *Mapper) cells(row rows.Row) Cells {
	c := Cells{m: m, cells: row.Cells, blank: m.absent.clone()}
	for _, p := range m.present {
		if p.col >= len(row.Cells) || blank(row.Cells[p.col]) {
			c.blank.add(p.field)
		}
	}
	return c
}

// finish sets what every record of the row has whatever its kind built.
func (m *Mapper) finish(rec *Record, row rows.Row, c *Cells) {
	rec.Row = row.Num
	rec.Kind = m.spec.Kind
	rec.spec = m.spec
	rec.Country = c.Get(fCountry)
	rec.Malformed = row.Err
	rec.layout = m.layout
	rec.blank = c.blank
}

// Cells is one row as a kind's Build reads it: by canonical field, with the mapping file's
// defaults and what the source's header says.
type Cells struct {
	m     *Mapper
	cells []string
	blank fieldSet // fields whose cell is blank or whose column is absent
}

func blank(s string) bool {
	// Most cells start with a printable ASCII character, which no white space is.
	if len(s) > 0 && s[0] > ' ' && s[0] < utf8.RuneSelf {
		return false
	}
	return strings.TrimSpace(s) == ""
}

// Cell returns the field's cell, "" when it is blank or there is no column.
func (c *Cells) Cell(f *Field) string {
	if c.blank.has(f.ix()) {
		return ""
	}
	return c.cells[c.m.col[f.ix()]]
}

// Get returns the field's cell, else the mapping file's default for it, else "".
func (c *Cells) Get(f *Field) string {
	if c.blank.has(f.ix()) {
		return c.m.def[f.ix()]
	}
	return c.cells[c.m.col[f.ix()]]
}

// AllBlank reports whether every one of fs is blank in this row (no cell; defaults aside).
func (c *Cells) AllBlank(fs ...*Field) bool {
	for _, f := range fs {
		if !c.blank.has(f.ix()) {
			return false
		}
	}
	return true
}

// Given reports whether the source has a column or the mapping a default for f.
func (c *Cells) Given(f *Field) bool { return c.m.given(f) }

// Implied returns what the header of f's column implies ("Home Phone": HOME), or "".
func (c *Cells) Implied(f *Field) string { return c.m.implied[f.ix()] }

// Config returns the mapping the rows are read with; it is not to be changed.
func (c *Cells) Config() *Config { return &c.m.cfg }

// Country returns the row's country, else the mapping's default country.
func (c *Cells) Country() string {
	if v := c.Get(fCountry); v != "" {
		return v
	}
	return c.m.cfg.DefaultCountry
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

// Metadata returns the row's metadata, nil when it has none.
func (c *Cells) Metadata() map[string]string {
	var md map[string]string
	for _, f := range c.m.meta {
		v := f.def
		if f.col >= 0 && f.col < len(c.cells) && !blank(c.cells[f.col]) {
			v = c.cells[f.col]
		}
		if v == "" {
			continue
		}
		if md == nil {
			md = make(map[string]string, len(c.m.meta))
		}
		md[f.key] = v
	}
	return md
}

// chain is how Locate finds the column behind a request field whose source varies by row:
// the first of links whose cell is not blank, unless a default stepped in first.
type chain struct {
	links   []link
	builtin bool // a value no column gives (NEW, MOBILE, the default country) fills the rest
}

type link struct {
	field int  // the source field's index
	col   int  // -1 when the field has no column
	def   bool // the mapping file has a default for the field
}

// column returns the column that gave the field's value in a row with these blank cells: -1
// when a default did. When nothing gave one, it is the first column that could have, so that
// "required" points at the cell to fill in.
func (ch *chain) column(blank *fieldSet) int {
	for _, l := range ch.links {
		if l.col >= 0 && !blank.has(l.field) {
			return l.col
		}
		if l.def {
			return -1
		}
	}
	if ch.builtin {
		return -1
	}
	for _, l := range ch.links {
		if l.col >= 0 {
			return l.col
		}
	}
	return -1
}

// Locations is what a kind's Layout fills in: which source fields feed each request field
// path, for Record.Locate.
type Locations struct {
	m *Mapper
	l *Layout
}

// Add says that the request field at path takes the first of from that the row gives. builtin:
// a value no column gives (a default such as NEW, or the mapping's default country) fills it
// when none does, so that a missing value is not pinned on a column.
func (l *Locations) Add(path string, builtin bool, from ...*Field) {
	ch := &chain{links: make([]link, len(from)), builtin: builtin}
	for i, f := range from {
		ch.links[i] = link{field: f.ix(), col: l.m.col[f.ix()], def: l.m.hasDef.has(f.ix())}
	}
	l.l.chains[path] = ch
}

// Metadata locates the metadata object at path (at its first column, for a count of keys)
// and each of its keys.
func (l *Locations) Metadata(path string) {
	first := -1
	for _, f := range l.m.meta {
		if f.col < 0 {
			continue
		}
		if first < 0 {
			first = f.col
		}
		l.l.fields[path+"."+f.key] = f.col
	}
	if first >= 0 {
		l.l.fields[path] = first
	}
}

// Given reports whether the source has a column or the mapping a default for f.
func (l *Locations) Given(f *Field) bool { return l.m.given(f) }

// Config returns the mapping the rows are read with; it is not to be changed.
func (l *Locations) Config() *Config { return &l.m.cfg }

// newLayout records which column feeds each request field path of the mapper's kind.
func (m *Mapper) newLayout() *Layout {
	l := &Layout{headers: m.headers, fields: map[string]int{}, chains: map[string]*chain{}}
	m.spec.Layout(&Locations{m: m, l: l})
	return l
}
