package redact

import "strings"

// Card numbers have 13 to 19 digits (ISO/IEC 7812).
const (
	minPANDigits = 13
	maxPANDigits = 19
	ssnDigits    = 9
)

// Kind is a set of the kinds of personal number the scanner finds in text.
type Kind uint8

// The kinds of personal number Text masks. See Text for the shapes each one covers.
const (
	// CardNumber is a Luhn-valid run of 13–19 digits, digit groups joined by separators.
	CardNumber Kind = 1 << iota
	// SSN is three, two and four digits joined by separators: "123-45-6789", "123 45.6789".
	SSN
	// NineDigits is a run of exactly nine digits standing alone that can be an SSN or an ITIN.
	NineDigits
	// EIN is a US employer identification number written dd-ddddddd.
	EIN
)

// ssnKinds are the kinds masked in the ID form (***-**-6789).
const ssnKinds = SSN | NineDigits | EIN

// Text is rosterload's one masking policy for free text on its way to any output (a log line,
// an error, a report cell, the state, a webhook). Every card number becomes PAN of it
// ("****1111") and every SSN-shaped value ID of it ("***-**-6789"), wherever it stands:
//
//   - A card number is a run of 13–19 ASCII digits that passes the Luhn check, its digit groups
//     joined by any number of separators: spaces, dots, dashes, slashes, underscores, no-break
//     and other Unicode spaces (U+00A0, U+2000–U+200A, U+202F, U+3000), invisible characters
//     (soft hyphen U+00AD, zero-width U+200B–U+200F, U+2060, U+FEFF) and Unicode hyphens and
//     dashes (U+2010–U+2015 en and em dash, U+2212 minus). So "4111.1111.1111.1111",
//     "4111/1111/1111/1111" and "4111 - 1111 - 1111 - 1111" are all masked. A longer run is
//     searched for card numbers starting and ending at its digit groups, so that a card number
//     cannot hide by running into the next value ("4111 1111 1111 1111 7" masks the first
//     sixteen digits); where such numbers overlap, the whole stretch they cover is masked as one.
//   - An SSN-shaped value is three, two and four digits joined by separators (the same ones:
//     "123-45-6789", "123 45-6789", "123.45.6789", "123/45/6789"); nine digits standing alone,
//     with no digit or ASCII letter right before or after ("123456789", "#123456789"), unless
//     they cannot be an SSN or ITIN (area 000, group 00 or serial 0000); and a US EIN written
//     dd-ddddddd ("12-3456789", a dash or a Unicode dash between). None may touch another digit.
//
// What this accepts as the price of missing none: a 9-digit employee or order number, a
// 3-2-4 or 2-7 grouped phone or reference number, and a Luhn-valid run of numbers that merely
// stand next to each other (two dates, "2024-01-15 - 2024-02-16", or an amount list, in one
// run of 13–19 digits in one case in ten) are shown masked too. A 9-digit number glued to a
// letter ("E123456789") is not masked. Digits other than ASCII (fullwidth, Arabic-Indic) are
// not recognised. Card expiries are not masked here: on their own they say nothing.
//
// The result holds none of these shapes, even where a mask's last four digits meet the digits
// beside it (they are masked again), so Text(Text(s)) == Text(s). A mask is never longer than
// the digits it replaces by more than two bytes (nine digits become ***-**-6789), so the result
// is at most 2/9 of a byte per input digit longer than s. Text with fewer than nine digits, or
// with nothing to mask, is returned as it is without allocating.
func Text(s string) string { return mask(s, CardNumber|ssnKinds) }

// ScanPANs masks every card number in s, as Text does, and leaves SSN-shaped values alone.
// Text with fewer than 13 digits, or with no card number, is returned as it is without
// allocating. The result holds no card number, even where a mask's last four digits meet the
// digits beside it.
func ScanPANs(s string) string { return mask(s, CardNumber) }

// ScanSSNs masks every SSN-shaped value in s (3-2-4 digits joined by separators, nine digits
// standing alone, an EIN dd-ddddddd), as Text does, and leaves card numbers alone. Text with
// fewer than nine digits, or with nothing to mask, is returned as it is without allocating.
func ScanSSNs(s string) string { return mask(s, ssnKinds) }

// Holds reports which kinds of personal number Text would mask in s (0 when none), without
// allocating. A stretch where a card number and an SSN-shaped value overlap reports both.
func Holds(s string) Kind {
	if countDigits(s) < ssnDigits {
		return 0
	}
	sc := scanner{s: s, find: CardNumber | ssnKinds, detect: true}
	sc.pass()
	return sc.found
}

// mask masks the kinds find in s: one pass over s, then, for card numbers, one over the result
// at the masks' last four digits, the only place a new shape can appear. Text with fewer digits
// than the shortest shape sought is returned at once.
func mask(s string, find Kind) string {
	least := ssnDigits
	if find&ssnKinds == 0 {
		least = minPANDigits
	}
	if countDigits(s) < least {
		return s
	}
	sc := scanner{s: s, find: find}
	sc.pass()
	if sc.done == 0 {
		return s
	}
	sc.out.WriteString(s[sc.done:])
	out := sc.out.String()
	if find&CardNumber == 0 {
		return out
	}
	return sc.extend(out)
}

// extend masks, in o (the first pass's output), the card numbers that start at a mask's last four
// digits and run on into the digit groups after the mask, again and again, so that the result
// holds no card number: "****4242 424242424" becomes "********2424".
//
// No other shape can be new in o. A run of o either holds no mask's digits, and then its groups,
// separators and neighbours were all in s, where nothing was left unmasked; or it starts with a
// mask's last four digits (a mask starts with '*', which ends a run), and a shape that holds
// them starts with a four-digit group, which only a card number can.
func (sc *scanner) extend(o string) string {
	var b strings.Builder
	done := 0
	for t := range sc.ntails {
		p := sc.tail(t) // o[p:p+4] are a mask's last four digits
		var last [4]byte
		copy(last[:], o[p:p+4])
		q := p + 4
		grew := false
		for {
			end, next, ok := cardAfter(last, o, q)
			if !ok {
				break
			}
			if !grew {
				if done == 0 {
					b.Grow(len(o))
				}
				b.WriteString(o[done:p])
				grew = true
			}
			b.WriteString("****")
			last, q = next, end
		}
		if grew {
			b.Write(last[:])
			done = q
		}
	}
	if done == 0 {
		return o
	}
	b.WriteString(o[done:])
	return b.String()
}

// cardAfter looks for the longest card number made of the four digits last followed by the
// digit groups of o[q:] that continue their run (separators, then a digit). It returns where the
// card number ends in o and its last four digits.
func cardAfter(last [4]byte, o string, q int) (end int, next [4]byte, ok bool) {
	var d [maxPANDigits]byte
	n := copy(d[:], last[:])
	for i := q; ; {
		j := nextGroup(o, i)
		if j < 0 {
			return end, next, ok
		}
		k := j
		for k < len(o) && isDigit(o[k]) {
			k++
		}
		if n+k-j > maxPANDigits {
			return end, next, ok
		}
		n += copy(d[n:], o[j:k])
		if n >= minPANDigits && Luhn(d[:n]) {
			end, ok = k, true
			copy(next[:], d[n-4:n])
		}
		i = k
	}
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// nextGroup returns where the digit group after the one ending at i starts: i, past one or more
// separators, must reach a digit. -1 when the run of digit groups ends at i.
func nextGroup(s string, i int) int {
	j := i
	for j < len(s) {
		l := sepLen(s, j)
		if l == 0 {
			break
		}
		j += l
	}
	if j == i || j == len(s) || !isDigit(s[j]) {
		return -1
	}
	return j
}

// sepLen returns the length of the separator that starts s[i:], or 0. Separators are what may
// stand between the digit groups of a card number or an SSN (see Text); none of their bytes is
// a digit.
func sepLen(s string, i int) int {
	switch c := s[i]; c {
	case ' ', '-', '.', '/', '_':
		return 1
	case 0xC2: // U+00A0 no-break space, U+00AD soft hyphen
		if i+1 < len(s) && (s[i+1] == 0xA0 || s[i+1] == 0xAD) {
			return 2
		}
	case 0xE2:
		if i+2 >= len(s) {
			return 0
		}
		b1, b2 := s[i+1], s[i+2]
		switch {
		case b1 == 0x80 && (b2 >= 0x80 && b2 <= 0x8F || // U+2000–U+200F: spaces, zero-widths, direction marks
			b2 >= 0x90 && b2 <= 0x95 || // U+2010–U+2015: hyphens, figure, en and em dash
			b2 == 0xAF), // U+202F narrow no-break space
			b1 == 0x81 && b2 == 0xA0, // U+2060 word joiner
			b1 == 0x88 && b2 == 0x92: // U+2212 minus sign
			return 3
		}
	case 0xE3: // U+3000 ideographic space
		if strings.HasPrefix(s[i:], "\u3000") {
			return 3
		}
	case 0xEF: // U+FEFF zero-width no-break space
		if strings.HasPrefix(s[i:], "\ufeff") {
			return 3
		}
	}
	return 0
}

// isDash reports whether sep is one dash: "-" or a Unicode hyphen, dash or minus sign.
func isDash(sep string) bool {
	if sep == "-" || sep == "\u2212" {
		return true
	}
	return len(sep) == 3 && sep[0] == 0xE2 && sep[1] == 0x80 && sep[2] >= 0x90 && sep[2] <= 0x95
}

// ring holds the last groups of a run: a card number spans at most 19 groups (of a digit each).
const ring = maxPANDigits + 1

// group is a maximal stretch of digits, s[start:end]; cum counts the digits of its run up to
// and including it.
type group struct{ start, end, cum int }

func (g group) len() int { return g.end - g.start }

// span is a stretch of a run to mask: groups a..b, bytes start..end, and the kinds found in it.
type span struct {
	a, b       int
	start, end int
	cumB       int // group b's cum
	kinds      Kind
}

// scanner finds, in one left-to-right pass, every stretch of s to mask. s is cut into runs
// (digit groups joined by separators); for each group, the card numbers and SSN shapes that end
// with it are found among the groups before it, and overlapping ones are merged into one span.
// A span is masked as soon as no later group can extend it. All state is fixed-size, so a pass
// allocates only for its output, and only once something is masked.
type scanner struct {
	s      string
	find   Kind
	detect bool // only record what is found in found; build no output
	found  Kind

	out  strings.Builder
	done int // s[:done] has been written to out (0: nothing masked yet)

	// Where in out each mask's last four digits are, for extend: the first few kept here, the
	// rest in more.
	tails  [8]int
	more   []int
	ntails int

	groups [ring]group // the run's last groups, group n at groups[n%ring]
	n      int         // groups seen in the current run
	pend   [4]span     // spans that a later group may still extend, in order
	np     int
}

func (sc *scanner) pass() {
	s := sc.s
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		sc.n, sc.np = 0, 0
		for {
			st := i
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			sc.addGroup(st, i)
			// Separators followed by a digit continue the run.
			j := nextGroup(s, i)
			if j < 0 {
				break
			}
			i = j
		}
		for sc.np > 0 {
			sc.emit()
		}
	}
}

func (sc *scanner) group(k int) group { return sc.groups[k%ring] }

// addGroup takes the next group of the run, s[st:en], and records what ends with it.
func (sc *scanner) addGroup(st, en int) {
	s := sc.s
	idx := sc.n
	sc.n++
	cum := en - st
	if idx > 0 {
		cum += sc.group(idx - 1).cum
	}
	g := group{st, en, cum}
	sc.groups[idx%ring] = g

	if sc.find&CardNumber != 0 && cum >= minPANDigits {
		// Card numbers ending here: walk back group by group, summing the Luhn check from the
		// right, and keep the earliest start (the longest number) for the span.
		sum, double, first := 0, false, -1
		for k := idx; k >= 0 && idx-k < ring; k-- {
			gk := sc.group(k)
			n := cum - gk.cum + gk.len()
			if n > maxPANDigits {
				break
			}
			for p := gk.end - 1; p >= gk.start; p-- {
				v := int(s[p] - '0')
				if double {
					v *= 2
					if v > 9 {
						v -= 9
					}
				}
				sum += v
				double = !double
			}
			if n >= minPANDigits && sum%10 == 0 {
				first = k
			}
		}
		if first >= 0 {
			sc.add(first, idx, CardNumber)
		}
	}

	if sc.find&ssnKinds != 0 {
		switch {
		case g.len() == 4 && idx >= 2 && sc.group(idx-1).len() == 2 && sc.group(idx-2).len() == 3:
			sc.add(idx-2, idx, SSN)
		case g.len() == 7 && idx >= 1 && sc.group(idx-1).len() == 2 && isDash(s[sc.group(idx-1).end:st]):
			sc.add(idx-1, idx, EIN)
		case g.len() == ssnDigits && (st == 0 || !isASCIILetter(s[st-1])) && (en == len(s) || !isASCIILetter(s[en])) &&
			s[st:st+3] != "000" && s[st+3:st+5] != "00" && s[st+5:en] != "0000":
			sc.add(idx, idx, NineDigits)
		}
	}

	// A span that a later card number cannot reach back to is final: one that did would hold
	// its last group, the 18 or more digits after it and a digit of the next group, too many.
	for sc.np > 0 && cum-sc.pend[0].cumB >= maxPANDigits-1 {
		sc.emit()
	}
}

// add records groups a..b (b the newest group) as to be masked, merging the pending spans it
// overlaps.
func (sc *scanner) add(a, b int, k Kind) {
	sp := span{a: a, b: b, start: sc.group(a).start, end: sc.group(b).end, cumB: sc.group(b).cum, kinds: k}
	for sc.np > 0 && sc.pend[sc.np-1].b >= a {
		top := sc.pend[sc.np-1]
		sc.np--
		if top.a < sp.a {
			sp.a, sp.start = top.a, top.start
		}
		sp.kinds |= top.kinds
	}
	if sc.np == len(sc.pend) { // cannot happen (see addGroup), but never drop a span
		sc.emit()
	}
	sc.pend[sc.np] = sp
	sc.np++
}

// emit masks the oldest pending span.
func (sc *scanner) emit() {
	sp := sc.pend[0]
	copy(sc.pend[:], sc.pend[1:sc.np])
	sc.np--
	sc.found |= sp.kinds
	if sc.detect {
		return
	}
	if sc.done == 0 {
		sc.out.Grow(len(sc.s))
	}
	sc.out.WriteString(sc.s[sc.done:sp.start])
	if writeMask(&sc.out, sc.s[sp.start:sp.end], sp.kinds&CardNumber == 0) {
		p := sc.out.Len() - 4
		if sc.ntails < len(sc.tails) {
			sc.tails[sc.ntails] = p
		} else {
			sc.more = append(sc.more, p)
		}
		sc.ntails++
	}
	sc.done = sp.end
}

func (sc *scanner) tail(t int) int {
	if t < len(sc.tails) {
		return sc.tails[t]
	}
	return sc.more[t-len(sc.tails)]
}

// writeMask writes PAN(v), or ID(v) when id is set, without building the digit string. It
// reports whether the mask ends with four digits.
func writeMask(b *strings.Builder, v string, id bool) bool {
	var last [4]byte
	n := 0
	for i := len(v) - 1; i >= 0; i-- {
		if isDigit(v[i]) {
			if n < 4 {
				last[3-n] = v[i]
			}
			n++
		}
	}
	switch {
	case id && n >= 6:
		b.WriteString("***-**-")
	case id:
		b.WriteString("***-**-****")
		return false
	case n >= 8 && n <= maxPANDigits:
		b.WriteString("****")
	default:
		b.WriteString("****")
		return false
	}
	b.Write(last[:])
	return true
}

// Luhn reports whether a string of ASCII digits passes the Luhn (mod 10) check that every card
// number carries.
func Luhn[T ~string | ~[]byte](d T) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// IssuedID is Text for an identifier the platform issued (a customer, profile or account id):
// a canonical UUID (8-4-4-4-12 hex digits) is shown whole, since its digits run like a card
// number or an SSN by chance (in about 1 random UUID in 200) and a masked one names nothing the
// reader can look up; anything else, such as a card number a lying API put there, is masked
// as Text masks it.
func IssuedID(s string) string {
	if isUUID(s) {
		return s
	}
	return Text(s)
}

// isUUID says whether s is a UUID in its canonical text form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isDigit(c) && (c|0x20 < 'a' || c|0x20 > 'f') {
				return false
			}
		}
	}
	return true
}
