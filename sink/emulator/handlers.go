package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/validate"
)

// reply is an answer not yet written: handlers return one so that it can be kept for an
// idempotent replay, or lost by fault injection after its work was committed.
type reply struct {
	status int
	header http.Header // besides Content-Type
	body   []byte
}

func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the package's own response types are encoded here; none can fail.
		return reply{status: http.StatusInternalServerError, body: []byte(`{"message":"internal error: the answer could not be encoded"}` + "\n")}
	}
	return reply{status: status, body: append(b, '\n')}
}

func errorReply(status int, msg string, errs ...api.FieldError) reply {
	return jsonReply(status, api.ErrorResponse{Message: msg, Errors: errs})
}

func writeReply(w http.ResponseWriter, rep reply) {
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
}

// Route names, for logs: a logged path could hold anything a user typed into it.
const (
	routeCreateCustomer = "POST /v1/customers"
	routeGetCustomer    = "GET /v1/customers/{customerId}"
	routeCreateProfile  = "POST /v1/customer-profiles"
)

// serveAPI answers a /v1/ request: its body is read, then come the latency, the faults that leave
// nothing done, auth, the handler (through the idempotency store where it applies), and last the
// lost-response faults.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	ctx := r.Context()
	// The body is read first: net/http notices a client hanging up (and ends ctx) only once the
	// body has been read, and a client that gives up during the latency must leave nothing done.
	body, bodyErr := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if bodyErr != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](bodyErr); !tooLarge {
			return // the client went away mid-body
		}
	}
	if !sleep(ctx, s.cfg.Latency) {
		return // the client gave up: nobody to answer, nothing done
	}
	f := s.drawFault()
	logAttrs := func(status int) {
		s.log.LogAttrs(ctx, slog.LevelDebug, "api request", slog.String("method", r.Method),
			slog.String("route", routeName(r)), slog.Int("status", status), slog.String("fault", f.String()))
	}
	switch f {
	case faultLimited, faultThrottle:
		logAttrs(http.StatusTooManyRequests)
		writeReply(w, tooManyRequests())
		return
	case faultFail:
		logAttrs(http.StatusInternalServerError)
		writeReply(w, errorReply(http.StatusInternalServerError, "internal server error (sandbox fault injection): nothing was done"))
		return
	case faultDrop:
		logAttrs(0)
		drop(w)
		return
	}
	rep, ok := s.answer(r, body, bodyErr)
	if !ok {
		return
	}
	switch f {
	case faultLost500:
		logAttrs(http.StatusInternalServerError)
		writeReply(w, errorReply(http.StatusInternalServerError, "internal server error (sandbox fault injection)"))
	case faultLostDrop:
		logAttrs(0)
		drop(w)
	default:
		logAttrs(rep.status)
		writeReply(w, rep)
	}
}

// answer authenticates and routes one API request whose body was read (bodyErr is only ever
// a too-large body). ok is false when there is nobody left to answer.
func (s *Server) answer(r *http.Request, body []byte, bodyErr error) (reply, bool) {
	if rep, ok := s.authorize(r); !ok {
		return rep, true
	}
	if bodyErr != nil {
		return errorReply(http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than %d bytes", MaxBodyBytes)), true
	}
	do, rep := s.route(r, body)
	if do == nil {
		return rep, true
	}
	key := r.Header.Get("Idempotency-Key")
	if !s.cfg.Idempotency || key == "" || r.Method != http.MethodPost {
		return s.handle(do), true
	}
	if len(key) > maxIdempotencyKey {
		return errorReply(http.StatusBadRequest, fmt.Sprintf("Idempotency-Key is longer than %d characters", maxIdempotencyKey)), true
	}
	return s.idempotent(r.Context(), key, fingerprint(r, body), func() reply { return s.handle(do) })
}

// route returns the handler for r, or, when there is none, the 404 or 405 to answer.
func (s *Server) route(r *http.Request, body []byte) (func() reply, reply) {
	p := r.URL.Path
	switch {
	case p == "/v1/customers":
		if r.Method != http.MethodPost {
			return nil, methodNotAllowed("POST")
		}
		return func() reply { return s.createCustomer(body) }, reply{}
	case p == "/v1/customer-profiles":
		if r.Method != http.MethodPost {
			return nil, methodNotAllowed("POST")
		}
		return func() reply { return s.createProfile(body) }, reply{}
	case strings.HasPrefix(p, "/v1/customers/"):
		id := strings.TrimPrefix(p, "/v1/customers/")
		if id == "" || strings.Contains(id, "/") {
			break
		}
		if r.Method != http.MethodGet {
			return nil, methodNotAllowed("GET")
		}
		return func() reply { return s.getCustomer(id) }, reply{}
	}
	return nil, errorReply(http.StatusNotFound, "no such endpoint")
}

func routeName(r *http.Request) string {
	switch p := r.URL.Path; {
	case p == "/v1/customers":
		return routeCreateCustomer
	case p == "/v1/customer-profiles":
		return routeCreateProfile
	case strings.HasPrefix(p, "/v1/customers/"):
		return routeGetCustomer
	}
	return "unknown"
}

func methodNotAllowed(allow string) reply {
	rep := errorReply(http.StatusMethodNotAllowed, "this endpoint takes "+allow)
	rep.header = http.Header{"Allow": {allow}}
	return rep
}

// handle runs a handler, turning a panic (a bug, here or in the validator) into a 500 so that
// it reaches neither the user nor an idempotency waiter.
func (s *Server) handle(do func() reply) (rep reply) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("emulator handler panicked", slog.String("panic", fmt.Sprint(p)))
			rep = errorReply(http.StatusInternalServerError, "internal server error")
		}
	}()
	return do()
}

// decodeStrict decodes one JSON object into v, refusing fields v does not have, as a strict API
// would, so that a misspelt field is an error and not silently dropped.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("there is more after the JSON object")
	}
	return nil
}

func badBody(err error) reply {
	// encoding/json's messages name fields and types, and quote at most one character of input.
	return errorReply(http.StatusBadRequest, "the request body is not valid: "+err.Error())
}

func invalid(res validate.Result) reply {
	errs := make([]api.FieldError, len(res.Errors))
	for i, p := range res.Errors {
		errs[i] = api.FieldError{Field: p.Field, Code: p.Code, Message: p.Message}
	}
	return errorReply(http.StatusBadRequest, fmt.Sprintf("the request has %d invalid field(s)", len(errs)), errs...)
}

func duplicate(externalID string) reply {
	return errorReply(http.StatusConflict, fmt.Sprintf("a customer with externalId %s already exists", externalID),
		api.FieldError{Field: "externalId", Code: validate.CodeDuplicate, Message: "this externalId is already used by another customer"})
}

// mask truncates a social id or tax id as every response shows it.
func mask(id string) string {
	if id == "" {
		return ""
	}
	return redact.ID(id)
}

// createCustomer is POST /v1/customers.
func (s *Server) createCustomer(body []byte) reply {
	var probe struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return badBody(err)
	}
	switch probe.Type {
	case api.TypeIndividual:
		var c api.IndividualCustomer
		if err := decodeStrict(body, &c); err != nil {
			return badBody(err)
		}
		if res := s.v.Individual(&c, validate.Hint{Country: addressCountry(c.Addresses)}); !res.Valid() {
			return invalid(res)
		}
		resp := api.IndividualCustomerResponse{ID: newUUID(), Status: api.StatusActive, CreatedBy: &s.actor, CreatedAt: s.stamp(), IndividualCustomer: c}
		resp.SocialID = mask(c.SocialID)
		return s.commitCustomer(resp.ID, c.ExternalID, resp, nil)
	case api.TypeBusiness:
		var b api.BusinessCustomer
		if err := decodeStrict(body, &b); err != nil {
			return badBody(err)
		}
		if res := s.v.Business(&b, validate.Hint{Country: addressCountry(b.Addresses)}); !res.Valid() {
			return invalid(res)
		}
		resp := api.BusinessCustomerResponse{ID: newUUID(), Status: api.StatusActive, CreatedBy: &s.actor, CreatedAt: s.stamp(), BusinessCustomer: b}
		resp.TaxID = mask(b.TaxID)
		return s.commitCustomer(resp.ID, b.ExternalID, resp, nil)
	}
	msg := fmt.Sprintf("type must be %s or %s", api.TypeIndividual, api.TypeBusiness)
	code := validate.CodeInvalidEnum
	if probe.Type == "" {
		code = validate.CodeRequired
	}
	return errorReply(http.StatusBadRequest, "the request has 1 invalid field(s)", api.FieldError{Field: "type", Code: code, Message: msg})
}

// commitCustomer stores a customer under a unique externalId and answers 201 with resp, or 409
// when the externalId is taken. extra, when set, runs under the same lock, so that what is
// created with the customer (an EWA enrollment's account and profile) is created with it or not
// at all.
func (s *Server) commitCustomer(id, externalID string, resp any, extra func()) reply {
	b, err := json.Marshal(resp)
	if err != nil {
		return errorReply(http.StatusInternalServerError, "internal error: the customer could not be encoded")
	}
	b = append(b, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if externalID != "" {
		if _, taken := s.byExtID[externalID]; taken {
			return duplicate(externalID)
		}
		s.byExtID[externalID] = id
	}
	s.customers[id] = &customer{externalID: externalID, body: b}
	if extra != nil {
		extra()
	}
	return reply{status: http.StatusCreated, body: b}
}

// createProfile is POST /v1/customer-profiles: the customer, its card financial account and the
// EWA profile, created together or not at all.
func (s *Server) createProfile(body []byte) reply {
	var p api.CustomerProfileRequest
	if err := decodeStrict(body, &p); err != nil {
		return badBody(err)
	}
	var hint validate.Hint
	if fa := p.FinancialAccountData; fa != nil && fa.Card != nil && fa.Card.BillingAddress != nil {
		hint.Country = fa.Card.BillingAddress.CountryCode
	}
	res := s.v.EWA(&p, hint)
	if !res.Valid() {
		return invalid(res)
	}
	// The validator requires both; this keeps a gap there from becoming a nil dereference here.
	if p.CustomerData == nil || p.FinancialAccountData == nil {
		return errorReply(http.StatusBadRequest, "customerData and financialAccountData are required")
	}
	cd := *p.CustomerData
	cd.ExternalID = p.ExternalID
	if cd.Type == "" {
		cd.Type = api.TypeIndividual
	}
	cust := api.IndividualCustomerResponse{ID: newUUID(), Status: api.StatusActive, CreatedBy: &s.actor, CreatedAt: s.stamp(), IndividualCustomer: cd}
	cust.SocialID = mask(cd.SocialID)
	status := p.EligibilityStatus
	if status == "" {
		status = "NEW"
	}
	prof := api.CustomerProfile{
		ID:                 newUUID(),
		ExternalID:         p.ExternalID,
		CustomerID:         cust.ID,
		FinancialAccountID: newUUID(),
		LatestEligibilityStatus: &api.EligibilityStatus{
			ID: newUUID(), EligibilityUpdateReason: "New application", Status: status, CreatedAt: cust.CreatedAt,
		},
		FirstName:   cd.FirstName,
		MiddleName:  cd.MiddleName,
		LastName:    cd.LastName,
		ProgramID:   p.ProgramID,
		ProgramName: "EWA",
	}
	answer := jsonReply(http.StatusCreated, prof)
	// The card number is not kept at all: nothing the emulator answers may hold it.
	rep := s.commitCustomer(cust.ID, p.ExternalID, cust, func() {
		s.accounts++
		s.profiles++
	})
	if rep.status != http.StatusCreated {
		return rep
	}
	return answer
}

// getCustomer is GET /v1/customers/{customerId}.
func (s *Server) getCustomer(id string) reply {
	s.mu.Lock()
	c, ok := s.customers[id]
	s.mu.Unlock()
	if !ok {
		return errorReply(http.StatusNotFound, "no customer has this id")
	}
	return reply{status: http.StatusOK, body: c.body}
}

// addressCountry is the country a customer's phone number is read in when it is not in E.164:
// that of its primary address, else of its first address that has one.
func addressCountry(as []api.Address) string {
	first := ""
	for _, a := range as {
		if a.CountryCode == "" {
			continue
		}
		if a.Primary != nil && *a.Primary {
			return a.CountryCode
		}
		if first == "" {
			first = a.CountryCode
		}
	}
	return first
}
