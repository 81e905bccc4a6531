package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/rosterload/rosterload/job"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/sink/client"
	"github.com/rosterload/rosterload/sink/journal"
	"github.com/rosterload/rosterload/sink/reconcile"
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
	fs.IntVar(&o.checkpoint, "state-checkpoint", 1000, "with an s3:// --state, upload it every `N` rows submitted (and at the end)")
	fs.StringVar(&o.maxInvalid, "max-invalid", "", "hold the run (exit 4: nothing sent, the report written) if more rows than `N` (or P%) are invalid")
	fs.BoolVar(&o.sandbox, "sandbox", false, "start the API emulator in-process and submit to it")
}

// cmdRun validates, submits and reports.
func cmdRun(ctx, hard context.Context, args []string, env func(string) string, stdout, stderr io.Writer) (ended error) {
	var so sourceOptions
	var ro reportOptions
	var co clientOptions
	var o runOptions
	var night nightOptions
	source, log, err := parseJobFlags(ctx, "run", args, env, stdout, stderr, &so, &ro, &co, o.register,
		func(fs *flag.FlagSet) { night.register(fs, true) })
	if err != nil {
		return err
	}
	if err := night.check(); err != nil {
		return err
	}
	var budget reconcile.Limit
	if o.maxInvalid != "" {
		if budget, err = reconcile.ParseLimit(o.maxInvalid); err != nil {
			return &usageError{msg: "--max-invalid " + err.Error()}
		}
	}
	cc := client.Config{
		BaseURL: o.apiURL, TokenURL: o.tokenURL, Concurrency: o.concurrency, Rate: o.rate,
		MaxAttempts: o.maxAttempts, AttemptTimeout: o.attemptTimeout, Log: log,
		Token:        redact.NewSecret(env("ROSTERLOAD_TOKEN")),
		ClientID:     env("ROSTERLOAD_CLIENT_ID"),
		ClientSecret: redact.NewSecret(env("ROSTERLOAD_CLIENT_SECRET")),
	}
	if err := co.credentials(&cc, env); err != nil && !o.sandbox {
		return err
	}
	var srvStats func() string
	if o.sandbox {
		url, srv, stop, err := inProcessSandbox(log.With("component", "sandbox"))
		if err != nil {
			return fmt.Errorf("start the sandbox: %w", err)
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
		return &usageError{msg: "run: --api-url is required (or --sandbox to submit to the built-in emulator)"}
	}
	if cc.Token.Empty() && cc.ClientID == "" {
		return fmt.Errorf("%w: no credentials: set ROSTERLOAD_TOKEN, or ROSTERLOAD_CLIENT_ID and ROSTERLOAD_CLIENT_SECRET", job.ErrConfig)
	}
	cl, err := client.New(cc)
	if err != nil {
		return fmt.Errorf("%w: %v", job.ErrConfig, err)
	}
	defer cl.Close()

	var state *journal.Kept // saved (an s3:// one uploaded) once the job is done
	cfg := jobConfig("run", source, &so, &ro, &night, env)
	cfg.APIHost, cfg.Client = cc.BaseURL, co.clientName()
	j := &job.Job{Config: cfg, Concurrency: o.concurrency, SubmitCtx: ctx,
		Tally: func(s *reports.Summary) {
			st := cl.Stats()
			s.Requests, s.Retries = st.Requests, st.Retries
			for code, n := range st.HTTPStatus {
				s.HTTPStatus[code] = n
			}
			// Not one answer: the rows are FAILED, but the run itself could not be done.
			s.APIUnreachable = st.Requests > 0 && len(st.HTTPStatus) == 0
		},
	}
	defer func() { j.NotifyEnd(context.WithoutCancel(hard), ended, log) }()
	j.Prepare = func(pctx context.Context, outs job.Outputs) error {
		if o.maxInvalid != "" {
			// The budget is checked on a dry run of the whole file before anything is sent.
			if err := j.CheckInvalidBudget(pctx, budget, log); err != nil {
				return err
			}
		}
		var jr *journal.Journal
		if outs.State != "" {
			st, err := openState(pctx, &so, outs.State, o.checkpoint, j.StateOptions(cc.BaseURL, false, log, outs.State), log)
			if err != nil {
				return err
			}
			state, jr = st, st.Journal
			j.Journal = jr
			j.Cleanups = append(j.Cleanups, func() { st.Close() })
		}
		// A run whose API is down stops after a few rounds of concurrent failures instead of
		// spending every row's retries on it.
		j.Sink = &submit.Sink{Client: cl, Journal: jr, Log: log, MaxUnreachable: max(10, 2*o.concurrency)}
		return nil
	}
	// SIGINT (ctx) stops new requests, the rest of the rows are still read and reported as
	// NOT_SUBMITTED; hard (a second signal) aborts.
	ended = j.Run(hard, log, stderr)
	if ended == nil && ctx.Err() != nil {
		ended = errInterrupted
	}
	if state != nil {
		if err := state.Save(hard); err != nil {
			if message(ended) == "" {
				ended = err
			} else {
				log.Error("state journal not saved", "err", job.OneLine(err.Error()))
			}
		}
	}
	if srvStats != nil && exitCode(ended) != exitConfig {
		fmt.Fprintln(stderr, "  "+srvStats())
	}
	return ended
}

// openState opens the --state journal at dest (a file, or an s3:// object kept in a local copy
// and uploaded every checkpoint outcomes) for the run opts describes.
func openState(ctx context.Context, so *sourceOptions, dest string, checkpoint int, opts journal.Options, log *slog.Logger) (*journal.Kept, error) {
	d, err := output.NewDest(ctx, &so.s3, "--state", dest)
	if err != nil {
		return nil, err
	}
	if d.Remote() {
		err = nil
		if strings.HasSuffix(d.Name, "/") {
			err = &usageError{msg: fmt.Sprintf("--state %s: name an object (…/state.jsonl), not a prefix", dest)}
		} else if checkpoint < 1 {
			err = &usageError{msg: fmt.Sprintf("--state-checkpoint %d: want 1 or more rows", checkpoint)}
		}
		if err != nil {
			d.Cleanup()
			return nil, err
		}
	}
	st, err := journal.OpenDest(ctx, d, checkpoint, opts, log)
	if err != nil {
		d.Cleanup()
		if errors.Is(err, journal.ErrRefused) {
			err = fmt.Errorf("%w: %w", job.ErrConfig, err)
		}
		return nil, err
	}
	for _, w := range st.Warnings() {
		log.Warn("state journal", "path", dest, "warning", w)
	}
	log.Info("state journal opened", "path", dest, "entries", st.Len())
	return st, nil
}
