package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

var errNoExternalID = errors.New("no externalId")

func unknownStatus(s string) error { return fmt.Errorf("unknown status %.20q", s) }

// lineJSON is a line as encoding/json reads it: an entry, and for a done one its sightings and
// the fingerprints of what was sent (the shape, defined by an earlier shape line, and the sums in
// base64).
type lineJSON struct {
	Entry
	FirstSeen    string `json:"firstSeen,omitempty"`
	LastSeen     string `json:"lastSeen,omitempty"`
	MissingSince string `json:"missingSince,omitempty"`
	Shape        int64  `json:"shape,omitempty"`
	Sums         string `json:"sums,omitempty"`
}

// What a line is.
type lineKind uint8

const (
	lineEntry lineKind = iota
	lineHeader
	lineShape
)

// shapeLine defines a shape that later lines name by its id: the paths its fingerprints are of.
type shapeLine struct {
	Rosterload string   `json:"rosterload"` // always "shape"
	ID         int64    `json:"id"`
	Paths      []string `json:"paths"`
}

const shapeMagic = "shape"

// parseLine reads one line (without its newline, trimmed) into r, hd or sl, as its kind says.
// Lines as rosterload writes them (an object of our keys, ASCII strings without escapes, integer
// row and shape) take a fast path that allocates nothing; anything else is decoded by
// encoding/json, so both paths accept and refuse the same lines.
func parseLine(content []byte, r *raw, hd *header, sl *shapeLine) (lineKind, error) {
	*r = raw{}
	if parseFast(content, r) {
		return lineEntry, r.finish()
	}
	var l lineJSON
	if err := json.Unmarshal(content, &l); err != nil {
		return lineEntry, errors.New("not valid JSON")
	}
	if cerr := l.check(); cerr != nil {
		if h, ok := parseHeader(content); ok {
			*hd = h
			return lineHeader, nil
		}
		if json.Unmarshal(content, sl) == nil && sl.Rosterload == shapeMagic && sl.ID > 0 {
			return lineShape, nil
		}
		return lineEntry, cerr
	}
	if err := r.fromJSON(&l); err != nil {
		return lineEntry, err
	}
	return lineEntry, r.finish()
}

func (r *raw) fromJSON(l *lineJSON) error {
	*r = rawOf(&l.Entry)
	var ok [3]bool
	r.first, ok[0] = parseDate([]byte(l.FirstSeen))
	r.last, ok[1] = parseDate([]byte(l.LastSeen))
	r.missing, ok[2] = parseDate([]byte(l.MissingSince))
	if ok != [3]bool{true, true, true} {
		return errBadDate
	}
	r.shapeNo, r.sumsText = l.Shape, []byte(l.Sums)
	return nil
}

var errBadDate = errors.New("a date that is not yyyy-MM-dd")

// finish checks a parsed entry.
func (r *raw) finish() error {
	r.hasSeen = r.first != 0 || r.last != 0
	return r.check()
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
		if string(key) == "row" || string(key) == "shape" {
			n, j, ok := integer(b, i)
			if !ok {
				return false
			}
			if key[0] == 'r' {
				r.row = n
			} else {
				r.shapeNo = n
			}
			i = j
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
			case "firstSeen", "lastSeen", "missingSince":
				d, ok := parseDate(v)
				if !ok {
					return false
				}
				switch key[0] {
				case 'f':
					r.first = d
				case 'l':
					r.last = d
				default:
					r.missing = d
				}
			case "sums":
				r.sumsText = v
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
	// How the fingerprints are made (version 3): "keyed" with the key's id, or "salted" with
	// the salt (see sums.go).
	Sums  string `json:"sums,omitempty"`
	KeyID string `json:"keyId,omitempty"`
	Salt  []byte `json:"salt,omitempty"`
}

const (
	headerMagic = "state"
	// Version 3 adds sightings, fingerprints and shape lines, and is compacted at each close;
	// version 2 was the first with a header; version 1 is a file of entries only.
	formatVersion = 3
	oldVersion    = 2 // the oldest header read (and upgraded)
	schemeKeyed   = "keyed"
	schemeSalted  = "salted"
)

func parseHeader(content []byte) (header, bool) {
	var h header
	if json.Unmarshal(content, &h) != nil || h.Rosterload != headerMagic {
		return header{}, false
	}
	return h, true
}
