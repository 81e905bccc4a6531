package validate

import (
	"fmt"
	"math/rand/v2"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/currency"

	"github.com/rosterload/rosterload/api"
)

// The checks read the usual values without the general parsers (net/mail, time.Parse, the
// expiry regexps, fmt). These tests hold each shortcut to the parser it stands in for, on chosen
// values and on random ones made of the characters that matter.

// randomText makes n strings of up to max characters from alphabet.
func randomText(seed uint64, n, max int, alphabet string) []string {
	rng := rand.New(rand.NewPCG(seed, 12))
	letters := []rune(alphabet)
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range rng.IntN(max + 1) {
			b.WriteRune(letters[rng.IntN(len(letters))])
		}
		out[i] = b.String()
	}
	return out
}

func TestBareAddressAgreesWithNetMail(t *testing.T) {
	t.Parallel()
	chosen := []string{"a@b.co", "first.last@example.com", "x+tag@mail.example.org", "a@b", "a@.b.c",
		"a.@b.c", ".a@b.c", "a..b@c.d", "a@b..c", "a@b.c.", "@b.c", "a@", "a@b@c.d", "\"a\"@b.c",
		"a b@c.d", "José@ex.com", "a@[1.2.3.4]", "a(b)@c.d", "<a@b.c>", "A <a@b.c>", "!#$%&'*+-/=?^_`{|}~@x.y"}
	random := randomText(1, 200000, 9, "ab.@-+_\"( )<>,;:\\[]é1")
	for _, set := range []struct {
		name   string
		values []string
	}{{"chosen", chosen}, {"random", random}} {
		t.Run(set.name, func(t *testing.T) {
			fast := 0
			for _, s := range set.values {
				if !bareAddress(s) {
					continue
				}
				fast++
				a, err := mail.ParseAddress(s)
				if err != nil || a.Name != "" || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
					t.Errorf("bareAddress(%q) is true, but net/mail reads %+v, %v", s, a, err)
				}
			}
			if fast == 0 {
				t.Error("no value took the shortcut: the test proves nothing")
			}
		})
	}
}

// TestBareAddressAsDotAtoms: bareAddress's one pass agrees with its definition, a dot-atom on
// each side of the first @ and a dot in the domain, on chosen and random values.
func TestBareAddressAsDotAtoms(t *testing.T) {
	t.Parallel()
	dotAtom := func(s string) bool {
		if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
			return false
		}
		for i := 0; i < len(s); i++ {
			if !atext[s[i]] {
				return false
			}
		}
		return true
	}
	byDefinition := func(s string) bool {
		at := strings.IndexByte(s, '@')
		if at < 0 {
			return false
		}
		local, domain := s[:at], s[at+1:]
		return dotAtom(local) && dotAtom(domain) && strings.IndexByte(domain, '.') > 0
	}
	chosen := []string{"", "@", ".", "a@b.c", "a@b", "@b.c", "a@", "a@.b", "a.@b.c", ".a@b.c", "a@b.c.", "a@b..c",
		"a..b@c.d", "a@b@c.d", "a.b@c.d.e", "a@b.", "é@b.c", "a@b.c\x7f", "lena.daz1@example.com"}
	for _, set := range []struct {
		name   string
		values []string
	}{{"chosen", chosen}, {"random", randomText(21, 300000, 8, "ab.@-\"(é")}} {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			yes := 0
			for _, s := range set.values {
				got, want := bareAddress(s), byDefinition(s)
				if got != want {
					t.Errorf("bareAddress(%q) = %v, by definition %v", s, got, want)
				}
				if want {
					yes++
				}
			}
			if yes == 0 {
				t.Error("no value is a bare address: the test proves little")
			}
		})
	}
}

// TestEnumListsAreUpperCase: enum takes a value found as written in its list as it is, which
// is what ToUpper would make of it only when the list's values are upper case; so do the state
// codes for subdivision.
func TestEnumListsAreUpperCase(t *testing.T) {
	t.Parallel()
	for _, list := range [][]string{api.AddressTypes, api.PhoneTypes, api.Sexes, api.EligibilityStates,
		api.CardSubtypes, api.LegalEntityTypes, {api.TypeIndividual}, {api.TypeBusiness}} {
		for _, v := range list {
			if strings.ToUpper(v) != v {
				t.Errorf("enum value %q is not upper case", v)
			}
		}
	}
	// subdivision takes a state code found as written likewise, and then ToUpper's value would
	// need no "US-" cut either.
	for _, codes := range []map[string]string{usStates, caProvinces} {
		for code := range codes {
			if strings.ToUpper(code) != code || len(code) > 3 {
				t.Errorf("state code %q is not upper case, or not short", code)
			}
		}
	}
}

func TestISOShapedCoversTimeParse(t *testing.T) {
	t.Parallel()
	values := append(randomText(2, 200000, 10, "0123456789-+/ "), "1985-3-7", "+985-3-7", "-985-3-7", "0000-1-1", "198-03-07")
	parsed := 0
	for _, s := range values {
		if _, err := time.Parse(isoLoose, s); err == nil {
			parsed++
			if !isoShaped(s) {
				t.Errorf("time.Parse reads %q but isoShaped says it cannot", s)
			}
		}
	}
	if parsed == 0 {
		t.Error("no value parsed: the test proves nothing")
	}
}

func TestParseExpiryShortcut(t *testing.T) {
	t.Parallel()
	values := append(randomText(3, 200000, 8, "0123456789-/ "), "2029-06", "2029-6", "2029-", "202-06", "2029-006", "12/29", "1/2031")
	for _, s := range values {
		y, mo := parseExpiry(s)
		var wy, wmo int
		if m := expiryISO.FindStringSubmatch(s); m != nil {
			wy, wmo = atoi(m[1]), atoi(m[2])
		} else {
			// Not the shortcut's form: parseExpiry goes on to the regexps, as before.
			continue
		}
		if y != wy || mo != wmo {
			t.Errorf("parseExpiry(%q) = %d, %d; the regexp reads %d, %d", s, y, mo, wy, wmo)
		}
	}
}

func TestYearMonthAsFmt(t *testing.T) {
	t.Parallel()
	for _, y := range []int{-5, 0, 7, 99, 999, 1985, 2029, 9999, 10000} {
		for _, mo := range []int{0, 1, 9, 10, 12, 99, 100} {
			for _, d := range []int{0, 1, 31} {
				want := fmt.Sprintf("%04d-%02d", y, mo)
				if d != 0 {
					want = fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
				}
				if got := yearMonth("", y, mo, d); got != want {
					t.Errorf("yearMonth(%d, %d, %d) = %q, want %q", y, mo, d, got, want)
				}
				if got := yearMonth(want, y, mo, d); got != want {
					t.Errorf("yearMonth(%q, %d, %d, %d) = %q, want it kept", want, y, mo, d, got)
				}
			}
		}
	}
}

// TestPrintableASCIIShortcut: a value printableASCII passes holds no control character and has
// a character per byte, as the rune-by-rune checks text falls back to would find.
func TestPrintableASCIIShortcut(t *testing.T) {
	t.Parallel()
	chosen := []string{"", "E0000001", "Lena Díaz", "a\tb", "a\nb", "x\x7fy", "~ !", "\u0085", "é"}
	values := append(chosen, randomText(7, 5000, 8, " ~az09\t\x1f\x7f\u0080\u0085éü\u2028")...)
	for _, s := range values {
		if !printableASCII(s) {
			continue
		}
		if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
			t.Errorf("printableASCII(%q) but it holds a control character at %d", s, i)
		}
		if n := utf8.RuneCountInString(s); n != len(s) {
			t.Errorf("printableASCII(%q) but it has %d characters in %d bytes", s, n, len(s))
		}
	}
	for _, tt := range []struct {
		s    string
		want bool
	}{{"E0000001", true}, {"1 Main St", true}, {"a\tb", false}, {"x\x7f", false}, {"Zoë", false}} {
		t.Run(tt.s, func(t *testing.T) {
			if got := printableASCII(tt.s); got != tt.want {
				t.Errorf("printableASCII(%q) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

// TestPhoneDigitsShortcut: the byte-by-byte reading of a phone number agrees with the rune-by-rune
// one it stands in for, on chosen numbers and on random ones made of digits, pluses, separators
// of ASCII and Unicode, and letters.
func TestPhoneDigitsShortcut(t *testing.T) {
	t.Parallel()
	chosen := []string{"", "(312) 359-2374", "+1 312.359.2374", "3123592374", "312\u00a0359\u20132374",
		"312-359-2374 x12", "\u0661\u0662", "+44/20 7946 0958", strings.Repeat("1", 60), strings.Repeat("1-", 30)}
	values := append(chosen, randomText(11, 20000, 20, "0123456789+ \t-.()/x#\u00a0\u2010\u2011\u2012\u2013\u2014\u2212é")...)
	for _, s := range values {
		gotDigits, gotClean := phoneDigits(nil, s)
		wantDigits, wantClean := phoneRunes(nil, s)
		gotCanon, wantCanon := string(gotDigits), string(wantDigits)
		if gotCanon != wantCanon || gotClean != wantClean {
			t.Errorf("phoneDigits(%q) = %q, %t; phoneRunes says %q, %t", s, gotCanon, gotClean, wantCanon, wantClean)
		}
	}
}

// TestUSDateShortcut: a date parseUSDate reads, time.Parse reads as the same day; and most of
// the dates time.Parse reads, parseUSDate reads too.
func TestUSDateShortcut(t *testing.T) {
	t.Parallel()
	values := append(randomText(3, 300000, 10, "0123456789/+- "), "7/6/1960", "07/06/1960", "2/29/2000",
		"2/29/1900", "12/31/9999", "0/1/2000", "1/0/2000", "13/1/2000", "1/32/2000", "1/1/200", "1/1/+200", "123/1/2000")
	parsed, fast := 0, 0
	for _, s := range values {
		want, err := time.Parse(usDate, s)
		got, ok := parseUSDate(s)
		if err == nil {
			parsed++
		}
		if !ok {
			continue
		}
		fast++
		if err != nil || got != dateOf(want) {
			t.Errorf("parseUSDate(%q) = %v; time.Parse says %v, %v", s, got, want, err)
		}
	}
	if fast == 0 || fast < parsed*9/10 {
		t.Errorf("the shortcut read %d of the %d dates time.Parse reads", fast, parsed)
	}
}

// TestDaysInAsTimeDate: the month lengths agree with time.Date's calendar, leap years of every
// kind included (1900 and 2100 are not, 2000 and 2400 are).
func TestDaysInAsTimeDate(t *testing.T) {
	t.Parallel()
	for y := -500; y <= 10000; y++ {
		for m := 1; m <= 12; m++ {
			if got, want := daysIn(m, y), time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day(); got != want {
				t.Fatalf("daysIn(%d, %d) = %d, want %d", m, y, got, want)
			}
		}
	}
}

// TestISOCurrencyShortcut: the table of three-letter codes answers as currency.ParseISO does,
// for every code of A-Z and for random text.
func TestISOCurrencyShortcut(t *testing.T) {
	t.Parallel()
	values := randomText(4, 20000, 4, "ACDEGSUXZaz1 é")
	values = append(values, letterCodes(3)...)
	known := 0
	for _, s := range values {
		_, err := currency.ParseISO(s)
		want := err == nil && len(s) == 3
		if got := isoCurrency(s); got != want {
			t.Errorf("isoCurrency(%q) = %t, want %t", s, got, want)
		}
		if want {
			known++
		}
	}
	if known < 100 {
		t.Errorf("only %d codes known: the test proves little", known)
	}
}

// letterCodes returns every code of n letters A to Z.
func letterCodes(n int) []string {
	codes := []string{""}
	for range n {
		var longer []string
		for _, c := range codes {
			for l := 'A'; l <= 'Z'; l++ {
				longer = append(longer, c+string(l))
			}
		}
		codes = longer
	}
	return codes
}

func TestPhoneRegionIndexAgreesWithMap(t *testing.T) {
	t.Parallel()
	tb := phoneData()
	codes := []string{"", "U", "USA", "us", "Us", "001", "ZZ", "@A", "A[", "É", "GBR"}
	codes = append(codes, letterCodes(2)...)
	found := 0
	for _, r := range codes {
		if got, want := tb.region(r), tb.regions[r]; got != want {
			t.Errorf("region(%q) = %p, the map holds %p", r, got, want)
		}
		if tb.regions[r] != nil {
			found++
		}
	}
	if found != len(tb.regions) {
		t.Errorf("the codes tried find %d of the %d regions: some region code is not two letters", found, len(tb.regions))
	}
}

func TestCountryIndexAgreesWithMap(t *testing.T) {
	t.Parallel()
	tb := countries()
	codes := []string{"", "US", "usa", "Usa", "US ", "ÉUA", "@SA", "US[", "USAA", "840"}
	codes = append(codes, letterCodes(3)...)
	found := 0
	for _, s := range codes {
		got, gotOK := tb.alpha2(s)
		want, wantOK := tb.alpha2Of[s]
		if got != want || gotOK != wantOK {
			t.Errorf("alpha2(%q) = %q, %v; the map holds %q, %v", s, got, gotOK, want, wantOK)
		}
		if wantOK {
			found++
		}
	}
	if found != len(tb.alpha2Of) || found < 240 {
		t.Errorf("the codes tried find %d of the %d alpha-3 codes", found, len(tb.alpha2Of))
	}
}

// TestSystemToday: a Validator without a Now of its own checks dates against the system
// clock's day, which it reads once and then at midnight or once a minute, not for every row.
func TestSystemToday(t *testing.T) {
	t.Parallel()
	v := newV(t, func(o *Options) { o.Now = nil })
	before := ymd(time.Now())
	c := v.start(Hint{})
	after := ymd(time.Now())
	if c.today != before && c.today != after {
		t.Errorf("today = %d, the clock says %d then %d", c.today, before, after)
	}
	if y, m := c.today/10000, c.today/100%100; c.month != y*12+m {
		t.Errorf("month = %d for today %d, want %d", c.month, c.today, y*12+m)
	}
}

// TestStartDay: the checker's day and month are those of the Validator's Now.
func TestStartDay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name         string
		now          time.Time
		today, month int
	}{
		{"new year's eve", time.Date(2025, time.December, 31, 23, 59, 59, 0, time.UTC), 20251231, 2025*12 + 12},
		{"new year", time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC), 20260101, 2026*12 + 1},
		{"leap day", time.Date(2024, time.February, 29, 12, 0, 0, 0, time.UTC), 20240229, 2024*12 + 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newV(t, func(o *Options) { o.Now = func() time.Time { return tt.now } }).start(Hint{})
			if c.today != tt.today || c.month != tt.month {
				t.Errorf("today, month = %d, %d; want %d, %d", c.today, c.month, tt.today, tt.month)
			}
		})
	}
}
