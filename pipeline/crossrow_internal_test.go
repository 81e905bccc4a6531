package pipeline

import (
	"testing"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest"
	"github.com/rosterload/rosterload/outcome"
	"github.com/rosterload/rosterload/reports"
	"github.com/rosterload/rosterload/validate"
)

// Each kind's values are compared only with the same kind of value, between two externalIds.
func TestSharedCheck(t *testing.T) {
	ind := func(id, ssn, email string) *item {
		return &item{rec: &ingest.Record{Row: 0, Kind: ingest.KindIndividual, Body: &api.IndividualCustomer{ExternalID: id,
			SocialID: ssn, SocialIDCountryCode: "USA", PrimaryEmail: &api.Email{Value: email}}},
			line: reports.Line{ExternalID: id}, valid: true}
	}
	biz := func(id, tax, email string) *item {
		return &item{rec: &ingest.Record{Kind: ingest.KindBusiness, Body: &api.BusinessCustomer{ExternalID: id, TaxID: tax, PrimaryEmail: email}},
			line: reports.Line{ExternalID: id}, valid: true}
	}
	tests := []struct {
		name   string
		strict bool
		items  []*item
		codes  []string // "warning field" or "error field" of the last item's shared problems
	}{
		{"an SSN on two individuals", false, []*item{ind("I1", "123-45-6789", "a@x.com"), ind("I2", "123456789", "b@x.com")}, []string{"warning socialId"}},
		{"strict: an error, and the row is invalid", true, []*item{ind("I1", "123-45-6789", "a@x.com"), ind("I2", "123-45-6789", "b@x.com")}, []string{"error socialId"}},
		{"strict: an email stays a warning", true, []*item{ind("I1", "", "a@x.com"), ind("I2", "", "A@X.com")}, []string{"warning primaryEmail.value"}},
		{"an SSN equal to another's email is not shared", false, []*item{ind("I1", "", "123456789"), ind("I2", "123-45-6789", "")}, nil},
		{"a tax id on two businesses", false, []*item{biz("B1", "12-3456789", "a@x.com"), biz("B2", "123456789", "b@x.com")}, []string{"warning taxId"}},
		{"businesses may share an email", false, []*item{biz("B1", "", "books@x.com"), biz("B2", "", "books@x.com")}, nil},
		{"no externalId: not compared", false, []*item{ind("I1", "123-45-6789", ""), ind("", "123-45-6789", "")}, nil},
		{"a field with an error is not compared", false, []*item{ind("I1", "123-45-6789", ""), func() *item {
			it := ind("I2", "123-45-6789", "")
			it.line.Errors = []validate.Problem{{Field: "socialId", Code: validate.CodeInvalidSSN}}
			return it
		}()}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Shared
			for i, it := range tt.items {
				it.rec.Row = i + 2
				s.check(it, tt.strict, nil)
			}
			last := tt.items[len(tt.items)-1]
			var got []string
			for _, p := range last.line.Warnings {
				if p.Code == validate.CodeShared {
					got = append(got, "warning "+p.Field)
				}
			}
			for _, p := range last.line.Errors {
				if p.Code == validate.CodeShared {
					got = append(got, "error "+p.Field)
				}
			}
			if len(got) != len(tt.codes) || (len(got) > 0 && got[0] != tt.codes[0]) {
				t.Fatalf("shared problems %q, want %q", got, tt.codes)
			}
			if invalid := last.line.Status == outcome.Invalid; invalid == last.valid || invalid != (len(got) > 0 && got[0][:5] == "error") {
				t.Errorf("status %q valid %v after %q", last.line.Status, last.valid, got)
			}
			if s.Count != len(tt.codes) {
				t.Errorf("Count %d, want %d", s.Count, len(tt.codes))
			}
		})
	}
}
