package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/rosterload/rosterload/api"
)

// Personal data the sample requests carry, which no answer or log may hold in full.
const (
	sampleSSN    = "123-45-6789"
	sampleSSNRaw = "123456789"
	sampleTaxID  = "12-3456789"
	samplePAN    = "4242424242424242"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// clock is a settable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is an emulator behind a real HTTP server, with a client of its own.
type env struct {
	srv    *Server
	ts     *httptest.Server
	client *http.Client
	token  string
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv)
	// One transport per test, without keep-alives: a dropped connection then never makes the
	// transport replay a request on its own (it does for a reused connection when the request
	// carries an Idempotency-Key), so what a test sees is what the server did.
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		ts.Close()
	})
	return &env{srv: srv, ts: ts, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, token: srv.IssueToken()}
}

// req is one request: body is JSON-encoded unless raw is set.
type req struct {
	method, path string
	body         any
	raw          []byte
	token        *string // nil: the env's token; "" : none
	header       map[string]string
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

// send makes the request and returns the answer, or the transport's error.
func (e *env) send(t *testing.T, r req) (resp, error) {
	t.Helper()
	var body io.Reader
	switch {
	case r.raw != nil:
		body = bytes.NewReader(r.raw)
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		body = bytes.NewReader(b)
	}
	method := r.method
	if method == "" {
		method = http.MethodPost
	}
	hr, err := http.NewRequest(method, e.ts.URL+r.path, body)
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	tok := e.token
	if r.token != nil {
		tok = *r.token
	}
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	res, err := e.client.Do(hr)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}, nil
}

// must is send that fails the test on a transport error.
func (e *env) must(t *testing.T, r req) resp {
	t.Helper()
	res, err := e.send(t, r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	return res
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func strp(s string) *string { return &s }

func individual(ext string) *api.IndividualCustomer {
	return &api.IndividualCustomer{
		ExternalID:          ext,
		Type:                api.TypeIndividual,
		FirstName:           "Sarah",
		LastName:            "Green",
		PrimaryPhoneNumber:  &api.Phone{Number: "+16502530000", Type: "MOBILE"},
		PrimaryEmail:        &api.Email{Value: "sgreen@example.com"},
		DateOfBirth:         "1991-06-21",
		SocialID:            sampleSSN,
		SocialIDCountryCode: "USA",
		Addresses: []api.Address{{
			Type: "PHYSICAL", StreetLine1: "400 Richmond St", CityName: "New York",
			StateCode: "NY", CountryCode: "USA", ZipCode: "10001", Primary: api.Bool(true),
		}},
	}
}

func business(ext string) *api.BusinessCustomer {
	return &api.BusinessCustomer{
		ExternalID:       ext,
		Type:             api.TypeBusiness,
		BusinessName:     "Acme Widgets",
		LegalEntityType:  "LLC",
		TaxID:            sampleTaxID,
		TaxIDCountryCode: "USA",
		Contacts: []api.Contact{{
			FirstName: "Jack", LastName: "Smith", Primary: api.Bool(true),
			PrimaryPhoneNumber: &api.Phone{Number: "+16502530000", Type: "WORK"},
			PrimaryEmail:       &api.Email{Value: "jack@example.com"},
		}},
		Addresses: []api.Address{{
			Type: "MAILING", StreetLine1: "100 Main St", CityName: "Greenville",
			StateCode: "MO", CountryCode: "USA", ZipCode: "63368", Primary: api.Bool(true),
		}},
	}
}

func profile(ext string) *api.CustomerProfileRequest {
	return &api.CustomerProfileRequest{
		ExternalID:        ext,
		EligibilityStatus: "NEW",
		ProgramID:         "prog-123",
		CustomerData: &api.IndividualCustomer{
			Type:                api.TypeIndividual,
			FirstName:           "Sarah",
			MiddleName:          "Jane",
			LastName:            "Green",
			PrimaryPhoneNumber:  &api.Phone{Number: "+16502530000", Type: "MOBILE"},
			PrimaryEmail:        &api.Email{Value: "sgreen@example.com"},
			SocialID:            sampleSSN,
			SocialIDCountryCode: "USA",
		},
		FinancialAccountData: &api.FinancialAccountData{
			Name: "Payroll card", Subtype: "DEBIT", Currency: "USD",
			Card: &api.Card{
				FirstName: "Sarah", LastName: "Green", CardNumber: samplePAN, Expiry: "2030-12",
				BillingAddress: &api.BillingAddress{
					AddressLine1: "625 Queen St", City: "New York", StateCode: "NY", CountryCode: "USA", PostalCode: "10001",
				},
			},
		},
	}
}

// create is the request that creates a record of kind ("individual", "business", "ewa").
func create(kind, ext string) req {
	switch kind {
	case "business":
		return req{path: "/v1/customers", body: business(ext)}
	case "ewa":
		return req{path: "/v1/customer-profiles", body: profile(ext)}
	}
	return req{path: "/v1/customers", body: individual(ext)}
}

// assertNoPersonalData fails when b holds a sample SSN, tax id or card number in full.
func assertNoPersonalData(t *testing.T, what string, b []byte) {
	t.Helper()
	for _, s := range []string{sampleSSN, sampleSSNRaw, sampleTaxID, samplePAN} {
		if bytes.Contains(b, []byte(s)) {
			t.Errorf("%s holds %q in full: %s", what, s, b)
		}
	}
}

// syncBuffer is a bytes.Buffer a logger may write to from many handlers at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
