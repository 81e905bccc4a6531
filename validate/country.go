package validate

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// countryTables resolve what a roster writes for a country to its ISO 3166-1 alpha-3 code.
type countryTables struct {
	alpha2Of map[string]string // alpha-3 -> alpha-2 (the phone region)
	alpha3Of map[string]string // alpha-2 -> alpha-3
	names    map[string]string // countryKey of an English name or a code -> alpha-3
	// byAlpha3 holds alpha2Of again, by three upper-case letters (see letterTriple): 1 + the
	// index in alpha2s, 0 for none. Every row looks its country up, and an index is cheaper
	// than a map.
	byAlpha3 [26 * 26 * 26]uint16
	alpha2s  []string
}

// alpha2 is alpha2Of[a3], from the index when a3 is three letters A to Z (every key's form).
func (t *countryTables) alpha2(a3 string) (string, bool) {
	if i, ok := letterTriple(a3); ok {
		if k := t.byAlpha3[i]; k != 0 {
			return t.alpha2s[k-1], true
		}
		return "", false
	}
	a2, ok := t.alpha2Of[a3]
	return a2, ok
}

// letterTriple is the index in countryTables.byAlpha3 of a code of three letters A to Z.
func letterTriple(s string) (int, bool) {
	if len(s) != 3 {
		return 0, false
	}
	i := 0
	for j := range 3 {
		if s[j] < 'A' || s[j] > 'Z' {
			return 0, false
		}
		i = i*26 + int(s[j]-'A')
	}
	return i, true
}

// countries builds the tables once, from x/text's region data and English display names.
var countries = sync.OnceValue(buildCountries)

// notISO are codes CLDR counts as regions that ISO 3166-1 does not assign (exceptionally
// reserved), so the API would not take their made-up alpha-3 forms.
var notISO = map[string]bool{"AC": true, "CP": true, "CQ": true, "DG": true, "EA": true, "EZ": true, "IC": true, "TA": true, "UN": true}

// countryAliases are names people write that x/text's English short names do not cover.
var countryAliases = map[string][]string{
	"USA": {"United States of America", "America", "US of A"},
	"GBR": {"UK", "Great Britain", "Britain", "England", "Scotland", "Wales", "Northern Ireland"},
	"NLD": {"Holland"},
	"KOR": {"Korea", "Republic of Korea", "Korea, Republic of"},
	"PRK": {"Democratic People's Republic of Korea", "Korea, Democratic People's Republic of"},
	"RUS": {"Russian Federation"},
	"CZE": {"Czech Republic"},
	"MKD": {"North Macedonia"},
	"SWZ": {"Eswatini"},
	"TUR": {"Türkiye"},
	"CPV": {"Cabo Verde"},
	"CIV": {"Ivory Coast", "Cote d'Ivoire"},
	"VNM": {"Viet Nam"},
	"LAO": {"Lao People's Democratic Republic", "Lao PDR"},
	"IRN": {"Iran, Islamic Republic of"},
	"SYR": {"Syrian Arab Republic"},
	"BOL": {"Bolivia, Plurinational State of"},
	"VEN": {"Venezuela, Bolivarian Republic of"},
	"TZA": {"United Republic of Tanzania", "Tanzania, United Republic of"},
	"MDA": {"Republic of Moldova", "Moldova, Republic of"},
	"FSM": {"Federated States of Micronesia", "Micronesia, Federated States of"},
	"VAT": {"Holy See", "Vatican"},
	"TLS": {"East Timor"},
	"BRN": {"Brunei Darussalam"},
	"COD": {"Democratic Republic of the Congo", "DR Congo", "DRC", "Congo, Democratic Republic of the"},
	"COG": {"Republic of the Congo", "Congo"},
	"PSE": {"Palestine", "State of Palestine"},
	"HKG": {"Hong Kong"},
	"MAC": {"Macau", "Macao"},
	"MMR": {"Myanmar", "Burma"},
	"ARE": {"UAE"},
	"BIH": {"Bosnia"},
	"VGB": {"Virgin Islands, British"},
	"VIR": {"Virgin Islands, U.S.", "US Virgin Islands"},
	"UMI": {"United States Minor Outlying Islands"},
	"CCK": {"Cocos Islands"},
	"FLK": {"Falkland Islands (Malvinas)"},
	"TWN": {"Taiwan, Province of China"},
}

func buildCountries() *countryTables {
	t := &countryTables{alpha2Of: map[string]string{}, alpha3Of: map[string]string{}, names: map[string]string{}}
	english := display.English.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			// Keep current ISO 3166-1 countries only: not deprecated (DD, YU), not groups (EU),
			// not private use (XA..XZ, QM..QZ), not reserved without an ISO alpha-3.
			if err != nil || r.String() != code || !r.IsCountry() || r.IsPrivateUse() || r.Canonicalize() != r || notISO[code] {
				continue
			}
			a3, name := r.ISO3(), english.Name(r)
			if len(a3) != 3 || a3 == "ZZZ" || name == "" {
				continue // withdrawn codes (AN, CS, SU ...) have no English name
			}
			t.alpha2Of[a3], t.alpha3Of[code] = code, a3
			if i, ok := letterTriple(a3); ok {
				t.alpha2s = append(t.alpha2s, code)
				t.byAlpha3[i] = uint16(len(t.alpha2s))
			}
			t.names[countryKey(name)] = a3
			t.names[code], t.names[a3] = a3, a3 // so "U.S." and "u.s.a." resolve
		}
	}
	for a3, names := range countryAliases {
		for _, n := range names {
			if _, taken := t.names[countryKey(n)]; !taken {
				t.names[countryKey(n)] = a3
			}
		}
	}
	return t
}

// lookupCountry resolves s to an alpha-3 code; changed is false when s already was one (in any
// case), true when it was alpha-2 or a name.
func lookupCountry(s string) (alpha3 string, changed, ok bool) {
	return countries().lookup(s)
}

// lookup is lookupCountry in t.
func (t *countryTables) lookup(s string) (alpha3 string, changed, ok bool) {
	if _, ok := t.alpha2(s); ok { // the usual cell, an alpha-3 code as the key is written
		return s, false, true
	}
	u := strings.ToUpper(strings.TrimSpace(s))
	if _, ok := t.alpha2(u); ok { // keyed by alpha-3: u is one
		return u, false, true
	}
	if a3, ok := t.alpha3Of[u]; ok {
		return a3, true, true
	}
	if a3, ok := t.names[countryKey(s)]; ok {
		return a3, true, true
	}
	return "", false, false
}

// foldMarks drops accents so "Cote d'Ivoire" finds "Côte d’Ivoire". A transformer holds state,
// hence a pool rather than one shared value.
var foldMarks = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// countryKey is the form names are compared in: no accents, upper case, "&" as AND, dots and
// apostrophes dropped, other punctuation as spaces, no leading THE, ST as SAINT.
func countryKey(s string) string {
	tr := foldMarks.Get().(transform.Transformer)
	folded, _, err := transform.String(tr, s)
	foldMarks.Put(tr)
	if err != nil {
		folded = s
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(folded) {
		switch {
		case r == '.' || r == '\'' || r == '’' || r == 'ʼ' || r == '`':
		case r == '&':
			b.WriteString(" AND ")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	if len(words) > 1 && words[0] == "THE" {
		words = words[1:]
	}
	for i, w := range words {
		if w == "ST" {
			words[i] = "SAINT"
		}
	}
	return strings.Join(words, " ")
}

// country trims *s and normalises it to alpha-3 (warning when it was alpha-2 or a name). It
// returns the alpha-3 code, "" when there is none or it is not a country.
func (c *checker) country(field string, s *string, n need) string {
	if !c.text(field, s, n, 0, 0) {
		return ""
	}
	a3, changed, ok := c.v.countries.lookup(*s)
	if !ok {
		c.fail(field, CodeInvalidCountry, "%s %s is not a known country; use the ISO 3-letter code, e.g. USA or CAN", label(field), quoted(*s))
		return ""
	}
	if changed {
		c.warn(field, WarnCountryNormalised, "%s %s sent as %s", label(field), quoted(*s), a3)
	}
	*s = a3
	return a3
}

// US states, DC, territories and military codes; Canadian provinces and territories.
var (
	usStates = map[string]string{
		"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
		"CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
		"HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
		"KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
		"MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
		"MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
		"NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
		"OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
		"SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
		"VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
		"DC": "District of Columbia",
		"PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands", "AS": "American Samoa",
		"MP": "Northern Mariana Islands", "UM": "United States Minor Outlying Islands",
		"AA": "Armed Forces Americas", "AE": "Armed Forces Europe", "AP": "Armed Forces Pacific",
	}
	caProvinces = map[string]string{
		"AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
		"NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "NT": "Northwest Territories",
		"NU": "Nunavut", "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec",
		"SK": "Saskatchewan", "YT": "Yukon",
	}
	stateNames = sync.OnceValue(func() map[string]map[string]string {
		byCountry := map[string]map[string]string{"USA": {}, "CAN": {}}
		for code, name := range usStates {
			byCountry["USA"][countryKey(name)] = code
		}
		for code, name := range caProvinces {
			byCountry["CAN"][countryKey(name)] = code
		}
		// Codes too, so "D.C." or "N.Y." (dots dropped by countryKey) resolve.
		for code := range usStates {
			byCountry["USA"][code] = code
		}
		for code := range caProvinces {
			byCountry["CAN"][code] = code
		}
		for alias, code := range map[string]string{"WASHINGTON DC": "DC", "VIRGIN ISLANDS": "VI", "US VIRGIN ISLANDS": "VI"} {
			byCountry["USA"][alias] = code
		}
		for alias, code := range map[string]string{"NEWFOUNDLAND": "NL", "PEI": "PE", "YUKON TERRITORY": "YT", "PQ": "QC", "NF": "NL"} {
			byCountry["CAN"][alias] = code
		}
		return byCountry
	})
)

// state trims and uppercases a state code and checks it against the address's country (alpha-3,
// "" if unknown); a US state or Canadian province name becomes its code with a warning. A state
// is conditional_required for USA and CAN.
func (c *checker) state(field string, s *string, country string) {
	if !c.text(field, s, optional, 0, 0) {
		if *s == "" && (country == "USA" || country == "CAN") {
			c.fail(field, CodeConditionalRequired, "%s is required when the country is %s", label(field), country)
		}
		return
	}
	switch country {
	case "USA":
		c.subdivision(field, s, "US", usStates, "a US state, territory or military code")
	case "CAN":
		c.subdivision(field, s, "CA", caProvinces, "a Canadian province or territory code")
	default:
		u := strings.ToUpper(*s)
		if !c.length(field, u, 2, 3) {
			return
		}
		for _, r := range u {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				c.fail(field, CodeInvalidState, "%s %s must be a 2- or 3-letter subdivision code (letters and digits)", label(field), quoted(*s))
				return
			}
		}
		*s = u
	}
}

// usState checks a state that is always a US one (a business's registeredStateCode).
func (c *checker) usState(field string, s *string) {
	if c.text(field, s, optional, 0, 0) {
		c.subdivision(field, s, "US", usStates, "a US state, territory or military code")
	}
}

func (c *checker) subdivision(field string, s *string, alpha2 string, codes map[string]string, what string) {
	if _, ok := codes[*s]; ok { // a code as written: the codes are upper case, ToUpper keeps it
		return
	}
	u := strings.ToUpper(*s)
	if len(u) > 3 && u[:2] == alpha2 && u[2] == '-' {
		u = u[3:] // ISO 3166-2 form "US-CA"
	}
	if _, ok := codes[u]; ok {
		*s = u
		return
	}
	a3 := countries().alpha3Of[alpha2]
	if code, ok := stateNames()[a3][countryKey(*s)]; ok {
		c.warn(field, WarnStateNormalised, "%s %s sent as %s", label(field), quoted(*s), code)
		*s = code
		return
	}
	c.fail(field, CodeInvalidState, "%s %s is not %s", label(field), quoted(*s), what)
}
