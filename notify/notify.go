// Package notify posts a run's summary to a webhook: a URL and a JSON body in; one delivered
// POST, or a one-line error that never shows the URL's secrets, out, within a bounded time.
package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults of Options: a receiver that answers 500 or never answers delays the end of a run by
// at most DefaultDeadline.
const (
	DefaultDeadline       = 15 * time.Second
	DefaultAttempts       = 3
	DefaultAttemptTimeout = 5 * time.Second
	DefaultBackoff        = 500 * time.Millisecond
	DefaultUserAgent      = "rosterload"
)

// maxRetryAfter caps a receiver's Retry-After: the deadline bounds the call anyway, and a long
// wait would only end in giving up.
const maxRetryAfter = 5 * time.Second

var (
	// ErrURL is wrapped by the error for a URL that is refused before any request: not http(s),
	// or no host.
	ErrURL = errors.New("not an http(s) URL with a host")
	// ErrNotDelivered is wrapped by the error of a POST that no attempt delivered.
	ErrNotDelivered = errors.New("not delivered")
)

// errOffHost is a redirect to another host (or from https to http): a webhook URL's path is a
// secret, and the body is for the receiver that was named.
var errOffHost = errors.New("redirected to another host: not followed")

// Options bound a Post; the zero value takes the defaults.
type Options struct {
	Deadline       time.Duration // the whole call, retries and waits included (default 15 s)
	Attempts       int           // at most this many POSTs (default 3)
	AttemptTimeout time.Duration // each POST, until its answer's headers (default 5 s)
	Backoff        time.Duration // the wait before the second attempt, doubled after (default 0.5 s)
	UserAgent      string        // default "rosterload"
}

func (o Options) withDefaults() Options {
	if o.Deadline <= 0 {
		o.Deadline = DefaultDeadline
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultAttempts
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = DefaultAttemptTimeout
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	return o
}

// Check parses raw as a webhook URL, so that a command can refuse a bad one before the run; the
// error wraps ErrURL and shows the URL as Shown does.
func Check(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return nil, fmt.Errorf("notify: the URL does not parse: %w", ErrURL)
	case u.Scheme != "http" && u.Scheme != "https", u.Host == "", u.Opaque != "":
		return nil, fmt.Errorf("notify %s: %w", shown(u), ErrURL)
	}
	return u, nil
}

// Shown is a webhook URL as a message may show it: scheme, host and the path's plain words;
// userinfo, query, fragment and any path segment that may be a token are "…".
func Shown(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "(a URL that does not parse)"
	}
	return shown(u)
}

func shown(u *url.URL) string {
	var b strings.Builder
	if u.Scheme != "" {
		b.WriteString(u.Scheme + "://")
	}
	if u.User != nil {
		b.WriteString("…@")
	}
	b.WriteString(u.Host)
	if u.Opaque != "" {
		b.WriteString("…")
	}
	if p := strings.TrimPrefix(u.EscapedPath(), "/"); p != "" {
		for seg := range strings.SplitSeq(p, "/") {
			if !plainWord(seg) {
				seg = "…"
			}
			b.WriteString("/" + seg)
		}
	}
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteString("?…")
	}
	if u.Fragment != "" {
		b.WriteString("#…")
	}
	return b.String()
}

// plainWord reports whether a path segment is a short lower-case word ("services", "api",
// "webhooks"), which no token generator makes: anything else may be the webhook's secret.
func plainWord(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}

// Post sends body as JSON to rawURL: one POST, again on a network error, 429 or 5xx, up to
// opts.Attempts, and never past opts.Deadline. Any 2xx is delivered (nil). The error is one
// line naming the URL as Shown does; it wraps ErrURL for a refused URL (no request was sent)
// and ErrNotDelivered otherwise.
func Post(ctx context.Context, rawURL string, body []byte, opts Options) error {
	u, err := Check(rawURL)
	if err != nil {
		return err
	}
	opts = opts.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, opts.Deadline)
	defer cancel()
	client := &http.Client{CheckRedirect: sameHost}
	name := shown(u)
	var last string // why the last attempt failed
	for attempt := 1; ; attempt++ {
		retry, wait, why := post(ctx, client, u, body, opts)
		if why == "" {
			return nil
		}
		last = why
		if !retry || attempt == opts.Attempts {
			return notDelivered(name, attempt, last)
		}
		if wait <= 0 {
			wait = opts.Backoff << (attempt - 1)
		}
		if dl, _ := ctx.Deadline(); time.Until(dl) < wait {
			return notDelivered(name, attempt, last+fmt.Sprintf("; no time left for a retry within the %v deadline", opts.Deadline))
		}
		select {
		case <-ctx.Done():
			return notDelivered(name, attempt, last)
		case <-time.After(wait):
		}
	}
}

func notDelivered(name string, attempts int, why string) error {
	tries := "1 attempt"
	if attempts > 1 {
		tries = strconv.Itoa(attempts) + " attempts"
	}
	return fmt.Errorf("notify %s: %w after %s: %s", name, ErrNotDelivered, tries, oneLine(why))
}

// post makes one attempt. It returns why it failed ("" when delivered), whether another
// attempt may do better, and how long the receiver asked to wait first (0: not said).
func post(ctx context.Context, client *http.Client, u *url.URL, body []byte, opts Options) (retry bool, wait time.Duration, why string) {
	actx, cancel := context.WithTimeout(ctx, opts.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return false, 0, "the request cannot be made"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", opts.UserAgent)
	resp, err := client.Do(req)
	if err != nil {
		// A *url.Error repeats the whole URL, secrets and all: keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		switch {
		case errors.Is(err, errOffHost):
			return false, 0, err.Error()
		case errors.Is(ctx.Err(), context.Canceled):
			return false, 0, "cancelled"
		case ctx.Err() != nil:
			return false, 0, fmt.Sprintf("no answer within the %v deadline", opts.Deadline)
		case actx.Err() != nil:
			return true, 0, fmt.Sprintf("no answer within %v", opts.AttemptTimeout)
		}
		return true, 0, err.Error()
	}
	// Drain a little so the connection can be reused, but never wait long on a slow body.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, 0, ""
	}
	why = "HTTP " + resp.Status
	retry = resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); retry && err == nil && s > 0 {
		wait = min(time.Duration(s)*time.Second, maxRetryAfter)
	}
	return retry, wait, why
}

// sameHost follows a redirect only to the same host and port, never from https to http.
func sameHost(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if !strings.EqualFold(req.URL.Host, first.Host) || (first.Scheme == "https" && req.URL.Scheme != "https") {
		return fmt.Errorf("%w (to %s)", errOffHost, req.URL.Host)
	}
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	return nil
}

// oneLine joins a message's lines and runs of spaces: an error is one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
