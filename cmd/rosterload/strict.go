package main

import "flag"

// strictUsage is the help of --strict (validate and run; also ROSTERLOAD_STRICT).
const strictUsage = "an SSN, tax ID or card number that an earlier row of another employee holds is an error (the later row is INVALID and not sent) rather than a warning; a shared email or phone stays a warning"

// addStrict registers --strict on fs; its value goes to pipeline.Pipeline.Strict (and to the
// counting pass of --max-invalid, so that both passes agree on what is INVALID).
func addStrict(fs *flag.FlagSet) *bool { return fs.Bool("strict", false, strictUsage) }
