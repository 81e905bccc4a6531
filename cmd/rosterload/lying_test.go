package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rosterload/rosterload/internal/rostergen"
	"github.com/rosterload/rosterload/sink/emulator"
)

// TestRunLyingAPI: an API that answers 2xx with something that is not the documented answer (a
// login portal's HTML, a proxy's JSON, nothing) creates nobody in the report or the journal:
// the run stops at once (exit 3), and a later run against the real API with the same state
// enrols everyone.
func TestRunLyingAPI(t *testing.T) {
	lies := []struct {
		name        string
		status      int
		contentType string
		body        string
		location    string
	}{
		{name: "a redirect to a login page", status: 302, contentType: "text/html", body: "<a href=\"/login\">moved</a>", location: "https://sso.example.com/login?session=secret-token"},
		{name: "a login page", status: 200, contentType: "text/html; charset=utf-8", body: "<!doctype html><html><body><form>Sign in</form></body></html>"},
		{name: "a proxy's JSON", status: 200, contentType: "application/json", body: `{"status":"ok"}`},
		{name: "an empty 200", status: 200},
		{name: "204 No Content", status: 204},
		{name: "201 with an id that is not the platform's", status: 201, contentType: "application/json", body: `{"id":"12345","customerId":"x","financialAccountId":"y"}`},
		{name: "plain text", status: 200, contentType: "text/plain", body: "OK"},
	}
	for _, lie := range lies {
		t.Run(lie.name, func(t *testing.T) {
			var calls atomic.Int64
			liar := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				io.Copy(io.Discard, r.Body)
				if lie.contentType != "" {
					w.Header().Set("Content-Type", lie.contentType)
				}
				if lie.location != "" {
					w.Header().Set("Location", lie.location)
				}
				w.WriteHeader(lie.status)
				io.WriteString(w, lie.body)
			}))
			defer liar.Close()
			dir := t.TempDir()
			r := newRoster(t, dir, rostergen.Options{Rows: 40, Seed: 12})
			f := newRunFiles(dir, "lie")
			res := runCLI(t, tokenEnv("static-token"), runArgs(liar.URL, f, r.path, "--concurrency", "1", "--rate", "0")...)
			if res.code != exitUnfinish {
				t.Fatalf("exit %d, want 3\n%s", res.code, res.stderr)
			}
			if line := firstErrorLine(res.stderr); !strings.Contains(line, "not") || !strings.Contains(line, "127.0.0.1") {
				t.Errorf("stderr line %q should say the API's answer is not the documented one, naming its host", line)
			}
			if strings.Contains(res.stderr, "secret-token") {
				t.Error("stderr holds the redirect's query")
			}
			lines := readRunReport(t, f.report)
			if len(lines) != len(r.rows) {
				t.Fatalf("%d report lines for %d rows", len(lines), len(r.rows))
			}
			st := map[string]int{}
			for _, l := range lines {
				st[l.Status]++
				if l.CustomerID != "" || l.ProfileID != "" {
					t.Errorf("row %d: ids %q %q from a lying answer", l.Row, l.CustomerID, l.ProfileID)
				}
			}
			if st["CREATED"] != 0 || st["FAILED"] != 1 || st["NOT_SUBMITTED"] != len(r.validIDs())-1 {
				t.Errorf("statuses %v: want the first row FAILED, nothing CREATED, the rest NOT_SUBMITTED", st)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("%d requests reached the liar, want 1: nobody else's data should follow", n)
			}
			journal, _ := os.ReadFile(f.state)
			if strings.Contains(string(journal), "CREATED") || strings.Contains(string(journal), "EXISTS") {
				t.Errorf("the journal holds a lying answer as done:\n%s", journal)
			}

			// The real API, the same state: every valid row is created, none skipped.
			api := newAPI(t, emulator.Config{Idempotency: true}, apiHooks{})
			res = runCLI(t, oauthEnv(), runArgs(api.URL, f, r.path, "--rate", "0")...)
			if res.code != exitOK {
				t.Fatalf("second run: exit %d\n%s", res.code, res.stderr)
			}
			if c := checkLines(t, readRunReport(t, f.report), r, "CREATED"); c["CREATED"] != len(r.validIDs()) {
				t.Errorf("second run: %v, want every valid row CREATED", c)
			}
		})
	}
}

// TestRunCredentialsRefused: a token endpoint that refuses the client, or answers something that
// is not a token, stops the run at once: exit 3, one line naming the credentials and the token
// URL, every row reported (the valid ones NOT_SUBMITTED), a handful of token requests at most.
func TestRunCredentialsRefused(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		token http.HandlerFunc // replaces the emulator's token endpoint; nil: the emulator's
	}{
		{name: "a wrong client secret", env: map[string]string{"ROSTERLOAD_CLIENT_ID": emulator.DefaultClientID, "ROSTERLOAD_CLIENT_SECRET": "not-the-secret", "ROSTERLOAD_TOKEN": ""}},
		{name: "an unknown client", env: map[string]string{"ROSTERLOAD_CLIENT_ID": "someone", "ROSTERLOAD_CLIENT_SECRET": emulator.DefaultClientSecret, "ROSTERLOAD_TOKEN": ""}},
		{name: "a token endpoint answering HTML", env: oauthEnv(), token: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>Please sign in</body></html>")
		}},
		{name: "a token endpoint answering JSON without a token", env: oauthEnv(), token: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"token_type": "bearer", "expires_in": 3600})
		}},
		{name: "a token endpoint answering 400 invalid_client", env: oauthEnv(), token: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			io.WriteString(w, `{"error":"invalid_client","error_description":"client secret `+emulator.DefaultClientSecret+` is wrong"}`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newAPI(t, emulator.Config{}, apiHooks{})
			url := api.URL
			if tt.token != nil {
				mux := http.NewServeMux()
				mux.HandleFunc("/oauth2/token", func(w http.ResponseWriter, r *http.Request) {
					api.tokenCalls.Add(1)
					tt.token(w, r)
				})
				mux.Handle("/", api)
				srv := httptest.NewServer(mux)
				defer srv.Close()
				url = srv.URL
			}
			dir := t.TempDir()
			r := newRoster(t, dir, rostergen.Options{Rows: 50, Invalid: 0.1, Seed: 4})
			f := newRunFiles(dir, "creds")
			res := runCLI(t, tt.env, runArgs(url, f, r.path, "--concurrency", "8", "--rate", "0")...)
			if res.code != exitUnfinish {
				t.Fatalf("exit %d, want 3\n%s", res.code, res.stderr)
			}
			line := firstErrorLine(res.stderr)
			if !strings.Contains(line, "ROSTERLOAD_CLIENT_ID") || !strings.Contains(line, url+"/oauth2/token") {
				t.Errorf("stderr line %q should name the credentials and the token URL", line)
			}
			if strings.Contains(res.stderr, emulator.DefaultClientSecret) || strings.Contains(res.stderr, "not-the-secret") {
				t.Error("stderr holds a client secret")
			}
			if n := api.tokenCalls.Load(); n > 5 {
				t.Errorf("%d token requests for one run, want at most 5", n)
			}
			if n := api.apiCalls.Load(); n != 0 {
				t.Errorf("%d API requests without a token", n)
			}
			lines := readRunReport(t, f.report)
			if len(lines) != len(r.rows) {
				t.Fatalf("%d report lines for %d rows", len(lines), len(r.rows))
			}
			for _, l := range lines {
				if l.Status != "NOT_SUBMITTED" && l.Status != "INVALID" && l.Status != "DUPLICATE" {
					t.Errorf("row %d is %s, want NOT_SUBMITTED", l.Row, l.Status)
				}
			}
		})
	}
}

// TestRunAPIEchoesCardData: an API error that echoes the request's financialAccountData (card
// number, expiry) leaves none of it in the report.
func TestRunAPIEchoesCardData(t *testing.T) {
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 6, Seed: 21})
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body struct {
			FinancialAccountData json.RawMessage `json:"financialAccountData"`
		}
		json.NewDecoder(req.Body).Decode(&body)
		var fa struct {
			Card struct{ CardNumber, Expiry string }
		}
		json.Unmarshal(body.FinancialAccountData, &fa)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{
			"message": "invalid financialAccountData: " + string(body.FinancialAccountData),
			"errors": []map[string]string{
				{"field": "financialAccountData.card.expiry", "code": "invalid", "message": "expiry " + fa.Card.Expiry + " rejected"},
				{"field": "financialAccountData.card", "code": "invalid", "message": "card " + fa.Card.CardNumber + " exp " + fa.Card.Expiry + " declined"},
				{"field": "financialAccountData", "code": "invalid", "message": "cannot use " + string(body.FinancialAccountData)},
			},
		})
	}))
	defer echo.Close()
	for _, ext := range []string{".jsonl", ".csv", ".xlsx"} {
		f := newRunFiles(dir, "echo"+ext)
		f.report = f.report[:len(f.report)-len(".jsonl")] + ext
		res := runCLI(t, tokenEnv("static-token"), runArgs(echo.URL, f, r.path, "--rate", "0")...)
		if res.code != exitRows && res.code != exitUnfinish {
			t.Fatalf("%s: exit %d\n%s", ext, res.code, res.stderr)
		}
		text := map[string]string{"stderr": res.stderr}
		if ext == ".xlsx" {
			text["report"] = zipText(t, f.report)
		} else {
			b, _ := os.ReadFile(f.report)
			text["report"] = string(b)
		}
		if !strings.Contains(text["report"], "FAILED") {
			t.Fatalf("%s: no FAILED row: the scan would prove little", ext)
		}
		for _, row := range r.rows {
			exp, card := row.Cells[rostergen.ColCardExpiry], digitsOf(row.Cells[rostergen.ColCardNumber])
			for name, s := range text {
				if containsBounded(s, exp) || containsBounded(s, card) {
					t.Errorf("%s %s holds the card data of %s", ext, name, row.Cells[rostergen.ColExternalID])
				}
			}
		}
	}
}

// TestRunStateOfAnotherKindOrHost: a state written by a run of one kind, or against one API
// host, never makes a run of another kind or against another host skip anyone: it is refused
// with exit 2 before any row, and left as it was.
func TestRunStateOfAnotherKindOrHost(t *testing.T) {
	dir := t.TempDir()
	r := newRoster(t, dir, rostergen.Options{Rows: 20, Seed: 41})
	state := dir + "/state.jsonl"
	first := runCLI(t, nil, "run", "--sandbox", "--kind", "individual", "--rate", "0", "--state", state, "--report", dir+"/ind.jsonl", "--log-level", "warn", r.path)
	if first.code != exitOK {
		t.Fatalf("individual run: exit %d\n%s", first.code, first.stderr)
	}
	before, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	api := newAPI(t, emulator.Config{}, apiHooks{})
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"another kind", nil, []string{"run", "--sandbox", "--kind", "ewa", "--program-id", "prog-1"}, "kind individual"},
		{"another API host", oauthEnv(), []string{"run", "--api-url", strings.Replace(api.URL, "127.0.0.1", "localhost", 1), "--kind", "individual"}, "API host 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := dir + "/" + strings.ReplaceAll(tt.name, " ", "-") + ".jsonl"
			res := runCLI(t, tt.env, append(tt.args, "--rate", "0", "--state", state, "--report", rep, "--log-level", "warn", r.path)...)
			if res.code != exitConfig {
				t.Fatalf("exit %d, want 2\n%s", res.code, res.stderr)
			}
			if line := firstErrorLine(res.stderr); !strings.Contains(line, tt.want) || !strings.Contains(line, "state file") {
				t.Errorf("stderr line %q should say the state was written for %s", line, tt.want)
			}
			if after, _ := os.ReadFile(state); string(after) != string(before) {
				t.Error("the refused state was changed")
			}
			if _, err := os.Stat(rep); !os.IsNotExist(err) {
				t.Errorf("a report was written: %v", err)
			}
			if n := api.apiCalls.Load(); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}
