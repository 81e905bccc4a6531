package ingest

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/rosterload/rosterload/s3store"
)

// ErrStale is wrapped by the error of an s3:// prefix whose newest roster is older than
// Opener.MaxAge: a client that stopped sending is noticed, and the run is held for a person.
var ErrStale = errors.New("the newest roster is too old")

// StaleError is a prefix whose newest object arrived more than MaxAge before Now. Error() is one
// line saying which file arrived when.
type StaleError struct {
	Prefix string         // the prefix as an s3:// URL
	Newest s3store.Object // its newest object
	Age    time.Duration  // how long before the check it arrived
	MaxAge time.Duration
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("SOURCE %s: the newest roster, %s, arrived %s, %s ago, more than --max-age %s: the run is held",
		e.Prefix, path.Base(e.Newest.URL.Key), e.Newest.LastModified.UTC().Format("2006-01-02 15:04 UTC"),
		ago(e.Age), shortDuration(e.MaxAge))
}

// Unwrap returns ErrStale.
func (e *StaleError) Unwrap() error { return ErrStale }

// checkMaxAge refuses a MaxAge that cannot apply to the source name: only a prefix has a newest
// file whose age says whether the client still sends.
func (o *Opener) checkMaxAge(name string, prefix bool) error {
	switch {
	case o.MaxAge < 0:
		return &ConfigError{Msg: fmt.Sprintf("--max-age %s: want a positive duration", shortDuration(o.MaxAge))}
	case o.MaxAge > 0 && !prefix:
		return &ConfigError{Msg: fmt.Sprintf("SOURCE %s: --max-age applies to an s3://…/ prefix source (its newest roster), not to a file or a single object", name)}
	}
	return nil
}

// checkAge returns a *StaleError when MaxAge is set and newest, the newest object under
// prefix, arrived longer ago than that.
func (o *Opener) checkAge(prefix s3store.URL, newest s3store.Object) error {
	if o.MaxAge <= 0 {
		return nil
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if age := now().Sub(newest.LastModified); age > o.MaxAge {
		return &StaleError{Prefix: prefix.String(), Newest: newest, Age: age, MaxAge: o.MaxAge}
	}
	return nil
}

// ago says an age as closely as a person needs: "3d4h", "5h10m", "12m", "50s".
func ago(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0 && hours > 0:
		return fmt.Sprintf("%dd%dh", days, hours)
	case days > 0:
		return fmt.Sprintf("%dd", days)
	case hours > 0 && mins > 0:
		return fmt.Sprintf("%dh%dm", hours, mins)
	case hours > 0:
		return fmt.Sprintf("%dh", hours)
	}
	return fmt.Sprintf("%dm", mins)
}

// shortDuration is a duration as a flag would be written: "48h", "1h30m", "90s", not "48h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
