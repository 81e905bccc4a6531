package ingest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/validate"
)

// Kind is the kind of record a roster's rows become (--kind).
type Kind string

// The built-in record kinds; each is a Spec in its own file (kind_<name>.go).
const (
	KindEWA        Kind = "ewa"        // POST /v1/customer-profiles
	KindIndividual Kind = "individual" // POST /v1/customers, type INDIVIDUAL
	KindBusiness   Kind = "business"   // POST /v1/customers, type BUSINESS
)

// builtin lists the built-in kinds, the first being the default. The order is that of their
// fields too (see registry.fields), and of every list of kinds a message shows.
var builtin = []*Spec{ewaSpec, individualSpec, businessSpec}

// Field is one canonical column of the roster template.
type Field struct {
	Name string
	// Class groups fields that hold the same kind of value: one header may feed two fields only
	// when their classes agree (firstName and cardFirstName, country and billingCountry).
	Class string
	// Personal marks identifiers of one person, business or card: a mapping default for them
	// would give every row the same one, so it is refused; nor may externalId come from them.
	Personal bool

	id int // 1 + its index among all registered fields; 0 until registered
}

func (f *Field) String() string { return f.Name }

// ix is the field's index among all registered fields.
func (f *Field) ix() int { return f.id - 1 }

// Spec is everything about one record kind: its template, how a row becomes its request and
// where that request goes. A kind is one Spec in one file; Register adds one.
type Spec struct {
	Kind Kind
	// Fields are the kind's canonical fields in the roster template's order. Fields of the
	// same name in two kinds are one field: their class and personal mark must agree.
	Fields []*Field
	// Aliases are the payroll-export headers the kind recognises for its fields.
	Aliases []AliasGroup
	// Required are the fields a request cannot do without (the seeds' REQUIRED fields), for
	// the warning that a file lacks one altogether.
	Required []*Field

	// Build makes one row's record; NewRecord allocates it with its request.
	Build func(c Cells) *Record
	// Keys fills only what Mapper.MapKeys promises of a request (its externalId and the values
	// the cross-row check compares) into body, a request an earlier Keys returned, or into a
	// new one when body is nil, and returns it. Nil: MapKeys maps the whole row.
	Keys func(c Cells, body any) any
	// Layout says which fields feed each request field path, for Record.Locate.
	Layout func(l *Locations)

	Endpoint api.Endpoint
	// Validate checks and normalises a request in place (a validate.Validator method).
	Validate   func(v *validate.Validator, req any, h validate.Hint) validate.Result
	ExternalID func(req any) string
	Name       func(req any) string // what a report shows: "First Last", a business name
	// Mask returns a copy of a request whose identity and card numbers are masked and card
	// expiry withheld (nil: the request holds none); the request is not changed.
	Mask func(req any) any

	// What the emulator needs to serve the endpoint.
	NewRequest func() any // an empty request to decode a body into
	// Country is the country a request alone gives for reading its phone numbers ("" none).
	Country func(req any) string
	// Answer is what the platform stores (its GET body) and answers (nil: the same) for a valid
	// request, given the ids and stamps of the creation.
	Answer func(req any, c api.Created) (customer, answer any, err error)

	set     fieldSet         // Fields, by index; set by Register
	aliases map[string]alias // by normKey of the header; set by Register
}

// RequiredNames returns the canonical names of the kind's required fields.
func (s *Spec) RequiredNames() []string { return fieldNames(s.Required) }

func (s *Spec) has(ix int) bool { return s.set.has(ix) }

func fieldNames(fs []*Field) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return names
}

// registry is one immutable generation of the registered kinds.
type registry struct {
	specs  []*Spec
	fields []*Field          // by index: in order of first appearance over specs
	byKey  map[string]*Field // by normKey of the name
	// conflicts are clashes in the built-in alias tables (the test reports them).
	conflicts []string
}

var (
	registerMu sync.Mutex // serialises Register
	current    = newCurrent()
)

func newCurrent() *atomic.Pointer[registry] {
	r, err := (&registry{byKey: map[string]*Field{}}).with(builtin...)
	if err != nil {
		panic("ingest: built-in kinds: " + err.Error())
	}
	p := new(atomic.Pointer[registry])
	p.Store(r)
	return p
}

func kinds() *registry { return current.Load() }

// ErrKind is wrapped by Register's errors: the spec cannot be added.
var ErrKind = errors.New("record kind")

// Register adds a record kind. Every later Mapper, ParseKind and Lookup knows it; an emulator
// created after it serves its endpoint. Registering the same Spec again does nothing.
func Register(s *Spec) error {
	registerMu.Lock()
	defer registerMu.Unlock()
	old := kinds()
	if old.lookup(s.Kind) == s {
		return nil
	}
	r, err := old.with(s)
	if err != nil {
		return err
	}
	if len(r.conflicts) > len(old.conflicts) {
		return fmt.Errorf("%w %s: aliases: %s", ErrKind, s.Kind, strings.Join(r.conflicts[len(old.conflicts):], "; "))
	}
	current.Store(r)
	return nil
}

// with returns a registry of r's kinds and specs, checking each and indexing its fields.
func (r *registry) with(specs ...*Spec) (*registry, error) {
	n := &registry{specs: r.specs[:len(r.specs):len(r.specs)], fields: r.fields[:len(r.fields):len(r.fields)],
		byKey: make(map[string]*Field, len(r.byKey)), conflicts: r.conflicts}
	for k, f := range r.byKey {
		n.byKey[k] = f
	}
	for _, s := range specs {
		if err := n.add(s); err != nil {
			return nil, fmt.Errorf("%w %q: %w", ErrKind, s.Kind, err)
		}
	}
	return n, nil
}

func (r *registry) add(s *Spec) error {
	switch {
	case s.Kind == "" || Kind(strings.ToLower(string(s.Kind))) != s.Kind || strings.TrimSpace(string(s.Kind)) != string(s.Kind):
		return errors.New("a kind's name is a lower-case word")
	case r.lookup(s.Kind) != nil:
		return errors.New("already registered")
	case len(s.Fields) == 0 || s.Build == nil || s.Layout == nil || s.Validate == nil || s.ExternalID == nil ||
		s.NewRequest == nil || s.Answer == nil:
		return errors.New("a spec needs Fields, Build, Layout, Validate, ExternalID, NewRequest and Answer")
	case !strings.HasPrefix(s.Endpoint.Path, "/v1/") || len(s.Endpoint.IDs) == 0:
		return errors.New("its endpoint needs a /v1/ path and the ids its answer yields")
	}
	for _, f := range s.Fields {
		key := normKey(f.Name)
		prev, ok := r.byKey[key]
		switch {
		case !ok:
			r.fields = append(r.fields, f)
			f.id = len(r.fields)
			r.byKey[key] = f
		case prev.Name != f.Name || prev.Class != f.Class || prev.Personal != f.Personal:
			return fmt.Errorf("field %s differs from the registered %s", f.Name, prev.Name)
		case f.id == 0:
			f.id = prev.id // another kind's field of the same name, declared apart
		}
	}
	for _, f := range s.Fields {
		s.set.add(f.ix())
	}
	for _, f := range s.Required {
		if f.id == 0 || !s.has(f.ix()) {
			return fmt.Errorf("required field %s is not one of its fields", f.Name)
		}
	}
	s.aliases, r.conflicts = aliasTable(s, r.byKey, r.conflicts)
	r.specs = append(r.specs, s)
	return nil
}

func (r *registry) lookup(k Kind) *Spec {
	for _, s := range r.specs {
		if s.Kind == k {
			return s
		}
	}
	return nil
}

// orDefault returns k's spec, the default kind's when k is unknown.
func (r *registry) orDefault(k Kind) *Spec {
	if s := r.lookup(k); s != nil {
		return s
	}
	return r.specs[0]
}

// Lookup returns the spec of kind k, nil when none is registered.
func Lookup(k Kind) *Spec { return kinds().lookup(k) }

// Specs returns the registered kinds' specs, the built-in ones first.
func Specs() []*Spec {
	r := kinds()
	return r.specs[:len(r.specs):len(r.specs)]
}

// ParseKind returns the Kind named s ("" is ewa, the default).
func ParseKind(s string) (Kind, bool) { return kinds().parseKind(s) }

func (r *registry) parseKind(s string) (Kind, bool) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	if k == "" {
		return r.specs[0].Kind, true
	}
	if r.lookup(k) == nil {
		return "", false
	}
	return k, true
}

// kindList names the registered kinds for a message: "ewa, individual or business".
func kindList() string { return kinds().kindList() }

func (r *registry) kindList() string {
	names := make([]string, len(r.specs))
	for i, s := range r.specs {
		names[i] = string(s.Kind)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// CanonicalNames returns the roster template's column names for a kind, in template order.
// Any number of "metadata.<key>" columns may be added to them.
func CanonicalNames(k Kind) []string { return fieldNames(kinds().orDefault(k).Fields) }

// RequiredFields returns the canonical names a kind's requests cannot do without.
func RequiredFields(k Kind) []string {
	if s := Lookup(k); s != nil {
		return s.RequiredNames()
	}
	return nil
}

// NewRecord allocates a record and its request (or the block of objects that holds it) in one
// go, so that a row costs one allocation; Body is set to the *T, which a builder whose request
// is a part of T points at that part instead.
func NewRecord[T any]() (*Record, *T) {
	b := new(struct {
		rec  Record
		body T
	})
	b.rec.Body = &b.body
	return &b.rec, &b.body
}

// fieldSet has a bit per registered field: the first 128 in place, so that a row's set costs no
// allocation of its own, any further ones in more. more is a pointer, not a slice, so that a
// Record stays small enough for the 896-byte size class with an ewa request in its block.
type fieldSet struct {
	w    [2]uint64
	more *[]uint64
}

func (s *fieldSet) has(i int) bool {
	if i < 0 {
		return false // a field never registered
	}
	if i < 128 {
		return s.w[i>>6]&(1<<(i&63)) != 0
	}
	if s.more == nil {
		return false
	}
	i -= 128
	more := *s.more
	return i>>6 < len(more) && more[i>>6]&(1<<(i&63)) != 0
}

func (s *fieldSet) add(i int) {
	if i < 128 {
		s.w[i>>6] |= 1 << (i & 63)
		return
	}
	i -= 128
	if s.more == nil {
		s.more = new([]uint64)
	}
	for len(*s.more) <= i>>6 {
		*s.more = append(*s.more, 0)
	}
	(*s.more)[i>>6] |= 1 << (i & 63)
}

// clone returns a set that add can change without changing s.
func (s fieldSet) clone() fieldSet {
	if s.more != nil {
		more := append([]uint64(nil), *s.more...)
		s.more = &more
	}
	return s
}

// customerEndpoint is POST /v1/customers, which the individual and business kinds share, told
// apart by the body's type; its answer is the customer, whose id is the customer id.
func customerEndpoint(typ string) api.Endpoint {
	return api.Endpoint{Path: "/v1/customers", Type: typ, Object: "customer",
		IDs: []api.ResponseID{{Field: "id", Role: api.CustomerID}}}
}

// typed adapts a func of one request type to a Spec's func of any; a request of another type,
// or none, gives the zero value.
func typed[T, R any](f func(*T) R) func(any) R {
	return func(req any) R {
		t, _ := req.(*T)
		if t == nil {
			var zero R
			return zero
		}
		return f(t)
	}
}

// validator adapts a validate.Validator method to a Spec's Validate; the method reports every
// required field of a request it is not given.
func validator[T any](f func(*validate.Validator, *T, validate.Hint) validate.Result) func(*validate.Validator, any, validate.Hint) validate.Result {
	return func(v *validate.Validator, req any, h validate.Hint) validate.Result {
		t, _ := req.(*T)
		return f(v, t, h)
	}
}

// newOf returns a Spec's NewRequest for requests of type T.
func newOf[T any]() func() any { return func() any { return new(T) } }
