package redact

import "strings"

// Card numbers have 13 to 19 digits (ISO/IEC 7812).
const (
	minPANDigits = 13
	maxPANDigits = 19
)

// ScanPANs masks every card number found in free text, such as a note column or a message: a run
// of 13–19 digits that passes the Luhn check becomes PAN of it ("****4242"). Digit groups may be
// joined by separators, any number of spaces, no-break spaces and dashes ("4242 4242",
// "4242-4242", "4242  -  4242"), since a reader sees a card number in each and the usual scanners
// look for one there. A longer run is searched for such a number starting and ending at its digit
// groups ("4242 4242 4242 4242 7" masks the first sixteen digits), so that a card number cannot
// hide by running into the next value. Text with fewer than 13 digits is returned as it is,
// without allocating. The result holds no such run, even where a mask's last four digits meet
// the digits beside it.
func ScanPANs(s string) string {
	for {
		if countDigits(s) < minPANDigits {
			return s
		}
		out, changed := scanOnce(s)
		if !changed {
			return out
		}
		// Each pass turns 13 or more digits into 4, so this ends; a second pass catches a new
		// run made of a mask's last four digits and the digits that followed the card number.
		s = out
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

// sepLen returns the length of the separator that starts s[i:], or 0: a space, a dash, or a
// no-break space (U+00A0, U+2007 figure space, U+202F narrow), which spreadsheets and word
// processors put between digit groups. None of their bytes is a digit.
func sepLen(s string, i int) int {
	switch {
	case s[i] == ' ' || s[i] == '-':
		return 1
	case strings.HasPrefix(s[i:], "\u00a0"):
		return 2
	case strings.HasPrefix(s[i:], "\u2007"), strings.HasPrefix(s[i:], "\u202f"):
		return 3
	}
	return 0
}

// scanOnce masks the card numbers of s in one left-to-right pass.
func scanOnce(s string) (string, bool) {
	var b strings.Builder
	done := 0 // s[:done] has been copied to b
	changed := false
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		end := runEnd(s, i)
		// Within the run s[i:end], try each group start in turn; take the longest card number
		// that starts there, then go on after it.
		for g := i; g < end; {
			if m := longestPAN(s[g:end]); m > 0 {
				if !changed {
					b.Grow(len(s))
					changed = true
				}
				b.WriteString(s[done:g])
				b.WriteString(PAN(s[g : g+m]))
				done = g + m
				g += m
			} else {
				g = groupEnd(s, g, end)
			}
			// Skip the separators to the next group.
			for g < end && !isDigit(s[g]) {
				g++
			}
		}
		i = end
	}
	if !changed {
		return s, false
	}
	b.WriteString(s[done:])
	return b.String(), true
}

// runEnd returns the end of the run of digits that starts at i (a digit): digit groups joined
// by separators.
func runEnd(s string, i int) int {
	for i < len(s) {
		if isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) {
			n := sepLen(s, j)
			if n == 0 {
				break
			}
			j += n
		}
		if j == i || j == len(s) || !isDigit(s[j]) {
			return i
		}
		i = j
	}
	return i
}

// groupEnd returns the end of the digit group that starts at g, within a run ending at end.
func groupEnd(s string, g, end int) int {
	for g < end && isDigit(s[g]) {
		g++
	}
	return g
}

// longestPAN returns the length of the longest prefix of run (a run of digit groups, starting at
// a digit) that ends at a group's end and is a card number, or 0.
func longestPAN(run string) int {
	var d [maxPANDigits]byte
	n, best := 0, 0
	for i := 0; i < len(run); i++ {
		c := run[i]
		if !isDigit(c) {
			continue
		}
		if n == maxPANDigits {
			break
		}
		d[n] = c
		n++
		if n >= minPANDigits && (i+1 == len(run) || !isDigit(run[i+1])) && Luhn(d[:n]) {
			best = i + 1
		}
	}
	return best
}

// ScanSSNs masks every US social security number written in its usual form in free text: three,
// two and four digits joined by a dash or a space each ("123-45-6789", "123 45 6789"), with no
// digit right before or after, becomes ID of it ("***-**-6789"). Nine digits written without
// separators are left alone: too many other numbers look like that. Text with fewer than nine
// digits is returned as it is, without allocating.
func ScanSSNs(s string) string {
	if countDigits(s) < 9 {
		return s
	}
	var b strings.Builder
	done := 0
	for i := 0; i+11 <= len(s); i++ {
		if !isSSNAt(s, i) {
			continue
		}
		if done == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:i])
		b.WriteString(ID(s[i : i+11]))
		done = i + 11
		i += 10
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// isSSNAt reports whether s[i:i+11] is "ddd-dd-dddd" (a space for either dash) with no digit
// on either side.
func isSSNAt(s string, i int) bool {
	if i > 0 && isDigit(s[i-1]) || i+11 < len(s) && isDigit(s[i+11]) {
		return false
	}
	for k := range 11 {
		c := s[i+k]
		switch k {
		case 3, 6:
			if c != '-' && c != ' ' {
				return false
			}
		default:
			if !isDigit(c) {
				return false
			}
		}
	}
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
