package pipeline_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/pipeline"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/sink/client"
	"github.com/rosterload/rosterload/sink/emulator"
	"github.com/rosterload/rosterload/sink/submit"
	"github.com/rosterload/rosterload/validate"
)

// A toy record kind, declared here and nowhere else, with two fields and its own endpoint: what
// a fourth kind takes is this one spec and its registration.
type toyRequest struct {
	ExternalID string `json:"externalId"`
	Name       string `json:"name"`
}

// toyAnswer is what the toy endpoint answers and stores.
type toyAnswer struct {
	ID string `json:"id"`
	toyRequest
}

var (
	toyID   = &ingest.Field{Name: "externalId", Class: "externalId", Personal: true}
	toyName = &ingest.Field{Name: "toyName", Class: "toyName"}
)

var toySpec = &ingest.Spec{
	Kind:     "toy",
	Fields:   []*ingest.Field{toyID, toyName},
	Aliases:  []ingest.AliasGroup{{Field: toyName, Prio: 2, Headers: []string{"Toy"}}},
	Required: []*ingest.Field{toyID, toyName},
	Build: func(c ingest.Cells) *ingest.Record {
		rec, req := ingest.NewRecord[toyRequest]()
		req.ExternalID = strings.TrimSpace(c.Get(toyID))
		req.Name = c.Get(toyName)
		return rec
	},
	Layout: func(l *ingest.Locations) {
		l.Add("externalId", false, toyID)
		l.Add("name", false, toyName)
	},
	Endpoint: api.Endpoint{Path: "/v1/toys", Object: "toy", IDs: []api.ResponseID{{Field: "id", Role: api.CustomerID}}},
	Validate: func(_ *validate.Validator, req any, h validate.Hint) validate.Result {
		var res validate.Result
		r := req.(*toyRequest)
		for _, f := range []struct{ field, value string }{{"externalId", r.ExternalID}, {"name", r.Name}} {
			if strings.TrimSpace(f.value) != "" {
				continue
			}
			p := validate.Problem{Field: f.field, Code: validate.CodeRequired, Message: f.field + " is required"}
			if h.Loc != nil {
				p.Column, p.Cell = h.Loc.Locate(f.field)
			}
			res.Errors = append(res.Errors, p)
		}
		return res
	},
	ExternalID: func(req any) string { return req.(*toyRequest).ExternalID },
	Name:       func(req any) string { return req.(*toyRequest).Name },
	NewRequest: func() any { return new(toyRequest) },
	Answer: func(req any, c api.Created) (any, any, error) {
		return toyAnswer{ID: c.IDs.CustomerID, toyRequest: *req.(*toyRequest)}, nil, nil
	},
}

// TestToyKindEndToEnd registers the toy kind and runs a CSV roster of it through the mapper, the
// validator, the pipeline and the submit sink to the emulator over HTTP.
func TestToyKindEndToEnd(t *testing.T) {
	if err := ingest.Register(toySpec); err != nil {
		t.Fatal(err)
	}
	if k, ok := ingest.ParseKind("TOY"); !ok || k != "toy" {
		t.Fatalf("ParseKind(TOY) = %q, %v", k, ok)
	}
	em, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(em)
	t.Cleanup(ts.Close)

	dir := t.TempDir()
	roster := filepath.Join(dir, "toys.csv")
	if err := os.WriteFile(roster, []byte("externalId,Toy\nT1,Teddy\nT2,\nT3,Robot\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := ingest.Open(roster, ingest.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	header, err := src.Header()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ingest.NewMapper(ingest.Config{Kind: "toy"}, header)
	if err != nil {
		t.Fatal(err)
	}
	v, err := validate.New(validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{BaseURL: ts.URL, ClientID: emulator.DefaultClientID,
		ClientSecret: redact.NewSecret(emulator.DefaultClientSecret), MaxAttempts: 2, BaseBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	reportPath := filepath.Join(dir, "report.jsonl")
	rep, err := reports.CreateJSONL(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	p := &pipeline.Pipeline{Source: src, Mapper: m, Validator: v, Sink: &submit.Sink{Client: c}, Concurrency: 2,
		Report: rep, Summary: reports.NewSummary("run", roster, "toy", time.Now()), TempDir: dir}
	if err := p.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := rep.Close(); err != nil {
		t.Fatal(err)
	}
	lines := readReport(t, reportPath)

	tests := []struct {
		name   string
		row    int
		id     string
		status outcome.Status
	}{
		{"a valid toy is created", 2, "T1", outcome.Created},
		{"a toy without a name is invalid where its cell is", 3, "T2", outcome.Invalid},
		{"another valid toy is created", 4, "T3", outcome.Created},
	}
	if len(lines) != len(tests) {
		t.Fatalf("%d report lines, want %d: %+v", len(lines), len(tests), lines)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := lines[i]
			if l.Row != tt.row || l.ExternalID != tt.id || l.Status != tt.status {
				t.Fatalf("line %+v, want row %d %s %s", l, tt.row, tt.id, tt.status)
			}
			if tt.status == outcome.Invalid {
				want := validate.Problem{Field: "name", Column: "Toy", Cell: "B3", Code: validate.CodeRequired, Message: "name is required"}
				if len(l.Errors) != 1 || l.Errors[0] != want || em.ExternalIDCount(tt.id) != 0 {
					t.Errorf("errors %+v, want %+v; the emulator holds %d", l.Errors, want, em.ExternalIDCount(tt.id))
				}
				return
			}
			// The id in the report is the one the toy endpoint answered: the emulator serves its
			// customer under it.
			got := getCustomer(t, em, l.CustomerID)
			if got.ID != l.CustomerID || got.ExternalID != tt.id || got.Name == "" || l.HTTPStatus != http.StatusCreated ||
				em.ExternalIDCount(tt.id) != 1 {
				t.Errorf("report %+v; the emulator holds %+v (%d with the id)", l, got, em.ExternalIDCount(tt.id))
			}
		})
	}
	if st := em.Stats(); st.Customers != 2 || st.Profiles != 0 || st.FinancialAccounts != 0 {
		t.Errorf("emulator stats %+v, want 2 customers only", st)
	}
}

func readReport(t *testing.T, path string) []reports.Line {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []reports.Line
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l reports.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	return lines
}

// getCustomer asks the emulator for a stored customer, as the platform's GET would answer.
func getCustomer(t *testing.T, em *emulator.Server, id string) toyAnswer {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/v1/customers/"+id, nil)
	r.Header.Set("Authorization", "Bearer "+em.IssueToken())
	w := httptest.NewRecorder()
	em.ServeHTTP(w, r)
	var a toyAnswer
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &a) != nil {
		t.Fatalf("GET customer %q: %d %s", id, w.Code, w.Body)
	}
	return a
}
