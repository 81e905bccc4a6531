package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"log/slog"

	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/s3store"
	"github.com/rosterload/rosterload/sink/client"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/sink/submit"
)

// runOptions are the submission flags of rosterload run.
type runOptions struct {
	apiURL         string
	tokenURL       string
	concurrency    int
	rate           float64
	maxAttempts    int
	attemptTimeout time.Duration
	state          string
	checkpoint     int
	maxInvalid     string
	sandbox        bool
}

func (o *runOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.apiURL, "api-url", "", "platform API base `URL` (https unless loopback)")
	fs.StringVar(&o.tokenURL, "token-url", "", "OAuth2 token `URL` (default <api-url>/oauth2/token)")
	fs.IntVar(&o.concurrency, "concurrency", 8, "requests in flight at once")
	fs.Float64Var(&o.rate, "rate", 25, "requests per second at most (0: no limit)")
	fs.IntVar(&o.maxAttempts, "max-attempts", 6, "attempts per record (retries on network errors, 429 and 5xx)")
	fs.DurationVar(&o.attemptTimeout, "attempt-timeout", 30*time.Second, "time allowed for one request")
	fs.StringVar(&o.state, "state", "", "state journal `file` or s3:// URL: rows it holds as done are SKIPPED")
	fs.IntVar(&o.checkpoint, "state-checkpoint", 1000, "with an s3:// --state, upload it every `N` rows submitted (and at the end)")
	fs.StringVar(&o.maxInvalid, "max-invalid", "", "submit nothing if more rows than `N` (or P%) are invalid")
	fs.BoolVar(&o.sandbox, "sandbox", false, "start the API emulator in-process and submit to it")
}

// maxInvalid parses --max-invalid: "" (no limit), "N" or "P%".
func parseMaxInvalid(s string) (n int, pct float64, set bool, err error) {
	if s == "" {
		return 0, 0, false, nil
	}
	if p, ok := strings.CutSuffix(s, "%"); ok {
		pct, err = strconv.ParseFloat(p, 64)
		if err != nil || pct < 0 || pct > 100 {
			return 0, 0, false, &usageError{msg: fmt.Sprintf("--max-invalid %q: want a count or a percentage 0-100%%", s)}
		}
		return -1, pct, true, nil
	}
	n, err = strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, 0, false, &usageError{msg: fmt.Sprintf("--max-invalid %q: want a count or a percentage", s)}
	}
	return n, 0, true, nil
}

// cmdRun validates, submits and reports.
func cmdRun(ctx, hard context.Context, args []string, env func(string) string, stdout, stderr io.Writer) (int, error) {
	var so sourceOptions
	var ro reportOptions
	var o runOptions
	source, log, err := parseJobFlags("run", args, env, stdout, stderr, &so, &ro, o.register)
	if err != nil {
		return exitCode(err), filterHelp(err)
	}
	maxN, maxPct, limited, err := parseMaxInvalid(o.maxInvalid)
	if err != nil {
		return exitConfig, err
	}
	cc := client.Config{
		BaseURL: o.apiURL, TokenURL: o.tokenURL, Concurrency: o.concurrency, Rate: o.rate,
		MaxAttempts: o.maxAttempts, AttemptTimeout: o.attemptTimeout, Log: log,
		Token:        redact.NewSecret(env("ROSTERLOAD_TOKEN")),
		ClientID:     env("ROSTERLOAD_CLIENT_ID"),
		ClientSecret: redact.NewSecret(env("ROSTERLOAD_CLIENT_SECRET")),
	}
	var srvStats func() string
	if o.sandbox {
		url, srv, stop, err := inProcessSandbox(log.With("component", "sandbox"))
		if err != nil {
			return exitUnfinish, fmt.Errorf("start the sandbox: %w", err)
		}
		defer stop()
		cc.BaseURL, cc.TokenURL, cc.Token = url, "", redact.Secret{}
		cc.ClientID, cc.ClientSecret = "sandbox", redact.NewSecret("sandbox-secret")
		srvStats = func() string {
			st := srv.Stats()
			return fmt.Sprintf("sandbox now holds %d customers, %d EWA profiles, %d financial accounts (%d API requests)",
				st.Customers, st.Profiles, st.FinancialAccounts, st.Requests)
		}
		log.Info("sandbox started in-process", "url", url)
	}
	if cc.BaseURL == "" {
		return exitConfig, &usageError{msg: "rosterload run: --api-url is required (or --sandbox to submit to the built-in emulator)"}
	}
	if cc.Token.Empty() && cc.ClientID == "" {
		return exitConfig, configErrorf("no credentials: set ROSTERLOAD_TOKEN, or ROSTERLOAD_CLIENT_ID and ROSTERLOAD_CLIENT_SECRET")
	}
	cl, err := client.New(cc)
	if err != nil {
		return exitConfig, fmt.Errorf("%w: %v", errConfig, err)
	}
	defer cl.Close()

	var s3st *s3State // an s3:// --state: a local copy, uploaded at checkpoints
	j := &job{
		command: "run", source: source, so: &so, ro: &ro, state: o.state, concurrency: o.concurrency,
		submitCtx: ctx,
		finish: func(s *reports.Summary) {
			st := cl.Stats()
			s.Requests, s.Retries = st.Requests, st.Retries
			for code, n := range st.HTTPStatus {
				s.HTTPStatus[code] = n
			}
			if st.Requests > 0 && len(st.HTTPStatus) == 0 {
				// Not one answer: the rows are FAILED, but the run itself could not be done.
				s.APIUnreachable = true
				s.ExitCode = exitUnfinish
			}
		},
	}
	j.prepare = func(pctx context.Context, outs outputs) error {
		if limited {
			// The budget is checked on a dry run of the whole file before anything is sent.
			if err := checkInvalidBudget(pctx, source, &so, maxN, maxPct, log); err != nil {
				return err
			}
		}
		var jr *journal.Journal
		if outs.state != "" {
			statePath, named := outs.state, func(s string) string { return s }
			if s3store.IsURL(outs.state) {
				st, err := openS3State(pctx, &so.s3, outs.state, o.checkpoint, log)
				if err != nil {
					return err
				}
				s3st = st // cleaned up by cmdRun, after its last upload
				statePath, named = s3st.local, s3st.name
			}
			var err error
			jr, err = journal.OpenFor(statePath, journal.Options{Kind: string(j.kind), Host: cc.BaseURL,
				Progress: func(p journal.LoadProgress) {
					log.Info("loading the state journal", "path", outs.state, "percent", p.Percent(), "lines", p.Lines)
				}})
			if err != nil {
				return fmt.Errorf("%w: %s", errConfig, named(err.Error()))
			}
			j.cleanups = append(j.cleanups, func() { jr.Close() })
			for _, w := range jr.Warnings() {
				log.Warn("state journal", "path", outs.state, "warning", named(w))
			}
			log.Info("state journal opened", "path", outs.state, "entries", jr.Len())
		}
		// A run whose API is down stops after a few rounds of concurrent failures instead of
		// spending every row's retries on it.
		j.sink = &submit.Sink{Client: cl, Journal: jr, Log: log, MaxUnreachable: max(10, 2*o.concurrency)}
		if s3st != nil {
			if err := s3st.detach(); err != nil {
				return err
			}
			s3st.start(hard)
			j.sink = checkpointSink{Sink: j.sink, state: s3st}
		}
		return nil
	}
	defer func() {
		if s3st != nil {
			s3st.cleanup()
		}
	}()
	// SIGINT (ctx) stops new requests, the rest of the rows are still read and reported as
	// NOT_SUBMITTED; hard (a second signal) aborts.
	code, err := execute(hard, j, log, stderr)
	if err == nil && ctx.Err() != nil {
		code = max(code, exitRows)
	}
	if s3st != nil && s3st.started() {
		if serr := s3st.finish(hard); serr != nil {
			if err == nil {
				code, err = exitCode(serr), serr
			} else {
				log.Error("state journal not saved", "err", oneLine(serr.Error()))
			}
		}
	}
	if srvStats != nil && code != exitConfig {
		fmt.Fprintln(stderr, "  "+srvStats())
	}
	return code, err
}

// errBudget is a run held by --max-invalid: nothing was sent.
var errBudget = errors.New("too many invalid rows")

// checkInvalidBudget dry-runs the source and refuses, with errBudget, when too many rows are
// invalid.
func checkInvalidBudget(ctx context.Context, source string, so *sourceOptions, maxN int, maxPct float64, log *slog.Logger) error {
	n, invalid, err := countInvalid(ctx, source, so)
	if err != nil {
		return err
	}
	limit := maxN
	if maxN < 0 {
		limit = int(float64(n) * maxPct / 100)
	}
	log.Info("invalid-row budget", "rows", n, "invalid", invalid, "allowed", limit)
	if invalid > limit {
		return fmt.Errorf("%w: %d of %d rows are invalid, more than --max-invalid allows (%d): nothing was submitted; run rosterload validate for the report", errBudget, invalid, n, limit)
	}
	return nil
}

// countInvalid dry-runs the whole source and counts its rows and the INVALID ones among them.
func countInvalid(ctx context.Context, source string, so *sourceOptions) (rowsN, invalid int, err error) {
	r, err := openRoster(ctx, so, source)
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	v, err := newValidator(r.cfg)
	if err != nil {
		return 0, 0, err
	}
	sum := reports.NewSummary("validate", source, string(r.cfg.Kind), time.Now())
	p := &pipeline.Pipeline{Source: r.src, Mapper: r.mapper, Validator: v, Report: discardReport{}, Summary: sum}
	if err := p.Run(ctx); err != nil {
		return 0, 0, err
	}
	return sum.RowsRead, sum.Statuses[reports.Invalid], nil
}

// discardReport is the report of a counting pass.
type discardReport struct{}

func (discardReport) Write(*reports.Line) error { return nil }
func (discardReport) Close() error              { return nil }
func (discardReport) Abort() error              { return nil }
func (discardReport) Path() string              { return "" }
