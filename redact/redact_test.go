package redact

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestPANAndID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, pan, id string
	}{
		{name: "card", in: "4242 4242 4242 4242", pan: "****4242", id: "***-**-4242"},
		{name: "ssn", in: "123-45-6789", pan: "****6789", id: "***-**-6789"},
		{name: "short", in: "12345", pan: "****", id: "***-**-****"},
		{name: "empty", in: "", pan: "****", id: "***-**-****"},
		// A card and its expiry in one cell: the last four are the expiry's, so none are shown.
		{name: "card and expiry", in: "4242424242424242 12/31", pan: "****", id: "***-**-1231"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PAN(tt.in); got != tt.pan {
				t.Errorf("PAN(%q) = %q, want %q", tt.in, got, tt.pan)
			}
			if got := ID(tt.in); got != tt.id {
				t.Errorf("ID(%q) = %q, want %q", tt.in, got, tt.id)
			}
		})
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	s := NewSecret("tok-123")
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "token", s)
	for _, out := range []string{s.String(), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), b.String()} {
		if strings.Contains(out, "tok-123") {
			t.Errorf("secret printed: %q", out)
		}
	}
	if s.Reveal() != "tok-123" {
		t.Errorf("Reveal = %q", s.Reveal())
	}
}
