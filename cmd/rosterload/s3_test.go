package main

// S3 tests (issue 4) of the command line against a real MinIO, which `make test` builds and
// names in $ROSTERLOAD_MINIO; without it they skip. They use t.Setenv, so none is parallel.

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rosterload/rosterload/internal/rostergen"
	"github.com/rosterload/rosterload/s3store/miniotest"
	"github.com/rosterload/rosterload/sink/emulator"
)

// minio is the server of the S3 tests: started by TestMain through withMinIO, nil without it.
var minio *miniotest.Server

// withMinIO runs the package's tests, with MinIO if $ROSTERLOAD_MINIO names it.
func withMinIO(m *testing.M) int { return miniotest.Main(m, &minio) }

// s3Bucket makes a bucket for the test, named after it.
func s3Bucket(t *testing.T) string {
	t.Helper()
	return miniotest.NewBucket(t, minio)
}

func s3PutFile(t *testing.T, bucket, key, path string) {
	t.Helper()
	if err := minio.PutFile(context.Background(), bucket, key, path); err != nil {
		t.Fatal(err)
	}
}

func s3GetObject(t *testing.T, bucket, key string) []byte {
	t.Helper()
	b, err := minio.Get(context.Background(), bucket, key)
	if err != nil {
		t.Fatalf("get s3://%s/%s: %v", bucket, key, err)
	}
	return b
}

func s3Head(t *testing.T, bucket, key string) *s3.HeadObjectOutput {
	t.Helper()
	out, err := minio.Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("head s3://%s/%s: %v", bucket, key, err)
	}
	return out
}

// jsonlRows parses a JSONL report, without the platform's ids (each run --sandbox has its own
// emulator, whose ids differ).
func jsonlRows(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("report line %q: %v", line, err)
		}
		delete(m, "customerId")
		delete(m, "profileId")
		delete(m, "financialAccountId")
		out = append(out, m)
	}
	return out
}

// TestS3SameReportAsDisk (acceptance 1): validate and run --sandbox with an s3:// CSV or XLSX
// source and an s3:// report give the rows the same files give from disk.
func TestS3SameReportAsDisk(t *testing.T) {
	b := s3Bucket(t)
	mapping, _ := filepath.Abs(td("sample", "mapping.yaml"))
	sample, _ := filepath.Abs(td("sample", "employees.csv"))
	xlsx, _ := filepath.Abs(td("individual", "employees.xlsx"))
	s3PutFile(t, b, "in/employees.csv", sample)
	s3PutFile(t, b, "in/employees.xlsx", xlsx)
	xlsxArgs := []string{"--kind", "individual", "--sheet", "Employees", "--header-row", "3"}

	tests := []struct {
		name   string
		cmd    string
		flags  []string
		file   string // on disk
		key    string // the same in the bucket
		report string // report extension
		env    map[string]string
	}{
		{name: "validate csv", cmd: "validate", flags: []string{"--mapping", mapping}, file: sample, key: "in/employees.csv", report: ".jsonl"},
		{name: "validate csv csv report", cmd: "validate", flags: []string{"--mapping", mapping}, file: sample, key: "in/employees.csv", report: ".csv"},
		{name: "validate xlsx", cmd: "validate", flags: xlsxArgs, file: xlsx, key: "in/employees.xlsx", report: ".jsonl"},
		{name: "validate xlsx xlsx report", cmd: "validate", flags: xlsxArgs, file: xlsx, key: "in/employees.xlsx", report: ".xlsx"},
		{name: "run csv", cmd: "run", flags: []string{"--sandbox", "--mapping", mapping}, file: sample, key: "in/employees.csv", report: ".jsonl"},
		{name: "run xlsx", cmd: "run", flags: append([]string{"--sandbox"}, xlsxArgs...), file: xlsx, key: "in/employees.xlsx", report: ".jsonl"},
		// The endpoint from ROSTERLOAD_S3_ENDPOINT (the flag), not AWS_ENDPOINT_URL_S3.
		{name: "validate csv endpoint flag", cmd: "validate", flags: []string{"--mapping", mapping}, file: sample, key: "in/employees.csv", report: ".jsonl",
			env: map[string]string{"AWS_ENDPOINT_URL_S3": "", "ROSTERLOAD_S3_ENDPOINT": minio.Endpoint}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			local := filepath.Join(dir, "disk.report"+tt.report)
			args := append(append([]string{tt.cmd, "--log-level", "warn"}, tt.flags...), "--report", local, tt.file)
			disk := runCLI(t, nil, args...)
			if disk.code != exitRows {
				t.Fatalf("from disk: exit %d, want 1 (the files have bad rows); stderr:\n%s", disk.code, disk.stderr)
			}

			key := "reports/" + strings.ReplaceAll(tt.name, " ", "-") + tt.report
			sumKey := "reports/" + strings.ReplaceAll(tt.name, " ", "-") + ".summary.json"
			args = append(append([]string{tt.cmd, "--log-level", "warn"}, tt.flags...),
				"--report", "s3://"+b+"/"+key, "--summary", "s3://"+b+"/"+sumKey, "s3://"+b+"/"+tt.key)
			remote := runCLI(t, tt.env, args...)
			if remote.code != disk.code {
				t.Fatalf("from S3: exit %d, from disk %d; stderr:\n%s", remote.code, disk.code, remote.stderr)
			}
			want, err := os.ReadFile(local)
			if err != nil {
				t.Fatal(err)
			}
			got := s3GetObject(t, b, key)
			if tt.report == ".xlsx" {
				// The zip entries carry the time they were written: compare what a reader sees.
				fromS3 := filepath.Join(dir, "s3.report.xlsx")
				if err := os.WriteFile(fromS3, got, 0o600); err != nil {
					t.Fatal(err)
				}
				if g, w := xlsxContent(t, fromS3), xlsxContent(t, local); !reflect.DeepEqual(g, w) {
					t.Errorf("the XLSX report from S3 differs from the one from disk:\n S3  %v\n disk %v", g, w)
				}
			} else if tt.report == ".csv" || tt.cmd == "validate" {
				if !bytes.Equal(got, want) {
					t.Errorf("the report from S3 differs from the one from disk:\n--- S3\n%s\n--- disk\n%s", got, want)
				}
			} else if g, w := jsonlRows(t, got), jsonlRows(t, want); !reflect.DeepEqual(g, w) {
				t.Errorf("the report rows from S3 differ from those from disk:\n S3  %v\n disk %v", g, w)
			}
			if n := bytes.Count(got, []byte("\n")); n < 7 && tt.report != ".xlsx" {
				t.Errorf("report of %d lines: want one per row", n)
			}

			var sum struct {
				Source, Report, SourceObject, SourceETag string
				SourceChanged                            bool
			}
			if err := json.Unmarshal(s3GetObject(t, b, sumKey), &sum); err != nil {
				t.Fatal(err)
			}
			etag := strings.Trim(*s3Head(t, b, tt.key).ETag, `"`)
			if sum.SourceObject != "s3://"+b+"/"+tt.key || sum.SourceETag != etag || sum.SourceChanged || sum.Report != "s3://"+b+"/"+key {
				t.Errorf("summary %+v: want sourceObject s3://%s/%s, sourceETag %s, report s3://%s/%s, unchanged", sum, b, tt.key, etag, b, key)
			}
		})
	}
}

// TestS3Refusals (acceptance 2): what cannot be read or written in S3 is exit 2 and one line on
// stderr naming the S3 URL and the cause, without the SDK's dump, in bounded time.
func TestS3Refusals(t *testing.T) {
	b := s3Bucket(t)
	sample, _ := filepath.Abs(td("sample", "employees.csv"))
	mapping, _ := filepath.Abs(td("sample", "mapping.yaml"))
	s3PutFile(t, b, "in/employees.csv", sample)
	there := "s3://" + b + "/in/employees.csv"
	down := closedAddr(t)
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		want   string
		within time.Duration
	}{
		{name: "missing object", args: []string{"validate", "s3://" + b + "/in/missing.csv"},
			want: "read s3://" + b + "/in/missing.csv: no such object"},
		{name: "missing bucket", args: []string{"validate", "s3://no-such-bucket-rl/in/a.csv"},
			want: "read s3://no-such-bucket-rl/in/a.csv: no such bucket"},
		{name: "empty prefix", args: []string{"validate", "s3://" + b + "/nothing/"},
			want: "list s3://" + b + "/nothing/: no object under this prefix"},
		{name: "wrong secret key", env: map[string]string{"AWS_SECRET_ACCESS_KEY": "not-the-secret"}, args: []string{"validate", there},
			want: "read " + there + ": the secret key does not match the access key id (SignatureDoesNotMatch)"},
		{name: "unknown access key", env: map[string]string{"AWS_ACCESS_KEY_ID": "nobody"}, args: []string{"validate", there},
			want: "read " + there + ": the access key id is not known"},
		{name: "endpoint down", args: []string{"validate", "--s3-endpoint", "http://" + down, there},
			want: "read " + there + ": cannot reach the S3 endpoint http://" + down, within: 30 * time.Second},
		{name: "report bucket missing", args: []string{"validate", "--mapping", mapping, "--report", "s3://no-such-bucket-rl/r.csv", sample},
			want: "write s3://no-such-bucket-rl/r.csv: no such bucket"},
		{name: "state bucket missing", args: []string{"run", "--sandbox", "--mapping", mapping, "--report", filepath.Join(t.TempDir(), "r.csv"), "--state", "s3://no-such-bucket-rl/state.jsonl", sample},
			want: "read s3://no-such-bucket-rl/state.jsonl: no such bucket"},
		{name: "state the report's object", args: []string{"run", "--sandbox", "--mapping", mapping, "--report", "s3://" + b + "/out/", "--state", "s3://" + b + "/out/employees.csv.report.csv", sample},
			want: "--state s3://" + b + "/out/employees.csv.report.csv: is the same file as --report"},
		{name: "report under the source prefix", args: []string{"validate", "--mapping", mapping, "--report", "s3://" + b + "/in/", "s3://" + b + "/in/"},
			want: "--report s3://" + b + "/in/employees.csv.report.csv: is directly under the SOURCE prefix"},
		{name: "bad SSE", args: []string{"validate", "--s3-sse", "aes", there},
			want: `--s3-sse "aes": want AES256 or aws:kms`},
		{name: "bad bucket name", args: []string{"validate", "s3://a/roster.csv"},
			want: "SOURCE: \"s3://a/roster.csv\": bucket name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			// Warnings and errors only: the info lines of a run that got as far as its output.
			args := append([]string{tt.args[0], "--log-level", "warn"}, tt.args[1:]...)
			res := runCLI(t, tt.env, args...)
			took := time.Since(start)
			if res.code != exitConfig {
				t.Fatalf("exit %d, want 2; stderr:\n%s", res.code, res.stderr)
			}
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "rosterload: ") || !strings.Contains(lines[0], tt.want) {
				t.Errorf("stderr:\n%s\nwant one line with %q", res.stderr, tt.want)
			}
			for _, dump := range []string{"operation error", "RequestID", "StatusCode", "api error", "https response error"} {
				if strings.Contains(res.stderr, dump) {
					t.Errorf("stderr has the SDK's %q: %s", dump, res.stderr)
				}
			}
			if tt.within > 0 && took > tt.within {
				t.Errorf("took %s, want under %s", took, tt.within)
			}
		})
	}
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestS3PrefixNewestAndSSE (acceptance 4): a prefix SOURCE reads its newest object (not one in
// a sub-folder), the report and summary go under an s3:// prefix, and the encryption asked for
// is the one MinIO says it applied.
func TestS3PrefixNewestAndSSE(t *testing.T) {
	b := s3Bucket(t)
	mapping, _ := filepath.Abs(td("sample", "mapping.yaml"))
	sample, _ := filepath.Abs(td("sample", "employees.csv"))
	all, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.SplitAfter(string(all), "\n")
	older := filepath.Join(t.TempDir(), "older.csv")
	if err := os.WriteFile(older, []byte(ls[0]+ls[1]), 0o600); err != nil { // header and one row
		t.Fatal(err)
	}
	s3PutFile(t, b, "acme/incoming/2024-01-31.csv", older)
	time.Sleep(1100 * time.Millisecond) // LastModified is kept to the second by some stores
	s3PutFile(t, b, "acme/incoming/2024-02-29.csv", sample)
	time.Sleep(1100 * time.Millisecond)
	s3PutFile(t, b, "acme/incoming/archive/2024-01-31.csv", older) // newer, but in a sub-folder

	tests := []struct {
		name, sse, kmsKey string
		wantSSE           string
	}{
		{"no encryption", "", "", ""},
		{"sse-s3", "AES256", "", "AES256"},
		{"sse-kms", "aws:kms", miniotest.KMSKeyName, "aws:kms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := "out/" + strings.ReplaceAll(tt.name, " ", "-") + "/"
			args := []string{"validate", "--mapping", mapping, "--report", "s3://" + b + "/" + out, "--summary", "s3://" + b + "/" + out}
			if tt.sse != "" {
				args = append(args, "--s3-sse", tt.sse)
			}
			if tt.kmsKey != "" {
				args = append(args, "--s3-kms-key-id", tt.kmsKey)
			}
			res := runCLI(t, nil, append(args, "s3://"+b+"/acme/incoming/")...)
			if res.code != exitRows {
				t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
			}
			if !strings.Contains(res.stderr, `msg="newest object under the prefix" prefix=s3://`+b+`/acme/incoming/ key=acme/incoming/2024-02-29.csv size=`) ||
				!strings.Contains(res.stderr, "lastModified=") {
				t.Errorf("the log does not name the newest object with its size and time:\n%s", res.stderr)
			}
			report := s3GetObject(t, b, out+"2024-02-29.csv.report.csv")
			if n := bytes.Count(report, []byte("\n")); n != 9 {
				t.Errorf("report of %d lines, want 9 (header and the 8 rows of the newest file)", n)
			}
			for _, key := range []string{out + "2024-02-29.csv.report.csv", out + "2024-02-29.csv.summary.json"} {
				h := s3Head(t, b, key)
				if string(h.ServerSideEncryption) != tt.wantSSE {
					t.Errorf("%s: MinIO says SSE %q, want %q", key, h.ServerSideEncryption, tt.wantSSE)
				}
				if tt.kmsKey != "" && (h.SSEKMSKeyId == nil || !strings.Contains(*h.SSEKMSKeyId, tt.kmsKey)) {
					t.Errorf("%s: MinIO says KMS key %v, want %s", key, h.SSEKMSKeyId, tt.kmsKey)
				}
			}
			var sum struct{ SourceObject, SourceETag string }
			if err := json.Unmarshal(s3GetObject(t, b, out+"2024-02-29.csv.summary.json"), &sum); err != nil {
				t.Fatal(err)
			}
			etag := strings.Trim(*s3Head(t, b, "acme/incoming/2024-02-29.csv").ETag, `"`)
			if sum.SourceObject != "s3://"+b+"/acme/incoming/2024-02-29.csv" || sum.SourceETag != etag {
				t.Errorf("summary names %s %s, want the newest object and its ETag %s", sum.SourceObject, sum.SourceETag, etag)
			}
		})
	}
}

// TestS3StateKilledThenRerun: with the state journal in S3, a run killed with SIGKILL part way
// (after some checkpoints), then the same command, creates nobody twice and accounts for every
// row; the rows the checkpoint held are SKIPPED, those after it are sent again.
func TestS3StateKilledThenRerun(t *testing.T) {
	b := s3Bucket(t)
	api := newAPI(t, emulator.Config{Latency: 2 * time.Millisecond, Idempotency: false}, apiHooks{answerDelay: 5 * time.Millisecond})
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 500, Invalid: 0.05, Duplicate: 0.02, Seed: 44})
	s3PutFile(t, b, "in/roster.csv", r.path)
	f := newRunFiles(dir, "s3state")
	state := "s3://" + b + "/state/acme.jsonl"
	args := runArgs(api.URL, f, "s3://"+b+"/in/roster.csv", "--state", state, "--state-checkpoint", "25",
		"--concurrency", "8", "--rate", "150")

	childTmp := t.TempDir()
	env := oauthEnv()
	env["TMPDIR"] = childTmp
	c := startChild(t, env, args...)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c.exited() {
			t.Fatalf("the run ended before it was killed: %v; stderr:\n%s", c.err, c.stderr.String())
		}
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint of 50 journal lines in S3 within a minute")
		}
		if b, err := minio.Get(context.Background(), b, "state/acme.jsonl"); err == nil && bytes.Count(b, []byte("\n")) >= 50 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if ws := c.wait(t, 30*time.Second); !ws.Signaled() {
		t.Fatalf("the child ended with %v before it was killed; stderr:\n%s", c.err, c.stderr.String())
	}
	sentBefore := api.Stats().Profiles
	if sentBefore == 0 || sentBefore >= len(r.validIDs()) {
		t.Fatalf("%d of %d profiles created before the kill: want a run killed part way", sentBefore, len(r.validIDs()))
	}
	// The local copy of the journal had no name left to leave behind.
	if left, _ := filepath.Glob(filepath.Join(childTmp, "rosterload-*")); len(left) > 0 {
		t.Errorf("the killed run left its state copy behind: %v", left)
	}

	res := runCLI(t, oauthEnv(), args...)
	if res.code != exitRows {
		t.Fatalf("re-run: exit %d, want 1 (INVALID and DUPLICATE rows); stderr:\n%s", res.code, res.stderr)
	}
	counts := checkLines(t, readRunReport(t, f.report), r, "CREATED", "EXISTS", "SKIPPED")
	t.Logf("killed after %d profiles; re-run statuses %v", sentBefore, counts)
	if counts["SKIPPED"] == 0 {
		t.Errorf("statuses %v: no row SKIPPED, so the checkpoint in S3 was not used", counts)
	}
	// Created before the kill but after the last checkpoint: sent again, found to exist.
	if counts["SKIPPED"] < sentBefore && counts["EXISTS"] == 0 {
		t.Errorf("%d created before the kill, %d SKIPPED, none EXISTS", sentBefore, counts["SKIPPED"])
	}
	checkHeldOnce(t, api, r.validIDs())

	// The journal saved at the end holds every submitted row as done: a third run sends nothing.
	before := api.Stats().Requests
	res = runCLI(t, oauthEnv(), args...)
	if res.code != exitRows {
		t.Fatalf("third run: exit %d; stderr:\n%s", res.code, res.stderr)
	}
	counts = checkLines(t, readRunReport(t, f.report), r, "SKIPPED")
	if after := api.Stats().Requests; after != before {
		t.Errorf("third run sent %d requests, want none (statuses %v)", after-before, counts)
	}
}

// TestS3TempFilesRemoved: the local copies an S3 run makes (XLSX source, report, summary,
// state) are gone when it ends.
func TestS3TempFilesRemoved(t *testing.T) {
	b := s3Bucket(t)
	xlsx, _ := filepath.Abs(td("individual", "employees.xlsx"))
	s3PutFile(t, b, "in/employees.xlsx", xlsx)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	res := runCLI(t, nil, "run", "--sandbox", "--kind", "individual", "--sheet", "Employees", "--header-row", "3", "--log-level", "warn",
		"--report", "s3://"+b+"/out/r.jsonl", "--summary", "s3://"+b+"/out/s.json", "--state", "s3://"+b+"/state.jsonl", "s3://"+b+"/in/employees.xlsx")
	if res.code != exitRows {
		t.Fatalf("exit %d; stderr:\n%s", res.code, res.stderr)
	}
	var left []string
	filepath.Walk(tmp, func(p string, _ os.FileInfo, _ error) error {
		if p != tmp {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("left behind in TMPDIR: %v", left)
	}
	if got := s3GetObject(t, b, "state.jsonl"); !bytes.Contains(got, []byte(`"CREATED"`)) {
		t.Errorf("state in S3 has no CREATED entry: %q", got)
	}
}
