package validate

import (
	"errors"
	"hash/maphash"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/rosterload/rosterload/api"
)

var (
	// sciNotation is what Excel makes of a long number in a General cell: 4.16E+09.
	sciNotation = regexp.MustCompile(`^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$`)
	// phoneExt finds an extension at the end of a number: "x123", "ext. 12", "extension 5", "#7".
	phoneExt = regexp.MustCompile(`(?i)\s*(?:ext(?:ension|n)?\.?|x|#|;\s*ext\s*=)\s*[:.]?\s*(\d+)$`)
)

// maxPhoneInput bounds what is parsed (and cached): E.164 has at most 15 digits, and a
// national trunk or international prefix adds a few.
const maxPhoneInput = 32

// phone checks a primaryPhoneNumber object at path p; a nil one is reported at its required
// leaves. extMax is the extension's maximum length (10 for individuals, 40 for contacts).
func (c *checker) phone(p *phonePaths, ph **api.Phone, extMax int) {
	if *ph == nil {
		c.phoneFields(p, &api.Phone{}, extMax)
		return
	}
	c.phoneFields(p, *ph, extMax)
}

// phonePaths are the field paths of a phone object, joined once rather than on every row.
type phonePaths struct{ number, typ, provider, extension string }

func newPhonePaths(p string) *phonePaths {
	return &phonePaths{number: p + ".number", typ: p + ".type", provider: p + ".provider", extension: p + ".extension"}
}

func (c *checker) phoneFields(p *phonePaths, ph *api.Phone, extMax int) {
	ph.Extension = strings.TrimSpace(ph.Extension)
	if c.text(p.number, &ph.Number, required, 0, 0) {
		if e164, ext, ok := c.phoneNumber(p.number, ph.Number); ok {
			switch {
			case ext == "" || ext == ph.Extension:
				ph.Number = e164
			case ph.Extension == "":
				c.warn(p.number, WarnPhoneNormalised, "extension %s moved from phone number %s to the extension field", plain(ext), plain(ph.Number))
				ph.Number, ph.Extension = e164, ext
			default:
				c.fail(p.number, CodeInvalidPhone, "phone number %s carries extension %s but the extension field says %s", plain(ph.Number), plain(ext), plain(ph.Extension))
			}
		}
	}
	c.enum(p.typ, &ph.Type, required, api.PhoneTypes)
	c.text(p.provider, &ph.Provider, optional, 1, 40)
	c.text(p.extension, &ph.Extension, optional, 1, extMax)
}

// PhoneE164 is number as a request's phone number would be sent: in E.164, parsed in the region
// the row's country cell gives (else the default country), "" when the validator refuses it. The
// census before a run keys phones with it, so that two ways of writing one number meet.
func (v *Validator) PhoneE164(number, country string) string {
	c := checker{v: v, region: v.region(country)} // no dates to check: no clock read
	s := strings.TrimSpace(number)
	if s == "" {
		return ""
	}
	e164, _, ok := c.phoneNumber("", s)
	if !ok {
		return ""
	}
	return e164
}

// barePhone checks a phone held as a plain string (a business's primaryPhone), which has no
// extension field to take one.
func (c *checker) barePhone(field string, s *string) {
	if !c.text(field, s, optional, 0, 0) {
		return
	}
	e164, ext, ok := c.phoneNumber(field, *s)
	if !ok {
		return
	}
	if ext != "" {
		c.fail(field, CodeInvalidPhone, "%s %s carries extension %s, which this field cannot hold: give the number alone", label(field), plain(*s), plain(ext))
		return
	}
	*s = e164
}

// phoneNumber parses a trimmed number in the row's region and returns it in E.164 with any
// extension split off. It reports an invalid_phone and returns ok false when it is not valid.
func (c *checker) phoneNumber(field, s string) (e164, ext string, ok bool) {
	// The usual number is digits and separators: phoneDigits reads it clean, and it holds no
	// letter or '#', so neither regexp below could match it (a scientific number has an e, every
	// extension marker an x or a #), and it is read as it is.
	var buf [phoneBuf]byte
	digits, clean := phoneDigits(buf[:0], s)
	if !clean {
		if strings.ContainsAny(s, "eE") && sciNotation.MatchString(s) {
			c.fail(field, CodeInvalidPhone, "%s %s is in scientific notation: the spreadsheet turned it into a rounded number and digits were lost; format the column as text and export again", label(field), plain(s))
			return "", "", false
		}
		if strings.ContainsAny(s, "xX#") { // every extension marker has one
			if m := phoneExt.FindStringSubmatchIndex(s); m != nil && m[0] > 0 {
				digits, clean = phoneDigits(buf[:0], strings.TrimSpace(s[:m[0]]))
				ext = s[m[2]:m[3]]
			}
		}
	}
	switch {
	case !clean:
		c.fail(field, CodeInvalidPhone, "%s %s holds letters or symbols a phone number cannot have", label(field), plain(s))
		return "", "", false
	case len(digits) > maxPhoneInput:
		c.fail(field, CodeInvalidPhone, "%s %s is too long to be a phone number", label(field), plain(s))
		return "", "", false
	}
	// A string of at most 32 bytes that does not escape is made on the stack: lookupPhone keeps
	// a copy of canon, never canon itself.
	canon := string(digits)
	r := c.v.lookupPhone(c.region, canon)
	if r.status != phoneValid {
		c.fail(field, CodeInvalidPhone, "%s %s %s", label(field), plain(s), r.status.says(c.region, strings.HasPrefix(canon, "+")))
		return "", "", false
	}
	return r.e164, ext, true
}

// phoneBuf is room for the digits of a number phoneNumber goes on to parse (maxPhoneInput),
// and for what phoneDigits reads of a longer one before it is refused.
const phoneBuf = 48

// phoneDigits appends a number's digits and plus signs to b (on the caller's stack: the
// usual number makes no string); clean is false when it holds anything but those and the usual
// separators (letters, say), which a roster never means.
func phoneDigits(b []byte, s string) (canon []byte, clean bool) {
	// The usual number, ASCII, is read byte by byte.
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9' || c == '+':
			b = append(b, c)
		case c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		case c >= utf8.RuneSelf:
			return phoneRunes(b[:0], s) // perhaps a no-break space or a dash of Unicode's
		default:
			return b[:0], false
		}
	}
	return b, true
}

// phoneRunes is phoneDigits for any text: the separators include Unicode's spaces and dashes.
func phoneRunes(b []byte, s string) (canon []byte, clean bool) {
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9' || r == '+':
			b = append(b, byte(r))
		case strings.ContainsRune(" \t\u00a0-.()/\u2010\u2011\u2012\u2013\u2014\u2212", r):
		default:
			return b[:0], false
		}
	}
	return b, true
}

// phoneStatus is the outcome of parsing one number.
type phoneStatus uint8

const (
	phoneValid phoneStatus = iota
	phoneNotNumber
	phoneBadCountry
	phoneTooShort
	phoneTooLong
	phoneBadLength
	phoneInvalid
)

// says finishes "phone number 555-1234 ..." for a clerk.
func (s phoneStatus) says(region string, international bool) string {
	where := " for " + region
	if international {
		where = " for its country code"
	}
	switch s {
	case phoneNotNumber:
		return "is not a phone number"
	case phoneBadCountry:
		return "does not start with a known country code"
	case phoneTooShort:
		return "is too short to be valid" + where
	case phoneTooLong:
		return "is too long to be valid" + where
	case phoneBadLength:
		return "has the wrong number of digits" + where
	default:
		return "is not a valid number" + where + " (no such area code or number range)"
	}
}

type phoneResult struct {
	e164   string
	status phoneStatus
}

// parsePhone is the expensive part of validation (~15 µs): one Parse, one IsValidNumber, one
// Format for a valid number; the reason for an invalid one costs one more check.
func parsePhone(region, canon string) phoneResult {
	num, err := phonenumbers.Parse(canon, region)
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return phoneResult{status: phoneBadCountry}
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return phoneResult{status: phoneTooShort}
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return phoneResult{status: phoneTooLong}
	case err != nil:
		return phoneResult{status: phoneNotNumber}
	}
	if phonenumbers.IsValidNumber(num) {
		return phoneResult{e164: phonenumbers.Format(num, phonenumbers.E164)}
	}
	switch phonenumbers.IsPossibleNumberWithReason(num) {
	case phonenumbers.INVALID_COUNTRY_CODE:
		return phoneResult{status: phoneBadCountry}
	case phonenumbers.TOO_SHORT, phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return phoneResult{status: phoneTooShort}
	case phonenumbers.TOO_LONG:
		return phoneResult{status: phoneTooLong}
	case phonenumbers.INVALID_LENGTH:
		return phoneResult{status: phoneBadLength}
	}
	return phoneResult{status: phoneInvalid}
}

// lookupPhone parses canon (digits and plus signs only) in region: a number the fast path proves
// valid costs a walk of a few automata; the rest (invalid numbers, mostly) are parsed by
// phonenumbers through the cache. Since the parser is given exactly canon, the cache key
// (region, canon) is the parser's whole input and a hit cannot differ from a parse. canon may
// be on the caller's stack: what is kept or parsed is a copy of it.
func (v *Validator) lookupPhone(region, canon string) phoneResult {
	if e164, ok := fastPhone(region, canon); ok {
		return phoneResult{e164: e164}
	}
	if v.phones == nil {
		return parsePhone(region, strings.Clone(canon))
	}
	sh := &v.phones.shards[maphash.String(v.phones.seed, canon)%phoneShards]
	if r, ok := sh.get(region, canon); ok {
		return r
	}
	own := strings.Clone(canon)
	r := parsePhone(region, own)
	sh.put(phoneKey{region, own}, r)
	return r
}

// The phone cache: sharded to keep goroutines on all cores from queueing on one lock, and
// bounded per shard by two generations: when the current map is full it becomes the old one
// and the previous old one is dropped, so recently used numbers stay.
const (
	phoneShards   = 16
	phoneShardCap = 4096 // entries per generation per shard: at most 2*16*4096 numbers held
)

type phoneKey struct{ region, canon string }

type phoneCache struct {
	seed   maphash.Seed
	shards [phoneShards]phoneShard
}

type phoneShard struct {
	mu       sync.Mutex
	cur, old map[phoneKey]phoneResult
}

func newPhoneCache() *phoneCache {
	return &phoneCache{seed: maphash.MakeSeed()}
}

func (s *phoneShard) get(region, canon string) (phoneResult, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := phoneKey{region, canon}
	if r, ok := s.cur[k]; ok {
		return r, true
	}
	r, ok := s.old[k]
	if ok {
		// Promoted, so a number in use survives the next rotation; under a key of its own,
		// since canon may be on the caller's stack.
		s.putLocked(phoneKey{region, strings.Clone(canon)}, r)
	}
	return r, ok
}

func (s *phoneShard) put(k phoneKey, r phoneResult) {
	s.mu.Lock()
	s.putLocked(k, r)
	s.mu.Unlock()
}

func (s *phoneShard) putLocked(k phoneKey, r phoneResult) {
	if s.cur == nil || len(s.cur) >= phoneShardCap {
		s.old, s.cur = s.cur, make(map[phoneKey]phoneResult, 64)
	}
	s.cur[k] = r
}

// len returns how many entries the cache holds (tests check it stays bounded).
func (pc *phoneCache) len() int {
	n := 0
	for i := range pc.shards {
		s := &pc.shards[i]
		s.mu.Lock()
		n += len(s.cur) + len(s.old)
		s.mu.Unlock()
	}
	return n
}
