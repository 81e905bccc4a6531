package xlsxread

import (
	"fmt"
	"strings"
	"testing"
)

func TestNumberValue(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"phone stays whole", "4155551234", "4155551234"},
		{"zip without its leading zero", "2134", "2134"},
		{"16-digit integer kept as written", "4111111111111111", "4111111111111111"},
		{"exponent expanded", "4.155551234E+09", "4155551234"},
		{"lower-case exponent", "1.5e3", "1500"},
		{"binary float shown as Excel shows it", "0.30000000000000004", "0.3"},
		{"15 significant digits", "1.2345678901234567E+15", "1234567890123460"},
		{"small number", "1.5E-05", "0.000015"},
		{"negative", "-42", "-42"},
		{"negative zero", "-0", "0"},
		{"plus sign", "+7", "7"},
		{"surrounding space", " 12 ", "12"},
		{"not a number", "N/A", "N/A"},
		{"NaN is not expanded", "NaN", "NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := numberValue(tt.in); got != tt.want {
				t.Errorf("numberValue(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestIsDateFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"dd/mm/yyyy", true},
		{"yyyy-mm-dd", true},
		{"mmm d, yyyy", true},
		{"m/d/yy h:mm", true},
		{"[$-409]mmmm d, yyyy;@", true},
		{"mmmm", true},
		{`d "de" mmmm`, true},
		{"DD.MM.YYYY", true},
		{"h:mm", false},
		{"h:mm AM/PM", false},
		{"mm:ss", false},
		{"[h]:mm:ss", false},
		{"General", false},
		{"0.00", false},
		{"#,##0.00 [$USD]", false},
		{`0 "days"`, false},
		{`\d0`, false},
		{"0.00E+00", false},
		{"(000) 000-0000", false},
		{"[Red]0;[Blue]-0;\"dd\"", false},
		{"@", false},
		{"_(* #,##0_);_(* (#,##0);_(* \"-\"??_);_(@_)", false},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			if got := isDateFormat(tt.code); got != tt.want {
				t.Errorf("isDateFormat(%q) = %v, want %v", tt.code, got, tt.want)
			}
		})
	}
}

func TestBuiltInDate(t *testing.T) {
	t.Parallel()
	var dates []string
	for id := range 164 {
		if builtInDate(id) {
			dates = append(dates, fmt.Sprint(id))
		}
	}
	// 18-21, 32-35, 45-47, 55, 56 are times of day or durations.
	want := "14 15 16 17 22 27 28 29 30 31 36 50 51 52 53 54 57 58"
	if got := strings.Join(dates, " "); got != want {
		t.Errorf("built-in date formats = %s, want %s", got, want)
	}
}

func TestDateValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		d1904  bool
		want   string
		wantOK bool
	}{
		{"a date", "31121", false, "1985-03-15", true},
		{"a date and time keeps the day", "31121.99", false, "1985-03-15", true},
		{"1904 system", "29659", true, "1985-03-15", true},
		{"leap day", "36585", false, "2000-02-29", true},
		{"last day Excel has", "2958465", false, "9999-12-31", true},
		{"past 9999", "2958466", false, "", false},
		{"negative", "-1", false, "", false},
		{"day 0 of the 1900 system", "0.5", false, "", false},
		{"day 0 of the 1904 system", "0", true, "1904-01-01", true},
		{"not a number", "x", false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := dateValue(tt.in, tt.d1904)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("dateValue(%q, %v) = %q, %v; want %q, %v", tt.in, tt.d1904, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestISODate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"1985-03-15", "1985-03-15", true},
		{"1985-03-15T10:30:00Z", "1985-03-15", true},
		{"1985-03-15 10:30", "1985-03-15", true},
		{"1985-02-30", "", false},
		{"1985-03-15x", "", false},
		{"15/03/1985", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got, ok := isoDate(tt.in); got != tt.want || ok != tt.ok {
				t.Errorf("isoDate(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestUnescapeXString(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Ann Lee", "Ann Lee"},
		{"carriage return", "a_x000D_b", "a\rb"},
		{"escaped underscore", "_x005F_x000D_", "_x000D_"},
		{"surrogate pair", "_xD83D__xDE00_", "\U0001F600"},
		{"not an escape", "_x12_ and _xZZZZ_", "_x12_ and _xZZZZ_"},
		{"at the end", "tab_x0009_", "tab\t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := unescapeXString(tt.in); got != tt.want {
				t.Errorf("unescapeXString(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRefColumn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ref  string
		want int
		ok   bool
	}{
		{"A1", 0, true}, {"Z9", 25, true}, {"AA10", 26, true}, {"$B$2", 1, true}, {"XFD1048576", 16383, true},
		{"b7", 1, true}, {"1A", 0, false}, {"", 0, false}, {"A-1", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			t.Parallel()
			got, ok := refColumn(tt.ref)
			if ok != tt.ok || (ok && got != tt.want) {
				t.Errorf("refColumn(%q) = %d, %v; want %d, %v", tt.ref, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestSharedStrings stores strings in memory and spilled to a file, across the stride.
func TestSharedStrings(t *testing.T) {
	t.Parallel()
	for _, limit := range []int64{1 << 20, 100} {
		t.Run(fmt.Sprint("limit ", limit), func(t *testing.T) {
			t.Parallel()
			var tab sharedStrings
			var want []string
			tmp := t.TempDir()
			for i := range 100 {
				s := strings.Repeat("é", i%7) + fmt.Sprint(i)
				if i == 50 {
					s = strings.Repeat("long ", 20000) // bigger than a lookup window
				}
				want = append(want, s)
				if err := tab.add([]byte(s), limit, tmp); err != nil {
					t.Fatal(err)
				}
			}
			if err := tab.done(); err != nil {
				t.Fatal(err)
			}
			defer tab.close()
			if spilled := tab.file != nil; spilled != (limit == 100) {
				t.Errorf("spilled = %v with limit %d", spilled, limit)
			}
			for _, i := range []int{0, 15, 16, 17, 50, 99, 3, 98, 51} {
				got, ok, err := tab.get(i)
				if err != nil || !ok || got != want[i] {
					t.Errorf("get(%d) = %.20q, %v, %v; want %.20q", i, got, ok, err, want[i])
				}
			}
			if _, ok, _ := tab.get(100); ok {
				t.Error("get(100) found a string past the end")
			}
			if _, ok, _ := tab.get(-1); ok {
				t.Error("get(-1) found a string")
			}
		})
	}
}
