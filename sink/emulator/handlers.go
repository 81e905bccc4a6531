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
	"github.com/rosterload/rosterload/ingest"
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

// routeGetCustomer names the one route that is not a kind's endpoint, for logs: a logged path
// could hold anything a user typed into it.
const routeGetCustomer = "GET /v1/customers/{customerId}"

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
			slog.String("route", s.routeName(r)), slog.Int("status", status), slog.String("fault", f.String()))
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
	if specs, ok := s.endpoints[p]; ok {
		if r.Method != http.MethodPost {
			return nil, methodNotAllowed("POST")
		}
		return func() reply { return s.create(specs, body) }, reply{}
	}
	switch {
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

func (s *Server) routeName(r *http.Request) string {
	switch p := r.URL.Path; {
	case s.endpoints[p] != nil:
		return "POST " + p
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

// create is POST to a kind's endpoint: specs are the kinds served there, told apart by the
// body's type when there are several. A valid request creates a customer, and with it what else
// the endpoint's ids say (an EWA enrollment's account and profile), all or nothing.
func (s *Server) create(specs []*ingest.Spec, body []byte) reply {
	spec, rep := pickSpec(specs, body)
	if spec == nil {
		return rep
	}
	req := spec.NewRequest()
	if err := decodeStrict(body, req); err != nil {
		return badBody(err)
	}
	var hint validate.Hint
	if spec.Country != nil {
		hint.Country = spec.Country(req)
	}
	if res := spec.Validate(s.v, req, hint); !res.Valid() {
		return invalid(res)
	}
	c := api.Created{IDs: api.IDs{CustomerID: newUUID()}, CreatedBy: &s.actor, CreatedAt: s.stamp(), NewID: newUUID}
	profile, account := false, false
	for _, id := range spec.Endpoint.IDs {
		switch id.Role {
		case api.ProfileID:
			c.IDs.ProfileID, profile = newUUID(), true
		case api.FinancialAccountID:
			c.IDs.FinancialAccountID, account = newUUID(), true
		}
	}
	cust, answer, err := spec.Answer(req, c)
	if err != nil {
		return errorReply(http.StatusBadRequest, err.Error())
	}
	rep = s.commitCustomer(c.IDs.CustomerID, spec.ExternalID(req), cust, func() {
		if account {
			s.accounts++
		}
		if profile {
			s.profiles++
		}
	})
	if rep.status != http.StatusCreated || answer == nil {
		return rep
	}
	return jsonReply(http.StatusCreated, answer)
}

// pickSpec returns the kind a body is of, among those sharing an endpoint, or the 400 to answer.
func pickSpec(specs []*ingest.Spec, body []byte) (*ingest.Spec, reply) {
	if len(specs) == 1 && specs[0].Endpoint.Type == "" {
		return specs[0], reply{}
	}
	var probe struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return nil, badBody(err)
	}
	types := make([]string, len(specs))
	for i, sp := range specs {
		if sp.Endpoint.Type == probe.Type {
			return sp, reply{}
		}
		types[i] = sp.Endpoint.Type
	}
	msg := "type must be " + strings.Join(types, " or ")
	code := validate.CodeInvalidEnum
	if probe.Type == "" {
		code = validate.CodeRequired
	}
	return nil, errorReply(http.StatusBadRequest, "the request has 1 invalid field(s)", api.FieldError{Field: "type", Code: code, Message: msg})
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
