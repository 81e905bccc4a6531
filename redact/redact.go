// Package redact turns card numbers, SSNs, tax ids and secrets into the masked forms that are all
// rosterload ever writes to a log, a report, a state file or an error.
package redact

import (
	"log/slog"
	"strings"
)

// PAN masks a card number to its last four digits: "•••• 4242" style, written "****4242".
// Fewer than 8 digits shows none, since a short value gives away too large a share, and more
// than 19 none either.
func PAN(s string) string {
	d := digits(s)
	// More digits than a card number has means the value holds something else too (an expiry
	// typed after it): its last four may not be the card's.
	if len(d) < 8 || len(d) > 19 {
		return "****"
	}
	return "****" + d[len(d)-4:]
}

// ID masks an SSN or tax id to its last four digits as ***-**-6789. Fewer than 6 digits shows none.
func ID(s string) string {
	d := digits(s)
	if len(d) < 6 {
		return "***-**-****"
	}
	return "***-**-" + d[len(d)-4:]
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Secret holds a token, password or client secret. It prints, formats and logs as [REDACTED];
// Reveal is the one way to read it, for the request that needs it.
type Secret struct{ v string }

// NewSecret wraps s.
func NewSecret(s string) Secret { return Secret{v: s} }

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return s.v }

// Empty reports whether no secret is set.
func (s Secret) Empty() bool { return s.v == "" }

func (s Secret) String() string {
	if s.v == "" {
		return ""
	}
	return "[REDACTED]"
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return s.String() }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps encoders (JSON, YAML) from writing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
