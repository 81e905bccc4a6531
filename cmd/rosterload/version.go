package main

import (
	"fmt"
	"runtime/debug"
)

// version is the line --version prints: the module's version and the commit the binary was
// built from, as the Go toolchain stamped them ("(devel)" and no commit for a go run or a test
// binary).
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "rosterload (no build information)"
	}
	return versionLine(bi)
}

func versionLine(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	commit := "commit unknown"
	if rev != "" {
		commit = "commit " + rev
		if at != "" {
			commit += " (" + at + ")"
		}
		if modified {
			commit += ", modified"
		}
	}
	return fmt.Sprintf("rosterload %s, %s, %s", v, commit, bi.GoVersion)
}
