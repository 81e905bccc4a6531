package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/rosterload/rosterload/api"
)

// uuidRE is the textual form of a UUID (RFC 9562), any version, either case.
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// notTheAPIHint ends the message of a 2xx that is not JSON at all.
const notTheAPIHint = ": is --api-url the platform's API? a login page or a proxy answers like this"

// checkCreated reads a 2xx answer as the documented object of ep and, when it is one, puts its
// ids in r. Otherwise it returns why not, one line for the report; r is left as it was.
func checkCreated(ep api.Endpoint, status int, h http.Header, body []byte, externalID string, r *Result) string {
	answered := func(what, hint string) string {
		return fmt.Sprintf("the API answered HTTP %d with %s, not the documented %s object%s; not taken as a creation",
			status, what, ep.Object, hint)
	}
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	mt, badType := "", false
	if ct := strings.TrimSpace(h.Get("Content-Type")); ct != "" {
		t, _, err := mime.ParseMediaType(ct)
		mt, badType = strings.ToLower(t), err != nil
	}
	html := mt == "text/html" || mt == "application/xhtml+xml" || looksHTML(b)
	switch {
	case html:
		return answered("an HTML page", notTheAPIHint)
	case len(b) == 0 && status == http.StatusNoContent:
		return answered("no body", notTheAPIHint)
	case len(b) == 0:
		return answered("an empty body", notTheAPIHint)
	case badType:
		return answered("a body whose Content-Type is not JSON", notTheAPIHint)
	case mt != "" && !isJSONType(mt):
		return answered(fmt.Sprintf("a %.40s body", mt), notTheAPIHint)
	case !json.Valid(b):
		return answered("a body that is not JSON", notTheAPIHint)
	case b[0] != '{':
		return answered("a JSON "+jsonKind(b[0]), "")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return answered("a JSON object that could not be read", "")
	}
	var ids api.IDs
	var missing []string
	for _, id := range ep.IDs {
		var v string
		if raw, ok := obj[id.Field]; !ok || json.Unmarshal(raw, &v) != nil || !uuidRE.MatchString(v) {
			missing = append(missing, id.Field)
			continue
		}
		ids.Set(id.Role, v)
	}
	if len(missing) > 0 {
		what := "a JSON object without " + strings.Join(missing, ", ") + " as a UUID"
		if len(obj) == 0 {
			what = "an empty JSON object"
		} else if m := errorText(obj); m != "" {
			what += " (its message: " + m + ")"
		}
		return answered(what, "")
	}
	if raw, ok := obj["externalId"]; ok && string(bytes.TrimSpace(raw)) != "null" {
		var got string
		if json.Unmarshal(raw, &got) != nil {
			return answered("an externalId that is not a string", "")
		}
		if got != "" && got != externalID {
			return answered("another record's externalId", "")
		}
	}
	r.CustomerID, r.ProfileID, r.FinancialAccountID = ids.CustomerID, ids.ProfileID, ids.FinancialAccountID
	return ""
}

// looksHTML reports whether a body is an HTML page, whatever its Content-Type says.
func looksHTML(b []byte) bool {
	head := bytes.ToLower(b[:min(len(b), 512)])
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html")) ||
		bytes.HasPrefix(head, []byte("<head")) || bytes.HasPrefix(head, []byte("<body"))
}

// isJSONType reports whether a media type is JSON: application/json or any */*+json.
func isJSONType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func jsonKind(c byte) string {
	switch c {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// errorText is the message of an error object answered with a 2xx, cleaned, or "".
func errorText(obj map[string]json.RawMessage) string {
	for _, k := range []string{"message", "error_description", "error", "detail", "title"} {
		if raw, ok := obj[k]; ok {
			if t := rawText(raw); t != "" && t != withheld {
				const max = 80
				if r := []rune(t); len(r) > max {
					t = string(r[:max-1]) + "…"
				}
				return t
			}
		}
	}
	return ""
}
