package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the mapping file (YAML), merged with flags by the caller.
type Config struct {
	Kind           Kind              `yaml:"kind,omitempty"`
	ProgramID      string            `yaml:"programId,omitempty"`
	Sheet          string            `yaml:"sheet,omitempty"`
	HeaderRow      int               `yaml:"headerRow,omitempty"`
	DateFormats    []string          `yaml:"dateFormats,omitempty"`
	DefaultCountry string            `yaml:"defaultCountry,omitempty"`
	Columns        map[string]string `yaml:"columns,omitempty"`  // canonical name -> header in the file
	Defaults       map[string]string `yaml:"defaults,omitempty"` // canonical name -> value when the cell is empty or the column absent
	Ignore         []string          `yaml:"ignore,omitempty"`   // headers the content checks leave alone (content.go)
	// src remembers where LoadConfig read each setting, so that NewMapper's errors about
	// columns and defaults can name the file and line too.
	src *configSource
}

type configSource struct {
	file  string
	lines map[string]int // "columns.email" -> line
}

// line returns the file and line a setting was read from ("", 0 when not from a file).
func (c *Config) line(key string) (string, int) {
	if c.src == nil {
		return "", 0
	}
	return c.src.file, c.src.lines[key]
}

// ErrConfig is what every ConfigError wraps: a caller branches on it for exit code 2.
var ErrConfig = errors.New("configuration error")

// ConfigError is a mistake in the mapping file, the flags, or what they ask of the source's
// header (a missing column, a card security code column). Error() is one line.
type ConfigError struct {
	File string // the mapping file, "" when the mistake is not in one
	Line int    // the line in File, 0 when unknown
	Msg  string // what is wrong and, where it helps, what to do
	Err  error  // the underlying error (I/O, YAML), if any
}

func (e *ConfigError) Error() string {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(e.Msg, "\n", "; ")), " ")
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	case e.File != "":
		return e.File + ": " + msg
	}
	return msg
}

// Unwrap returns ErrConfig and the underlying error.
func (e *ConfigError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrConfig, e.Err}
	}
	return []error{ErrConfig}
}

func configErr(file string, line int, format string, args ...any) *ConfigError {
	return &ConfigError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// maxConfigSize bounds what LoadConfig reads: a mapping file is a few lines of YAML.
const maxConfigSize = 1 << 20

// configKeys are the mapping file's settings, in the order DESIGN.md lists them.
var configKeys = []string{"kind", "programId", "sheet", "headerRow", "dateFormats",
	"defaultCountry", "columns", "defaults", "ignore"}

// LoadConfig reads a mapping file. It is strict: an unknown setting, a value of the wrong
// shape, a key given twice, an unknown canonical name or a date layout Go cannot use is a
// *ConfigError naming the file and line.
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("mapping file %s cannot be read: %v", path, pathErr(err)), Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("mapping file %s cannot be read: %v", path, pathErr(err)), Err: err}
	}
	return ReadConfig(path, data)
}

// ReadConfig parses a mapping file's contents read from name elsewhere (an s3:// object).
func ReadConfig(name string, data []byte) (*Config, error) {
	if len(data) > maxConfigSize {
		return nil, configErr(name, 0, "larger than %d KiB: a mapping file is a few lines of YAML", maxConfigSize>>10)
	}
	return parseConfig(name, data)
}

// MaxConfigSize is the most of a mapping file that is read.
const MaxConfigSize = maxConfigSize

func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// yamlLine finds the line number in a YAML library error ("yaml: line 3: ...").
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

func parseConfig(file string, data []byte) (*Config, error) {
	cfg := &Config{src: &configSource{file: file, lines: map[string]int{}}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // an empty file asks for nothing
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = strings.TrimPrefix(err.Error(), m[0])
		}
		return nil, &ConfigError{File: file, Line: line, Msg: "not valid YAML: " + msg, Err: err}
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, configErr(file, more.Line, "holds more than one YAML document; a mapping file is one map of settings")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return cfg, nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return cfg, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, configErr(file, root.Line, "a mapping file is a YAML map of settings (%s)", strings.Join(configKeys, ", "))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], deref(root.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, configErr(file, k.Line, "a setting's name must be a plain word (%s)", strings.Join(configKeys, ", "))
		}
		if prev, dup := seen[k.Value]; dup {
			return nil, configErr(file, k.Line, "%s is given twice (first on line %d)", k.Value, prev)
		}
		seen[k.Value] = k.Line
		cfg.src.lines[k.Value] = k.Line
		if err := cfg.set(file, k, v); err != nil {
			return nil, err
		}
	}
	if err := cfg.checkNames(kinds(), cfg.Kind, cfg.Kind != ""); err != nil {
		return nil, err
	}
	return cfg, nil
}

// deref follows a YAML alias (*anchor) to its node.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// set applies one top-level setting.
func (c *Config) set(file string, k, v *yaml.Node) error {
	scalar := func() (string, error) {
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			return "", configErr(file, v.Line, "%s must be a single value", k.Value)
		}
		return v.Value, nil
	}
	var err error
	switch k.Value {
	case "kind":
		var s string
		if s, err = scalar(); err != nil {
			return err
		}
		kind, ok := ParseKind(s)
		if !ok {
			return configErr(file, v.Line, "kind %q: want %s", s, kindList())
		}
		c.Kind = kind
	case "programId":
		c.ProgramID, err = scalar()
	case "sheet":
		c.Sheet, err = scalar()
	case "defaultCountry":
		c.DefaultCountry, err = scalar()
	case "headerRow":
		var s string
		if s, err = scalar(); err != nil {
			return err
		}
		n, convErr := strconv.Atoi(s)
		if convErr != nil || n < 1 {
			return configErr(file, v.Line, "headerRow %q: want a row number, 1 or more", s)
		}
		c.HeaderRow = n
	case "dateFormats":
		return c.setDateFormats(file, k, v)
	case "columns", "defaults":
		return c.setNames(file, k, v)
	case "ignore":
		return c.setIgnore(file, k, v)
	default:
		hint := ""
		if s := closest(k.Value, configKeys); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		return configErr(file, k.Line, "unknown setting %q%s; the settings are %s", k.Value, hint, strings.Join(configKeys, ", "))
	}
	return err
}

// setDateFormats reads a list of Go layouts (a single string is a list of one).
func (c *Config) setDateFormats(file string, k, v *yaml.Node) error {
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	for i, it := range items {
		it = deref(it)
		if it.Kind != yaml.ScalarNode || it.Tag == "!!null" || strings.TrimSpace(it.Value) == "" {
			return configErr(file, it.Line, "%s must be a list of Go date layouts such as \"01/02/2006\"", k.Value)
		}
		if !dateLayoutOK(it.Value) {
			return configErr(file, it.Line, "dateFormats[%d] %q is not a Go date layout: write the date 2 January 2006 as the file does, e.g. \"02/01/2006\" for dd/mm/yyyy or \"01/02/2006\" for mm/dd/yyyy", i, it.Value)
		}
		c.DateFormats = append(c.DateFormats, it.Value)
	}
	return nil
}

// dateLayoutOK reports whether a Go layout carries a year, a month and a day: a date written
// in it reads back as the same date.
func dateLayoutOK(layout string) bool {
	ref := time.Date(1987, time.November, 23, 0, 0, 0, 0, time.UTC)
	t, err := time.Parse(layout, ref.Format(layout))
	return err == nil && t.Year() == ref.Year() && t.Month() == ref.Month() && t.Day() == ref.Day()
}

// setNames reads columns: or defaults:, a map of canonical name -> text.
func (c *Config) setNames(file string, k, v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		what := "header"
		if k.Value == "defaults" {
			what = "value"
		}
		return configErr(file, v.Line, "%s must be a map of canonical name to %s", k.Value, what)
	}
	m := make(map[string]string, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		nk, nv := deref(v.Content[i]), deref(v.Content[i+1])
		if nk.Kind != yaml.ScalarNode || nk.Value == "" {
			return configErr(file, nk.Line, "%s: a name must be a canonical column name such as firstName", k.Value)
		}
		key := k.Value + "." + nk.Value
		if prev, dup := c.src.lines[key]; dup {
			return configErr(file, nk.Line, "%s.%s is given twice (first on line %d)", k.Value, nk.Value, prev)
		}
		c.src.lines[key] = nk.Line
		if nv.Kind != yaml.ScalarNode || nv.Tag == "!!null" {
			what := "a header of the file"
			if k.Value == "defaults" {
				what = "a value"
			}
			return configErr(file, nv.Line, "%s.%s must be %s", k.Value, nk.Value, what)
		}
		if k.Value == "columns" && strings.TrimSpace(nv.Value) == "" {
			return configErr(file, nv.Line, "columns.%s names no header", nk.Value)
		}
		m[nk.Value] = nv.Value
	}
	if k.Value == "columns" {
		c.Columns = m
	} else {
		c.Defaults = m
	}
	return nil
}

// nameRef is a canonical name as a mapping gives it: a field, or a metadata key.
type nameRef struct {
	field   int    // the field's index
	name    string // the field's name
	metaKey string // set for metadata.<key>
}

func (n nameRef) isMeta() bool { return n.metaKey != "" }

func (n nameRef) String() string {
	if n.isMeta() {
		return metadataPrefix + n.metaKey
	}
	return n.name
}

// ref is the nameRef of the field at index ix.
func (r *registry) ref(ix int) nameRef { return nameRef{field: ix, name: r.fields[ix].Name} }

// resolveName reads a canonical name from a mapping: matched as headers are (case, spaces,
// `_`, `-`, `.` ignored), so first_name is firstName; a metadata key is kept as written.
func (r *registry) resolveName(name string) (nameRef, bool) {
	n := strings.TrimSpace(name)
	if len(n) > len(metadataPrefix) && strings.EqualFold(n[:len(metadataPrefix)], metadataPrefix) {
		if key := validText(strings.TrimSpace(n[len(metadataPrefix):])); key != "" {
			return nameRef{metaKey: key}, true
		}
		return nameRef{}, false
	}
	f, ok := r.byKey[normKey(n)]
	if !ok {
		return nameRef{}, false
	}
	return r.ref(f.ix()), true
}

// checkNames checks the names in columns: and defaults: — known at all, and, once the kind is
// settled, fields of that kind — and refuses defaults that would give every row the same
// identifier.
func (c *Config) checkNames(reg *registry, kind Kind, kindKnown bool) error {
	spec := reg.orDefault(kind)
	for _, section := range []string{"columns", "defaults"} {
		m := c.Columns
		if section == "defaults" {
			m = c.Defaults
		}
		seen := map[nameRef]string{}
		for _, name := range c.sortedNames(section, m) {
			file, line := c.line(section + "." + name)
			ref, ok := reg.resolveName(name)
			if !ok {
				return configErr(file, line, "%s: unknown canonical name %q%s", section, name, reg.suggestName(name, kind, kindKnown))
			}
			if prev, dup := seen[ref]; dup {
				return configErr(file, line, "%s: %q and %q are the same field %s; give it once", section, prev, name, ref)
			}
			seen[ref] = name
			if section == "columns" && strings.TrimSpace(m[name]) == "" {
				return configErr(file, line, "columns.%s names no header", name)
			}
			if ref.isMeta() {
				continue
			}
			if kindKnown && !spec.has(ref.field) {
				return configErr(file, line, "%s: %s is not a field of kind %s (it belongs to %s)", section, ref, kind, reg.kindsOf(ref.field))
			}
			if section == "defaults" && reg.fields[ref.field].Personal {
				return configErr(file, line, "defaults: %s cannot have a default: it belongs to one customer or card, so every row must give its own", ref)
			}
		}
	}
	return nil
}

// sortedNames orders a section's names by the line they were read from, then by name, so
// that the first mistake reported is the first in the file.
func (c *Config) sortedNames(section string, m map[string]string) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int {
		_, la := c.line(section + "." + a)
		_, lb := c.line(section + "." + b)
		if la != lb {
			return la - lb
		}
		return strings.Compare(a, b)
	})
	return names
}

// kindsOf names the kinds whose template has a field.
func (r *registry) kindsOf(f int) string {
	var ks []string
	for _, s := range r.specs {
		if s.has(f) {
			ks = append(ks, string(s.Kind))
		}
	}
	return strings.Join(ks, " and ")
}

// suggestName says which known name an unknown one probably meant.
func (r *registry) suggestName(name string, kind Kind, kindKnown bool) string {
	names := fieldNames(r.fields)
	if kindKnown {
		names = fieldNames(r.orDefault(kind).Fields)
	}
	if s := closest(name, names); s != "" && s != name {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	if kindKnown {
		return fmt.Sprintf("; the names of kind %s are %s, and metadata.<key>", kind, strings.Join(names, ", "))
	}
	return "; see the roster template's names in the README, and metadata.<key>"
}

// closest returns the candidate nearest to s by edit distance (ignoring case and separators),
// or "" when none is near enough to be a plausible typo.
func closest(s string, candidates []string) string {
	key := normKey(s)
	best, bestD := "", -1
	for _, c := range candidates {
		ck := normKey(c)
		d := editDistance(key, ck)
		if strings.Contains(ck, key) || strings.Contains(key, ck) {
			d = min(d, max(len(ck), len(key))-min(len(ck), len(key)))
		}
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > max(2, len(key)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, by runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
