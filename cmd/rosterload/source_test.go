package main

import (
	"reflect"
	"testing"

	"github.com/rosterload/rosterload/ingest"
)

func TestMissingRequired(t *testing.T) {
	t.Parallel()
	all := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	tests := []struct {
		name string
		cfg  ingest.Config
		has  map[string]bool
		want []string
	}{
		{"individual complete", ingest.Config{Kind: ingest.KindIndividual},
			all("externalId", "firstName", "lastName", "email", "phone"), nil},
		{"individual without contact columns", ingest.Config{Kind: ingest.KindIndividual},
			all("externalId", "firstName", "lastName"), []string{"email", "phone"}},
		{"ewa: defaults and --program-id count", ingest.Config{Kind: ingest.KindEWA, ProgramID: "p",
			Defaults: map[string]string{"cardName": "Pay", "cardSubtype": "DEBIT"}},
			all("externalId", "firstName", "lastName", "email", "phone", "cardNumber", "cardExpiry", "addressLine1", "city", "zip"), nil},
		{"ewa without card columns", ingest.Config{Kind: ingest.KindEWA, ProgramID: "p"},
			all("externalId", "firstName", "lastName", "email", "phone", "addressLine1", "city", "zip"),
			[]string{"cardNumber", "cardExpiry", "cardName", "cardSubtype"}},
		{"business without a contact", ingest.Config{Kind: ingest.KindBusiness},
			all("externalId", "businessName"), []string{"contactFirstName", "contactLastName", "contactEmail", "contactPhone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := missingRequired(tt.cfg, tt.has); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("missingRequired = %q, want %q", got, tt.want)
			}
		})
	}
}
