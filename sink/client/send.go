package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

// maxBody bounds how much of an answer is read: the documented answers are a few KiB.
const maxBody = 1 << 20

// attempt is what one request learnt.
type attempt struct {
	status int // 0: no answer
	header http.Header
	body   []byte
	err    error // no complete answer
	sent   bool  // with err: the request may have reached the API, so it may have been committed
}

// send is the one retry loop of the package: it posts v to ep's path until the record is settled,
// the attempts run out or ctx ends. A 2xx is a creation only when its answer is ep's documented
// object. The error is ctx's, or a *CredentialsError when no access token can be had.
func (c *Client) send(ctx context.Context, ep api.Endpoint, kind, externalID string, v any, key string) (Result, error) {
	path := ep.Path
	body, err := json.Marshal(v)
	if err != nil {
		// Not err's text: it could quote a value of the record.
		return Result{Outcome: Failed, Message: "the request could not be encoded as JSON"}, nil
	}
	if key == "" {
		key = IdempotencyKey(kind, externalID, body)
	}
	var (
		res       Result
		unknown   bool          // an earlier attempt may have reached the API and been committed
		refreshed bool          // the token was renewed once after a 401
		last      string        // why the latest try did not settle the record
		wait      time.Duration // before the next try
	)
	log := c.log.With("externalId", redact.Text(externalID), "path", path)
	for try := 1; try <= c.cfg.MaxAttempts; try++ {
		if try > 1 {
			log.Debug("retrying", "attempt", try, "after", wait.String(), "reason", last)
			if err := sleep(ctx, wait); err != nil {
				return interrupted(res, unknown, err)
			}
		}
		// The limiter waits on ctx alone: a per-attempt timeout must not count time spent queuing.
		if err := c.throttle(ctx); err != nil {
			return interrupted(res, unknown, err)
		}
		tok, err := c.auth.token(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return interrupted(res, unknown, ctx.Err())
			}
			// No token can be had, now or for the rest of the run (a refusal, or the token
			// endpoint's retries spent): the record is not sent again.
			return failed(res, unknown, clean(err.Error()), nil), err
		}

		res.Attempts++
		a := c.do(ctx, path, body, key, tok)
		c.count(func(s *Stats) {
			s.Requests++
			if res.Attempts > 1 {
				s.Retries++
			}
			if a.status != 0 {
				if s.HTTPStatus == nil {
					s.HTTPStatus = map[int]int{}
				}
				s.HTTPStatus[a.status]++
			}
		})
		if a.status != 0 {
			res.HTTPStatus = a.status
		}
		if a.err != nil {
			unknown = unknown || a.sent
			if ctx.Err() != nil {
				return interrupted(res, unknown, ctx.Err())
			}
			last, wait = "no answer: "+clean(a.err.Error()), c.backoff(try)
			continue
		}

		switch st := a.status; {
		case st >= 200 && st < 300:
			// Not retried either way: a second request would meet the same answer, or create.
			if msg := checkCreated(ep, st, a.header, a.body, externalID, &res); msg != "" {
				res = failed(res, unknown, clean(msg), nil)
				res.Undocumented = true
				return res, nil
			}
			res.Outcome = Created
			return res, nil
		case st >= 300 && st < 400:
			// The API documents no redirect: a login portal or a proxy sends one. It is not
			// followed (the body would go to a URL nobody configured) and counts as an answer
			// that is not the API's.
			where := ""
			if loc := a.header.Get("Location"); loc != "" {
				where = " to " + shownURL(loc)
			}
			res = failed(res, unknown, clean(fmt.Sprintf("the API answered %s, a redirect%s, which it does not document: is --api-url the platform's API?", statusLine(st), where)), nil)
			res.Undocumented = true
			return res, nil
		case st == http.StatusConflict:
			res.Outcome = Exists
			if unknown {
				res.Note = NoteExistsAfterUnknown
			}
			return res, nil
		case st == http.StatusUnauthorized:
			// Once: a token the API refuses twice in a row is not going to be accepted.
			if !refreshed && c.auth.invalidate(tok) {
				refreshed, last, wait = true, "the API refused the access token (HTTP 401)", 0
				continue
			}
			return failed(res, unknown, "the API refused the access token (HTTP 401)", nil), nil
		case st == http.StatusTooManyRequests || st >= 500:
			// A 5xx may come after the API committed the record (a lost answer); a 429 is a refusal.
			unknown = unknown || st >= 500
			msg, _ := failure(st, a.body)
			last = statusLine(st)
			if msg != last {
				last += ": " + msg
			}
			wait = c.backoff(try)
			if ra, ok := parseRetryAfter(a.header.Get("Retry-After"), time.Now()); ok {
				wait = min(ra, c.cfg.MaxRetryAfter)
			}
			continue
		default:
			msg, fes := failure(st, a.body)
			return failed(res, unknown, msg, fes), nil
		}
	}
	return failed(res, unknown, fmt.Sprintf("gave up after %d attempts; last: %s", c.cfg.MaxAttempts, last), nil), nil
}

func failed(res Result, unknown bool, msg string, fes []api.FieldError) Result {
	res.Outcome, res.Message, res.FieldErrors = Failed, msg, fes
	if unknown {
		res.Note = NoteUnknownOutcome
	}
	return res
}

// interrupted is the result of a record the run stopped before it was settled.
func interrupted(res Result, unknown bool, err error) (Result, error) {
	res.Outcome, res.Message = Unknown, "interrupted before the API's answer was known"
	if unknown {
		res.Note = NoteUnknownOutcome
	}
	return res, err
}

// do sends one request and reads its answer, within the attempt timeout.
func (c *Client) do(ctx context.Context, path string, body []byte, key, tok string) attempt {
	actx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return attempt{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	// Deliberately not the canonical "Idempotency-Key" map key (names are case-insensitive on the
	// wire): net/http treats a request carrying that key as replayable and would re-send it by
	// itself when a reused connection closes before the answer, hiding an attempt whose outcome
	// is unknown from this package's retry loop and miscounting attempts.
	req.Header["idempotency-key"] = []string{key}

	resp, err := c.hc.Do(req)
	if err != nil {
		return attempt{err: err, sent: mayHaveSent(err)}
	}
	// Drained and closed so the connection goes back to the pool.
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		_ = resp.Body.Close()
	}()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	a := attempt{status: resp.StatusCode, header: resp.Header, body: b}
	if err != nil {
		a.err, a.sent = fmt.Errorf("reading the HTTP %d answer: %w", resp.StatusCode, err), true
	}
	return a
}

// mayHaveSent tells a failure that happened before the request left (no connection) from one
// after which the API may have received and committed it.
func mayHaveSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false
	}
	var dns *net.DNSError
	return !errors.As(err, &dns)
}

// backoff is the wait after the try-th try: full jitter, uniform in [0, min(MaxBackoff,
// BaseBackoff·2^(try-1))], so that callers failing together do not retry together.
func (c *Client) backoff(try int) time.Duration {
	ceiling := c.cfg.MaxBackoff
	if shift := try - 1; shift < 32 {
		if d := c.cfg.BaseBackoff << shift; d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return rand.N(ceiling + 1)
}

// throttle waits for the rate limiter. Reserve and sleep rather than Limiter.Wait, which fails
// at once when the wait would pass ctx's deadline instead of waiting for the deadline.
func (c *Client) throttle(ctx context.Context) error {
	if c.lim == nil {
		return ctx.Err()
	}
	r := c.lim.Reserve()
	d := r.Delay()
	if d <= 0 {
		return ctx.Err()
	}
	c.count(func(s *Stats) { s.Throttled++ })
	if err := sleep(ctx, d); err != nil {
		r.Cancel() // the turn not taken goes back to the limiter, for the calls still running
		return err
	}
	return nil
}

// sleep waits d, or until ctx ends (its error then); the one wait of the package: the limiter's
// turn, the backoff between tries and the token endpoint's retries.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP-date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, 1<<31)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// shownURL is a URL from an answer as a message may show it: no userinfo, query or fragment.
func shownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactURL(raw)
	}
	u.RawQuery, u.Fragment = "", ""
	return u.Redacted()
}
