package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  Config
	}{
		{"negative fail rate", Config{FailRate: -0.1}},
		{"throttle rate above 1", Config{ThrottleRate: 1.5}},
		{"NaN drop rate", Config{DropRate: math.NaN()}},
		{"lost response rate above 1", Config{LostResponseRate: 2}},
		{"negative rate limit", Config{RateLimit: -1}},
		{"infinite rate limit", Config{RateLimit: math.Inf(1)}},
		{"negative latency", Config{Latency: -time.Second}},
		{"negative token TTL", Config{TokenTTL: -time.Minute}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := New(tc.cfg); !errors.Is(err, ErrConfig) {
				t.Fatalf("New: got %v, want an error wrapping ErrConfig", err)
			}
		})
	}
}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{ClientID: "payroll app", ClientSecret: redact.NewSecret("s&cret:=1"), TokenTTL: 10 * time.Minute})
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	cases := []struct {
		name      string
		method    string
		body      string
		basicUser string // "" : no basic auth
		basicPass string
		status    int
		errCode   string // the OAuth2 error, "" on success
	}{
		{name: "form credentials", body: form("grant_type", "client_credentials", "client_id", "payroll app", "client_secret", "s&cret:=1"), status: 200},
		{name: "basic auth, form-encoded halves", body: form("grant_type", "client_credentials"),
			basicUser: url.QueryEscape("payroll app"), basicPass: url.QueryEscape("s&cret:=1"), status: 200},
		{name: "basic auth, plain halves", body: form("grant_type", "client_credentials"),
			basicUser: "payroll app", basicPass: "s&cret:=1", status: 200},
		{name: "wrong secret in form", body: form("grant_type", "client_credentials", "client_id", "payroll app", "client_secret", "nope"), status: 401, errCode: "invalid_client"},
		{name: "wrong client id in basic auth", body: form("grant_type", "client_credentials"), basicUser: "sandbox", basicPass: "s&cret:=1", status: 401, errCode: "invalid_client"},
		{name: "no credentials", body: form("grant_type", "client_credentials"), status: 401, errCode: "invalid_client"},
		{name: "password grant", body: form("grant_type", "password", "client_id", "payroll app", "client_secret", "s&cret:=1"), status: 400, errCode: "unsupported_grant_type"},
		{name: "no grant type", body: form("client_id", "payroll app", "client_secret", "s&cret:=1"), status: 400, errCode: "invalid_request"},
		{name: "GET", method: http.MethodGet, status: 405, errCode: "invalid_request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			hr, err := http.NewRequest(method, e.ts.URL+"/oauth2/token", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.basicUser != "" {
				hr.SetBasicAuth(tc.basicUser, tc.basicPass)
			}
			res, err := e.client.Do(hr)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			var body struct {
				AccessToken string `json:"access_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
				Error       string `json:"error"`
			}
			if err := jsonDecode(res, &body); err != nil {
				t.Fatal(err)
			}
			if body.Error != tc.errCode {
				t.Errorf("error %q, want %q", body.Error, tc.errCode)
			}
			if tc.status != 200 {
				if body.AccessToken != "" {
					t.Errorf("a refused request got a token")
				}
				return
			}
			if body.TokenType != "Bearer" || body.ExpiresIn != 600 || len(body.AccessToken) < 20 {
				t.Errorf("token answer %+v, want a Bearer token expiring in 600 s", body)
			}
			// The token it issued opens the API.
			got := e.must(t, req{method: http.MethodGet, path: "/v1/customers/none", token: &body.AccessToken})
			if got.status != http.StatusNotFound {
				t.Errorf("GET with the new token: status %d, want 404 (authenticated, unknown id)", got.status)
			}
		})
	}
}

func TestTokensAreDistinct(t *testing.T) {
	t.Parallel()
	srv, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 100 {
		tok := srv.IssueToken()
		if seen[tok] {
			t.Fatalf("token %q issued twice", tok)
		}
		seen[tok] = true
	}
}

// TestOAuth2ClientCredentials checks the endpoint against the client rosterload uses, in both of
// its ways of sending the credentials.
func TestOAuth2ClientCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"in params", oauth2.AuthStyleInParams}, {"in header", oauth2.AuthStyleInHeader}} {
		t.Run(style.name, func(t *testing.T) {
			t.Parallel()
			cc := clientcredentials.Config{ClientID: DefaultClientID, ClientSecret: DefaultClientSecret,
				TokenURL: e.ts.URL + "/oauth2/token", AuthStyle: style.style}
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, e.client)
			tok, err := cc.Token(ctx)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if tok.AccessToken == "" || tok.Expiry.IsZero() {
				t.Fatalf("token %+v: want an access token with an expiry", tok)
			}
			got := e.must(t, req{path: "/v1/customers", body: individual("oauth-" + style.name), token: &tok.AccessToken})
			if got.status != http.StatusCreated {
				t.Fatalf("create with the token: %d %s", got.status, got.body)
			}
			cc.ClientSecret = "wrong"
			if _, err := cc.Token(ctx); err == nil {
				t.Fatal("Token with a wrong secret: no error")
			}
		})
	}
}

func TestBearerTokenRequired(t *testing.T) {
	t.Parallel()
	clk := newClock()
	e := newEnv(t, Config{Now: clk.Now, TokenTTL: time.Minute})
	expiring := e.srv.IssueToken()
	clk.Advance(time.Minute) // expiring is now exactly TTL old: expired
	fresh := e.srv.IssueToken()
	cases := []struct {
		name   string
		header string
		status int
	}{
		{"no Authorization header", "", 401},
		{"basic scheme", "Basic c2FuZGJveDpzYW5kYm94LXNlY3JldA==", 401},
		{"bearer without token", "Bearer ", 401},
		{"unknown token", "Bearer not-a-token", 401},
		{"expired token", "Bearer " + expiring, 401},
		{"fresh token", "Bearer " + fresh, 404},
		{"lower-case scheme", "bearer " + fresh, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := req{method: http.MethodGet, path: "/v1/customers/unknown", token: strp("")}
			if tc.header != "" {
				r.header = map[string]string{"Authorization": tc.header}
			}
			got := e.must(t, r)
			if got.status != tc.status {
				t.Fatalf("status %d, want %d: %s", got.status, tc.status, got.body)
			}
			if tc.status != 401 {
				return
			}
			if h := got.header.Get("WWW-Authenticate"); h != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate %q", h)
			}
			if body := decode[api.ErrorResponse](t, got.body); body.Message == "" {
				t.Errorf("401 without a message: %s", got.body)
			}
		})
	}
}

func TestCreateAnswers201(t *testing.T) {
	t.Parallel()
	clk := newClock()
	e := newEnv(t, Config{Now: clk.Now})
	cases := []struct {
		kind  string
		check func(t *testing.T, body []byte) (customerID string)
	}{
		{"individual", func(t *testing.T, body []byte) string {
			c := decode[api.IndividualCustomerResponse](t, body)
			if c.Type != api.TypeIndividual || c.FirstName != "Sarah" || c.ExternalID != "shape-individual" {
				t.Errorf("request fields not echoed: %s", body)
			}
			if c.SocialID != "***-**-6789" || c.SocialIDCountryCode != "USA" {
				t.Errorf("socialId %q, want ***-**-6789", c.SocialID)
			}
			if len(c.Addresses) != 1 || c.Addresses[0].ZipCode != "10001" {
				t.Errorf("addresses not echoed: %s", body)
			}
			checkCustomerHead(t, c.ID, c.Status, c.CreatedAt, c.CreatedBy)
			return c.ID
		}},
		{"business", func(t *testing.T, body []byte) string {
			b := decode[api.BusinessCustomerResponse](t, body)
			if b.Type != api.TypeBusiness || b.BusinessName != "Acme Widgets" || len(b.Contacts) != 1 {
				t.Errorf("request fields not echoed: %s", body)
			}
			if b.TaxID != "***-**-6789" {
				t.Errorf("taxId %q, want ***-**-6789", b.TaxID)
			}
			checkCustomerHead(t, b.ID, b.Status, b.CreatedAt, b.CreatedBy)
			return b.ID
		}},
		{"ewa", func(t *testing.T, body []byte) string {
			p := decode[api.CustomerProfile](t, body)
			for name, id := range map[string]string{"id": p.ID, "customerId": p.CustomerID, "financialAccountId": p.FinancialAccountID} {
				if !uuidV4.MatchString(id) {
					t.Errorf("%s %q is not a UUID v4", name, id)
				}
			}
			if p.ExternalID != "shape-ewa" || p.ProgramID != "prog-123" || p.ProgramName != "EWA" ||
				p.FirstName != "Sarah" || p.MiddleName != "Jane" || p.LastName != "Green" {
				t.Errorf("profile fields: %s", body)
			}
			ls := p.LatestEligibilityStatus
			if ls == nil || !uuidV4.MatchString(ls.ID) || ls.Status != "NEW" || ls.EligibilityUpdateReason != "New application" ||
				ls.CreatedAt != "2026-03-02T10:00:00.000Z" {
				t.Errorf("latestEligibilityStatus: %s", body)
			}
			return p.CustomerID
		}},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			got := e.must(t, create(tc.kind, "shape-"+tc.kind))
			if got.status != http.StatusCreated {
				t.Fatalf("status %d: %s", got.status, got.body)
			}
			if ct := got.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			assertNoPersonalData(t, "the 201", got.body)
			id := tc.check(t, got.body)

			// The customer it created is there to GET, as stored, masked too.
			stored := e.must(t, req{method: http.MethodGet, path: "/v1/customers/" + id})
			if stored.status != http.StatusOK {
				t.Fatalf("GET the new customer: %d %s", stored.status, stored.body)
			}
			assertNoPersonalData(t, "the GET", stored.body)
			c := decode[api.IndividualCustomerResponse](t, stored.body)
			if c.ID != id || c.ExternalID != "shape-"+tc.kind || c.Status != api.StatusActive {
				t.Errorf("GET answers %s", stored.body)
			}
			if e.srv.ExternalIDCount("shape-"+tc.kind) != 1 {
				t.Errorf("ExternalIDCount %d, want 1", e.srv.ExternalIDCount("shape-"+tc.kind))
			}
		})
	}
}

func checkCustomerHead(t *testing.T, id, status, createdAt string, by *api.Actor) {
	t.Helper()
	if !uuidV4.MatchString(id) {
		t.Errorf("id %q is not a UUID v4", id)
	}
	if status != api.StatusActive {
		t.Errorf("status %q, want ACTIVE", status)
	}
	if createdAt != "2026-03-02T10:00:00.000Z" {
		t.Errorf("createdAt %q, want the pinned clock in RFC 3339 ms UTC", createdAt)
	}
	if by == nil || by.ID == "" {
		t.Errorf("createdBy missing")
	}
}

func TestEWACreatesCustomerAccountAndProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	p := profile("ewa-counts")
	p.EligibilityStatus = "" // defaults to NEW
	got := e.must(t, req{path: "/v1/customer-profiles", body: p})
	if got.status != http.StatusCreated {
		t.Fatalf("status %d: %s", got.status, got.body)
	}
	if st := decode[api.CustomerProfile](t, got.body).LatestEligibilityStatus; st == nil || st.Status != "NEW" {
		t.Errorf("eligibility %+v, want NEW by default", st)
	}
	want := Stats{Customers: 1, Profiles: 1, FinancialAccounts: 1, Requests: 1}
	if s := e.srv.Stats(); s != want {
		t.Errorf("Stats %+v, want %+v", s, want)
	}
}

func TestBadRequests400(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	noFirstName := individual("bad-1")
	noFirstName.FirstName = ""
	badEmail := individual("bad-2")
	badEmail.PrimaryEmail.Value = "not an email"
	badSSN := individual("bad-3")
	badSSN.SocialID = "987-65-4321" // 9xx area: not an SSN
	noCard := profile("bad-4")
	noCard.FinancialAccountData.Card = nil
	badCard := profile("bad-5")
	badCard.FinancialAccountData.Card.CardNumber = "4242424242424241" // fails Luhn
	cases := []struct {
		name      string
		r         req
		wantField string // a field the errors must name; "" when the body is refused as a whole
		notInBody []string
	}{
		{name: "not JSON", r: req{path: "/v1/customers", raw: []byte("firstName=Sarah")}},
		{name: "JSON array", r: req{path: "/v1/customers", raw: []byte(`[{"type":"INDIVIDUAL"}]`)}},
		{name: "no type", r: req{path: "/v1/customers", raw: []byte(`{"firstName":"Sarah"}`)}, wantField: "type"},
		{name: "unknown type", r: req{path: "/v1/customers", raw: []byte(`{"type":"ROBOT"}`)}, wantField: "type"},
		{name: "unknown field", r: req{path: "/v1/customers", raw: []byte(`{"type":"INDIVIDUAL","firstName":"Sarah","favouriteColour":"red"}`)}},
		{name: "unknown nested field", r: req{path: "/v1/customer-profiles", raw: []byte(`{"externalId":"x","customerData":{"type":"INDIVIDUAL","ssn":"1"}}`)}},
		{name: "trailing data", r: req{path: "/v1/customers", raw: []byte(`{"type":"BUSINESS"} {"type":"BUSINESS"}`)}},
		{name: "missing first name", r: req{path: "/v1/customers", body: noFirstName}, wantField: "firstName"},
		{name: "bad email", r: req{path: "/v1/customers", body: badEmail}, wantField: "primaryEmail.value"},
		{name: "bad SSN is not echoed", r: req{path: "/v1/customers", body: badSSN}, wantField: "socialId", notInBody: []string{"987-65-4321", "987654321"}},
		{name: "EWA without a card", r: req{path: "/v1/customer-profiles", body: noCard}},
		{name: "EWA card failing Luhn is not echoed", r: req{path: "/v1/customer-profiles", body: badCard},
			wantField: "financialAccountData.card.cardNumber", notInBody: []string{"4242424242424241"}},
		{name: "EWA empty object", r: req{path: "/v1/customer-profiles", raw: []byte(`{}`)}, wantField: "externalId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := e.must(t, tc.r)
			if got.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", got.status, got.body)
			}
			body := decode[api.ErrorResponse](t, got.body)
			if body.Message == "" {
				t.Errorf("no message: %s", got.body)
			}
			if tc.wantField != "" {
				found := false
				for _, fe := range body.Errors {
					if fe.Code == "" || fe.Message == "" {
						t.Errorf("field error without code or message: %+v", fe)
					}
					found = found || fe.Field == tc.wantField
				}
				if !found {
					t.Errorf("no error for field %s: %s", tc.wantField, got.body)
				}
			}
			for _, s := range tc.notInBody {
				if bytes.Contains(got.body, []byte(s)) {
					t.Errorf("the answer holds %q: %s", s, got.body)
				}
			}
		})
	}
	t.Cleanup(func() {
		if s := e.srv.Stats(); s.Customers != 0 || s.Profiles != 0 || s.FinancialAccounts != 0 {
			t.Errorf("a refused request created something: %+v", s)
		}
	})
}

func TestBodyTooLarge413(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	big := append([]byte(`{"type":"INDIVIDUAL","firstName":"`), bytes.Repeat([]byte("a"), MaxBodyBytes)...)
	big = append(big, `"}`...)
	got := e.must(t, req{path: "/v1/customers", raw: big})
	if got.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", got.status)
	}
}

func TestDuplicateExternalID409(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	cases := []struct{ first, second string }{
		{"individual", "individual"},
		{"individual", "ewa"},
		{"ewa", "individual"},
		{"ewa", "ewa"},
		{"ewa", "business"},
		{"business", "ewa"},
		{"business", "individual"},
	}
	for _, tc := range cases {
		t.Run(tc.first+" then "+tc.second, func(t *testing.T) {
			t.Parallel()
			ext := "dup-" + tc.first + "-" + tc.second
			if got := e.must(t, create(tc.first, ext)); got.status != http.StatusCreated {
				t.Fatalf("first: %d %s", got.status, got.body)
			}
			got := e.must(t, create(tc.second, ext))
			if got.status != http.StatusConflict {
				t.Fatalf("second: status %d, want 409: %s", got.status, got.body)
			}
			body := decode[api.ErrorResponse](t, got.body)
			if body.Message != "a customer with externalId "+ext+" already exists" {
				t.Errorf("message %q", body.Message)
			}
			if len(body.Errors) != 1 || body.Errors[0].Field != "externalId" || body.Errors[0].Code != "duplicate" {
				t.Errorf("errors %+v, want one duplicate externalId", body.Errors)
			}
			if n := e.srv.ExternalIDCount(ext); n != 1 {
				t.Errorf("ExternalIDCount %d, want 1", n)
			}
		})
	}
}

func TestGetCustomer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	created := e.must(t, create("individual", "get-1"))
	if created.status != http.StatusCreated {
		t.Fatalf("create: %d %s", created.status, created.body)
	}
	id := decode[api.IndividualCustomerResponse](t, created.body).ID
	cases := []struct {
		name   string
		method string
		path   string
		status int
		body   []byte // nil: not compared
	}{
		{"known id", http.MethodGet, "/v1/customers/" + id, 200, created.body},
		{"unknown id", http.MethodGet, "/v1/customers/0e01f271-80b1-4724-b5dc-6959c7cd88dc", 404, nil},
		{"nested path", http.MethodGet, "/v1/customers/" + id + "/accounts", 404, nil},
		{"DELETE", http.MethodDelete, "/v1/customers/" + id, 405, nil},
		{"list customers", http.MethodGet, "/v1/customers", 405, nil},
		{"unknown endpoint", http.MethodGet, "/v1/nothing", 404, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := e.must(t, req{method: tc.method, path: tc.path})
			if got.status != tc.status {
				t.Fatalf("status %d, want %d: %s", got.status, tc.status, got.body)
			}
			if tc.body != nil && !bytes.Equal(got.body, tc.body) {
				t.Errorf("GET answers\n%s\nwant what the create answered\n%s", got.body, tc.body)
			}
			if tc.status != 200 {
				if decode[api.ErrorResponse](t, got.body).Message == "" {
					t.Errorf("error without a message: %s", got.body)
				}
			}
		})
	}
}

func TestStatsEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	tokenForm := strings.NewReader("grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret")
	res, err := e.client.Post(e.ts.URL+"/oauth2/token", "application/x-www-form-urlencoded", tokenForm)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	bad := individual("stats-bad")
	bad.LastName = ""
	for _, r := range []req{
		create("individual", "stats-1"),
		create("ewa", "stats-2"),
		create("business", "stats-3"),
		{path: "/v1/customers", body: bad},
		{method: http.MethodGet, path: "/v1/customers/unknown"},
		{method: http.MethodGet, path: "/v1/customers/unknown", token: strp("")}, // 401 still counts
	} {
		e.must(t, r)
	}
	got := e.must(t, req{method: http.MethodGet, path: "/_sandbox/stats", token: strp("")})
	if got.status != http.StatusOK {
		t.Fatalf("stats without a token: %d %s", got.status, got.body)
	}
	want := Stats{Customers: 3, Profiles: 1, FinancialAccounts: 1, Requests: 6}
	if s := decode[Stats](t, got.body); s != want {
		t.Errorf("stats %s, want %+v", got.body, want)
	}
	for _, key := range []string{`"customers":3`, `"profiles":1`, `"financialAccounts":1`, `"requests":6`} {
		if !bytes.Contains(got.body, []byte(key)) {
			t.Errorf("stats body %s lacks %s", got.body, key)
		}
	}
	if s := e.srv.Stats(); s != want {
		t.Errorf("Stats() %+v, want %+v", s, want)
	}
}

// TestNothingSecretIsLogged runs every kind of request with debug logging on and looks for
// personal data, the token and the client secret in the log.
func TestNothingSecretIsLogged(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, Config{Log: log, FailRate: 0.2, LostResponseRate: 0.3, Seed: 7})
	badSSN := individual("log-bad")
	badSSN.SocialID = "987-65-4321"
	for i, r := range []req{create("individual", "log-1"), create("business", "log-2"), create("ewa", "log-3"),
		{path: "/v1/customers", body: badSSN}, create("ewa", "log-3"), create("ewa", "log-4"), create("ewa", "log-5")} {
		if _, err := e.send(t, r); err != nil {
			t.Logf("request %d: %v (injected)", i, err)
		}
	}
	res, err := e.client.Post(e.ts.URL+"/oauth2/token", "application/x-www-form-urlencoded",
		strings.NewReader("grant_type=client_credentials&client_id=sandbox&client_secret=wrong-secret"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	logged := buf.Bytes()
	if !bytes.Contains(logged, []byte("api request")) {
		t.Fatalf("nothing was logged; the test would prove nothing: %s", logged)
	}
	assertNoPersonalData(t, "the log", logged)
	for _, s := range []string{"987-65-4321", "987654321", e.token, DefaultClientSecret, "wrong-secret"} {
		if bytes.Contains(logged, []byte(s)) {
			t.Errorf("the log holds %q:\n%s", s, logged)
		}
	}
}

func jsonDecode(res *http.Response, v any) error {
	return json.NewDecoder(res.Body).Decode(v)
}

// TestStoresNormalisedValues checks that what is stored and answered is the request as the
// validator normalised it, so that a trimmed externalId is the same externalId.
func TestStoresNormalisedValues(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	c := individual("  norm-1 ")
	c.PrimaryPhoneNumber.Number = "(650) 253-0000"
	c.Addresses[0].CountryCode = "US"
	got := e.must(t, req{path: "/v1/customers", body: c})
	if got.status != http.StatusCreated {
		t.Fatalf("status %d: %s", got.status, got.body)
	}
	body := decode[api.IndividualCustomerResponse](t, got.body)
	if body.ExternalID != "norm-1" || body.PrimaryPhoneNumber.Number != "+16502530000" || body.Addresses[0].CountryCode != "USA" {
		t.Errorf("answer not normalised: externalId %q, phone %q, country %q", body.ExternalID, body.PrimaryPhoneNumber.Number, body.Addresses[0].CountryCode)
	}
	if again := e.must(t, create("ewa", "norm-1")); again.status != http.StatusConflict {
		t.Errorf("the trimmed externalId again: status %d, want 409", again.status)
	}
}
