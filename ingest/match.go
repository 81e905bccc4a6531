package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// metadataPrefix starts the name of a metadata column: "metadata.costCenter".
const metadataPrefix = "metadata."

// normKey is the form headers and names are compared in: lower case, without white space, `_`,
// `-` and `.` ("First Name", "first_name" and "FIRSTNAME" all give "firstname").
func normKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '_' || r == '-' || r == '.' || unicode.IsSpace(r):
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// matchHeader says which field a header fills for a kind, and why: "column" when it is the
// template's name, "alias" when it is a known payroll export header. A header written as
// "Section: Field" (ADP) or "Section - Field" (Workday) that matches neither as a whole is
// tried by its last part.
func (r *registry) matchHeader(s *Spec, header string) (alias, string, bool) {
	if a, via, ok := r.matchKey(s, normKey(header)); ok {
		return a, via, true
	}
	if part, ok := lastPart(header); ok {
		if a, _, ok := r.matchKey(s, normKey(part)); ok {
			return a, ViaAlias, true
		}
	}
	return alias{}, "", false
}

func (r *registry) matchKey(s *Spec, key string) (alias, string, bool) {
	if f, ok := r.byKey[key]; ok && s.has(f.ix()) {
		return alias{field: f.ix(), prio: prioExact}, ViaColumn, true
	}
	if a, ok := s.aliases[key]; ok {
		return a, ViaAlias, true
	}
	return alias{}, "", false
}

// lastPart returns the part of "Section: Field" or "Section - Field" after the last separator.
func lastPart(h string) (string, bool) {
	start := -1
	for _, sep := range []string{":", " - ", " – ", " — "} {
		if i := strings.LastIndex(h, sep); i >= 0 && i+len(sep) > start {
			start = i + len(sep)
		}
	}
	if start < 0 || strings.TrimSpace(h[start:]) == "" {
		return "", false
	}
	return h[start:], true
}

// otherKindOf names a kind whose template or aliases know the header, for the note on an
// unplaced header ("cardNumber is a field of kind ewa").
func (r *registry) otherKindOf(s *Spec, header string) (*Field, Kind, bool) {
	for _, o := range r.specs {
		if o == s {
			continue
		}
		if a, _, ok := r.matchHeader(o, header); ok && !s.has(a.field) {
			return r.fields[a.field], o.Kind, true
		}
	}
	return nil, "", false
}

// impliedPhoneType returns the phone type a header implies ("Home Phone": HOME), or "".
func (r *registry) impliedPhoneType(s *Spec, header string) string {
	if a, _, ok := r.matchHeader(s, header); ok {
		return a.phoneType
	}
	return ""
}

// metadataKey returns the key of a metadata column ("metadata.costCenter" -> "costCenter"),
// kept as written. The prefix is matched as headers are: any case, and `.`, `_`, `-`, `:` or
// a space after it.
func metadataKey(header string) (string, bool) {
	const p = "metadata"
	h := strings.TrimSpace(header)
	if len(h) <= len(p) || !strings.EqualFold(h[:len(p)], p) {
		return "", false
	}
	switch h[len(p)] {
	case '.', '_', '-', ':', ' ':
	default:
		return "", false
	}
	key := strings.TrimLeft(h[len(p):], ".:_- ")
	// JSON carries text only: a stray byte becomes U+FFFD here rather than when sent.
	key = validText(strings.TrimSpace(key))
	return key, key != ""
}

// validText turns each byte that is not UTF-8 into U+FFFD, as ranging over the string does,
// so that the text survives YAML and JSON and still matches the header it came from.
func validText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}
