package ingest

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/rosterload/rosterload/ingest/csvread"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/ingest/xlsxread"
	"github.com/rosterload/rosterload/validate"
)

// This file is the preflight: the mistakes of a mapping that would make every row INVALID (a
// required field nothing gives, a default no row could send, the wrong kind, the wrong header
// row) are found from the header and the mapping alone, before the first data row is read, and
// refused with one line that says what to give.

// HeaderChoice is how the header row was chosen when no header row was given: of the first
// non-blank rows, the one that maps the most columns of the mapping's kind.
type HeaderChoice struct {
	Row        int               // the row chosen
	Considered []HeaderCandidate // the rows looked at, in order
	// NoData: every non-blank row was looked at, and none is under the one chosen.
	NoData bool
}

// HeaderCandidate is a row looked at as the header, and how many columns it maps (-1: it
// cannot be the header, e.g. it holds an employee's data).
type HeaderCandidate struct {
	Row    int
	Mapped int
}

// String lists the rows considered that could be the header, with the columns each maps:
// "1 (0 columns), 3 (12 columns)"; rows of data are left out.
func (c *HeaderChoice) String() string {
	var parts []string
	for _, h := range c.Considered {
		switch {
		case h.Mapped < 0:
		case h.Mapped == 1:
			parts = append(parts, fmt.Sprintf("%d (1 column)", h.Row))
		default:
			parts = append(parts, fmt.Sprintf("%d (%d columns)", h.Row, h.Mapped))
		}
	}
	return strings.Join(parts, ", ")
}

// Contested reports whether more than one of the rows considered could be the header.
func (c *HeaderChoice) Contested() bool {
	n := 0
	for _, h := range c.Considered {
		if h.Mapped >= 0 {
			n++
		}
	}
	return n > 1
}

// mapped returns how many columns of header cfg's mapping places, -1 when it refuses the
// header (a row of data, a column the mapping names that the row lacks, ...).
func (reg *registry) mapped(cfg Config, names []string) int {
	m, err := reg.newMapper(cfg, rows.Header{Names: names})
	if err != nil {
		return -1
	}
	return m.columnsMapped()
}

// columnsMapped counts the columns that feed a field (a column feeding two counts once).
func (m *Mapper) columnsMapped() int {
	cols := map[int]bool{}
	for _, p := range m.placements {
		cols[p.Column] = true
	}
	return len(cols)
}

// chooser returns what picks the header among candidate rows for cfg, recording the choice
// in out: the row that maps the most columns, the first of equals, so that a roster whose
// first row is its header reads as it always did.
func (reg *registry) chooser(cfg Config, out *HeaderChoice) func([]rows.Header, bool) int {
	return func(cands []rows.Header, all bool) int {
		best := 0
		out.Considered = make([]HeaderCandidate, len(cands))
		for i, h := range cands {
			out.Considered[i] = HeaderCandidate{Row: h.Num, Mapped: reg.mapped(cfg, h.Names)}
			if out.Considered[i].Mapped > out.Considered[best].Mapped {
				best = i
			}
		}
		out.Row = cands[best].Num
		out.NoData = all && best == len(cands)-1
		return best
	}
}

// chooseCSVHeader reads the rows after a CSV's first non-blank one, up to as many as an XLSX
// offers, and lets choose pick the header among them. When it picks a later row, the rows are
// re-read against that header's width: their field counts and malformed_row errors are those
// the reader would have given had it been told the header row.
func chooseCSVHeader(r rows.Reader, choose func([]rows.Header, bool) int) (rows.Reader, error) {
	first, err := r.Header()
	if err != nil {
		return nil, err
	}
	cands := []rows.Header{first}
	var read []rows.Row
	var stop error // what ended the look-ahead: io.EOF, or an error Next returns in its turn
	for len(cands) < xlsxread.HeaderCandidates {
		row, err := r.Next()
		if err != nil {
			stop = err
			break
		}
		read = append(read, row)
		cells := row.Cells[:fieldCount(row)]
		names := make([]string, len(cells))
		for i, c := range cells {
			names[i] = strings.TrimSpace(c)
		}
		cands = append(cands, rows.Header{Num: row.Num, Names: names})
	}
	all := errors.Is(stop, io.EOF)
	i := choose(cands, all)
	h := &reheaded{Reader: r, header: cands[i], pending: read[i:], stop: stop, rewidth: i > 0}
	return h, nil
}

// reheaded is a CSV reader whose header was chosen among its first rows.
type reheaded struct {
	rows.Reader
	header  rows.Header
	pending []rows.Row // rows read ahead, not yet returned
	stop    error      // what Next returned after them, nil when it was not reached
	rewidth bool       // the header is not the reader's own: fit each row to it
}

func (h *reheaded) Header() (rows.Header, error) { return h.header, nil }

func (h *reheaded) Next() (rows.Row, error) {
	var row rows.Row
	switch {
	case len(h.pending) > 0:
		row, h.pending = h.pending[0], h.pending[1:]
	case h.stop != nil:
		return rows.Row{}, h.stop
	default:
		var err error
		if row, err = h.Reader.Next(); err != nil {
			return row, err
		}
	}
	if h.rewidth {
		row = fitRow(row, len(h.header.Names))
	}
	return row, nil
}

// passThrough returns the reader whose Next r's Next gives as it is: under a closeBoth (whose
// Next is its reader's), and under a reheaded CSV reader with nothing of its own left to give
// (no rows read ahead, no end met, its header the reader's own), so that each row costs fewer
// calls; else r.
func passThrough(r rows.Reader) rows.Reader {
	for {
		switch t := r.(type) {
		case closeBoth:
			r = t.Reader
		case *reheaded:
			if t.rewidth || len(t.pending) > 0 || t.stop != nil {
				return r
			}
			r = t.Reader
		default:
			return r
		}
	}
}

// fieldCount is how many fields a CSV row had before the reader padded it to its header.
func fieldCount(row rows.Row) int {
	var syn *csvread.SyntaxError
	var bad *rows.MalformedRowError
	switch {
	case errors.As(row.Err, &syn) && syn.MalformedRowError != nil:
		return min(syn.Got, len(row.Cells))
	case errors.As(row.Err, &bad):
		return min(bad.Got, len(row.Cells))
	}
	return len(row.Cells)
}

// fitRow gives a CSV row read against one header the shape the reader gives it against
// another of want fields: padded to it, and malformed when its field count differs.
func fitRow(row rows.Row, want int) rows.Row {
	got := fieldCount(row)
	cells := row.Cells[:got:got]
	if got < want {
		cells = append(cells, make([]string, want-got)...)
	}
	out := rows.Row{Num: row.Num, Cells: cells}
	var syn *csvread.SyntaxError
	switch {
	case errors.As(row.Err, &syn) && syn.MalformedRowError != nil:
		syn.Want = want
		out.Err = row.Err
	case got != want:
		out.Err = &rows.MalformedRowError{Row: row.Num, Got: got, Want: want}
	}
	return out
}

// Preflight checks the mapping against the header before any data row is read: the sheet
// has data rows, every default is a value a row could send, and every required field of the
// kind has a column or a default. Each failure is a *ConfigError of one line that says what to
// give (the flag or the mapping file's key, a better kind, another header row or sheet).
// A source with a header and no data rows at all is left to the caller, which says so.
func (r *Roster) Preflight() error {
	if c := r.Source.Choice; c != nil && c.NoData {
		return r.checkSheet()
	}
	if err := r.Mapper.checkDefaults(); err != nil {
		return err
	}
	return r.checkRequired()
}

// checkSheet refuses a workbook sheet with a header and nothing under it (a "Read Me" sheet
// first) when the workbook has other sheets to read.
func (r *Roster) checkSheet() error {
	if r.Format != "xlsx" || len(r.Sheets) < 2 {
		return nil
	}
	return configErr("", 0, "sheet %q has a header row (row %d) but no data rows; the workbook's sheets are %s: give --sheet (or sheet: in the mapping file)",
		r.Sheet, r.Choice.Row, r.sheetList())
}

// sheetList names the workbook's sheets for a message: "Read Me", "Employees", "Old" (hidden).
func (s *Source) sheetList() string {
	names := make([]string, len(s.Sheets))
	for i, sh := range s.Sheets {
		names[i] = strconv.Quote(sh.Name)
		if sh.Hidden {
			names[i] += " (hidden)"
		}
	}
	return strings.Join(names, ", ")
}

// checkDefaults validates the values the mapping gives every row (defaults:, the program id,
// the default country) as the validator would a cell: a row with every cell blank is mapped
// and validated, and the problems with a value a default gave are the mapping's mistakes.
// "required" and "conditional_required" are left out: they are about the blank cells.
func (m *Mapper) checkDefaults() error {
	v, err := validate.New(validate.Options{DateLayouts: m.cfg.DateFormats, DefaultCountry: m.cfg.DefaultCountry})
	if err != nil {
		file, line := m.cfg.line("defaultCountry")
		return &ConfigError{File: file, Line: line, Msg: strings.TrimPrefix(err.Error(), validate.ErrOption.Error()+": "), Err: err}
	}
	rec := m.Map(rows.Row{Num: 0, Cells: make([]string, len(m.headers))})
	res := m.spec.Validate(v, rec.Body, validate.Hint{Country: rec.Country, Loc: rec})
	for _, p := range res.Errors {
		if p.Code == validate.CodeRequired || p.Code == validate.CodeConditionalRequired {
			continue
		}
		ch := m.layout.chains[p.Field]
		if ch == nil {
			continue
		}
		for _, l := range ch.links {
			if !l.def {
				continue
			}
			name := m.reg.fields[l.field].Name
			file, line := m.cfg.line("defaults." + m.cfg.defaultKey(name))
			return configErr(file, line, "defaults: %s: %s", name, withValue(p.Message, m.def[l.field]))
		}
		if p.Field == "programId" && m.cfg.ProgramID != "" {
			return configErr("", 0, "the program id (--program-id or programId:): %s", withValue(p.Message, m.cfg.ProgramID))
		}
	}
	return nil
}

// withValue is a problem's message that shows the value at fault: the validator's does unless
// it withholds it; a default is no one's personal data, but it goes through the masking
// policy all the same.
func withValue(msg, value string) string {
	if strings.Contains(msg, strconv.Quote(value)) {
		return msg
	}
	return yamlQuote(value) + ": " + msg
}

// defaultKey returns the key defaults: gives a field under ("card_name" for cardName).
func (c *Config) defaultKey(name string) string {
	for k := range c.Defaults {
		if ref, ok := kinds().resolveName(k); ok && ref.String() == name {
			return k
		}
	}
	return name
}

// MissingRequired returns the required fields of the mapper's kind that nothing gives: no
// column, no default, no flag, and no other field the kind takes them from (an EWA's billing
// columns stand in for its address). Fields a value is built in for (eligibilityStatus NEW,
// currency USD, the cardholder's name from the employee's) are never missing.
func (m *Mapper) MissingRequired() []string {
	var miss []string
	for _, f := range m.spec.Required {
		if !m.givesValue(f.ix()) && m.needed(f.ix()) {
			miss = append(miss, f.Name)
		}
	}
	return miss
}

// givesValue reports whether a column or a non-blank default gives field f.
func (m *Mapper) givesValue(f int) bool {
	return m.col[f] >= 0 || strings.TrimSpace(m.def[f]) != ""
}

// needed reports whether some request field the kind fills takes its value from f alone: no
// other field of its chain gives one and no built-in value fills it. A required field no
// request field takes (the kind took another instead) is not needed.
func (m *Mapper) needed(f int) bool {
	for _, ch := range m.layout.chains {
		if ch.builtin || !slices.ContainsFunc(ch.links, func(l link) bool { return l.field == f }) {
			continue
		}
		if !slices.ContainsFunc(ch.links, func(l link) bool { return m.givesValue(l.field) }) {
			return true
		}
	}
	return false
}

// checkRequired refuses a mapping that leaves a required field without a value, naming each
// such field and what would give it, the kind the headers look like when it is another, and
// the rows (and sheets) looked at when the header row was chosen.
func (r *Roster) checkRequired() error {
	m := r.Mapper
	miss := m.MissingRequired()
	if len(miss) == 0 {
		return nil
	}
	// One clause per remedy: the program id's flag, a column only (personal fields have no
	// default), a column or a default.
	var program, personal, others []string
	for _, name := range miss {
		ref, _ := m.reg.resolveName(name)
		switch f := m.reg.fields[ref.field]; {
		case f == fProgramID:
			program = append(program, name)
		case f.Personal:
			personal = append(personal, name)
		default:
			others = append(others, name)
		}
	}
	var parts []string
	if len(others) > 0 {
		parts = append(parts, fmt.Sprintf("%s: no column and no default: name %s (`columns: %s: <header>`) or give %s (`defaults: %s: …`) in the mapping file",
			strings.Join(others, ", "), plural(others, "its column", "their columns"), others[0],
			plural(others, "a value for every row", "values for every row"), others[0]))
	}
	if len(personal) > 0 {
		parts = append(parts, fmt.Sprintf("%s: no column: name %s in the mapping file (`columns: %s: <header>`)",
			strings.Join(personal, ", "), plural(personal, "its column", "their columns"), personal[0]))
	}
	if len(program) > 0 {
		parts = append(parts, "programId: no column and no default: give --program-id or `programId:` in the mapping file")
	}
	msg := strings.Join(parts, "; ")
	if k, n := m.betterKind(); k != "" {
		msg += fmt.Sprintf("; these headers look like kind %s (%d of %d columns): use --kind %s", k, n, nonBlank(m.headers), k)
	}
	if c := r.Source.Choice; c != nil && c.Contested() {
		msg += fmt.Sprintf("; header row %d was chosen of the rows considered: %s (--header-row chooses another)", c.Row, c)
	}
	if r.Format == "xlsx" && len(r.Sheets) > 1 {
		msg += fmt.Sprintf("; sheet %q was read of %s (--sheet chooses another)", r.Sheet, r.sheetList())
	}
	return configErr("", 0, "kind %s: %s", m.spec.Kind, msg)
}

func plural(names []string, one, many string) string {
	if len(names) == 1 {
		return one
	}
	return many
}

// betterKind returns the kind, other than the mapper's, that maps clearly more of the
// header (at least two columns more), and how many columns it maps; "" when none does.
func (m *Mapper) betterKind() (Kind, int) {
	guess := Config{DateFormats: m.cfg.DateFormats, DefaultCountry: m.cfg.DefaultCountry}
	guess.Kind = m.spec.Kind
	own := m.reg.mapped(guess, m.headers)
	var best Kind
	bestN := own + 1
	for _, s := range m.reg.specs {
		if s == m.spec {
			continue
		}
		guess.Kind = s.Kind
		if n := m.reg.mapped(guess, m.headers); n > bestN {
			best, bestN = s.Kind, n
		}
	}
	return best, bestN
}

func nonBlank(names []string) int {
	n := 0
	for _, h := range names {
		if strings.TrimSpace(h) != "" {
			n++
		}
	}
	return n
}
