package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet returns a flag set whose errors are returned as one line, not printed and exited on.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("rosterload "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args, then fills every flag not given on the command line from
// ROSTERLOAD_<FLAG> (dashes as underscores, upper case). The command line wins. -h prints the
// flags to help.
func parseFlags(fs *flag.FlagSet, args []string, env func(string) string, help io.Writer) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(help, "usage: %s [flags] SOURCE\n\nflags (each also ROSTERLOAD_<FLAG>):\n", fs.Name())
			fs.SetOutput(help)
			fs.PrintDefaults()
			return errHelp
		}
		return &usageError{msg: fmt.Sprintf("%s: %v (see %s -h)", fs.Name(), err, fs.Name())}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		key := envName(f.Name)
		if v := env(key); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = &usageError{msg: fmt.Sprintf("%s=%q: %v", key, v, e)}
			}
		}
	})
	return err
}

func envName(flagName string) string {
	return "ROSTERLOAD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// oneSource returns the single SOURCE argument.
func oneSource(fs *flag.FlagSet) (string, error) {
	switch fs.NArg() {
	case 1:
		return fs.Arg(0), nil
	case 0:
		return "", &usageError{msg: fs.Name() + ": SOURCE is missing (a roster file path)"}
	}
	return "", &usageError{msg: fmt.Sprintf("%s: one SOURCE expected, got %d (flags go before SOURCE)", fs.Name(), fs.NArg())}
}

// oneLine keeps a message to one line, for stderr and logs.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
