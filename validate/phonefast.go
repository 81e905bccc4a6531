package validate

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// The fast path answers, for the common shape of a roster's phone number (digits, perhaps after
// pluses), what parsePhone would: it retraces phonenumbers.Parse, IsValidNumber and Format(E164)
// step by step over the library's own metadata records, with each of their patterns compiled once
// to a digitDFA. Where an automaton cannot answer alone (a prefix whose match could end at two
// places, a national prefix transform rule, a prefix pattern with an assertion) it makes the
// library's own regexp call. It only ever proves a number valid: wherever the library would err
// or say invalid, or a record could not be compiled, it returns false and parsePhone decides.
// The differential test and FuzzPhoneFast hold it to parsePhone.

// fastPhone returns the E.164 form of canon read in region and true when it can prove that
// parsePhone would return exactly that as valid; false means "ask parsePhone".
func fastPhone(region, canon string) (string, bool) {
	// Parse strips every leading '+' at once (its PLUS_CHARS_PATTERN is `[+＋]+`).
	digits := strings.TrimLeft(canon, "+")
	plus := len(digits) < len(canon)
	// Three digits at least: Parse's viability pattern then holds for a plain digit string and
	// for one after pluses, and neither can be taken for an extension (every extension pattern
	// needs a letter, a space or a punctuation mark).
	if len(digits) < 3 || !allDigits(digits) {
		return "", false
	}
	t := phoneData()
	def := t.region(region) // nil when phonenumbers has no metadata for the region
	if def == nil && !plus {
		return "", false // Parse: ErrInvalidCountryCode
	}

	cc, nat, ok := 0, "", true
	switch {
	case plus: // FROM_NUMBER_WITH_PLUS_SIGN
		if cc, nat = t.extractCountryCode(digits); cc != 0 {
			break
		}
		// ErrInvalidCountryCode after a '+' (a "+0044…"): parseHelper tries again without the
		// pluses, in the region, and takes the result only with a country code.
		if def == nil {
			return "", false
		}
		if cc, nat, ok = def.splitCountryCode(t, digits); !ok || cc == 0 {
			return "", false
		}
	default:
		cc, nat, ok = def.splitCountryCode(t, digits)
		if !ok {
			return "", false
		}
	}

	// parseHelper: the metadata of the number's own country code, or the region's when none
	// was given.
	var rm *phoneMatchers
	switch {
	case cc != 0 && t.mainRegion(cc) != region:
		rm = t.mainMeta(cc)
	case def == nil:
		// The number's region is the one given and the library has no metadata for it (a
		// region of "001"): parseHelper goes on without any, which the fast path does not.
	default:
		rm = def.compiled()
	}
	if rm == nil {
		return "", false
	}
	if cc == 0 { // no country code written: the region's
		cc = rm.cc
	}
	if len(nat) < phonenumbers.MIN_LENGTH_FOR_NSN {
		return "", false
	}
	potential, ok := rm.stripNationalPrefix(nat)
	if !ok {
		return "", false
	}
	switch rm.testNumberLength(len(potential)) {
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY, phonenumbers.INVALID_LENGTH:
	default:
		nat = potential
	}
	if len(nat) < phonenumbers.MIN_LENGTH_FOR_NSN || len(nat) > phonenumbers.MAX_LENGTH_FOR_NSN {
		return "", false
	}
	// The national significant number phonenumbers rebuilds (italian leading zeros, then the
	// number as an integer) is nat again: all digits, at most 17 of them.
	if !t.valid(cc, nat) {
		return "", false
	}
	return "+" + strconv.Itoa(cc) + nat, true
}

// splitCountryCode is maybeExtractCountryCode for digits written without a '+' in region m:
// an international dialling prefix, or the region's own country code, or neither (cc 0, nat
// the digits). ok false: the library errs, or the fast path cannot tell its answer.
func (m *phoneMeta) splitCountryCode(t *phoneTables, digits string) (cc int, nat string, ok bool) {
	c := m.compiled()
	if c == nil {
		return 0, "", false
	}
	// maybeStripInternationalPrefixAndNormalize: the IDD pattern found at the start, unless a
	// 0 follows it (country codes do not start with 0).
	end, n := c.iddAt(digits)
	if n == 1 && (end == len(digits) || digits[end] != '0') {
		rest := digits[end:]
		if len(rest) <= phonenumbers.MIN_LENGTH_FOR_NSN {
			return 0, "", false // ErrTooShortAfterIDD
		}
		if cc, nat = t.extractCountryCode(rest); cc == 0 {
			return 0, "", false
		}
		return cc, nat, true
	}
	// FROM_DEFAULT_COUNTRY: the region's country code in front, taken off when the number reads
	// better without it.
	if strings.HasPrefix(digits, c.ccStr) {
		potential, ok := c.stripNationalPrefix(digits[len(c.ccStr):])
		if !ok {
			return 0, "", false
		}
		fullValid := c.general.pattern.full(digits)
		nationalValid := c.general.pattern.full(potential)
		if (!fullValid && nationalValid) || c.testNumberLength(len(digits)) == phonenumbers.TOO_LONG {
			return c.cc, potential, true
		}
	}
	return 0, digits, true
}

// phoneTables is what the fast path knows of phonenumbers' metadata: each region's and each
// non-geographic calling code's metadata, compiled on first use, and the calling codes' regions.
type phoneTables struct {
	regions map[string]*phoneMeta // the supported regions (isValidRegionCode)
	// byPair holds regions again, indexed by two upper-case letters (every region code's
	// form): a row's region is looked up twice a row, and a map lookup costs several times an
	// index.
	byPair [26 * 26]*phoneMeta
	known  [1000]bool      // the calling codes the library knows
	codes  [1000]phoneCode // by country calling code; regions nil when it has none
}

type phoneCode struct {
	regions []string     // GetRegionCodesForCountryCode, in the library's order
	metas   []*phoneMeta // getMetadataForRegion of each (nil where the library has none)
	main    *phoneMeta   // getMetadataForRegionOrCallingCode(cc, regions[0])
}

// phoneData reads the library's metadata collection once: the same *PhoneMetadata values its
// Parse and IsValidNumber use.
var phoneData = sync.OnceValue(func() *phoneTables {
	t := &phoneTables{regions: map[string]*phoneMeta{}}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return t // no fast path: every number goes to parsePhone
	}
	supported := phonenumbers.GetSupportedRegions()
	geo, nonGeo := map[string]*phoneMeta{}, map[int32]*phoneMeta{}
	for _, md := range coll.GetMetadata() {
		pm := &phoneMeta{md: md}
		if md.GetId() == "001" {
			nonGeo[md.GetCountryCode()] = pm
		} else {
			geo[md.GetId()] = pm
		}
	}
	for r, pm := range geo {
		if supported[r] {
			t.regions[r] = pm
			if i, ok := letterPair(r); ok {
				t.byPair[i] = pm
			}
		}
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		if cc <= 0 || cc >= len(t.codes) {
			continue
		}
		t.known[cc] = true
		regions := phonenumbers.GetRegionCodesForCountryCode(cc)
		if len(regions) == 0 {
			continue
		}
		pc := phoneCode{regions: regions}
		for _, r := range regions {
			pc.metas = append(pc.metas, t.regions[r])
		}
		if regions[0] == "001" {
			pc.main = nonGeo[int32(cc)]
		} else {
			pc.main = t.regions[regions[0]]
		}
		t.codes[cc] = pc
	}
	return t
})

func (t *phoneTables) region(r string) *phoneMeta {
	if i, ok := letterPair(r); ok {
		return t.byPair[i]
	}
	return t.regions[r]
}

// letterPair is the index in phoneTables.byPair of a region code of two letters A to Z.
func letterPair(r string) (int, bool) {
	if len(r) != 2 || r[0] < 'A' || r[0] > 'Z' || r[1] < 'A' || r[1] > 'Z' {
		return 0, false
	}
	return int(r[0]-'A')*26 + int(r[1]-'A'), true
}

// mainRegion is GetRegionCodeForCountryCode.
func (t *phoneTables) mainRegion(cc int) string {
	if rs := t.codes[cc].regions; len(rs) > 0 {
		return rs[0]
	}
	return "ZZ"
}

// mainMeta is the compiled metadata parseHelper switches to for a number's country code.
func (t *phoneTables) mainMeta(cc int) *phoneMatchers {
	if cc <= 0 || cc >= len(t.codes) || t.codes[cc].main == nil {
		return nil
	}
	return t.codes[cc].main.compiled()
}

// extractCountryCode is phonenumbers' extractCountryCode: the shortest start of digits (one to
// three of them, not starting with 0) that is a known calling code, and what follows it.
func (t *phoneTables) extractCountryCode(digits string) (int, string) {
	if digits[0] == '0' {
		return 0, ""
	}
	cc := 0
	for i := 1; i <= phonenumbers.MAX_LENGTH_COUNTRY_CODE && i <= len(digits); i++ {
		cc = cc*10 + int(digits[i-1]-'0')
		if t.known[cc] {
			return cc, digits[i:]
		}
	}
	return 0, ""
}

// valid is IsValidNumber for a parsed number: the region the national number belongs to among
// its calling code's regions, then whether the number is of some type there.
func (t *phoneTables) valid(cc int, nat string) bool {
	pc := &t.codes[cc]
	if len(pc.regions) == 0 {
		return false
	}
	var m *phoneMatchers
	typed := false // m.typed(nat) is known true
	if len(pc.regions) == 1 {
		m = t.mainMeta(cc)
	} else {
		for _, pm := range pc.metas {
			if pm == nil {
				return false // the library would dereference missing metadata
			}
			c := pm.compiled()
			if c == nil {
				return false
			}
			if c.leading != nil {
				if c.leading.prefix(nat) {
					m = c
					break
				}
			} else if c.typed(nat) {
				m, typed = c, true
				break
			}
		}
	}
	if m == nil {
		return false
	}
	// IsValidNumberForRegion: the region's own country code must be the number's.
	if !m.nonGeo && m.cc != cc {
		return false
	}
	return typed || m.typed(nat)
}

// phoneMeta is one region's (or non-geographic calling code's) metadata, compiled on first use.
type phoneMeta struct {
	md   *phonenumbers.PhoneMetadata
	once sync.Once
	c    *phoneMatchers // nil when a pattern could not be compiled: no fast path through it
}

func (m *phoneMeta) compiled() *phoneMatchers {
	m.once.Do(func() { m.c = compileMeta(m.md) })
	return m.c
}

// phoneMatchers is a metadata record with its patterns as digit automata.
type phoneMatchers struct {
	cc     int
	ccStr  string
	nonGeo bool

	general, fixed, mobile numberDesc
	others                 []numberDesc // premium rate … voicemail: any of them makes a type
	sameMobileAndFixed     bool

	leading *digitDFA // leading_digits; nil when the metadata has none
	// international_prefix ("" matches the empty start, as the library's does): the automaton
	// (nil when the pattern has none) and the regexp phonenumbers compiles from it.
	idd   *digitDFA
	iddRE *regexp.Regexp
	// national_prefix_for_parsing: the automaton (nil when none or not compiled) and the
	// library's `^(?:p)` regexp (nil when the metadata has no such prefix).
	natPrefix     *digitDFA
	natPrefixRE   *regexp.Regexp
	transform     bool // a national_prefix_transform_rule is set
	transformRule string

	lengths, localLengths []int32 // the general description's, for testNumberLength
}

// numberDesc is a PhoneNumberDesc: its possible lengths and its national number pattern.
type numberDesc struct {
	lengths []int32
	pattern *digitDFA
}

// matches is isNumberMatchingDesc.
func (d *numberDesc) matches(nat string) bool {
	if len(d.lengths) > 0 {
		found := false
		for _, l := range d.lengths {
			found = found || int(l) == len(nat)
		}
		if !found {
			return false
		}
	}
	return d.pattern.full(nat)
}

// typed is getNumberTypeHelper(nat) != UNKNOWN. Which type matches does not matter, only
// whether one does, so the usual ones (fixed line, mobile) are tried before the library's first
// ones (premium rate … voicemail).
func (m *phoneMatchers) typed(nat string) bool {
	if !m.general.matches(nat) {
		return false
	}
	if m.fixed.matches(nat) || !m.sameMobileAndFixed && m.mobile.matches(nat) {
		return true
	}
	for i := range m.others {
		if m.others[i].matches(nat) {
			return true
		}
	}
	return false
}

// iddAt is parsePrefixAsIdd's match: how many IDD matches start digits (0 or 1) and where the
// match ends. The automaton answers when one start at most is in the language; otherwise (or when
// the pattern has no automaton) the library's own regexp call decides.
func (m *phoneMatchers) iddAt(digits string) (end, n int) {
	if m.idd != nil {
		if end, n = m.idd.prefixEnds(digits); n <= 1 {
			return end, n
		}
	}
	// The regexp is given a copy: digits may be on the caller's stack (see phoneNumber), and
	// what a regexp is given escapes.
	if ind := m.iddRE.FindStringIndex(strings.Clone(digits)); ind != nil && ind[0] == 0 {
		return ind[1], 1
	}
	return 0, 0
}

// stripNationalPrefix is maybeStripNationalPrefixAndCarrierCode (the carrier code it may capture
// is kept only when Parse keeps the raw input, which parsePhone does not). Where the automaton
// cannot say where the prefix ends, or a transform rule applies, it makes the library's own
// regexp calls. ok false: the result would not be digits, which the fast path leaves alone.
func (m *phoneMatchers) stripNationalPrefix(nat string) (string, bool) {
	if len(nat) == 0 || m.natPrefixRE == nil {
		return nat, true
	}
	end := -1
	if m.natPrefix != nil && !m.transform {
		e, n := m.natPrefix.prefixEnds(nat)
		switch n {
		case 0:
			return nat, true
		case 1:
			end = e
		}
	}
	viableOriginal := m.general.pattern.full(nat)
	if end < 0 {
		nat := strings.Clone(nat) // as in iddAt (a new variable: escape analysis is by name)
		groups := m.natPrefixRE.FindStringSubmatchIndex(nat)
		if groups == nil {
			return nat, true
		}
		if last := len(groups)/2 - 1; m.transform && groups[2*last] >= 0 {
			transformed := m.natPrefixRE.ReplaceAllString(nat, m.transformRule)
			if !allDigits(transformed) {
				return "", false
			}
			if viableOriginal && !m.general.pattern.full(transformed) {
				return nat, true
			}
			return transformed, true
		}
		end = groups[1]
	}
	if viableOriginal && !m.general.pattern.full(nat[end:]) {
		return nat, true
	}
	return nat[end:], true
}

// testNumberLength is the library's testNumberLength for the UNKNOWN type (the general
// description's lengths).
func (m *phoneMatchers) testNumberLength(n int) phonenumbers.ValidationResult {
	if m.lengths[0] == -1 {
		return phonenumbers.INVALID_LENGTH
	}
	for _, l := range m.localLengths {
		if int(l) == n {
			return phonenumbers.IS_POSSIBLE_LOCAL_ONLY
		}
	}
	switch minimum := int(m.lengths[0]); {
	case minimum == n:
		return phonenumbers.IS_POSSIBLE
	case minimum > n:
		return phonenumbers.TOO_SHORT
	case int(m.lengths[len(m.lengths)-1]) < n:
		return phonenumbers.TOO_LONG
	}
	for _, l := range m.lengths[1:] {
		if int(l) == n {
			return phonenumbers.IS_POSSIBLE
		}
	}
	return phonenumbers.INVALID_LENGTH
}

// compileMeta compiles a metadata record's patterns, or returns nil when one of them cannot be
// (the fast path then leaves every number touching this record to phonenumbers).
func compileMeta(md *phonenumbers.PhoneMetadata) *phoneMatchers {
	m := &phoneMatchers{
		cc:                 int(md.GetCountryCode()),
		nonGeo:             md.GetId() == "001",
		sameMobileAndFixed: md.GetSameMobileAndFixedLinePattern(),
		transform:          md.GetNationalPrefixTransformRule() != "",
		transformRule:      md.GetNationalPrefixTransformRule(),
	}
	m.ccStr = strconv.Itoa(m.cc)
	gd := md.GetGeneralDesc()
	if gd == nil || len(gd.PossibleLength) == 0 {
		return nil
	}
	m.lengths, m.localLengths = gd.PossibleLength, gd.PossibleLengthLocalOnly
	var err error
	desc := func(d *phonenumbers.PhoneNumberDesc) numberDesc {
		if err != nil {
			return numberDesc{}
		}
		if d == nil { // the library would dereference it
			err = errDFAUnsupported
			return numberDesc{}
		}
		var nd numberDesc
		nd.lengths = d.PossibleLength
		nd.pattern, err = compileDigitDFA(d.GetNationalNumberPattern())
		return nd
	}
	m.general, m.fixed, m.mobile = desc(gd), desc(md.GetFixedLine()), desc(md.GetMobile())
	for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(),
		md.GetVoip(), md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail()} {
		m.others = append(m.others, desc(d))
	}
	pattern := func(p string) *digitDFA {
		if err != nil {
			return nil
		}
		var d *digitDFA
		d, err = compileDigitDFA(p)
		return d
	}
	if ld := md.GetLeadingDigits(); ld != "" {
		m.leading = pattern(ld)
	}
	if err != nil {
		return nil
	}
	// The prefixes keep the library's regexps for what their automata cannot answer; an
	// automaton that cannot be built (an assertion: a few regions' national prefixes end in `$`)
	// just leaves the regexp to answer.
	idd := md.GetInternationalPrefix()
	m.idd, _ = compileDigitDFA(idd)
	if m.iddRE, err = regexp.Compile(idd); err != nil {
		return nil
	}
	if np := md.GetNationalPrefixForParsing(); np != "" {
		m.natPrefix, _ = compileDigitDFA(np)
		if m.natPrefixRE, err = regexp.Compile("^(?:" + np + ")"); err != nil {
			return nil
		}
	}
	return m
}
