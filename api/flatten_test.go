package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func ewaRequest() *CustomerProfileRequest {
	return &CustomerProfileRequest{
		ExternalID: "E1", ProgramID: "prog-1", EligibilityStatus: "ELIGIBLE",
		CustomerData: &IndividualCustomer{
			Type: TypeIndividual, FirstName: "Ada", LastName: "Lovelace",
			PrimaryPhoneNumber: &Phone{Number: "+15555550100", Type: "MOBILE", Verified: Bool(false)},
			SocialID:           "123456789",
			Metadata:           map[string]string{"team": "ops", "costCenter": "cc-9", "empty": ""},
		},
		FinancialAccountData: &FinancialAccountData{
			Name: "Pay card", Subtype: "DEBIT", DefaultFlag: Bool(true),
			Card: &Card{FirstName: "Ada", LastName: "Lovelace", CardNumber: "4111111111111111", Expiry: "2030-12",
				BillingAddress: &BillingAddress{AddressLine1: "1 Main St", City: "Springfield", CountryCode: "USA", PostalCode: "12345"}},
		},
	}
}

type embedded struct {
	Inner string `json:"inner"`
}

type odd struct {
	embedded
	*Phone
	Skipped  string `json:"-"`
	NoTag    string
	Count    int            `json:"count"`
	Ratio    float64        `json:"ratio,omitempty"`
	Any      any            `json:"any,omitempty"`
	ByNumber map[int]string `json:"byNumber,omitempty"`
	hidden   string
}

func flat(req any) string {
	var b strings.Builder
	Flatten(req, func(path, value string) { fmt.Fprintf(&b, "%s=%s\n", path, value) })
	return b.String()
}

func TestFlatten(t *testing.T) {
	t.Parallel()
	many := &IndividualCustomer{Type: TypeIndividual}
	for i := range 18 {
		many.Addresses = append(many.Addresses, Address{Type: "MAILING", ZipCode: fmt.Sprint(10000 + i)})
	}
	cases := []struct {
		name string
		req  any
		want string
	}{
		{"nil", nil, ""},
		{"nil pointer", (*CustomerProfileRequest)(nil), ""},
		{"ewa request", ewaRequest(), `externalId=E1
eligibilityStatus=ELIGIBLE
programId=prog-1
customerData.metadata.costCenter=cc-9
customerData.metadata.team=ops
customerData.type=INDIVIDUAL
customerData.firstName=Ada
customerData.lastName=Lovelace
customerData.primaryPhoneNumber.number=+15555550100
customerData.primaryPhoneNumber.type=MOBILE
customerData.primaryPhoneNumber.verified=false
customerData.socialId=123456789
financialAccountData.name=Pay card
financialAccountData.subtype=DEBIT
financialAccountData.defaultFlag=true
financialAccountData.card.firstName=Ada
financialAccountData.card.lastName=Lovelace
financialAccountData.card.cardNumber=4111111111111111
financialAccountData.card.expiry=2030-12
financialAccountData.card.billingAddress.addressLine1=1 Main St
financialAccountData.card.billingAddress.city=Springfield
financialAccountData.card.billingAddress.countryCode=USA
financialAccountData.card.billingAddress.postalCode=12345
`},
		{"addresses and json.Number", &BusinessCustomer{Type: TypeBusiness, BusinessName: "Acme",
			Addresses: []Address{{Type: "PHYSICAL", StreetLine1: "1 Main"}, {Type: "MAILING", ZipCode: "02134", Primary: Bool(true)}},
			Limits:    &Limits{Daily: &Limit{Amount: json.Number("100.50")}}}, `addresses[0].type=PHYSICAL
addresses[0].streetLine1=1 Main
addresses[1].type=MAILING
addresses[1].zipCode=02134
addresses[1].primary=true
type=BUSINESS
businessName=Acme
limits.DAILY.amount=100.50
`},
		{"embedded, skipped, untagged, numbers, interface, int keys", odd{embedded: embedded{Inner: "in"}, Phone: &Phone{Number: "1"},
			Skipped: "no", NoTag: "yes", Count: 3, Ratio: 0.5, Any: &Email{Value: "a@b.c"}, ByNumber: map[int]string{2: "two"}, hidden: "h"}, `inner=in
number=1
NoTag=yes
count=3
ratio=0.5
any.value=a@b.c
byNumber.2=two
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := flat(tc.req); got != tc.want {
				t.Errorf("Flatten:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
	t.Run("long list", func(t *testing.T) {
		t.Parallel()
		got := flat(many)
		for _, want := range []string{"addresses[0].zipCode=10000\n", "addresses[15].zipCode=10015\n", "addresses[17].zipCode=10017\n"} {
			if !strings.Contains(got, want) {
				t.Errorf("no %q in\n%s", want, got)
			}
		}
	})
}

// The plans are shared by concurrent walks (the pipeline fingerprints rows in parallel).
func TestFlattenConcurrent(t *testing.T) {
	t.Parallel()
	want := flat(ewaRequest())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := flat(ewaRequest()); got != want {
					t.Error("concurrent walks differ")
					return
				}
			}
		})
	}
	wg.Wait()
}

// A request is walked with no allocation but the path of each metadata entry: every other path is
// made once.
func TestFlattenAllocs(t *testing.T) {
	for _, req := range []any{ewaRequest(), individualRequest(), businessRequest()} {
		t.Run(fmt.Sprintf("%T", req), func(t *testing.T) {
			metadata := 0
			Flatten(req, func(path, value string) {
				if strings.Contains(path, "metadata.") {
					metadata++
				}
			})
			yield := func(path, value string) {}
			if a := testing.AllocsPerRun(100, func() { Flatten(req, yield) }); a > float64(metadata) {
				t.Errorf("%.0f allocations per walk, want %d (a path per metadata entry)", a, metadata)
			}
		})
	}
}

// individualRequest and businessRequest are rows of the individual and business kinds, with the
// lists and maps those kinds fill.
func individualRequest() *IndividualCustomer {
	c := *ewaRequest().CustomerData
	c.ExternalID = "I1"
	c.Addresses = []Address{{Type: "PHYSICAL", StreetLine1: "1 Main St", CityName: "Springfield", StateCode: "IL", CountryCode: "USA", ZipCode: "62701", Primary: Bool(true)}}
	c.PrimaryEmail = &Email{Value: "ada@example.com"}
	c.DateOfBirth = "1815-12-10"
	return &c
}

func businessRequest() *BusinessCustomer {
	return &BusinessCustomer{ExternalID: "B1", Type: TypeBusiness, BusinessName: "Acme", LegalName: "Acme Inc",
		Addresses: []Address{{Type: "PHYSICAL", StreetLine1: "1 Main St", CityName: "Springfield", StateCode: "IL", CountryCode: "USA", ZipCode: "62701"}},
		Contacts: []Contact{{FirstName: "Ada", LastName: "Lovelace", Primary: Bool(true),
			PrimaryPhoneNumber: &Phone{Number: "+15555550100", Type: "WORK"}, PrimaryEmail: &Email{Value: "ada@example.com"}}},
		Metadata:        map[string]string{"region": "midwest"},
		LegalEntityType: "LLC", TaxIDCountryCode: "USA", TaxID: "123456789", LimitsCurrencyCode: "USD",
		Limits: &Limits{Daily: &Limit{Amount: "100"}, Monthly: &Limit{Amount: "1000"}}}
}

// benchRequests are a request of each kind; an EWA row of the sample roster carries no metadata.
func benchRequests() []struct {
	name string
	req  any
} {
	row := ewaRequest()
	row.CustomerData.Metadata = nil
	return []struct {
		name string
		req  any
	}{{"ewa", ewaRequest()}, {"ewa-row", row}, {"individual", individualRequest()}, {"business", businessRequest()}}
}

func benchWalk(b *testing.B, walk func(any, func(path, value string))) {
	for _, bc := range benchRequests() {
		b.Run(bc.name, func(b *testing.B) {
			n := 0
			yield := func(path, value string) { n += len(path) + len(value) } // made once: walk is called indirectly
			b.ReportAllocs()
			for b.Loop() {
				walk(bc.req, yield)
			}
		})
	}
}

// BenchmarkFlatten walks a request of each kind, as the de-duplication fingerprint does per row.
func BenchmarkFlatten(b *testing.B) { benchWalk(b, Flatten) }

func TestFlattenPaths(t *testing.T) {
	t.Parallel()
	req := &IndividualCustomer{
		ExternalID: "X",
		Addresses:  []Address{{Type: "PHYSICAL", ZipCode: "02134", Primary: Bool(true)}},
		Metadata:   map[string]string{"z": "1", "a": "2"},
		Type:       "INDIVIDUAL",
	}
	var got []string
	Flatten(req, func(p, v string) { got = append(got, p+"="+v) })
	want := []string{
		"externalId=X",
		"addresses[0].type=PHYSICAL", "addresses[0].zipCode=02134", "addresses[0].primary=true",
		"metadata.a=2", "metadata.z=1",
		"type=INDIVIDUAL",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flatten =\n%q\nwant\n%q", got, want)
	}
}
