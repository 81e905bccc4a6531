// Package ingest turns a roster source's header and rows into records: a mapping file and
// the header go in, and for each row a request of the chosen kind comes out, with the column
// each of its fields came from.
package ingest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/redact"
)

// Why a header went to a field (Placement.Via).
const (
	ViaColumn  = "column"       // the header is the template's name for the field
	ViaAlias   = "alias"        // the header is one payroll exports use for the field
	ViaMapping = "mapping file" // the mapping file's columns: says so
)

// Placement says which header went to which canonical field, and why.
type Placement struct {
	Header string // the header as written
	Column int    // its 0-based column index
	Field  string // the canonical name: "email", "metadata.costCenter"
	Via    string // ViaColumn, ViaAlias or ViaMapping
}

// Mapper maps a source's rows to records of one kind. It is built once per source; Map is
// then cheap and safe to call from several goroutines.
type Mapper struct {
	cfg     Config
	spec    *Spec
	reg     *registry // the kinds and fields as they were when the mapper was made
	headers []string

	// By field index, over every registered field.
	col     []int      // column feeding each field, -1 when none
	def     []string   // the mapping file's defaults
	implied []string   // the phone type the header of the field's column implies, or ""
	hasDef  fieldSet   // which fields have a default
	absent  fieldSet   // which fields have no column
	present []fieldCol // the fields that have a column, for the per-row blank scan
	meta    []metaField
	layout  *Layout
	billing bool // a billing field is given: buildEWA's billing address is made of them

	placements []Placement
	unplaced   []unplacedCol
}

type fieldCol struct {
	field int
	col   int
}

// metaField is one metadata key: its column (-1 when only a default gives it) and default.
type metaField struct {
	key string
	col int
	def string
}

type unplacedCol struct {
	col    int
	header string
	why    string // "email is taken by \"Personal Email\"", or ""
}

// Kind returns the kind of record the mapper makes.
func (m *Mapper) Kind() Kind { return m.spec.Kind }

// given reports whether the source has a column or the mapping a default for f.
func (m *Mapper) given(f *Field) bool { return m.col[f.ix()] >= 0 || m.hasDef.has(f.ix()) }

// givenAny reports whether any of fs is given.
func (m *Mapper) givenAny(fs []*Field) bool {
	for _, f := range fs {
		if m.given(f) {
			return true
		}
	}
	return false
}

// Placements returns, in header order, which header went to which canonical field and why.
// A header the mapping file names for two fields appears twice.
func (m *Mapper) Placements() []Placement { return slices.Clone(m.placements) }

// Unplaced returns, in header order, the headers that feed no field. Columns with a blank
// header are left out.
func (m *Mapper) Unplaced() []string {
	out := make([]string, len(m.unplaced))
	for i, u := range m.unplaced {
		out[i] = u.header
	}
	return out
}

// NewMapper settles which column feeds each field of cfg's kind, from the mapping file's
// columns:, then the template's names, then the built-in aliases. It refuses (with a
// *ConfigError) a source with a card security code or PIN column, whether mapped or not, a
// columns: header the source lacks, and names unknown to the kind.
func NewMapper(cfg Config, header rows.Header) (*Mapper, error) {
	return kinds().newMapper(cfg, header)
}

func (reg *registry) newMapper(cfg Config, header rows.Header) (*Mapper, error) {
	kind, ok := reg.parseKind(string(cfg.Kind))
	if !ok {
		return nil, configErr("", 0, "kind %q: want %s", cfg.Kind, reg.kindList())
	}
	cfg.Kind = kind
	if err := checkHeader(header, cfg); err != nil {
		return nil, err
	}
	names := header.Names
	for _, h := range names {
		if what, bad := cardSecret(h); bad {
			return nil, configErr("", 0, "column %q holds %s, which may not be stored or sent; remove the column", strings.TrimSpace(h), what)
		}
	}
	if err := cfg.checkNames(reg, kind, true); err != nil {
		return nil, err
	}
	n := len(reg.fields)
	m := &Mapper{cfg: cfg, spec: reg.lookup(kind), reg: reg, headers: slices.Clone(names),
		col: make([]int, n), def: make([]string, n), implied: make([]string, n)}
	for i := range m.col {
		m.col[i] = -1
	}
	if err := m.place(); err != nil {
		return nil, err
	}
	if err := m.checkIDColumn(); err != nil {
		return nil, err
	}
	m.settle()
	return m, nil
}

// place decides the placements: the mapping file's first, then the rest by priority.
func (m *Mapper) place() error {
	keys := make([]string, len(m.headers))
	for i, h := range m.headers {
		keys[i] = normKey(h)
	}
	used := make([]bool, len(m.headers))   // named by columns:
	metaCol := map[string]int{}            // metadata key -> column
	owner := func(r nameRef) (int, bool) { // the column a field already has
		if r.isMeta() {
			c, ok := metaCol[r.metaKey]
			return c, ok
		}
		return m.col[r.field], m.col[r.field] >= 0
	}
	take := func(r nameRef, col int, via string) {
		if r.isMeta() {
			metaCol[r.metaKey] = col
			m.meta = append(m.meta, metaField{key: r.metaKey, col: col})
		} else {
			m.col[r.field] = col
		}
		m.placements = append(m.placements, Placement{Header: m.headers[col], Column: col, Field: r.String(), Via: via})
	}

	// The mapping file's columns: win over everything.
	byCol := map[int][]nameRef{}
	for _, name := range m.cfg.sortedNames("columns", m.cfg.Columns) {
		ref, _ := m.reg.resolveName(name) // checkNames has vouched for it
		want := m.cfg.Columns[name]
		col := findHeader(m.headers, keys, want)
		if col < 0 {
			file, line := m.cfg.line("columns." + name)
			return configErr(file, line, "columns.%s: the file has no column %q%s; its headers are %s", name, want, m.suggestHeader(want), m.listHeaders())
		}
		for _, other := range byCol[col] {
			if !other.isMeta() && !ref.isMeta() && m.reg.fields[other.field].Class != m.reg.fields[ref.field].Class {
				file, line := m.cfg.line("columns." + name)
				return configErr(file, line, "columns: %s and %s both name column %q; one column can feed two fields only when they hold the same kind of value", other, ref, m.headers[col])
			}
		}
		byCol[col] = append(byCol[col], ref)
		used[col] = true
		take(ref, col, ViaMapping)
	}

	// The other headers claim fields by priority; ties go to the leftmost.
	type claim struct {
		col  int
		ref  nameRef
		prio int
		via  string
	}
	var claims []claim
	for i, h := range m.headers {
		if used[i] || strings.TrimSpace(h) == "" {
			continue
		}
		if key, ok := metadataKey(h); ok {
			claims = append(claims, claim{col: i, ref: nameRef{metaKey: key}, prio: prioExact, via: ViaColumn})
			continue
		}
		if a, via, ok := m.reg.matchHeader(m.spec, h); ok {
			claims = append(claims, claim{col: i, ref: m.reg.ref(a.field), prio: a.prio, via: via})
			continue
		}
		why := ""
		if f, k, ok := m.reg.otherKindOf(m.spec, h); ok {
			why = fmt.Sprintf("%s is a field of kind %s, not %s", f, k, m.spec.Kind)
		}
		m.unplaced = append(m.unplaced, unplacedCol{col: i, header: h, why: why})
	}
	slices.SortStableFunc(claims, func(a, b claim) int {
		if a.prio != b.prio {
			return a.prio - b.prio
		}
		return a.col - b.col
	})
	for _, c := range claims {
		if col, taken := owner(c.ref); taken {
			m.unplaced = append(m.unplaced, unplacedCol{col: c.col, header: m.headers[c.col],
				why: fmt.Sprintf("%s is taken by %q", c.ref, m.headers[col])})
			continue
		}
		take(c.ref, c.col, c.via)
	}

	order := func(field string) int {
		if r, ok := m.reg.resolveName(field); ok && !r.isMeta() {
			return r.field
		}
		return len(m.reg.fields)
	}
	slices.SortStableFunc(m.placements, func(a, b Placement) int {
		if a.Column != b.Column {
			return a.Column - b.Column
		}
		return order(a.Field) - order(b.Field)
	})
	slices.SortFunc(m.unplaced, func(a, b unplacedCol) int { return a.col - b.col })
	slices.SortStableFunc(m.meta, func(a, b metaField) int { return a.col - b.col })
	return nil
}

// settle works out what Map needs per row from the placements and the defaults.
func (m *Mapper) settle() {
	for _, name := range m.cfg.sortedNames("defaults", m.cfg.Defaults) {
		ref, _ := m.reg.resolveName(name)
		v := m.cfg.Defaults[name]
		if ref.isMeta() {
			i := slices.IndexFunc(m.meta, func(f metaField) bool { return f.key == ref.metaKey })
			if i < 0 {
				m.meta = append(m.meta, metaField{key: ref.metaKey, col: -1})
				i = len(m.meta) - 1
			}
			m.meta[i].def = v
			continue
		}
		m.def[ref.field] = v
		m.hasDef.add(ref.field)
	}
	for f, col := range m.col {
		if col < 0 {
			m.absent.add(f)
			continue
		}
		m.present = append(m.present, fieldCol{field: f, col: col})
		m.implied[f] = m.reg.impliedPhoneType(m.spec, m.headers[col])
	}
	m.layout = m.newLayout()
	m.billing = m.givenAny(billingFields)
}

// findHeader returns the column whose header is want: as written first, then as headers are
// matched (case, spaces, `_`, `-`, `.` ignored); the leftmost of equals. -1 when none is.
func findHeader(headers, keys []string, want string) int {
	w := strings.TrimSpace(want)
	for i, h := range headers {
		if strings.TrimSpace(h) == w {
			return i
		}
	}
	k := normKey(w)
	for i := range keys {
		if keys[i] == k {
			return i
		}
	}
	return -1
}

func (m *Mapper) suggestHeader(want string) string {
	if s := closest(want, m.headers); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// listHeaders lists the source's headers for an error message, the first 60 of them.
func (m *Mapper) listHeaders() string {
	const most = 60
	var b strings.Builder
	n := 0
	for _, h := range m.headers {
		if strings.TrimSpace(h) == "" {
			continue
		}
		if n == most {
			fmt.Fprintf(&b, " and %d more", len(m.headers)-n)
			break
		}
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(redact.Text(h)))
		n++
	}
	if n == 0 {
		return "none (the header row is blank)"
	}
	return b.String()
}

// YAML returns the mapping the mapper uses as a mapping file: the settings it was given, every
// placement under columns:, and the headers it could not place as comments. LoadConfig reads
// it back to the same placements.
func (m *Mapper) YAML() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "kind: %s\n", m.spec.Kind)
	if m.cfg.ProgramID != "" {
		fmt.Fprintf(&b, "programId: %s\n", yamlQuote(m.cfg.ProgramID))
	}
	if m.cfg.Sheet != "" {
		fmt.Fprintf(&b, "sheet: %s\n", yamlQuote(m.cfg.Sheet))
	}
	if m.cfg.HeaderRow > 0 {
		fmt.Fprintf(&b, "headerRow: %d\n", m.cfg.HeaderRow)
	}
	if len(m.cfg.DateFormats) > 0 {
		q := make([]string, len(m.cfg.DateFormats))
		for i, f := range m.cfg.DateFormats {
			q[i] = yamlQuote(f)
		}
		fmt.Fprintf(&b, "dateFormats: [%s]\n", strings.Join(q, ", "))
	}
	if m.cfg.DefaultCountry != "" {
		fmt.Fprintf(&b, "defaultCountry: %s\n", yamlQuote(m.cfg.DefaultCountry))
	}
	if len(m.placements) > 0 {
		b.WriteString("columns:\n")
		for _, p := range m.placements {
			fmt.Fprintf(&b, "  %s: %s\n", yamlKey(p.Field), yamlQuote(p.Header))
		}
	}
	for _, u := range m.unplaced {
		fmt.Fprintf(&b, "# unplaced: %s", strconv.Quote(u.header))
		if u.why != "" {
			fmt.Fprintf(&b, " (%s)", strings.ReplaceAll(u.why, "\n", " "))
		}
		b.WriteByte('\n')
	}
	if len(m.cfg.Defaults) > 0 {
		b.WriteString("defaults:\n")
		names := m.cfg.sortedNames("defaults", m.cfg.Defaults)
		slices.SortStableFunc(names, func(a, b string) int {
			ra, _ := m.reg.resolveName(a)
			rb, _ := m.reg.resolveName(b)
			if ra.isMeta() || rb.isMeta() {
				return boolInt(ra.isMeta()) - boolInt(rb.isMeta())
			}
			return ra.field - rb.field
		})
		for _, name := range names {
			ref, _ := m.reg.resolveName(name)
			fmt.Fprintf(&b, "  %s: %s\n", yamlKey(ref.String()), yamlQuote(m.cfg.Defaults[name]))
		}
	}
	return []byte(b.String())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// yamlQuote writes s as a YAML double-quoted scalar; Go's escapes are a subset of YAML's.
// YAML holds text only, so a byte that is not UTF-8 becomes U+FFFD, which header matching
// treats alike.
// It goes through the masking policy too: the mapping is printed, and a header cell is the
// client's text.
func yamlQuote(s string) string { return strconv.Quote(redact.Text(validText(s))) }

// yamlKey writes a canonical name as a YAML key, quoted unless it is a plain word.
func yamlKey(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_') {
			return yamlQuote(s)
		}
	}
	return s
}
