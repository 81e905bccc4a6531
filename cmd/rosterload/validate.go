package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/job"
	"github.com/rosterload/rosterload/output"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/sink/payload"
)

// reportOptions are the flags that say where results go.
type reportOptions struct {
	report    string
	summary   string
	logFormat string
	logLevel  string
	workers   int
	strict    *bool
}

func (o *reportOptions) register(fs *flag.FlagSet) {
	o.strict = addStrict(fs)
	fs.StringVar(&o.report, "report", "", "report `path`: .csv, .jsonl or .xlsx (default: <source name>.report.csv here)")
	fs.StringVar(&o.summary, "summary", "", "also write the run summary as JSON to this `path`")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fs.IntVar(&o.workers, "workers", 0, "validation goroutines (default: one per CPU)")
}

// cmdValidate is the dry run: every row is read, mapped, validated and de-duplicated, and the
// report says what the platform would accept. No request is sent.
func cmdValidate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) (err error) {
	var so sourceOptions
	var ro reportOptions
	var co clientOptions
	var payloadPath, apiURL string
	var night nightOptions
	source, log, err := parseJobFlags(ctx, "validate", args, env, stdout, stderr, &so, &ro, &co, func(fs *flag.FlagSet) {
		fs.StringVar(&payloadPath, "payload", "", "also write the requests a run would send, as JSON Lines, to this `path` (card numbers, SSNs and tax ids masked)")
		fs.StringVar(&apiURL, "api-url", "", "with --state: check that the state was written for this API, as run does (default: any)")
		night.register(fs, false)
	})
	if err != nil {
		return err
	}
	if err := night.check(); err != nil {
		return err
	}
	cfg := jobConfig("validate", source, &so, &ro, &night, env)
	cfg.Payload, cfg.APIHost, cfg.ReadOnly, cfg.Client = payloadPath, apiURL, true, co.clientName()
	j := &job.Job{Config: cfg}
	defer func() { j.NotifyEnd(context.WithoutCancel(ctx), err, log) }()
	j.Prepare = func(ctx context.Context, outs job.Outputs) error {
		if outs.State != "" {
			jr, err := j.OpenReadOnlyState(ctx, outs.State, log)
			if err != nil {
				return err
			}
			j.Journal = jr
		}
		if outs.Payload == "" {
			return nil
		}
		out, err := output.OpenDest(ctx, &so.s3, "--payload", outs.Payload)
		if err != nil {
			return err
		}
		j.Cleanups = append(j.Cleanups, out.Cleanup)
		w, err := payload.Create(out.Local)
		if err != nil {
			return fmt.Errorf("%w: %v", job.ErrConfig, err)
		}
		j.Cleanups = append(j.Cleanups, func() { w.Abort() }) // after a Close, there is nothing left to remove
		// One at a time, so that the file follows the source's order.
		j.Sink, j.Concurrency = w, 1
		j.FinishSink = func(ctx context.Context) error {
			if err := w.Close(); err != nil {
				return err
			}
			if err := out.Commit(ctx); err != nil {
				return err
			}
			log.Info("payload written", "path", out.Name, "requests", w.Lines())
			return nil
		}
		return nil
	}
	return j.Run(ctx, log, stderr)
}

// parseJobFlags parses the command line of a command that reads one SOURCE and reports on it,
// with extra flags registered by more, and returns the source and the logger asked for.
// With --clients, the source and the flags the manifest entry gives are the entry's (co.picked),
// and every log line carries the client's name.
func parseJobFlags(ctx context.Context, name string, args []string, env func(string) string, stdout, stderr io.Writer,
	so *sourceOptions, ro *reportOptions, co *clientOptions, more ...func(*flag.FlagSet)) (string, *slog.Logger, error) {
	fs := newFlagSet(name)
	so.register(fs)
	ro.register(fs)
	co.register(fs)
	for _, m := range more {
		m(fs)
	}
	given, err := parseArgs(fs, args, stdout)
	if err != nil {
		return "", nil, err
	}
	if err := fillFromEnv(fs, given, env); err != nil {
		return "", nil, err
	}
	source, err := co.apply(ctx, fs, given, env, &so.s3)
	if err != nil {
		return "", nil, err
	}
	so.env = env
	log, err := newLogger(stderr, ro.logFormat, ro.logLevel)
	if err == nil && co.picked != nil {
		log = log.With("client", co.picked.Name)
	}
	return source, log, err
}

// jobConfig is what validate and run give a job from the flags they share.
func jobConfig(command, source string, so *sourceOptions, ro *reportOptions, night *nightOptions, env func(string) string) job.Config {
	return job.Config{
		Command: command, Source: source, Mapping: so.mapping, S3: &so.s3,
		Open:     func(ctx context.Context, source string) (*ingest.Roster, error) { return openRoster(ctx, so, source) },
		Refuse:   func(format, report string) error { return refuseInapplicable(so, env, format, report) },
		ExitCode: exitCode, Report: ro.report, Summary: ro.summary, Strict: *ro.strict, Workers: ro.workers,
		Night: night.Night, StateKey: redact.NewSecret(env("ROSTERLOAD_STATE_KEY")),
	}
}
