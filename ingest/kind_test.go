package ingest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest/rows"
	"github.com/rosterload/rosterload/validate"
)

// wideRequest is the request of a test kind with many fields: one value per field.
type wideRequest struct {
	ExternalID string
	Values     []string
}

// wideSpec is a kind of n fields besides externalId ("w000"...), its request field "values[i]"
// fed by field i, and "pair" by the first of fields a and b the row gives.
func wideSpec(kind Kind, n, a, b int) *Spec {
	fs := make([]*Field, n)
	for i := range fs {
		fs[i] = &Field{Name: fmt.Sprintf("w%03d", i), Class: fmt.Sprintf("w%03d", i)}
	}
	id := &Field{Name: "externalId", Class: "externalId", Personal: true}
	return &Spec{
		Kind:   kind,
		Fields: append([]*Field{id}, fs...),
		Build: func(c Cells) *Record {
			rec, req := NewRecord[wideRequest]()
			req.ExternalID = c.Get(id)
			for _, f := range fs {
				req.Values = append(req.Values, c.Get(f))
			}
			return rec
		},
		Layout: func(l *Locations) {
			for i, f := range fs {
				l.Add(fmt.Sprintf("values[%d]", i), false, f)
			}
			l.Add("pair", false, fs[a], fs[b])
		},
		Endpoint:   api.Endpoint{Path: "/v1/wide", IDs: []api.ResponseID{{Field: "id", Role: api.CustomerID}}},
		Validate:   func(*validate.Validator, any, validate.Hint) validate.Result { return validate.Result{} },
		ExternalID: func(req any) string { return req.(*wideRequest).ExternalID },
		NewRequest: func() any { return new(wideRequest) },
		Answer:     func(req any, _ api.Created) (any, any, error) { return req, nil, nil },
	}
}

// TestFieldsBeyond128: the field set has no cap; a row's blank cells are told apart for fields
// far past the first 128 registered.
func TestFieldsBeyond128(t *testing.T) {
	t.Parallel()
	const n = 300
	reg, err := kinds().with(wideSpec("wide", n, 250, 299))
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.fields) < n+len(kinds().fields) {
		t.Fatalf("%d fields registered", len(reg.fields))
	}
	headers := append([]string{"externalId"}, fieldNames(reg.lookup("wide").Fields[1:])...)
	m, err := reg.newMapper(Config{Kind: "wide"}, rows.Header{Num: 1, Names: headers})
	if err != nil {
		t.Fatal(err)
	}
	cells := make([]string, len(headers))
	cells[0] = "X1"
	for i := 1; i < len(cells); i++ {
		cells[i] = fmt.Sprint("v", i-1)
	}
	tests := []struct {
		name      string
		blank     int    // field whose cell is blank, -1 none
		wantPair  string // the column Locate gives "pair"
		wantValue string // values[250]
	}{
		{"the first of a pair gives it", -1, "w250", "v250"},
		{"a blank first of a pair passes to the second", 250, "w299", ""},
		{"a blank field elsewhere changes nothing", 140, "w250", "v250"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			row := slices.Clone(cells)
			if tt.blank >= 0 {
				row[tt.blank+1] = " "
			}
			rec := m.Map(rows.Row{Num: 5, Cells: row})
			req := rec.Body.(*wideRequest)
			if rec.ExternalID() != "X1" || len(req.Values) != n || req.Values[250] != tt.wantValue || req.Values[299] != "v299" {
				t.Fatalf("request %s with %d values: %q", req.ExternalID, len(req.Values), req.Values)
			}
			if col, cell := rec.Locate("pair"); col != tt.wantPair {
				t.Errorf("Locate(pair) = %q %q, want %s", col, cell, tt.wantPair)
			}
			if col, cell := rec.Locate("values[299]"); col != "w299" || cell != rows.Cell(300, 5) {
				t.Errorf("Locate(values[299]) = %q %q", col, cell)
			}
		})
	}
}

// TestRegisterRefuses: a spec that would break what is registered is refused, and the kinds
// stay as they were.
func TestRegisterRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec func() *Spec
		want string
	}{
		{"a kind already registered", func() *Spec { return wideSpec(KindEWA, 2, 0, 1) }, "already registered"},
		{"a kind's name in capitals", func() *Spec { return wideSpec("Wide", 2, 0, 1) }, "lower-case"},
		{"a field of another class under a known name", func() *Spec {
			s := wideSpec("clash", 2, 0, 1)
			s.Fields = append(s.Fields, &Field{Name: "email", Class: "phone"})
			return s
		}, "field email differs"},
		{"an alias that is one of its canonical names", func() *Spec {
			s := wideSpec("twice", 2, 0, 1)
			s.Aliases = []AliasGroup{{Field: s.Fields[1], Prio: prioGeneric, Headers: []string{"W001"}}}
			return s
		}, "is a canonical name"},
		{"a required field it does not have", func() *Spec {
			s := wideSpec("lacking", 2, 0, 1)
			s.Required = []*Field{fCardNumber}
			return s
		}, "required field cardNumber"},
		{"no builder", func() *Spec {
			s := wideSpec("idle", 2, 0, 1)
			s.Build = nil
			return s
		}, "needs Fields, Build"},
		{"an endpoint outside the API", func() *Spec {
			s := wideSpec("astray", 2, 0, 1)
			s.Endpoint.Path = "/wide"
			return s
		}, "/v1/ path"},
	}
	before := kinds()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Register(tt.spec())
			if !errors.Is(err, ErrKind) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Register: %v, want ErrKind with %q", err, tt.want)
			}
		})
	}
	t.Cleanup(func() {
		if kinds() != before {
			t.Error("a refused spec changed the registry")
		}
	})
}

func TestBuiltinKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind     Kind
		fields   int
		path     string
		required []string
	}{
		{KindEWA, 42, "/v1/customer-profiles", []string{"externalId", "firstName", "lastName", "email", "phone",
			"cardNumber", "cardExpiry", "cardName", "cardSubtype", "addressLine1", "city", "zip", "programId"}},
		{KindIndividual, 27, "/v1/customers", []string{"externalId", "firstName", "lastName", "email", "phone"}},
		{KindBusiness, 28, "/v1/customers", []string{"externalId", "businessName", "contactFirstName",
			"contactLastName", "contactEmail", "contactPhone"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			t.Parallel()
			s := Lookup(tt.kind)
			if s == nil || len(s.Fields) != tt.fields || s.Endpoint.Path != tt.path {
				t.Fatalf("spec %+v", s)
			}
			if got := RequiredFields(tt.kind); !slices.Equal(got, tt.required) {
				t.Errorf("required %q, want %q", got, tt.required)
			}
		})
	}
	if got := kindList(); got != "ewa, individual or business" {
		t.Errorf("kindList() = %q", got)
	}
}
