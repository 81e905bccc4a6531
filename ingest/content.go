package ingest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/redact"
	"gopkg.in/yaml.v3"
)

// sniffRows is how many data rows the content of the unplaced columns is judged by: enough to
// outvote a few damaged cells, few enough to hold in memory before the pipeline starts.
const sniffRows = 50

// sniffShare is the share of a column's non-blank sampled cells that must have one shape for
// the column to be taken as holding it; the rest may be damage (a short SSN, a typo'd email).
const sniffShare = 0.8

// Guess is a column that feeds no field although its values look like one field's. It holds
// no value of the column, only what the values look like.
type Guess struct {
	Header string // the header as written
	Column int    // its 0-based index
	Looks  string // what the values look like: "SSNs", "card numbers", "emails", …
	Field  string // the canonical field such values fill
	// Placed is the header that already feeds Field, or "" when Field has no column.
	Placed string
	// Other names the kind Field belongs to when the roster's kind lacks it, else "".
	Other Kind
	// Sensitive marks SSNs and card numbers: with Field of the kind and unplaced, and the
	// column not under ignore:, the source is refused.
	Sensitive  bool
	Of, Sample int // how many of the sampled non-blank cells have the shape
}

// String is the guess as one line for a log or a YAML comment; the header is masked.
func (g Guess) String() string {
	s := fmt.Sprintf("column %q (%s) feeds no field but holds what look like %s (%d of %d values): %s",
		redact.Text(g.Header), rows.ColumnName(g.Column), g.Looks, g.Of, g.Sample, g.Field)
	switch {
	case g.Other != "":
		s += fmt.Sprintf(", a field of kind %s", g.Other)
	case g.Placed != "":
		s += fmt.Sprintf(", which comes from %q", redact.Text(g.Placed))
	default:
		s += fmt.Sprintf(", which has no column: map it (columns: %s: %s)", g.Field, yamlQuote(g.Header))
	}
	return s
}

// contentShape is what a cell's value looks like, in the order a cell is tested for them.
type contentShape struct {
	looks     string
	fields    []*Field // the fields such values fill, the first of the kind's being taken
	sensitive bool
	is        func(string) bool
}

var contentShapes = []contentShape{
	{"emails", []*Field{fEmail, fContactEmail, fBusinessEmail}, false, looksEmail},
	{"card numbers", []*Field{fCardNumber}, true, looksCard},
	{"SSNs", []*Field{fSSN, fTaxID}, true, looksSSN},
	{"dates", []*Field{fDateOfBirth, fDateOfFormation}, false, looksDate},
	{"phone numbers", []*Field{fPhone, fContactPhone, fBusinessPhone}, false, looksPhone},
	{"ZIP codes", []*Field{fZip}, false, looksZIP},
}

// Sniff judges the unplaced columns by the sampled rows' cells: a column whose cells mostly
// look like SSNs, card numbers, emails, phone numbers, dates or ZIP codes is a Guess. Columns
// that a header alias already claims (one lost to another column) and those listed under
// ignore: are left alone. Unless survey is set, a sensitive guess (SSNs, card numbers) whose
// field the kind has and no column feeds is a *ConfigError: the column would be dropped in
// silence, and its values never checked.
func (m *Mapper) Sniff(sample []rows.Row, survey bool) ([]Guess, error) {
	var out []Guess
	for _, u := range m.unplaced {
		if strings.TrimSpace(u.header) == "" || m.ignored(u.header) {
			continue
		}
		if _, _, known := m.reg.matchHeader(m.spec, u.header); known {
			continue
		}
		g, ok := m.judge(u.col, sample)
		if !ok {
			continue
		}
		g.Header = u.header
		out = append(out, g)
	}
	if survey {
		return out, nil
	}
	for _, g := range out {
		if g.Sensitive && g.Other == "" && g.Placed == "" {
			return out, configErr("", 0, "%s; or, if the column is not to be sent, list it under ignore: in the mapping file",
				g.String())
		}
	}
	return out, nil
}

// judge finds the shape most of a column's sampled cells have.
func (m *Mapper) judge(col int, sample []rows.Row) (Guess, bool) {
	counts := make([]int, len(contentShapes))
	seen := 0
	for _, r := range sample {
		if col >= len(r.Cells) {
			continue
		}
		v := strings.TrimSpace(r.Cells[col])
		if v == "" {
			continue
		}
		seen++
		for i, s := range contentShapes {
			if s.is(v) {
				counts[i]++
				break
			}
		}
	}
	best := 0
	for i := range counts {
		if counts[i] > counts[best] {
			best = i
		}
	}
	if seen == 0 || float64(counts[best]) < sniffShare*float64(seen) {
		return Guess{}, false
	}
	s := contentShapes[best]
	g := Guess{Column: col, Looks: s.looks, Sensitive: s.sensitive, Of: counts[best], Sample: seen}
	f := s.fields[0]
	if i := slices.IndexFunc(s.fields, func(f *Field) bool { return m.spec.has(f.ix()) }); i >= 0 {
		f = s.fields[i]
		if c := m.col[f.ix()]; c >= 0 {
			g.Placed = m.headers[c]
		}
	} else {
		g.Other = Kind(m.reg.kindsOf(f.ix()))
	}
	g.Field = f.Name
	return g, true
}

// ignored reports whether the mapping's ignore: lists a header, matched as columns: are.
func (m *Mapper) ignored(header string) bool {
	for _, h := range m.cfg.Ignore {
		if strings.TrimSpace(h) == strings.TrimSpace(header) || normKey(h) == normKey(header) {
			return true
		}
	}
	return false
}

// UnplacedRequired returns MissingRequired's fields, each with what would give it, for the
// comments of `rosterload mapping`.
func (m *Mapper) UnplacedRequired() []string {
	var out []string
	for _, name := range m.MissingRequired() {
		ref, _ := m.reg.resolveName(name)
		switch f := m.reg.fields[ref.field]; {
		case f == fProgramID:
			out = append(out, name+" (a column, --program-id or programId:)")
		case f.Personal:
			out = append(out, name+" (a column)")
		default:
			out = append(out, fmt.Sprintf("%s (a column or defaults: %s:)", name, name))
		}
	}
	return out
}

// YAML is the roster's mapping as Mapper.YAML writes it, then its ignore: list and, as comments,
// the content guesses and the required fields still unplaced.
func (r *Roster) YAML() []byte {
	b := r.Mapper.YAML()
	if len(r.Config.Ignore) > 0 {
		q := make([]string, len(r.Config.Ignore))
		for i, h := range r.Config.Ignore {
			q[i] = yamlQuote(h)
		}
		b = fmt.Appendf(b, "ignore: [%s]\n", strings.Join(q, ", "))
	}
	for _, g := range r.Guesses {
		b = fmt.Appendf(b, "# content: %s\n", strings.ReplaceAll(g.String(), "\n", " "))
	}
	for _, f := range r.Mapper.UnplacedRequired() {
		b = fmt.Appendf(b, "# required, unplaced: %s\n", f)
	}
	return b
}

// sniff samples the first data rows of the roster, judges its unplaced columns by them, and
// puts the rows back in front of the reader, so that the pipeline reads every row once.
func (r *Roster) sniff(survey bool) error {
	rp := &replay{Reader: r.Source.Reader}
	for len(rp.buf) < sniffRows {
		row, err := rp.Reader.Next()
		if err != nil {
			rp.err = err // io.EOF, or a source error the pipeline reports in its turn
			break
		}
		rp.buf = append(rp.buf, row)
	}
	rp.next = passThrough(rp.Reader)
	r.Source.Reader = rp
	g, err := r.Mapper.Sniff(rp.buf, survey)
	r.Guesses = g
	return err
}

// replay yields the sampled rows, then the end or error met while sampling, then the rest.
type replay struct {
	rows.Reader
	buf  []rows.Row
	err  error
	next rows.Reader // the rest's reader: Reader, or the one it passes them on from (passThrough)
}

func (p *replay) Next() (rows.Row, error) {
	if len(p.buf) > 0 {
		row := p.buf[0]
		p.buf[0] = rows.Row{}
		p.buf = p.buf[1:]
		return row, nil
	}
	if p.err != nil {
		return rows.Row{}, p.err
	}
	if p.next != nil {
		return p.next.Next()
	}
	return p.Reader.Next()
}

var _ rows.Reader = (*replay)(nil)

// setIgnore reads ignore:, a list of the source's headers that content checks leave alone (a
// single string is a list of one).
func (c *Config) setIgnore(file string, k, v *yaml.Node) error {
	bad := configErr(file, v.Line, "%s must be a list of the file's headers", k.Value)
	var list []string
	switch {
	case v.Kind == yaml.ScalarNode && v.Tag != "!!null":
		list = []string{v.Value}
	case v.Kind != yaml.SequenceNode || v.Decode(&list) != nil:
		return bad
	}
	for _, h := range list {
		if strings.TrimSpace(h) == "" {
			return bad
		}
	}
	c.Ignore = append(c.Ignore, list...)
	return nil
}

// The shapes of a cell. Each takes the trimmed, non-blank value.

func looksEmail(v string) bool {
	at := strings.IndexByte(v, '@')
	return at > 0 && strings.LastIndexByte(v, '@') == at && strings.IndexByte(v[at:], '.') > 1 &&
		!strings.ContainsAny(v, " \t,;")
}

// digitsOf returns v's digits when v holds only digits and the separators allowed, else "".
func digitsOf(v, seps string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(seps, r):
		default:
			return ""
		}
	}
	return b.String()
}

func looksCard(v string) bool {
	d := digitsOf(v, " -")
	return len(d) >= 13 && len(d) <= 19 && redact.Luhn(d)
}

// looksSSN takes 3-2-4 digits joined by dashes or spaces, or nine digits alone.
func looksSSN(v string) bool {
	d := digitsOf(v, " -")
	if len(d) != 9 {
		return false
	}
	if len(v) == 9 {
		return true
	}
	return len(v) == 11 && (v[3] == '-' || v[3] == ' ') && v[6] == v[3]
}

// dateShapes are the layouts a date column of a payroll export is written in.
var dateShapes = []string{"2006-01-02", "2006-1-2", "1/2/2006", "1/2/06", "2006/01/02", "02.01.2006",
	"Jan 2, 2006", "2 Jan 2006", "2-Jan-2006", "January 2, 2006", "2006-01-02T15:04:05"}

func looksDate(v string) bool {
	for _, l := range dateShapes {
		if _, err := time.Parse(l, v); err == nil {
			return true
		}
	}
	return false
}

// looksPhone takes 10 to 15 digits, written with phone punctuation or a leading +.
func looksPhone(v string) bool {
	d := digitsOf(strings.TrimPrefix(v, "+"), " -().")
	return len(d) >= 10 && len(d) <= 15
}

func looksZIP(v string) bool {
	d := digitsOf(v, "-")
	return (len(v) == 5 && len(d) == 5) || (len(v) == 10 && len(d) == 9 && v[5] == '-')
}
