package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rosterload/rosterload/job"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/sink/emulator"
)

// sandboxOptions are the emulator's flags (rosterload sandbox).
type sandboxOptions struct {
	addr             string
	latency          time.Duration
	failRate         float64
	throttleRate     float64
	dropRate         float64
	lostResponseRate float64
	rateLimit        float64
	idempotency      bool
	clientID         string
	clientSecret     string
	tokenTTL         time.Duration
	seed             uint64
	logFormat        string
	logLevel         string
}

func (o *sandboxOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen `address`")
	fs.DurationVar(&o.latency, "latency", 0, "added to every API request, e.g. 20ms")
	fs.Float64Var(&o.failRate, "fail-rate", 0, "fraction of requests answered 500")
	fs.Float64Var(&o.throttleRate, "throttle-rate", 0, "fraction answered 429 with Retry-After: 1")
	fs.Float64Var(&o.dropRate, "drop-rate", 0, "fraction whose connection is closed with no answer")
	fs.Float64Var(&o.lostResponseRate, "lost-response-rate", 0, "fraction committed, then answered 500 or dropped")
	fs.Float64Var(&o.rateLimit, "rate-limit", 0, "requests/s beyond which it answers 429 (0: none)")
	fs.BoolVar(&o.idempotency, "idempotency", true, "honour the Idempotency-Key header")
	fs.StringVar(&o.clientID, "client-id", emulator.DefaultClientID, "OAuth2 client id it accepts")
	fs.StringVar(&o.clientSecret, "client-secret", emulator.DefaultClientSecret, "OAuth2 client secret it accepts")
	fs.DurationVar(&o.tokenTTL, "token-ttl", emulator.DefaultTokenTTL, "lifetime of the tokens it issues")
	fs.Uint64Var(&o.seed, "seed", 0, "fault-injection random seed (0: random)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format on stderr: text or json")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
}

func (o *sandboxOptions) config(log *slog.Logger) emulator.Config {
	return emulator.Config{
		Latency: o.latency, FailRate: o.failRate, ThrottleRate: o.throttleRate, DropRate: o.dropRate,
		LostResponseRate: o.lostResponseRate, RateLimit: o.rateLimit, Idempotency: o.idempotency,
		ClientID: o.clientID, ClientSecret: redact.NewSecret(o.clientSecret), TokenTTL: o.tokenTTL,
		Seed: o.seed, Log: log,
	}
}

// cmdSandbox serves the API emulator until interrupted.
func cmdSandbox(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	var o sandboxOptions
	fs := newFlagSet("sandbox")
	o.register(fs)
	if err := parseFlags(fs, args, env, stdout); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return &usageError{msg: "sandbox takes no arguments: " + strings.Join(fs.Args(), " ")}
	}
	log, err := newLogger(stderr, o.logFormat, o.logLevel)
	if err != nil {
		return err
	}
	srv, err := emulator.New(o.config(log))
	if err != nil {
		return fmt.Errorf("%w: %v", job.ErrConfig, err)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("%w: listen on %s: %v", job.ErrConfig, o.addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	log.Info("sandbox listening", "url", "http://"+ln.Addr().String(), "client_id", o.clientID,
		"token_url", "http://"+ln.Addr().String()+"/oauth2/token", "idempotency", o.idempotency)
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	st, _ := json.Marshal(srv.Stats())
	log.Info("sandbox stopped", "stats", string(st))
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// inProcessSandbox starts the emulator on a free loopback port for run --sandbox.
func inProcessSandbox(log *slog.Logger) (url string, srv *emulator.Server, stop func(), err error) {
	srv, err = emulator.New(emulator.Config{Idempotency: true, Log: log})
	if err != nil {
		return "", nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), srv, stop, nil
}
