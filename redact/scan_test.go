package redact

import (
	"strings"
	"testing"
)

func TestScanPANs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"no digits", "note: call back", "note: call back"},
		{"16 digits Luhn valid", "4242424242424242", "****4242"},
		{"16 digits Luhn invalid", "4242424242424241", "4242424242424241"},
		{"in a sentence", "note: card 4242 4242 4242 4242 exp soon", "note: card ****4242 exp soon"},
		{"dashes", "4111-1111-1111-1111", "****1111"},
		{"mixed separators", "4111 1111-1111 1111", "****1111"},
		// A reader sees a card number in each of these, and so do the usual scanners
		// ((?:\d[ -]*?){13,19}): the separators between groups may be several.
		{"double spaces", "4242  4242  4242  4242", "****4242"},
		{"spaced dashes", "4111 - 1111 - 1111 - 1111", "****1111"},
		{"no-break spaces", "4242\u00a04242\u00a04242\u00a04242", "****4242"},
		{"figure and narrow no-break spaces", "4242\u20074242\u202f4242 4242", "****4242"},
		{"space and dash join, not a card", "4242 -4242424242424", "4242 -4242424242424"}, // 17 digits, Luhn invalid
		{"dots", "4111.1111.1111.1111", "****1111"},
		{"slashes", "4111/1111/1111/1111", "****1111"},
		{"underscores", "4111_1111_1111_1111", "****1111"},
		{"en dashes", "4111\u20131111\u20131111\u20131111", "****1111"},
		{"spaced slashes and dots", "4111 / 1111 . 1111 _ 1111", "****1111"},
		{"invisible separators", "4111\u200b1111\u00ad1111\ufeff1111", "****1111"},
		{"leading zero keeps Luhn", "04111111111111111", "****1111"},
		{"two cards one run", "4242424242424242 5555555555554444", "****4242 ****4444"},
		// "4242 4242 4242 4242" and "4242 4242 4242 002" are both card numbers: the stretch they
		// cover is masked as one, so no digit of either shows but the last four.
		{"overlapping cards merge", "4242 4242 4242 4242 002", "****2002"},
		{"overlapping cards merge past 19 digits", "x 4242 4242 4242 4242 4242 y", "x **** y"},
		{"ssn left alone", "123-45-6789, 123456789", "123-45-6789, 123456789"},
		{"trailing separators", "4242424242424242 - ", "****4242 - "},
		{"12 digits, Luhn valid", "424242424242", "424242424242"}, // too short for a card
		{"13 digits Luhn valid", "4222222222222", "****2222"},
		{"19 digits Luhn valid", "6011000990139424009", "****4009"},
		{"20 digits Luhn valid, one group", "42424242424242424242", "42424242424242424242"}, // too long for a card
		{"19 digits Luhn invalid", "6011000990139424000", "6011000990139424000"},
		{"card then a digit", "4242 4242 4242 4242 7", "****4242 7"},
		{"digit then card", "7 4242 4242 4242 4242", "7 ****4242"},
		{"several", "a 4242424242424242, b 5555555555554444; c 378282246310005", "a ****4242, b ****4444; c ****0005"},
		{"letters around", "ID4242424242424242X", "ID****4242X"},
		{"phone and date untouched", "+1 415-555-2671 on 2024-01-15", "+1 415-555-2671 on 2024-01-15"},
		{"dotted decimal untouched", "total 1234.56, 7890.12", "total 1234.56, 7890.12"},
		{"amex 15", "3782 822463 10005", "****0005"},
		{"unicode around", "carte n° 4242424242424242 ✓", "carte n° ****4242 ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ScanPANs(tt.in); got != tt.want {
				t.Errorf("ScanPANs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestScanPANsMaskMeetsDigits: the mask's last four digits and the digits after a card number can
// make a new Luhn-valid run; that one is masked too.
func TestScanPANsMaskMeetsDigits(t *testing.T) {
	t.Parallel()
	// "4242 424242424" (13 digits) is Luhn valid once "4242424242424242" is masked to "****4242".
	tail := findTail(t)
	in := "4242424242424242 " + tail
	out := ScanPANs(in)
	if hasCardRun(out) {
		t.Fatalf("ScanPANs(%q) = %q, still holds a card-like run", in, out)
	}
	if strings.Contains(out, "4242424242424242") {
		t.Fatalf("ScanPANs(%q) = %q", in, out)
	}
}

func findTail(t *testing.T) string {
	t.Helper()
	for n := 100000000; n < 1000000000; n++ {
		s := itoa(n)
		if luhnString("4242" + s) {
			return s
		}
	}
	t.Fatal("no tail found")
	return ""
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

func luhnString(s string) bool {
	d := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			d = append(d, s[i])
		}
	}
	return Luhn(d)
}

func TestScanPANsFastPathAllocs(t *testing.T) {
	for _, s := range []string{
		"Jane Q. Public, 42 Main St, Springfield 01234",
		"+1 415-555-2671",
		"4242424242424241", // 16 digits, not a card: scanned, returned as is
	} {
		if n := testing.AllocsPerRun(100, func() { _ = ScanPANs(s) }); n != 0 {
			t.Errorf("ScanPANs(%q) allocates %v times, want 0", s, n)
		}
	}
}

func TestLuhn(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"4242424242424242": true,
		"4242424242424241": false,
		"79927398713":      true,
		"79927398710":      false,
		"0":                true,
	} {
		if got := luhnString(s); got != want {
			t.Errorf("luhn(%s) = %v, want %v", s, got, want)
		}
	}
}

// testSeps are the separators Text allows between digit groups, listed independently of sepLen
// (TestSeparatorSet checks the two agree on every rune).
var testSeps = []rune{' ', '-', '.', '/', '_', '\u00a0', '\u00ad',
	'\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008', '\u2009', '\u200a',
	'\u200b', '\u200c', '\u200d', '\u200e', '\u200f',
	'\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u202f', '\u2060', '\u2212', '\u3000', '\ufeff'}

// testDashes are the separators an EIN may have between its two groups.
var testDashes = []rune{'-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212'}

// sepPrefix returns the length of the separator s starts with, or 0.
func sepPrefix(s string) int {
	for _, r := range testSeps {
		if strings.HasPrefix(s, string(r)) {
			return len(string(r))
		}
	}
	return 0
}

// testGroup is a maximal stretch of digits s[start:end].
type testGroup struct{ start, end int }

// testRuns cuts s into runs: digit groups joined by separators. It is written independently of
// the scanner.
func testRuns(s string) [][]testGroup {
	var runs [][]testGroup
	var cur []testGroup
	i := 0
	for i < len(s) {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		cur = append(cur, testGroup{i, j})
		k := j
		for k < len(s) {
			n := sepPrefix(s[k:])
			if n == 0 {
				break
			}
			k += n
		}
		if k > j && k < len(s) && isDigit(s[k]) {
			i = k
			continue
		}
		runs = append(runs, cur)
		cur = nil
		i = j
	}
	return runs
}

// hasCardRun reports whether s holds a Luhn-valid run of 13–19 digits, digit groups joined by
// separators, starting and ending at group boundaries. It is written independently of the
// scanner, by brute force over every pair of groups.
func hasCardRun(s string) bool {
	for _, run := range testRuns(s) {
		for a := range run {
			digits := ""
			for b := a; b < len(run); b++ {
				digits += s[run[b].start:run[b].end]
				if len(digits) > maxPANDigits {
					break
				}
				if len(digits) >= minPANDigits && luhnString(digits) {
					return true
				}
			}
		}
	}
	return false
}

// hasSSNShape reports whether s holds an SSN-shaped value as Text defines it, by brute force.
func hasSSNShape(s string) bool {
	for _, run := range testRuns(s) {
		for i, g := range run {
			n := g.end - g.start
			if n == 9 {
				d := s[g.start:g.end]
				letter := func(i int) bool {
					return i >= 0 && i < len(s) && ('a' <= s[i] && s[i] <= 'z' || 'A' <= s[i] && s[i] <= 'Z')
				}
				if !letter(g.start-1) && !letter(g.end) && d[:3] != "000" && d[3:5] != "00" && d[5:] != "0000" {
					return true
				}
			}
			if i >= 2 && n == 4 && run[i-1].end-run[i-1].start == 2 && run[i-2].end-run[i-2].start == 3 {
				return true
			}
			if i >= 1 && n == 7 && run[i-1].end-run[i-1].start == 2 {
				sep := s[run[i-1].end:g.start]
				for _, r := range testDashes {
					if sep == string(r) {
						return true
					}
				}
			}
		}
	}
	return false
}

func FuzzScanPANs(f *testing.F) {
	for _, s := range []string{
		"", "4242424242424242", "note: card 4242 4242 4242 4242", "4242-4242-4242-4242 1234",
		"1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0", "42424242424242424242", "x\x00\xff4111111111111111",
		"4242  4242 -\u00a04242\u202f4242", "123-45-6789 4242 4242 4242 4242",
		"4111.1111.1111.1111", "4111/1111/1111/1111", "4111 - 1111 - 1111 - 1111", "4111_1111–1111\u200b1111",
		"4242 4242 4242 4242 002", "4242424242424242 424242424", "\xe2\x80" + "923441534741628091",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := ScanPANs(s)
		if hasCardRun(out) {
			t.Fatalf("ScanPANs(%q) = %q holds a card-like run", s, out)
		}
		if !hasCardRun(s) && out != s {
			t.Fatalf("ScanPANs(%q) = %q changed text with no card in it", s, out)
		}
	})
}

func TestScanSSNs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"dashed", "123-45-6789", "***-**-6789"},
		{"spaced", "123 45 6789", "***-**-6789"},
		{"in a sentence", "old SSN 123-45-6789, new 987-65-4321.", "old SSN ***-**-6789, new ***-**-4321."},
		{"letters around", "x123-45-6789y", "x***-**-6789y"},
		{"dash after", "123-45-6789-0", "***-**-6789-0"},
		{"nine bare digits", "123456789", "***-**-6789"},
		{"nine digits after a dash", "E-123456789", "E-***-**-6789"},
		{"nine digits glued to a letter", "E123456789 123456789x", "E123456789 123456789x"},
		{"nine digits, area 000", "000123456", "000123456"},
		{"nine digits, group 00", "123006789", "123006789"},
		{"nine digits, serial 0000", "123450000", "123450000"},
		{"ten digits", "1234567890", "1234567890"},
		{"mixed separators", "123 45-6789", "***-**-6789"},
		{"dots", "123.45.6789", "***-**-6789"},
		{"slashes", "123/45/6789", "***-**-6789"},
		{"runs of separators", "123 - 45 - 6789", "***-**-6789"},
		{"no-break spaces", "123\u00a045\u202f6789", "***-**-6789"},
		{"EIN", "EIN 12-3456789.", "EIN ***-**-6789."},
		{"EIN with an en dash", "12\u20133456789", "***-**-6789"},
		{"2-7 with a space is not an EIN", "12 3456789", "12 3456789"},
		{"in a longer run", "4111 123-45-6789 00", "4111 ***-**-6789 00"},
		{"date range untouched", "2024-01-15 - 2024-02-16", "2024-01-15 - 2024-02-16"},
		{"digit before", "1123-45-6789", "1123-45-6789"},
		{"digit after", "123-45-67890", "123-45-67890"},
		{"phone", "+1 415-555-2671", "+1 415-555-2671"},
		{"date", "2024-01-15", "2024-01-15"},
		{"zip+4", "02134-1234", "02134-1234"},
		{"other separators", "123.45.6789 123/45/6789", "***-**-6789 ***-**-6789"},
		{"unicode around", "n° 123-45-6789 ✓", "n° ***-**-6789 ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ScanSSNs(tt.in); got != tt.want {
				t.Errorf("ScanSSNs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestScanSSNsFastPathAllocs(t *testing.T) {
	for _, s := range []string{"Jane Q. Public, 42 Main St", "+1 415-555-2671", "E123456789", "02134-1234 on 2024-01-15"} {
		if n := testing.AllocsPerRun(100, func() { _ = ScanSSNs(s) }); n != 0 {
			t.Errorf("ScanSSNs(%q) allocates %v times, want 0", s, n)
		}
	}
}
