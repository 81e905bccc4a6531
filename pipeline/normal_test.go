package pipeline

import (
	"hash/maphash"
	"math/rand/v2"
	"strings"
	"testing"
)

// normalByStrings is the normal form as the strings package makes it: what check compared
// before the forms were built on the stack, and the meaning of sharedValue.normal.
func normalByStrings(kind SharedKind, v string) string {
	alnum := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				return r
			}
			return -1
		}, s)
	}
	switch kind {
	case SharedSSN, SharedTaxID:
		return strings.ToUpper(alnum(v))
	case SharedCard:
		return alnum(v)
	case SharedEmail:
		return strings.ToLower(strings.TrimSpace(v))
	case SharedPhone:
		return strings.TrimSpace(v)
	}
	return v
}

// checkNormal fails t when v's normal form, or its key, is not the strings package's.
func checkNormal(t *testing.T, s *Shared, kind SharedKind, v string) {
	t.Helper()
	sv := sharedValue{kind: kind, value: v}
	want := normalByStrings(kind, v)
	if got := sv.normal(); got != want {
		t.Fatalf("%v %q: normal form %q, want %q", kind, v, got, want)
	}
	key, ok := s.key(sv)
	if ok != (want != "") || key != maphash.String(s.seed, string(byte(kind))+want) {
		t.Fatalf("%v %q: key %x, %v; want the hash of %q", kind, v, key, ok, want)
	}
}

var normalKinds = []SharedKind{0, SharedSSN, SharedTaxID, SharedCard, SharedEmail, SharedPhone}

func TestNormalFormsAreTheStringsPackages(t *testing.T) {
	t.Parallel()
	s := &Shared{}
	s.init()
	cases := map[string]string{
		"ssn with dashes":      "123-45-6789",
		"tax id lower":         "ab-12 cd",
		"card with spaces":     "4111 1111 1111 1111",
		"email mixed case":     "  Ana.Lopez@Example.COM\t",
		"email unicode":        "\u00a0ÉLODIE@exemple.fr ",
		"email only spaces":    " \v\f\r\n ",
		"phone spaced":         " +1 415 555 0100 ",
		"phone nel":            "\u0085+14155550100",
		"invalid utf8":         "12\xff3-ab\xc3",
		"empty":                "",
		"longer than 64 bytes": strings.Repeat("Ab-9 ", 30),
		"ascii punctuation":    "!@#$%^&*()_+{}|:<>?",
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			for _, k := range normalKinds {
				checkNormal(t, s, k, v)
			}
		})
	}
	// Random values over the bytes that matter: letters of both cases, digits, separators,
	// ASCII and Unicode spaces, multi-byte runes and broken UTF-8.
	parts := []string{"a", "Z", "m", "Q", "0", "9", "-", " ", "\t", ".", "@", "+", "\u00a0", "\u0085", "é", "İ", "ß", "\xff", "\xc3", "\u3000"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		for _, k := range normalKinds {
			checkNormal(t, s, k, b.String())
		}
	}
}

func FuzzNormalForm(f *testing.F) {
	for _, v := range []string{"123-45-6789", " A@B.c ", "\u00a0x\u0085", "\xff", "4111 1111"} {
		f.Add(v)
	}
	s := &Shared{}
	s.init()
	f.Fuzz(func(t *testing.T, v string) {
		for _, k := range normalKinds {
			checkNormal(t, s, k, v)
		}
	})
}
