// Command rosterload onboards the employees of a payroll roster (CSV or XLSX) onto the customer
// platform: it validates every row against the API contract, submits what is valid, and writes a
// report with one line per row.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/rosterload/rosterload/job"
	"github.com/rosterload/rosterload/redact"
)

func main() {
	tuneGC(os.Getenv)
	soft, hard, stop := signalContexts()
	code := run(soft, hard, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// gcPercent is the heap growth rosterload lets the collector allow unless GOGC says otherwise.
// What a run keeps live is small and flat (buffers, one range of the census's occurrences, the
// forward queue's bounded heap: ~15 MB whatever the roster's length), while every row makes
// garbage, so at Go's default of 100 the collector took a fifth of a dry run's CPU. At 400 the
// heap may reach 5x what is live: ~90 MB of peak RSS on a 1M-row dry run instead of ~50, for
// ~15% less wall time (README "How fast a dry run is").
const gcPercent = 400

// tuneGC sets gcPercent, unless the user set GOGC.
func tuneGC(env func(string) string) {
	if env("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}

// signalContexts returns a context cancelled by the first SIGINT or SIGTERM (stop starting work,
// finish the report) and one cancelled by the second (abandon everything).
func signalContexts() (soft, hard context.Context, stop func()) {
	soft, cancelSoft := context.WithCancel(context.Background())
	hard, cancelHard := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-ch; !ok {
			return
		}
		cancelSoft()
		if _, ok := <-ch; ok {
			cancelHard()
		}
	}()
	return soft, hard, func() { signal.Stop(ch); close(ch); cancelSoft(); cancelHard() }
}

// run executes one command line, says in one line on stderr why it failed if it did, and
// returns its exit code. ctx ends on the first interrupt, hard on the second.
func run(ctx, hard context.Context, args []string, stdout, stderr io.Writer) int {
	err := command(ctx, hard, args, stdout, stderr)
	if msg := message(err); msg != "" {
		fmt.Fprintln(stderr, "rosterload: "+redact.Text(job.OneLine(msg)))
	}
	if ue, ok := errors.AsType[*usageError](err); ok && ue.usage {
		usage(stderr)
	}
	return exitCode(err)
}

// command runs the command args name. Nothing it calls may panic past it.
func command(ctx, hard context.Context, args []string, stdout, stderr io.Writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %s (please report this)", job.OneLine(fmt.Sprint(r)))
		}
	}()
	if len(args) == 0 {
		return &usageError{usage: true}
	}
	env := os.Getenv
	switch args[0] {
	case "validate":
		return cmdValidate(ctx, args[1:], env, stdout, stderr)
	case "run":
		return cmdRun(ctx, hard, args[1:], env, stdout, stderr)
	case "sandbox":
		return cmdSandbox(ctx, args[1:], env, stdout, stderr)
	case "mapping":
		return cmdMapping(ctx, args[1:], env, stdout, stderr)
	case "clients":
		return cmdClients(ctx, args[1:], env, stdout)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, version())
		return nil
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return nil
	}
	return &usageError{msg: fmt.Sprintf("unknown command %q", args[0]), usage: true}
}

// commands are the commands and their operands, for the usage text and each command's -h.
var commands = []struct{ name, operands, what string }{
	{"validate", "[flags] SOURCE", "dry run: validate every row, send nothing, write the report"},
	{"run", "[flags] SOURCE", "validate, submit to the API, write the report"},
	{"mapping", "[flags] SOURCE", "print the mapping it would use for SOURCE, as YAML"},
	{"clients", "FILE", "check a clients manifest and list its entries by index"},
	{"sandbox", "[flags]", "serve the API emulator"},
}

// synopsis is what the command name takes on its command line.
func synopsis(name string) string {
	for _, c := range commands {
		if c.name == name {
			return c.operands
		}
	}
	return "[flags]"
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  rosterload %-8s %-16s %s\n", c.name, c.operands, c.what)
	}
	fmt.Fprintf(w, "  rosterload %-25s %s\n", "--version", "the module version and the commit it was built from")
	fmt.Fprint(w, `
Run "rosterload COMMAND -h" for a command's flags; flags may come before or after SOURCE
("--" ends them). Every flag can also be set as ROSTERLOAD_<FLAG> in the environment
(--program-id is ROSTERLOAD_PROGRAM_ID).
Exit codes:
`)
	for _, c := range exitCodes {
		fmt.Fprintf(w, "  %d  %s\n", c.code, c.meaning)
	}
}
