package ingest

// alias is what a payroll export's header means: the field it fills, how strongly it claims
// it when other headers want the same field, and the phone type it implies.
type alias struct {
	field int // the field's index
	// prio orders headers competing for one field; the lowest wins and the header named
	// exactly as the template has 0. Ties go to the header further left.
	prio int
	// phoneType is the type a phone from this header has unless a phoneType column or
	// default says otherwise ("Home Phone" is HOME).
	phoneType string
}

// Priorities of aliases. For a person's email: the generic one, then personal, then work;
// for a phone: mobile, then generic, then home, then work (a payroll clerk reaches an
// employee on the mobile; EWA notices go there too).
const (
	// prioLegal is for a legal name, which beats even the template's name: the card and the
	// identity checks need the legal name, and an export that has both calls the other one
	// "First Name".
	prioLegal    = -1
	prioExact    = 0
	prioStrong   = 1
	prioGeneric  = 2
	prioPersonal = 3
	prioWork     = 4
)

// AliasGroup lists the headers (as payroll exports write them) that mean one field.
type AliasGroup struct {
	Field *Field
	// Prio orders headers competing for one field, lowest first: -1 a legal name, 0 the
	// template's own name, 1 strong, 2 generic, 3 personal, 4 work.
	Prio int
	// PhoneType is the phone type the header implies ("Home Phone": HOME), or "".
	PhoneType string
	Headers   []string
}

// aliasTable builds a kind's alias table, keyed by normKey of the header, and appends to
// conflicts the headers its groups give two meanings or that are a canonical name of the kind.
func aliasTable(s *Spec, byKey map[string]*Field, conflicts []string) (map[string]alias, []string) {
	t := make(map[string]alias)
	for i, g := range concat(s.Aliases, exportAliasGroups) {
		own := i < len(s.Aliases)
		for _, h := range g.Headers {
			key := normKey(h)
			a := alias{field: g.Field.ix(), prio: g.Prio, phoneType: g.PhoneType}
			if !s.has(a.field) {
				// The exports' headers serve every kind that has their field.
				if own {
					conflicts = append(conflicts, string(s.Kind)+": "+h+" names "+g.Field.Name+", not a field of the kind")
				}
				continue
			}
			if prev, ok := t[key]; ok {
				// A table is written by hand; the test reports a clash.
				if prev != a {
					conflicts = append(conflicts, string(s.Kind)+": "+h)
				}
				continue
			}
			if f, ok := byKey[key]; ok && s.has(f.ix()) {
				conflicts = append(conflicts, string(s.Kind)+": "+h+" is a canonical name")
				continue
			}
			t[key] = a
		}
	}
	return t, conflicts
}

// exportAliasGroups are headers the payroll exports write, as those systems spell them, that
// the kinds' own tables lack; every kind with the field recognises them. Each header's source
// is in testdata/exports/SOURCES.md and aliases_test.go names its system.
var exportAliasGroups = []AliasGroup{
	// Gusto: its own 6-character id ("5G9934"), which its report builder writes.
	{fExternalID, prioStrong, "", []string{"Gusto employee ID", "Gusto ID"}},
	// ADP Workforce Now: the self-identified gender; its legal sex is "Sex".
	{fGender, prioGeneric, "", []string{"Gender / Sex (Self-ID)", "Gender / Sex"}},
	// Workday: the SSN as a report writes it, dashed.
	{fSSN, prioStrong, "", []string{"Social Security Number - Formatted",
		"Social Security Number (Formatted)"}},
	// Workday: the primary address's formatted street lines ("Formatted Line 1" alone is
	// also a work address's).
	{fAddressLine1, prioStrong, "", []string{"Primary Address - Formatted Line 1",
		"Primary Home Address - Formatted Line 1"}},
	{fAddressLine2, prioStrong, "", []string{"Primary Address - Formatted Line 2",
		"Primary Home Address - Formatted Line 2"}},
	// UKG Pro: the alternate email is the home one; "Email Address" is the work one.
	{fEmail, prioPersonal, "", []string{"Alternate Email Address", "Alternate Email",
		"Alternate E-mail"}},
	// Workday: one column with whichever the worker has.
	{fEmail, prioGeneric, "", []string{"Email - Primary Work or Primary Home"}},
}
