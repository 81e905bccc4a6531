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
	"syscall"

	"github.com/rosterload/rosterload/redact"
)

// Exit codes (README "Exit codes").
const (
	exitOK       = 0 // every row VALID, CREATED, EXISTS or SKIPPED
	exitRows     = 1 // some row has another status
	exitConfig   = 2 // usage, configuration or unreadable source
	exitUnfinish = 3 // the run could not finish
)

func main() {
	soft, hard, stop := signalContexts()
	code := run(soft, hard, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
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

// run executes one command line and returns its exit code. Nothing it calls may panic past it.
// ctx ends on the first interrupt, hard on the second.
func run(ctx, hard context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "rosterload: internal error: %s (please report this)\n", redact.Text(oneLine(fmt.Sprint(r))))
			code = exitUnfinish
		}
	}()
	if len(args) == 0 {
		usage(stderr)
		return exitConfig
	}
	env := os.Getenv
	var err error
	switch args[0] {
	case "validate":
		code, err = cmdValidate(ctx, args[1:], env, stdout, stderr)
	case "run":
		code, err = cmdRun(ctx, hard, args[1:], env, stdout, stderr)
	case "sandbox":
		code, err = cmdSandbox(ctx, args[1:], env, stdout, stderr)
	case "mapping":
		code, err = cmdMapping(ctx, args[1:], env, stdout, stderr)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	default:
		fmt.Fprintf(stderr, "rosterload: unknown command %q\n", args[0])
		usage(stderr)
		return exitConfig
	}
	if err != nil {
		fmt.Fprintln(stderr, "rosterload: "+redact.Text(oneLine(err.Error())))
		return exitCode(err)
	}
	return code
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage:
  rosterload validate [flags] SOURCE   dry run: validate every row, send nothing, write the report
  rosterload run      [flags] SOURCE   validate, submit to the API, write the report
  rosterload mapping  [flags] SOURCE   print the mapping it would use for SOURCE, as YAML
  rosterload sandbox  [flags]          serve the API emulator

Run "rosterload COMMAND -h" for a command's flags. Every flag can also be set as
ROSTERLOAD_<FLAG> in the environment (--program-id is ROSTERLOAD_PROGRAM_ID).
Exit codes: 0 all rows fine, 1 some row not, 2 usage/configuration/unreadable source,
3 the run could not finish.
`)
}

// usageError is a bad command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// errHelp is a -h request: the command printed its help and ends with 0.
var errHelp = errors.New("help requested")
