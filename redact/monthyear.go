package redact

// MonthYears replaces every value in s shaped like a card expiry by mask: a month and a year with
// no day (M/YY, MM/YY, MM/YYYY, YYYY-MM, YYYY/MM, MM-YYYY; spaces or tabs around the slash or dash
// allowed; a month 1–12, a four-digit year 1900–2099) that is not part of a longer number or date
// (12/27/2024 and 2024-01-22 stay). Text without such a value comes back as it is. It is not part
// of Text: month-years are common in other text, so only the outputs that may quote a card
// expiry (a validation message, an API's answer) use it.
func MonthYears(s, mask string) string {
	done := 0
	var b []byte
	for i := 0; i < len(s); i++ {
		if end, ok := monthYearAt(s, i); ok {
			b = append(append(b, s[done:i]...), mask...)
			done, i = end, end-1
		}
	}
	if b == nil {
		return s
	}
	return string(append(b, s[done:]...))
}

// IsMonthYear reports whether s is a month-year (as MonthYears finds them) and nothing else.
func IsMonthYear(s string) bool {
	end, ok := monthYearAt(s, 0)
	return ok && end == len(s)
}

// monthYearAt reports whether a month-year starts at s[i], and where it ends.
func monthYearAt(s string, i int) (end int, ok bool) {
	joins := func(c byte) bool { return c == '/' || c == '-' || c == '.' }
	if i >= len(s) || !isDigit(s[i]) ||
		i > 0 && (isDigit(s[i-1]) || joins(s[i-1]) && i > 1 && isDigit(s[i-2])) {
		return 0, false
	}
	number := func(j int) int {
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		return j
	}
	blanks := func(j int) int {
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		return j
	}
	aEnd := number(i)
	j := blanks(aEnd)
	if j == len(s) || s[j] != '/' && s[j] != '-' {
		return 0, false
	}
	bStart := blanks(j + 1)
	bEnd := number(bStart)
	if bEnd < len(s) && (isDigit(s[bEnd]) || joins(s[bEnd]) && bEnd+1 < len(s) && isDigit(s[bEnd+1])) {
		return 0, false
	}
	a, b := s[i:aEnd], s[bStart:bEnd]
	month := func(m string) bool { n := atoi(m); return (len(m) == 1 || len(m) == 2) && n >= 1 && n <= 12 }
	year4 := func(y string) bool { n := atoi(y); return len(y) == 4 && n >= 1900 && n <= 2099 }
	if month(a) && (len(b) == 2 || year4(b)) || year4(a) && month(b) {
		return bEnd, true
	}
	return 0, false
}

// atoi reads a short run of ASCII digits; "" is -1.
func atoi(d string) int {
	if d == "" || len(d) > 4 {
		return -1
	}
	n := 0
	for i := 0; i < len(d); i++ {
		n = n*10 + int(d[i]-'0')
	}
	return n
}
