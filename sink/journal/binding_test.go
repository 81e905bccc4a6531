package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// legacyLines is a state file of the version before the header: entries only, each with its kind.
func legacyLines(t *testing.T, es ...Entry) string {
	t.Helper()
	var b strings.Builder
	for _, e := range es {
		if e.At.IsZero() {
			e.At = time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
		}
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func created(id, kind string) Entry {
	return Entry{ExternalID: id, Kind: kind, Status: StatusCreated, CustomerID: "c-" + id}
}

// writeState makes a state through the journal, for opts, holding E1 as CREATED.
func writeState(t *testing.T, path string, opts Options) {
	t.Helper()
	j, err := OpenFor(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	mustRecord(t, j, Entry{ExternalID: "E1", Status: StatusCreated, CustomerID: "c-E1"})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
}

// saltedHeader is the header of a state of the current version without a key.
func saltedHeader(kind, host string) header {
	return header{Rosterload: headerMagic, Version: formatVersion, Kind: kind, APIHost: host,
		Sums: schemeSalted, Salt: bytes.Repeat([]byte{7}, saltSize)}
}

func firstLine(t *testing.T, path string) header {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := bytes.Cut(bytes.TrimLeft(b, " \n"), []byte("\n"))
	h, ok := parseHeader(line)
	if !ok {
		t.Fatalf("first line %q is not a header", line)
	}
	return h
}

func TestBinding(t *testing.T) {
	t.Parallel()
	ewa := Options{Kind: "ewa", Host: "https://api.example.com/v1"}
	cases := []struct {
		name string
		// setup makes the file at path, by a run of its own or by writing it.
		setup func(t *testing.T, path string)
		run   Options
		// want: the file held as this run's and E1 done (""), or refused as a mismatch with
		// this file binding.
		mismatch  *Binding
		wantWarn  string // a warning containing this, "" for none
		wantBound bool   // after the open, the file starts with a header for the run
	}{
		{
			name:     "foreign kind refused",
			setup:    func(t *testing.T, p string) { writeState(t, p, Options{Kind: "individual", Host: "api.example.com"}) },
			run:      ewa,
			mismatch: &Binding{Kind: "individual", Host: "api.example.com"},
		},
		{
			name:     "foreign host refused",
			setup:    func(t *testing.T, p string) { writeState(t, p, Options{Kind: "ewa", Host: "http://127.0.0.1:41234"}) },
			run:      ewa,
			mismatch: &Binding{Kind: "ewa", Host: "127.0.0.1"},
		},
		{
			name:     "staging host refused by production",
			setup:    func(t *testing.T, p string) { writeState(t, p, Options{Kind: "ewa", Host: "api.staging.example.com"}) },
			run:      ewa,
			mismatch: &Binding{Kind: "ewa", Host: "api.staging.example.com"},
		},
		{
			name:      "same host other port accepted",
			setup:     func(t *testing.T, p string) { writeState(t, p, Options{Kind: "ewa", Host: "http://127.0.0.1:41234"}) },
			run:       Options{Kind: "ewa", Host: "http://127.0.0.1:39999/"},
			wantBound: true,
		},
		{
			name:      "host case, port and URL form do not matter",
			setup:     func(t *testing.T, p string) { writeState(t, p, Options{Kind: "EWA", Host: "API.Example.COM:443"}) },
			run:       ewa,
			wantBound: true,
		},
		{
			name: "legacy (headerless) file accepted and adopted",
			setup: func(t *testing.T, p string) {
				writeFile(t, p, legacyLines(t, Entry{ExternalID: "E1", Kind: "ewa", Status: StatusPending}, created("E1", "ewa")))
			},
			run:       ewa,
			wantWarn:  "now bound to kind ewa at API host api.example.com",
			wantBound: true,
		},
		{
			name: "legacy file with a torn last line adopted",
			setup: func(t *testing.T, p string) {
				writeFile(t, p, legacyLines(t, created("E1", "ewa"))+`{"externalId":"E2","kind":"ewa","sta`)
			},
			run:       ewa,
			wantWarn:  "cut short",
			wantBound: true,
		},
		{
			name:     "legacy file with other kind refused",
			setup:    func(t *testing.T, p string) { writeFile(t, p, legacyLines(t, created("E1", "individual"))) },
			run:      ewa,
			mismatch: &Binding{Kind: "individual"},
		},
		{
			name: "legacy file with mixed kinds refused",
			setup: func(t *testing.T, p string) {
				writeFile(t, p, legacyLines(t, created("E1", "ewa"), created("E2", "business")))
			},
			run:      ewa,
			mismatch: &Binding{Kind: "business"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := statePath(t)
			tc.setup(t, path)
			before, _ := os.ReadFile(path)
			j, err := OpenFor(path, tc.run)
			if tc.mismatch != nil {
				if err == nil {
					_ = j.Close()
					t.Fatal("a state of another kind or host was opened")
				}
				var me *MismatchError
				if !errors.Is(err, ErrMismatch) || !errors.As(err, &me) {
					t.Fatalf("err = %v, want a *MismatchError", err)
				}
				runHost, _ := normHost(tc.run.Host)
				if me.File != *tc.mismatch || me.Run != (Binding{Kind: tc.run.Kind, Host: runHost}) || me.Path != path {
					t.Errorf("MismatchError %+v, want file %+v", me, *tc.mismatch)
				}
				msg := err.Error()
				for _, want := range []string{path, tc.mismatch.Kind, "this run is kind ewa at API host api.example.com", "use one state file per kind and API"} {
					if !strings.Contains(msg, want) {
						t.Errorf("message %q does not say %q", msg, want)
					}
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("message %q is not one line", msg)
				}
				if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
					t.Error("a refused state file was modified")
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenFor: %v", err)
			}
			defer j.Close()
			if e, ok := j.Done("E1"); !ok || e.CustomerID != "c-E1" || e.Kind != "ewa" {
				t.Errorf("Done(E1) = %+v, %v", e, ok)
			}
			w := strings.Join(j.Warnings(), "\n")
			if (tc.wantWarn == "") != (w == "") || !strings.Contains(w, tc.wantWarn) {
				t.Errorf("Warnings = %q, want %q", w, tc.wantWarn)
			}
			if tc.wantBound {
				if h := firstLine(t, path); h.Kind != "ewa" || h.Version != formatVersion || (h.APIHost != "api.example.com" && h.APIHost != "127.0.0.1") {
					t.Errorf("header %+v", h)
				}
			}
			// The file is locked, also when binding it replaced it.
			if j2, err := OpenFor(path, tc.run); !errors.Is(err, ErrInUse) {
				if j2 != nil {
					_ = j2.Close()
				}
				t.Errorf("second OpenFor = %v, want ErrInUse", err)
			}
			mustRecord(t, j, created("E2", "ewa"))
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			// Bound now: opened again without warnings, refused to another host.
			j2 := mustOpenFor(t, path, tc.run)
			if w := j2.Warnings(); len(w) != 0 {
				t.Errorf("warnings on the second open: %q", w)
			}
			if _, ok := j2.Done("E2"); !ok {
				t.Error("E2 recorded after binding is lost")
			}
			_ = j2.Close()
			if _, err := OpenFor(path, Options{Kind: "ewa", Host: "sandbox.local"}); !errors.Is(err, ErrMismatch) {
				t.Errorf("bound state opened for another host: %v", err)
			}
		})
	}
}

func mustOpenFor(t *testing.T, path string, opts Options) *Journal {
	t.Helper()
	j, err := OpenFor(path, opts)
	if err != nil {
		t.Fatalf("OpenFor: %v", err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestHeader(t *testing.T) {
	t.Parallel()
	hdr := func(h header) string {
		b, _ := json.Marshal(h)
		return string(b)
	}
	good := saltedHeader("ewa", "api.example.com")
	good.CreatedAt = time.Now().UTC()
	cases := []struct {
		name     string
		content  string // "" with noFile: no file at all
		noFile   bool
		wantErr  func(error) bool
		wantWarn string
		wantLen  int
	}{
		{name: "new file gets a header", noFile: true},
		{name: "empty file gets a header"},
		{name: "blank lines get a header", content: "\n \n"},
		{name: "header-only file", content: hdr(good) + "\n"},
		{name: "header without its newline", content: hdr(good)},
		{name: "header and entries", content: hdr(good) + "\n" + legacyLines(t, created("E1", "ewa")), wantLen: 1},
		{name: "torn header line", content: hdr(good)[:20], wantWarn: "line 1 was cut short"},
		{name: "torn header line of zeros", content: "\x00\x00\x00", wantWarn: "line 1 was cut short"},
		{
			name: "header after blank lines", content: "\n" + hdr(good) + "\n" + legacyLines(t, created("E1", "ewa")), wantLen: 1,
		},
		{
			name: "a second header", content: hdr(good) + "\n" + legacyLines(t, created("E1", "ewa")) + hdr(good) + "\n" + legacyLines(t, created("E2", "ewa")),
			wantErr: isCorrupt(3),
		},
		{
			name: "an entry of another kind after the header", content: hdr(good) + "\n" + legacyLines(t, created("E1", "individual")),
			wantErr: isCorrupt(2),
		},
		{
			name: "a header without a host", content: hdr(header{Rosterload: headerMagic, Version: formatVersion, Kind: "ewa"}) + "\n",
			wantErr: isCorrupt(1),
		},
		{
			name: "a header of an unknown older version", content: hdr(header{Rosterload: headerMagic, Version: 1, Kind: "ewa", APIHost: "h"}) + "\n",
			wantErr: isCorrupt(1),
		},
		{
			name: "a header of a newer version", content: hdr(header{Rosterload: headerMagic, Version: formatVersion + 1, Kind: "ewa", APIHost: "api.example.com"}) + "\n",
			wantErr: func(err error) bool { return err != nil && strings.Contains(err.Error(), "newer rosterload") },
		},
		{
			name: "not our header", content: `{"rosterload":"roster","kind":"ewa"}` + "\n",
			wantErr: isCorrupt(1),
		},
		// Valid JSON is not a line cut short, even last: refused, never truncated.
		{
			name: "a last line of JSON that is not an entry", content: hdr(good) + "\n" + legacyLines(t, created("E1", "ewa")) + `{"status":"CREATED"}`,
			wantErr: isCorrupt(3),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := statePath(t)
			if !tc.noFile {
				writeFile(t, path, tc.content)
			}
			j, err := OpenFor(path, testOpts)
			if tc.wantErr != nil {
				if err == nil {
					_ = j.Close()
				}
				if !tc.wantErr(err) {
					t.Fatalf("OpenFor = %v", err)
				}
				if after, _ := os.ReadFile(path); string(after) != tc.content {
					t.Error("a refused file was modified")
				}
				return
			}
			if err != nil {
				t.Fatalf("OpenFor: %v", err)
			}
			w := strings.Join(j.Warnings(), "\n")
			if (tc.wantWarn == "") != (w == "") || !strings.Contains(w, tc.wantWarn) {
				t.Errorf("Warnings = %q, want %q", w, tc.wantWarn)
			}
			if j.Len() != tc.wantLen {
				t.Errorf("Len = %d, want %d", j.Len(), tc.wantLen)
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			h := firstLine(t, path)
			if h.Kind != "ewa" || h.APIHost != "api.example.com" || h.Version != formatVersion || h.CreatedAt.IsZero() {
				t.Errorf("header %+v", h)
			}
			b, _ := os.ReadFile(path)
			if !bytes.HasSuffix(b, []byte("\n")) || bytes.Count(b, []byte(`"rosterload"`)) != 1 {
				t.Errorf("file after open:\n%s", b)
			}
			if tc.content == hdr(good)+"\n" && string(b) != tc.content {
				t.Error("a header-only file was rewritten")
			}
			j2 := mustOpen(t, path)
			if len(j2.Warnings()) != 0 || j2.Len() != tc.wantLen {
				t.Errorf("reopened: warnings %q, Len %d", j2.Warnings(), j2.Len())
			}
		})
	}
}

func isCorrupt(line int) func(error) bool {
	return func(err error) bool {
		var ce *CorruptError
		return errors.As(err, &ce) && ce.Line == line
	}
}

// Done (and Pending) never answer with an entry of another kind than the journal's: entries
// without a kind are ignored, Record refuses another kind, and Open keeps to a header's kind.
func TestDoneOnlyOfTheJournalsKind(t *testing.T) {
	t.Parallel()
	h, _ := json.Marshal(saltedHeader("ewa", "api.example.com"))
	kindless := legacyLines(t, Entry{ExternalID: "E9", Status: StatusCreated}, Entry{ExternalID: "E8", Status: StatusPending})
	cases := []struct {
		name    string
		content string
		open    func(path string) (*Journal, error)
	}{
		{"legacy file with entries without a kind", legacyLines(t, created("E1", "ewa")) + kindless, func(p string) (*Journal, error) { return OpenFor(p, testOpts) }},
		{"bound file with entries without a kind", string(h) + "\n" + legacyLines(t, created("E1", "ewa")) + kindless, func(p string) (*Journal, error) { return OpenFor(p, testOpts) }},
		{"bound file opened by Open", string(h) + "\n" + legacyLines(t, created("E1", "ewa")) + kindless, Open},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := statePath(t)
			writeFile(t, path, tc.content)
			j, err := tc.open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			if _, ok := j.Done("E1"); !ok {
				t.Error("E1 of this kind is not done")
			}
			if e, ok := j.Done("E9"); ok {
				t.Errorf("Done(E9) = %+v: an entry without a kind was used", e)
			}
			if e, ok := j.Pending("E8"); ok {
				t.Errorf("Pending(E8) = %+v: an entry without a kind was used", e)
			}
			if !strings.Contains(strings.Join(j.Warnings(), "\n"), "2 entries carry no record kind") {
				t.Errorf("Warnings = %q", j.Warnings())
			}
			if err := j.Record(created("E2", "individual")); err == nil {
				t.Error("Record accepted an entry of another kind")
			}
			if _, ok := j.Done("E2"); ok {
				t.Error("an entry of another kind is done")
			}
			mustRecord(t, j, Entry{ExternalID: "E3", Status: StatusCreated})
			if e, ok := j.Done("E3"); !ok || e.Kind != "ewa" {
				t.Errorf("Done(E3) = %+v, %v: want the journal's kind filled in", e, ok)
			}
		})
	}
}

// Open (deprecated) binds nothing: a new file gets no header and any kind is used, as before.
func TestOpenUnbound(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	writeFile(t, path, legacyLines(t, created("E1", "individual"), created("E2", "")))
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustRecord(t, j, created("E3", "business"))
	for _, id := range []string{"E1", "E2", "E3"} {
		if _, ok := j.Done(id); !ok {
			t.Errorf("Done(%s) = false", id)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); bytes.Contains(b, []byte("rosterload")) {
		t.Error("Open wrote a header")
	}
	empty := statePath(t)
	j, err = Open(empty)
	if err != nil {
		t.Fatal(err)
	}
	_ = j.Close()
	if fi, _ := os.Stat(empty); fi.Size() != 0 {
		t.Error("Open wrote to a new file")
	}
}

func TestOpenForOptions(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{{Host: "api.example.com"}, {Kind: "ewa"}, {Kind: "ewa", Host: "https:///v1"}, {Kind: "ewa", Host: ":8080"}} {
		path := statePath(t)
		if j, err := OpenFor(path, o); err == nil {
			_ = j.Close()
			t.Errorf("OpenFor(%+v) accepted", o)
		}
		if _, err := os.Stat(path); err == nil {
			t.Errorf("OpenFor(%+v) created the file", o)
		}
	}
	hosts := map[string]string{
		"https://API.example.com:8443/v1": "api.example.com",
		"api.example.com.":                "api.example.com",
		"http://[::1]:8080":               "::1",
		"127.0.0.1:41234":                 "127.0.0.1",
		"Sandbox":                         "sandbox",
	}
	for in, want := range hosts {
		if got, err := normHost(in); err != nil || got != want {
			t.Errorf("normHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// A legacy file reached through a symbolic link is bound in place: the link stays a link.
func TestBindThroughSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "real.jsonl")
	writeFile(t, real, legacyLines(t, created("E1", "ewa")))
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symbolic links:", err)
	}
	j := mustOpenFor(t, link, testOpts)
	if _, ok := j.Done("E1"); !ok {
		t.Error("E1 lost")
	}
	_ = j.Close()
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if h := firstLine(t, real); h.Kind != "ewa" {
		t.Errorf("header %+v", h)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files left beside the state: %v", entries)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	path := statePath(t)
	writeBenchState(t, path, 5000, 1) // a header and 10,000 lines
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("called for a big file", func(t *testing.T) {
		var calls []LoadProgress
		opts := testOpts
		opts.Kind, opts.Host = benchOpts.Kind, benchOpts.Host
		opts.progressEvery = time.Nanosecond
		opts.Progress = func(p LoadProgress) { calls = append(calls, p) }
		j := mustOpenFor(t, path, opts)
		if j.Len() != 5000 {
			t.Errorf("Len = %d", j.Len())
		}
		if len(calls) < 3 {
			t.Fatalf("Progress called %d times, want every 4096 lines and at the end", len(calls))
		}
		for i, p := range calls {
			if p.Size != fi.Size() || p.Path != path || (i > 0 && (p.Bytes < calls[i-1].Bytes || p.Lines <= calls[i-1].Lines)) {
				t.Errorf("call %d: %+v", i, p)
			}
			if p.Done != (i == len(calls)-1) {
				t.Errorf("call %d: Done = %v", i, p.Done)
			}
		}
		last := calls[len(calls)-1]
		if last.Bytes != fi.Size() || last.Lines != 10001 || last.Percent() != 100 {
			t.Errorf("last call %+v, want the whole file", last)
		}
		if p := calls[0]; p.Percent() <= 0 || p.Percent() >= 100 {
			t.Errorf("first call at %d%%", p.Percent())
		}
	})
	t.Run("not called for a small file", func(t *testing.T) {
		small := statePath(t)
		writeBenchState(t, small, 100, 1)
		opts := benchOpts
		opts.progressEvery = time.Nanosecond
		opts.Progress = func(p LoadProgress) { t.Errorf("Progress(%+v) for a file of 201 lines", p) }
		mustOpenFor(t, small, opts)
	})
}
