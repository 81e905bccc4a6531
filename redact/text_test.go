package redact

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"no digits", "Jane Q. Public", "Jane Q. Public"},
		{"card plain", "4111111111111111", "****1111"},
		{"card spaced", "4111 1111 1111 1111", "****1111"},
		{"card dashed", "4111-1111-1111-1111", "****1111"},
		{"card dotted", "4111.1111.1111.1111", "****1111"},
		{"card slashed", "4111/1111/1111/1111", "****1111"},
		{"card spaced dashes", "4111 - 1111 - 1111 - 1111", "****1111"},
		{"card underscores", "4111_1111_1111_1111", "****1111"},
		{"card en dashes", "4111–1111–1111–1111", "****1111"},
		{"card no-break spaces", "4111\u00a01111\u20071111\u202f1111", "****1111"},
		{"card mixed, odd groups", "4-111.11 1/111 _11 1111", "****1111"},
		{"card in the phone column", "phone number 4111111111111111 is too long", "phone number ****1111 is too long"},
		{"amex", "3782-822463-10005", "****0005"},
		{"ssn dashed", "123-45-6789", "***-**-6789"},
		{"ssn mixed", "123 45-6789", "***-**-6789"},
		{"ssn dotted", "123.45.6789", "***-**-6789"},
		{"ssn slashed", "123/45/6789", "***-**-6789"},
		{"ssn bare", "123456789", "***-**-6789"},
		{"ssn bare in words", "id: 123456789.", "id: ***-**-6789."},
		{"ein", "12-3456789", "***-**-6789"},
		{"itin", "912-70-1234", "***-**-1234"},
		{"ssn then card", "ssn 123-45-6789, card 5555 5555 5555 4444", "ssn ***-**-6789, card ****4444"},
		{"ssn next to a card in one run", "4111 1111 1111 1111 123-45-6789", "****1111 ***-**-6789"},
		{"phone untouched", "+1 (415) 555-2671 x12", "+1 (415) 555-2671 x12"},
		{"zip+4 untouched", "02134-1234", "02134-1234"},
		{"date untouched", "2024-01-15, 01/15/2024", "2024-01-15, 01/15/2024"},
		{"expiry untouched", "12/27 2027-12", "12/27 2027-12"},
		{"ten digits untouched", "order 1234567890", "order 1234567890"},
		{"masked stays masked", "****1111 ***-**-6789", "****1111 ***-**-6789"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Text(tt.in)
			if got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Text(got); again != got {
				t.Errorf("Text(Text(%q)) = %q, not %q", tt.in, again, got)
			}
		})
	}
}

func TestHolds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Kind
	}{
		{"", 0},
		{"E-1001", 0},
		{"4111.1111.1111.1111", CardNumber},
		{"EMP4111111111111111", CardNumber},
		{"123-45-6789", SSN},
		{"E 123 45 6789", SSN},
		{"123456789", NineDigits},
		{"E123456789", 0},
		{"12-3456789", EIN},
		{"4111 1111 1111 1111 123-45-6789", CardNumber | SSN},
		{"1234567890", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := Holds(tt.in); got != tt.want {
				t.Errorf("Holds(%q) = %b, want %b", tt.in, got, tt.want)
			}
		})
	}
}

// TestSeparatorSet checks that the scanner's separators are exactly testSeps, on every rune.
func TestSeparatorSet(t *testing.T) {
	t.Parallel()
	want := map[rune]bool{}
	for _, r := range testSeps {
		want[r] = true
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		s := string(r) + "1"
		got := sepLen(s, 0) == len(string(r))
		if got != want[r] {
			t.Errorf("separator %U: scanner says %v, want %v", r, got, want[r])
		}
	}
	// Byte sequences that are not a rune, or another rune, are no separator either.
	for _, lead := range []byte{0xC2, 0xE2, 0xE3, 0xEF} {
		for b1 := range 256 {
			for b2 := range 256 {
				s := string([]byte{lead, byte(b1), byte(b2)})
				n := sepLen(s, 0)
				if n == 0 {
					continue
				}
				r, size := utf8.DecodeRuneInString(s)
				if size != n || !want[r] {
					t.Errorf("% x: separator of %d bytes, but it starts with %U (%d bytes)", s, n, r, size)
				}
			}
		}
	}
	for _, r := range testDashes {
		if !isDash(string(r)) {
			t.Errorf("%U is not a dash", r)
		}
	}
	for _, s := range []string{" ", "--", "\u00a0", ".", "/"} {
		if isDash(s) {
			t.Errorf("%q is a dash", s)
		}
	}
}

func TestTextAllocs(t *testing.T) {
	for _, s := range []string{
		"",
		"Jane Q. Public, 42 Main St, Springfield",
		"+1 415-555-2671",
		"phone number (415) 555-2671 is too short to be valid for US",
		"ZIP 2134 padded to 02134 (leading zero restored), born 1991-06-21",
		"E123456789 4242424242424241 02134-1234",
		"****1111 ***-**-6789",
	} {
		if n := testing.AllocsPerRun(100, func() { _ = Text(s) }); n != 0 {
			t.Errorf("Text(%q) allocates %v times, want 0", s, n)
		}
		if n := testing.AllocsPerRun(100, func() { _ = Holds(s) }); n != 0 {
			t.Errorf("Holds(%q) allocates %v times, want 0", s, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Text("card 4111 1111 1111 1111 and ssn 123-45-6789") }); n != 1 {
		t.Errorf("Text with two masks allocates %v times, want 1", n)
	}
}

// planted is a value put into random text: its digits and how it was written.
type planted struct{ digits, written string }

// textPieces are what random text is made of: letters, punctuation, digits, spaces, separators
// and other Unicode.
var textPieces = []string{
	"a", "Z", "x", "E", "é", "ß", "Ж", "中", "😀", "№", "…", "✓",
	" ", "  ", ",", ";", ":", "(", ")", "#", "+", "*", "'", "\"", "\n", "\t", "=", "@",
	"-", ".", "/", "_", "\u00a0", "\u2007", "\u202f", "\u2013", "\u2014", "\u200b",
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "42", "2024-01-15", "12/27", "x12",
}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(30) {
		b.WriteString(textPieces[r.IntN(len(textPieces))])
	}
	return b.String()
}

func randDigits(r *rand.Rand, n int) []byte {
	d := make([]byte, n)
	for i := range d {
		d[i] = byte('0' + r.IntN(10))
	}
	return d
}

// randSepRun returns one to three separators: from style when it is set, else any.
func randSepRun(r *rand.Rand, style string) string {
	if style != "" {
		return style
	}
	var b strings.Builder
	for range 1 + r.IntN(3) {
		b.WriteRune(testSeps[r.IntN(len(testSeps))])
	}
	return b.String()
}

// randCard returns a Luhn-valid card number of 13–19 digits written in random groups with
// random separators: one style for the whole number, or mixed.
func randCard(r *rand.Rand) planted {
	d := randDigits(r, 13+r.IntN(7))
	for c := byte('0'); c <= '9'; c++ {
		d[len(d)-1] = c
		if Luhn(d) {
			break
		}
	}
	styles := []string{" ", "-", ".", "/", "_", " - ", "\u00a0", "\u2013", "  "}
	style := ""
	if r.IntN(3) > 0 {
		style = styles[r.IntN(len(styles))]
	}
	cut := []float64{0, 0.1, 0.25, 0.5, 1}[r.IntN(5)]
	var b strings.Builder
	for i, c := range d {
		if i > 0 && r.Float64() < cut {
			b.WriteString(randSepRun(r, style))
		}
		b.WriteByte(c)
	}
	return planted{digits: string(d), written: b.String()}
}

// randSSN returns an SSN written 3-2-4 with separators, nine digits alone, or an EIN.
func randSSN(r *rand.Rand) (p planted, bare bool) {
	d := randDigits(r, 9)
	for string(d[:3]) == "000" || string(d[3:5]) == "00" || string(d[5:]) == "0000" {
		d = randDigits(r, 9)
	}
	s := string(d)
	switch r.IntN(4) {
	case 0:
		return planted{s, s}, true
	case 1:
		dash := string(testDashes[r.IntN(len(testDashes))])
		return planted{s, s[:2] + dash + s[2:]}, false
	default:
		seps := []string{"-", " ", ".", "/"}
		pick := func() string {
			if r.IntN(4) == 0 {
				return randSepRun(r, "")
			}
			return seps[r.IntN(len(seps))]
		}
		return planted{s, s[:3] + pick() + s[3:5] + pick() + s[5:]}, false
	}
}

// gaps stand between a planted value and a digit (or, for nine bare digits, a letter) beside it.
var gaps = []string{" ", ",", "(", ")", ";", "\u00a0", "–", "-", ".", "/", "*", "é", "…"}

// plant cuts base into pieces and puts one to four card numbers and SSNs between them, each with
// a non-digit (for nine bare digits, a non-alphanumeric character) or the text's edge on both
// sides.
func plant(r *rand.Rand, base string) (string, []planted) {
	k := 1 + r.IntN(4)
	cuts := make([]int, k)
	for i := range cuts {
		cuts[i] = r.IntN(len(base) + 1)
	}
	for i := 1; i < len(cuts); i++ { // sort, small
		for j := i; j > 0 && cuts[j] < cuts[j-1]; j-- {
			cuts[j], cuts[j-1] = cuts[j-1], cuts[j]
		}
	}
	var b strings.Builder
	var vals []planted
	prev := 0
	for _, c := range cuts {
		b.WriteString(base[prev:c])
		prev = c
		var p planted
		bare := false
		if r.IntN(2) == 0 {
			p = randCard(r)
		} else {
			p, bare = randSSN(r)
		}
		blocks := func(c byte) bool { return isDigit(c) || bare && isASCIILetter(c) }
		gap := func() string {
			g := gaps[r.IntN(len(gaps))]
			if bare && g == "é" {
				return " " // beside nine bare digits, nothing alphanumeric
			}
			return g
		}
		if s := b.String(); s != "" && blocks(s[len(s)-1]) {
			b.WriteString(gap())
		}
		b.WriteString(p.written)
		if c < len(base) && blocks(base[c]) || r.IntN(5) == 0 {
			b.WriteString(gap())
		}
		vals = append(vals, p)
	}
	b.WriteString(base[prev:])
	return b.String(), vals
}

// deleteSeps drops every separator from s.
func deleteSeps(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if n := sepPrefix(s[i:]); n > 0 {
			i += n
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// boundedIn reports whether d occurs in s with a non-digit or the edge on each side.
func boundedIn(s, d string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], d)
		if j < 0 {
			return false
		}
		j += i
		if (j == 0 || !isDigit(s[j-1])) && (j+len(d) == len(s) || !isDigit(s[j+len(d)])) {
			return true
		}
		i = j + 1
	}
}

// passesUntilDone is the plain form of mask: full passes until one masks nothing. Text must give
// the same result with its single pass and sweep.
func passesUntilDone(s string, find Kind) string {
	for {
		sc := scanner{s: s, find: find}
		sc.pass()
		if sc.done == 0 {
			return s
		}
		sc.out.WriteString(s[sc.done:])
		s = sc.out.String()
	}
}

// checkText asserts what Text guarantees of any text.
func checkText(t *testing.T, in string) string {
	t.Helper()
	out := Text(in)
	if want := passesUntilDone(in, CardNumber|ssnKinds); out != want {
		t.Fatalf("Text(%q) = %q, but passes until done give %q", in, out, want)
	}
	if got, want := ScanPANs(in), passesUntilDone(in, CardNumber); got != want {
		t.Fatalf("ScanPANs(%q) = %q, but passes until done give %q", in, got, want)
	}
	if again := Text(out); again != out {
		t.Fatalf("not idempotent:\n in    %q\n out   %q\n again %q", in, out, again)
	}
	if hasCardRun(out) || hasSSNShape(out) {
		t.Fatalf("Text(%q) = %q still holds a card number or an SSN", in, out)
	}
	if !hasCardRun(in) && !hasSSNShape(in) && out != in {
		t.Fatalf("Text(%q) = %q changed text with nothing to mask", in, out)
	}
	if limit := len(in) + 2*countDigits(in)/9; len(out) > limit {
		t.Fatalf("Text(%q) = %q grew from %d to %d bytes, more than %d", in, out, len(in), len(out), limit)
	}
	if countDigits(in) < 9 && out != in {
		t.Fatalf("Text(%q) = %q changed text of fewer than 9 digits", in, out)
	}
	if ScanSSNs(ScanPANs(out)) != out || ScanPANs(out) != out {
		t.Fatalf("Text(%q) = %q: ScanPANs or ScanSSNs would mask more", in, out)
	}
	return out
}

// checkPlanted asserts that no planted value shows in out, in any rendering with the allowed
// separators, unless base held its digits already.
func checkPlanted(t *testing.T, base, in, out string, vals []planted) {
	t.Helper()
	bare, flat := deleteSeps(base), deleteSeps(out)
	for _, v := range vals {
		if strings.Contains(bare, v.digits) {
			continue // the text held these digits already: not ours to find
		}
		if boundedIn(flat, v.digits) {
			t.Fatalf("%q (written %q) still shows:\n in  %q\n out %q", v.digits, v.written, in, out)
		}
	}
}

// TestTextProperties runs the fuzz properties on seeded random text in every go test run.
func TestTextProperties(t *testing.T) {
	t.Parallel()
	for seed := range uint64(5000) {
		r := rand.New(rand.NewPCG(seed, 1))
		base := randomText(r)
		checkText(t, base)
		in, vals := plant(r, base)
		out := checkText(t, in)
		checkPlanted(t, base, in, out, vals)
	}
}

func FuzzText(f *testing.F) {
	for _, s := range []string{
		"", "note: call back", "4111111111111111", "4111.1111.1111.1111", "4111/1111/1111/1111",
		"4111 - 1111 - 1111 - 1111", "4111_1111–1111\u00a01111", "41-111.11 1/111 _11 11",
		"123-45-6789", "123 45-6789", "123.45.6789", "123/45/6789", "123456789", "E-123456789",
		"E123456789", "12-3456789", "12–3456789", "4242 4242 4242 4242 002", "4242424242424242 424242424",
		"***-**-6789 1111 2222 3", "2024-01-15 - 2024-02-16", "+1 (415) 555-2671 x12", "x\x00\xff4111111111111111",
		"\xe2\x80", "4111\xe2\x801111", "12/27 2027-12 12/2027",
	} {
		f.Add(s, uint64(len(s)))
	}
	f.Fuzz(func(t *testing.T, base string, seed uint64) {
		checkText(t, base)
		r := rand.New(rand.NewPCG(seed, 2))
		in, vals := plant(r, base)
		out := checkText(t, in)
		checkPlanted(t, base, in, out, vals)
	})
}

// maskChain returns a card number followed by links of nine digits, each a card number with the
// last four digits before it, and no two links one: masking the card makes the first link a
// card, masking that the second, and so on. It returns what ScanPANs must make of it.
func maskChain(links int) (in, want string) {
	r := rand.New(rand.NewPCG(uint64(links), 3))
	var b strings.Builder
	b.WriteString("4242424242424242")
	last, prev := "4242", ""
	for range links {
		for {
			x := string(randDigits(r, 9))
			// The last condition keeps a next link possible: were x's first five digits worth
			// nothing to the check, prev+x and last+x would always pass or fail together.
			if Luhn(last+x) && (prev == "" || !Luhn(prev+x)) && !Luhn(x[:5]+"0000000000000") {
				b.WriteString(" " + x)
				last, prev = x[5:], x
				break
			}
		}
	}
	return b.String(), strings.Repeat("****", links+1) + last
}

// TestTextMaskChain: every link of the chain is masked, in time linear in its length (a pass
// per link over the whole text would take minutes here).
func TestTextMaskChain(t *testing.T) {
	t.Parallel()
	in, want := maskChain(50000)
	if got := ScanPANs(in); got != want {
		t.Fatalf("ScanPANs of the chain = %.80q..., want %.80q...", got, want)
	}
	short, _ := maskChain(30)
	checkText(t, short)
}

func BenchmarkText(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"no digits", "Jane Q. Public, Main Street, Springfield"},
		{"few digits", "born 1991-06-21 at 42 Main St"},
		{"report message", "phone number (415) 555-2671 is too short to be valid for US"},
		{"report row", "E-1001,Sarah,Green,+14155552671,sgreen@abc.com,1991-06-21,100 Main St,Greenville,MO,63368,USA"},
		{"card", "phone number 4111 1111 1111 1111 is too long to be a phone number"},
		{"ssn", "social ID 123-45-6789 given for GBR"},
		{"long digits", strings.Repeat("12 34 56 78 90 ", 40)},
		{"mask chain", func() string { s, _ := maskChain(40); return s }()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				_ = Text(bc.in)
			}
		})
	}
}

func TestMonthYears(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"12/27", "[x]"},
		{"1/27", "[x]"},
		{"until 12 / 2027 and 2027-12.", "until [x] and [x]."},
		{"2027/12, 12-2027, 12\t/\t27", "[x], [x], [x]"},
		{"born 1990-01-31, on 12/27/2024, at 2024-01-22T22:20:55Z", "born 1990-01-31, on 12/27/2024, at 2024-01-22T22:20:55Z"},
		{"13/27 and 12/3 and 2027-13 and 123/27", "13/27 and 12/3 and 2027-13 and 123/27"},
		{"127.0.0.1:8080", "127.0.0.1:8080"},
	}
	for _, c := range cases {
		if got := MonthYears(c.in, "[x]"); got != c.want {
			t.Errorf("MonthYears(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if !IsMonthYear("12/27") || IsMonthYear("12/27 x") || IsMonthYear("12/27/2024") {
		t.Error("IsMonthYear")
	}
}
