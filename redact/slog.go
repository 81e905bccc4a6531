package redact

import (
	"fmt"
	"log/slog"
)

// ReplaceAttr is a slog.HandlerOptions.ReplaceAttr that puts every text a log line carries (the
// message, string values, errors and other values as they print) through Text: a header row of
// data, an id or a path may hold a card number or an SSN.
func ReplaceAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if m := Text(a.Value.String()); m != a.Value.String() {
			a.Value = slog.StringValue(m)
		}
	case slog.KindAny:
		s := fmt.Sprint(a.Value.Any())
		if m := Text(s); m != s {
			a.Value = slog.StringValue(m)
		}
	}
	return a
}
