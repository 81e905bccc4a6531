package payload

import (
	"testing"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest"
)

// TestMaskedLeavesTheRecord: the payload masks a copy; the record, which a run would send, keeps
// its values.
func TestMaskedLeavesTheRecord(t *testing.T) {
	t.Parallel()
	rec := &ingest.Record{Row: 2, Kind: ingest.KindEWA, Body: &api.CustomerProfileRequest{
		ExternalID:   "E1",
		CustomerData: &api.IndividualCustomer{SocialID: "123-45-6789"},
		FinancialAccountData: &api.FinancialAccountData{Card: &api.Card{
			CardNumber: "4242424242424242", Expiry: "2031-12"}},
	}}
	path, body := Masked(rec)
	got := body.(*api.CustomerProfileRequest)
	if path != "/v1/customer-profiles" {
		t.Errorf("path %q", path)
	}
	if c := got.FinancialAccountData.Card; c.CardNumber != "****4242" || c.Expiry != Withheld {
		t.Errorf("masked card %q %q, want ****4242 and %s", c.CardNumber, c.Expiry, Withheld)
	}
	if got.CustomerData.SocialID != "***-**-6789" {
		t.Errorf("masked socialId %q", got.CustomerData.SocialID)
	}
	req := rec.Body.(*api.CustomerProfileRequest)
	if c := req.FinancialAccountData.Card; c.CardNumber != "4242424242424242" || c.Expiry != "2031-12" ||
		req.CustomerData.SocialID != "123-45-6789" {
		t.Errorf("the record itself was changed: %+v %+v", c, req.CustomerData)
	}

	biz := &ingest.Record{Kind: ingest.KindBusiness, Body: &api.BusinessCustomer{TaxID: "12-3456789"}}
	if _, b := Masked(biz); b.(*api.BusinessCustomer).TaxID != "***-**-6789" || biz.Body.(*api.BusinessCustomer).TaxID != "12-3456789" {
		t.Errorf("business tax id: masked %q, record %q", b.(*api.BusinessCustomer).TaxID, biz.Body.(*api.BusinessCustomer).TaxID)
	}
}
