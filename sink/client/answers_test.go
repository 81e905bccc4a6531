package client

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/api"
)

// raw answers status with body as it is, under Content-Type ctype ("" sends none at all).
func raw(status int, ctype, body string) step {
	return func(w http.ResponseWriter, r *http.Request) {
		if ctype == "" {
			w.Header()["Content-Type"] = nil // no sniffing: no header
		} else {
			w.Header().Set("Content-Type", ctype)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A 2xx is a creation only when it is the documented object; anything else fails the record,
// without ids, without a retry, and says what came back.
func TestUndocumented2xxFails(t *testing.T) {
	t.Parallel()
	const loginPage = `<!DOCTYPE html><html><head><title>Sign in</title></head><body>Corporate SSO portal-secret-marker</body></html>`
	goodProfile := profileAnswer("p", "E-1")
	badIDs := goodProfile
	badIDs.ID, badIDs.CustomerID, badIDs.FinancialAccountID = "prof-1", "cust-1", "fa-1"
	noAccount := goodProfile
	noAccount.FinancialAccountID = ""
	otherExt := goodProfile
	otherExt.ExternalID = "E-2"
	cases := []struct {
		name   string
		ep     endpoint
		step   step
		msgHas string
	}{
		{"login page, text/html", profile, raw(200, "text/html; charset=utf-8", loginPage), "an HTML page"},
		{"login page said to be JSON", individual, raw(200, "application/json", loginPage), "an HTML page"},
		{"HTML without a Content-Type", business, raw(200, "", "<html><body>proxy</body></html>"), "an HTML page"},
		{"empty body", profile, raw(200, "application/json", ""), "an empty body"},
		{"blank body", individual, raw(201, "application/json", "  \n"), "an empty body"},
		{"204 no content", profile, raw(204, "", ""), "HTTP 204 with no body"},
		{"empty object", profile, raw(200, "application/json", "{}"), "an empty JSON object"},
		{"empty array", individual, raw(200, "application/json", "[]"), "a JSON array"},
		{"JSON string", business, raw(201, "application/json", `"created"`), "a JSON string"},
		{"plain text OK", individual, raw(200, "text/plain", "OK"), "a text/plain body"},
		{"OK without a Content-Type", profile, raw(200, "", "OK"), "a body that is not JSON"},
		{"broken JSON", profile, raw(201, "application/json", `{"id":`), "a body that is not JSON"},
		{"XML", individual, raw(200, "application/xml", `<customer id="1"/>`), "a application/xml body"},
		{"unreadable Content-Type", individual, raw(200, "application/json; =", `{"id":"x"}`), "Content-Type is not JSON"},
		{"error object with a 200", profile, raw(200, "application/json", `{"message":"Session expired, please sign in"}`), "(its message: Session expired, please sign in)"},
		{"error object echoing the card", profile, raw(200, "application/problem+json",
			`{"error":{"financialAccountData":{"card":{"cardNumber":"4111111111111111"}}}}`), "without id, customerId, financialAccountId"},
		{"profile ids not UUIDs", profile, reply(201, badIDs), "without id, customerId, financialAccountId as a UUID"},
		{"profile without its account", profile, reply(201, noAccount), "without financialAccountId as a UUID"},
		{"profile with a customer's answer", profile, reply(201, api.IndividualCustomerResponse{ID: uuidOf("c"), Status: api.StatusActive}), "without customerId, financialAccountId"},
		{"customer id is a number", individual, raw(201, "application/json", `{"id":42,"status":"ACTIVE"}`), "without id as a UUID"},
		{"customer id empty", business, reply(201, api.BusinessCustomerResponse{Status: api.StatusActive}), "without id as a UUID"},
		{"another record's externalId", profile, reply(201, otherExt), "another record's externalId"},
		{"customer of another externalId", individual, reply(201, api.IndividualCustomerResponse{ID: uuidOf("c"),
			IndividualCustomer: api.IndividualCustomer{ExternalID: "E-2"}}), "another record's externalId"},
		{"externalId not a string", individual, raw(201, "application/json", `{"id":"`+uuidOf("c")+`","externalId":7}`), "externalId that is not a string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t, tc.step, created("never"))
			res, err := call(context.Background(), newTestClient(t, f), tc.ep, "E-1", "")
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != Failed || !res.Undocumented || res.Attempts != 1 || len(f.requests()) != 1 {
				t.Fatalf("%+v; want FAILED, undocumented, after 1 request (server saw %d)", res, len(f.requests()))
			}
			if res.CustomerID != "" || res.ProfileID != "" || res.FinancialAccountID != "" {
				t.Errorf("ids kept from an undocumented answer: %+v", res)
			}
			if !strings.Contains(res.Message, tc.msgHas) || !strings.Contains(res.Message, "not taken as a creation") {
				t.Errorf("message %q, want it to contain %q", res.Message, tc.msgHas)
			}
			if strings.ContainsAny(res.Message, "\r\n") || len([]rune(res.Message)) > maxMessage+150 {
				t.Errorf("message not one short line: %q", res.Message)
			}
			for _, leak := range []string{"portal-secret-marker", "4111111111111111", "<html"} {
				if strings.Contains(res.Message, leak) {
					t.Errorf("message quotes the body (%q): %q", leak, res.Message)
				}
			}
		})
	}
}

// What the API documents passes, whatever else the object holds or how its media type is spelt.
func TestDocumented2xxCreates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		ep   endpoint
		step step
		ids  [3]string
	}{
		{"seed-shaped profile", profile, raw(201, "application/json; charset=utf-8", jsonOf(t, profileAnswer("p", "E-1"))),
			[3]string{uuidOf("p/customer"), uuidOf("p"), uuidOf("p/account")}},
		{"vendor JSON type", individual, raw(201, "application/vnd.platform.v1+json", `{"id":"`+uuidOf("c")+`","status":"ACTIVE","externalId":"E-1"}`),
			[3]string{uuidOf("c")}},
		{"no Content-Type, JSON body", business, raw(201, "", `{"id":"`+uuidOf("b")+`"}`), [3]string{uuidOf("b")}},
		{"empty externalId in the answer", business, raw(201, "application/json", `{"id":"`+uuidOf("b")+`","externalId":""}`), [3]string{uuidOf("b")}},
		{"null externalId in the answer", individual, raw(200, "application/json", `{"id":"`+uuidOf("i")+`","externalId":null}`), [3]string{uuidOf("i")}},
		{"byte order mark", individual, raw(201, "application/json", "\ufeff"+`{"id":"`+uuidOf("i")+`"}`), [3]string{uuidOf("i")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeAPI(t, tc.step)
			res, err := call(context.Background(), newTestClient(t, f), tc.ep, "E-1", "")
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != Created || res.Undocumented {
				t.Fatalf("%+v; want CREATED", res)
			}
			if got := [3]string{res.CustomerID, res.ProfileID, res.FinancialAccountID}; got != tc.ids {
				t.Errorf("ids %q, want %q", got, tc.ids)
			}
		})
	}
}

// An API error that quotes the request (card number, expiry) back, in its message or its field
// errors, as a string or as JSON, leaves none of it in the result.
func TestEchoedCardDataWithheld(t *testing.T) {
	t.Parallel()
	echo := `{"financialAccountData":{"card":{"cardNumber":"4111 1111 1111 1111","expiry":"2027-12"}}}`
	escaped := strings.ReplaceAll(echo, `"`, `\"`)
	cases := []struct {
		name string
		body string
	}{
		{"echo in the message and the field errors", `{"message":"invalid request ` + escaped + `","errors":[` +
			`{"field":"financialAccountData.card.expiry","code":"invalid_expiry","message":"expiry 2027-12 is in the past"},` +
			`{"field":"financialAccountData.card.cardNumber","code":"invalid_card","message":"4111 1111 1111 1111 failed the check"},` +
			`{"field":"financialAccountData","code":"invalid","message":"bad value ` + escaped + ` given"},` +
			`{"field":"customerData.metadata.note","code":"invalid","message":"card 4111 1111 1111 1111 exp 12 / 27 on file, until 12/2027 or 2027/12"}]}`},
		{"echo as JSON values", `{"message":` + echo + `,"errors":[{"field":"financialAccountData","code":"invalid","message":` + echo + `},` +
			`{"field":` + echo + `,"code":"invalid","message":"see field"}]}`},
		{"echo cut short", `{"message":"rejected: ` + escaped[:60] + `"}`},
		{"echo in a 500", `{"message":"internal error processing ` + escaped + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status := http.StatusBadRequest
			if strings.Contains(tc.name, "500") {
				status = http.StatusInternalServerError
			}
			f := newFakeAPI(t, raw(status, "application/json", tc.body))
			c := newTestClient(t, f, func(c *Config) { c.MaxAttempts = 2 })
			res, err := createProfile(context.Background(), c, profileRequest("E-1"), "")
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != Failed {
				t.Fatalf("%+v", res)
			}
			texts := []string{res.Message, res.Note}
			for _, fe := range res.FieldErrors {
				texts = append(texts, fe.Field, fe.Code, fe.Message)
			}
			all := strings.Join(texts, " | ")
			for _, leak := range []string{"2027-12", "12/27", "12 / 27", "2027/12", "12/2027", "4111 1111", "1111 1111", "4111111111111111", "cardNumber\":"} {
				if strings.Contains(all, leak) {
					t.Errorf("result text holds %q: %s", leak, all)
				}
			}
			for _, s := range texts {
				if strings.ContainsAny(s, "\r\n") || len([]rune(s)) > maxMessage {
					t.Errorf("not one bounded line: %q", s)
				}
			}
			if tc.name == "echo in the message and the field errors" {
				if !strings.HasPrefix(res.Message, "invalid request [request data withheld]") {
					t.Errorf("message %q: want the text before the echo kept", res.Message)
				}
				if len(res.FieldErrors) != 4 || res.FieldErrors[0].Field != "financialAccountData.card.expiry" || res.FieldErrors[0].Code != "invalid_expiry" {
					t.Errorf("field errors %+v: want each kept with its field and code", res.FieldErrors)
				}
				if got := res.FieldErrors[2].Message; got != "bad value [request data withheld] given" {
					t.Errorf("field message %q", got)
				}
			}
		})
	}
}

func TestAPITextMasks(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"echoed object", `bad {"a":1} here`, "bad [request data withheld] here"},
		{"echoed array", `got [{"cardNumber":"4111111111111111"}] back`, "got [request data withheld] back"},
		{"echo cut short", `bad {"card":{"expiry":"20`, "bad [request data withheld]"},
		{"escaped echo", `bad {\"expiry\":\"2027-12\"} here`, "bad [request data withheld]"},
		{"two echoes", `a {"x":1} b {"y":2} c`, "a [request data withheld] b [request data withheld] c"},
		{"field path kept", "addresses[0].zipCode must have 5 digits", "addresses[0].zipCode must have 5 digits"},
		{"braces that are not JSON", "use {name} or [0-9]", "use {name} or [0-9]"},
		{"yyyy-MM", "the card ran out in 2027-12.", "the card ran out in [expiry withheld]."},
		{"yyyy/MM", "until 2027/12", "until [expiry withheld]"},
		{"MM/YY", "until 12/27, sorry", "until [expiry withheld], sorry"},
		{"MM/YYYY", "until 12/2027", "until [expiry withheld]"},
		{"spaces around the slash", "until 12 / 27 and 01 /2030", "until [expiry withheld] and [expiry withheld]"},
		{"MM-YYYY", "until 12-2027", "until [expiry withheld]"},
		{"keyword and compact value", "exp 1227 and cvv: 123 and CVC2=1234", "exp [withheld] and cvv: [withheld] and CVC2=[withheld]"},
		{"keyword and a yyyy-MM", "expiry 2027-12 refused", "expiry [withheld] refused"},
		{"full dates kept", "born 1990-01-31, on 12/27/2024, at 2024-01-22T22:20:55.610Z", "born 1990-01-31, on 12/27/2024, at 2024-01-22T22:20:55.610Z"},
		{"card and ssn", "card 4111-1111-1111-1111 ssn 123-45-6789", "card ****1111 ssn ***-**-6789"},
		{"ip and port kept", "dial tcp 127.0.0.1:8080: connect: connection refused", "dial tcp 127.0.0.1:8080: connect: connection refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := apiText(tc.in); got != tc.want {
				t.Errorf("apiText(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if got := apiText(apiText(tc.in)); got != tc.want {
				t.Errorf("apiText is not idempotent: %q", got)
			}
		})
	}
}

func TestSensitiveField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field string
		want  bool
	}{
		{"financialAccountData.card.cardNumber", true},
		{"financialAccountData.card.expiry", true},
		{"financialAccountData.card.cvv", true},
		{"financialAccountData.card", true},
		{"financialAccountData.card.firstName", false},
		{"financialAccountData.card.billingAddress.postalCode", false},
		{"financialAccountData.name", false},
		{"customerData.socialId", true},
		{"socialId", true},
		{"taxId", true},
		{"customerData.firstName", false},
		{"addresses[0].zipCode", false},
		{"primaryPhoneNumber.number", false},
		{"", false},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			t.Parallel()
			if got := sensitiveField(tc.field); got != tc.want {
				t.Errorf("sensitiveField(%q) = %v, want %v", tc.field, got, tc.want)
			}
		})
	}
}
