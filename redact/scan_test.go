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
		{"dots are not separators", "4242.4242.4242.4242", "4242.4242.4242.4242"},
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

// hasCardRun reports whether s holds a Luhn-valid run of 13–19 digits, digit groups joined by
// separators (spaces, dashes, no-break spaces), starting and ending at group boundaries. It is
// written independently of the scanner, by brute force over every pair of groups.
func hasCardRun(s string) bool {
	type group struct{ start, end int }
	var runs [][]group
	var cur []group
	i := 0
	for i < len(s) {
		if !isDigit(s[i]) {
			if len(cur) > 0 {
				runs = append(runs, cur)
				cur = nil
			}
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		cur = append(cur, group{i, j})
		// Separators followed by a digit continue the run.
		k := j
		for {
			rest := s[k:]
			if t := strings.TrimLeft(rest, " -"); t != rest {
				k += len(rest) - len(t)
				continue
			}
			if r, ok := strings.CutPrefix(rest, "\u00a0"); ok {
				k += len(rest) - len(r)
				continue
			}
			if r, ok := strings.CutPrefix(rest, "\u2007"); ok {
				k += len(rest) - len(r)
				continue
			}
			if r, ok := strings.CutPrefix(rest, "\u202f"); ok {
				k += len(rest) - len(r)
				continue
			}
			break
		}
		if k > j && k < len(s) && isDigit(s[k]) {
			i = k
			continue
		}
		runs = append(runs, cur)
		cur = nil
		i = j
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	for _, run := range runs {
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

func FuzzScanPANs(f *testing.F) {
	for _, s := range []string{
		"", "4242424242424242", "note: card 4242 4242 4242 4242", "4242-4242-4242-4242 1234",
		"1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0", "42424242424242424242", "x\x00\xff4111111111111111",
		"4242  4242 -\u00a04242\u202f4242", "123-45-6789 4242 4242 4242 4242",
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
		{"nine bare digits are not masked", "123456789", "123456789"},
		{"digit before", "1123-45-6789", "1123-45-6789"},
		{"digit after", "123-45-67890", "123-45-67890"},
		{"phone", "+1 415-555-2671", "+1 415-555-2671"},
		{"date", "2024-01-15", "2024-01-15"},
		{"zip+4", "02134-1234", "02134-1234"},
		{"other separators", "123.45.6789 123/45/6789", "123.45.6789 123/45/6789"},
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
	for _, s := range []string{"Jane Q. Public, 42 Main St", "+1 415-555-2671", "123456789"} {
		if n := testing.AllocsPerRun(100, func() { _ = ScanSSNs(s) }); n != 0 {
			t.Errorf("ScanSSNs(%q) allocates %v times, want 0", s, n)
		}
	}
}
