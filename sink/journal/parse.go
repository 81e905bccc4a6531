package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

var errNoExternalID = errors.New("no externalId")

func unknownStatus(s string) error { return fmt.Errorf("unknown status %.20q", s) }

// parseLine reads one line (without its newline, trimmed) into r. Lines as rosterload writes
// them (an object of our keys, ASCII strings without escapes, an integer row) take a fast path
// that allocates nothing; anything else is decoded by encoding/json into an Entry, as it always
// was, so both paths accept and refuse the same lines. isHeader reports a header line.
func parseLine(content []byte, r *raw, hd *header) (isHeader bool, err error) {
	*r = raw{}
	if parseFast(content, r) {
		return false, r.check()
	}
	var e Entry
	if err := json.Unmarshal(content, &e); err != nil {
		return false, errors.New("not valid JSON")
	}
	if cerr := e.check(); cerr != nil {
		if h, ok := parseHeader(content); ok {
			*hd = h
			return true, nil
		}
		return false, cerr
	}
	*r = rawOf(&e)
	return false, nil
}

// parseFast parses content when it has the shape of a line rosterload writes and reports whether
// it did; false leaves the line to encoding/json.
func parseFast(b []byte, r *raw) bool {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipWS(b, i+1) == len(b)
	}
	for {
		key, j, ok := str(b, i)
		if !ok {
			return false
		}
		i = skipWS(b, j)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipWS(b, i+1)
		if i >= len(b) {
			return false
		}
		if string(key) == "row" {
			n, j, ok := integer(b, i)
			if !ok {
				return false
			}
			r.row, i = n, j
		} else {
			v, j, ok := str(b, i)
			if !ok {
				return false
			}
			switch string(key) {
			case "externalId":
				r.extID = v
			case "kind":
				r.kind = v
			case "status":
				r.status = v
			case "idempotencyKey":
				r.key = v
			case "customerId":
				r.ids[0] = v
			case "profileId":
				r.ids[1] = v
			case "financialAccountId":
				r.ids[2] = v
			case "at":
				// What encoding/json calls for a time.Time: the quoted value.
				if r.at.UnmarshalJSON(b[i:j]) != nil {
					return false
				}
			default:
				return false
			}
			i = j
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return skipWS(b, i+1) == len(b)
		default:
			return false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// str reads a JSON string of printable ASCII without escapes at b[i], returning its content and
// the index after its closing quote.
func str(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		if plain[b[j]] {
			continue
		}
		if b[j] == '"' {
			return b[i+1 : j], j + 1, true
		}
		return nil, 0, false
	}
	return nil, 0, false
}

// plain is true for the bytes a string of the fast path holds as they are: printable ASCII but
// the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// integer reads a JSON integer of at most 18 digits at b[i] (what fits an int on any platform
// rosterload runs on is decided by the caller).
func integer(b []byte, i int) (int64, int, bool) {
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	start := i
	var n int64
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		n = n*10 + int64(b[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 18 || (digits > 1 && b[start] == '0') {
		return 0, 0, false
	}
	if i < len(b) && (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
		return 0, 0, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}

// header is the first line of a state file written by this version: what the file is bound to.
type header struct {
	Rosterload string    `json:"rosterload"` // always "state"
	Version    int       `json:"version"`
	Kind       string    `json:"kind"`
	APIHost    string    `json:"apiHost"`
	CreatedAt  time.Time `json:"createdAt"`
}

const (
	headerMagic   = "state"
	formatVersion = 2 // the first version with a header; version 1 is a file of entries only
)

func parseHeader(content []byte) (header, bool) {
	var h header
	if json.Unmarshal(content, &h) != nil || h.Rosterload != headerMagic {
		return header{}, false
	}
	return h, true
}
