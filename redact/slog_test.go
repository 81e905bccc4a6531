package redact

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestReplaceAttr: a log line through ReplaceAttr, text or JSON, holds no card number or SSN
// whole, whether it is in the message, a string, an error or another value; what holds none
// is logged as it is.
func TestReplaceAttr(t *testing.T) {
	t.Parallel()
	const pan, ssn = "4111 1111 1111 1111", "123-45-6789"
	tests := []struct {
		name string
		msg  string
		args []any
		want []string // in the line
	}{
		{"message", "row of " + pan, nil, []string{"row of ****1111"}},
		{"string value", "header", []any{"cell", ssn}, []string{"***-**-6789"}},
		{"error value", "failed", []any{"err", errors.New("id " + ssn + " refused")}, []string{"id ***-**-6789 refused"}},
		{"other value", "values", []any{"cells", []string{"E1", pan}}, []string{"****1111"}},
		{"nothing to mask", "rows", []any{"count", 42, "path", "r.csv"}, []string{"42", "r.csv"}},
	}
	for _, tt := range tests {
		for _, format := range []string{"text", "json"} {
			t.Run(tt.name+" "+format, func(t *testing.T) {
				var b bytes.Buffer
				opts := &slog.HandlerOptions{ReplaceAttr: ReplaceAttr}
				var h slog.Handler = slog.NewTextHandler(&b, opts)
				if format == "json" {
					h = slog.NewJSONHandler(&b, opts)
				}
				slog.New(h).Info(tt.msg, tt.args...)
				line := b.String()
				for _, whole := range []string{pan, ssn, "4111111111111111"} {
					if strings.Contains(line, whole) {
						t.Errorf("%q is whole in %s", whole, line)
					}
				}
				for _, w := range tt.want {
					if !strings.Contains(line, w) {
						t.Errorf("%s lacks %q", line, w)
					}
				}
			})
		}
	}
}
