package ingest

import (
	"errors"
	"strings"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/validate"
)

// ewaSpec is the ewa kind, the default: a row enrolls an employee in earned-wage access (POST
// /v1/customer-profiles), a person (person.go) with a card financial account.
var ewaSpec = &Spec{
	Kind:     KindEWA,
	Fields:   concat(personFields, ewaFields),
	Aliases:  concat(personAliases, ewaAliases),
	Required: concat(personRequired, []*Field{fCardNumber, fCardExpiry, fCardName, fCardSubtype, fAddressLine1, fCity, fZip, fProgramID}),
	Build:    buildEWA,
	Keys:     keysEWA,
	Layout:   layoutEWA,

	Endpoint: api.Endpoint{Path: "/v1/customer-profiles", Object: "customer profile", IDs: []api.ResponseID{
		{Field: "id", Role: api.ProfileID}, {Field: "customerId", Role: api.CustomerID},
		{Field: "financialAccountId", Role: api.FinancialAccountID}}},
	Validate:   validator((*validate.Validator).EWA),
	ExternalID: typed(func(p *api.CustomerProfileRequest) string { return p.ExternalID }),
	Name:       typed(func(p *api.CustomerProfileRequest) string { return personName(p.CustomerData) }),
	Mask:       typed(maskedEWA),

	NewRequest: newOf[api.CustomerProfileRequest](),
	Country:    typed(billingCountry),
	Answer:     answerEWA,
}

// The ewa kind's own fields, in template order after the person's.
var (
	fProgramID         = &Field{Name: "programId", Class: "programId"}
	fEligibilityStatus = &Field{Name: "eligibilityStatus", Class: "eligibilityStatus"}
	fCardName          = &Field{Name: "cardName", Class: "cardName"}
	fCardSubtype       = &Field{Name: "cardSubtype", Class: "cardSubtype"}
	fCardNumber        = &Field{Name: "cardNumber", Class: "cardNumber", Personal: true}
	fCardExpiry        = &Field{Name: "cardExpiry", Class: "cardExpiry", Personal: true}
	fCardFirstName     = &Field{Name: "cardFirstName", Class: "first"}
	fCardLastName      = &Field{Name: "cardLastName", Class: "last"}
	fBillingLine1      = &Field{Name: "billingLine1", Class: "line1"}
	fBillingLine2      = &Field{Name: "billingLine2", Class: "line2"}
	fBillingCity       = &Field{Name: "billingCity", Class: "city"}
	fBillingState      = &Field{Name: "billingState", Class: "state"}
	fBillingZip        = &Field{Name: "billingZip", Class: "zip"}
	fBillingCountry    = &Field{Name: "billingCountry", Class: "country"}
	fCurrency          = &Field{Name: "currency", Class: "currency"}

	ewaFields = []*Field{fProgramID, fEligibilityStatus, fCardName, fCardSubtype, fCardNumber,
		fCardExpiry, fCardFirstName, fCardLastName, fBillingLine1, fBillingLine2, fBillingCity,
		fBillingState, fBillingZip, fBillingCountry, fCurrency}
	// billingFields, when any has a column or default, give the card's billing address;
	// otherwise the home address does.
	billingFields = []*Field{fBillingLine1, fBillingLine2, fBillingCity, fBillingState, fBillingZip, fBillingCountry}
)

// Values an enrollment gets when neither a cell nor the mapping file gives one.
const (
	defaultEligibility = "NEW"
	defaultCurrency    = "USD"
)

// Withheld stands for a card expiry: no output of rosterload holds one.
const Withheld = "[WITHHELD]"

// Headers only the ewa kind recognises.
var ewaAliases = []AliasGroup{
	{fProgramID, prioGeneric, "", []string{"Program", "EWA Program",
		"EWA Program ID", "Program Code"}},
	{fEligibilityStatus, prioGeneric, "", []string{"Eligibility", "EWA Eligibility",
		"EWA Status", "Eligibility Code"}},
	{fCardName, prioGeneric, "", []string{"Card Nickname", "Account Name", "Account Nickname",
		"Financial Account Name"}},
	{fCardSubtype, prioGeneric, "", []string{"Card Type", "Debit/Credit",
		"Card Kind"}},
	{fCardNumber, prioGeneric, "", []string{"PAN", "Card No", "Card #", "Card Num",
		"Debit Card Number", "Debit Card", "Credit Card Number", "Primary Account Number",
		"Payment Card Number", "Pay Card Number", "Paycard Number", "Pay Card #",
		"Pay Card Account Number"}},
	{fCardExpiry, prioGeneric, "", []string{"Expiry", "Expiry Date", "Expiration",
		"Expiration Date", "Exp Date", "Exp", "Card Expiration", "Card Expiration Date",
		"Card Exp", "Card Exp Date", "Card Expiry Date", "Valid Thru", "Valid Through",
		"Expires", "Exp Month/Year", "Pay Card Expiration", "Pay Card Expiration Date",
		"Paycard Expiration", "Pay Card Exp Date"}},
	{fCardFirstName, prioGeneric, "", []string{"Cardholder First Name", "Card Holder First Name",
		"Name on Card First"}},
	{fCardLastName, prioGeneric, "", []string{"Cardholder Last Name", "Card Holder Last Name",
		"Name on Card Last"}},
	{fBillingLine1, prioGeneric, "", []string{"Billing Address", "Billing Address Line 1",
		"Billing Address 1", "Billing Street", "Billing Street 1", "Billing Street Address"}},
	{fBillingLine2, prioGeneric, "", []string{"Billing Address Line 2", "Billing Address 2",
		"Billing Street 2", "Billing Apt", "Billing Suite", "Billing Unit"}},
	{fBillingCity, prioGeneric, "", []string{"Billing Town"}},
	{fBillingState, prioGeneric, "", []string{"Billing Province", "Billing State/Province",
		"Billing State Code", "Billing Region"}},
	{fBillingZip, prioGeneric, "", []string{"Billing Zip Code", "Billing Postal Code",
		"Billing Postcode", "Billing Zip/Postal Code", "Billing Postal"}},
	{fBillingCountry, prioGeneric, "", []string{"Billing Country Code"}},
	{fCurrency, prioGeneric, "", []string{"Currency Code", "Card Currency", "Account Currency"}},
}

type ewaBlock struct {
	req  api.CustomerProfileRequest
	p    person
	fin  api.FinancialAccountData
	card api.Card
	bill api.BillingAddress
}

// buildEWA fills the record's block field by field: it is fresh, so every field not set is
// already empty, and a struct literal would be copied in whole, a write barrier on each of its
// pointers while the collector runs.
func buildEWA(c Cells) *Record {
	rec, b := NewRecord[ewaBlock]()
	r := &b.req
	rec.Body = r
	r.ExternalID = strings.TrimSpace(c.Get(fExternalID))
	r.EligibilityStatus = or(c.Get(fEligibilityStatus), defaultEligibility)
	r.ProgramID = or(c.Get(fProgramID), c.Config().ProgramID)
	cust := fillPerson(&c, &b.p)
	r.CustomerData = cust

	fin := &b.fin
	fin.Name = c.Get(fCardName)
	fin.Subtype = c.Get(fCardSubtype)
	fin.Currency = or(c.Get(fCurrency), defaultCurrency)
	fin.Card = &b.card
	r.FinancialAccountData = fin
	card := &b.card
	card.FirstName = or(c.Get(fCardFirstName), cust.FirstName)
	card.LastName = or(c.Get(fCardLastName), cust.LastName)
	card.CardNumber = c.Get(fCardNumber)
	card.Expiry = c.Get(fCardExpiry)
	card.BillingAddress = &b.bill
	bill := &b.bill
	bill.CountryCode = or(c.Get(fBillingCountry), c.Country())
	if c.m.billing {
		bill.AddressLine1 = c.Get(fBillingLine1)
		bill.AddressLine2 = c.Get(fBillingLine2)
		bill.City = c.Get(fBillingCity)
		bill.StateCode = c.Get(fBillingState)
		bill.PostalCode = c.Get(fBillingZip)
	} else {
		bill.AddressLine1 = c.Get(fAddressLine1)
		bill.AddressLine2 = c.Get(fAddressLine2)
		bill.AddressLine3 = c.Get(fAddressLine3)
		bill.City = c.Get(fCity)
		bill.StateCode = c.Get(fState)
		bill.PostalCode = c.Get(fZip)
	}
	return rec
}

// keysEWA fills an enrollment's externalId, its person's keys and its card number (see
// Spec.Keys), in a block of its own the first time.
func keysEWA(c Cells, body any) any {
	r, _ := body.(*api.CustomerProfileRequest)
	if r == nil {
		b := new(struct {
			req  api.CustomerProfileRequest
			p    person
			fin  api.FinancialAccountData
			card api.Card
		})
		r = &b.req
		r.CustomerData = keyedPerson(&b.p)
		b.fin.Card = &b.card
		r.FinancialAccountData = &b.fin
	}
	r.ExternalID = strings.TrimSpace(c.Get(fExternalID))
	keysPerson(&c, r.CustomerData)
	r.FinancialAccountData.Card.CardNumber = c.Get(fCardNumber)
	return r
}

func layoutEWA(l *Locations) {
	hasCountry := l.Config().DefaultCountry != ""
	l.Add("externalId", false, fExternalID)
	l.Add("programId", l.Config().ProgramID != "", fProgramID)
	l.Add("eligibilityStatus", true, fEligibilityStatus)
	l.Add("customerData", false, fFirstName)
	l.Add("customerData.type", true)
	layoutPerson(l, "customerData.")
	f := "financialAccountData"
	l.Add(f, false, fCardNumber)
	l.Add(f+".name", false, fCardName)
	l.Add(f+".subtype", false, fCardSubtype)
	l.Add(f+".currency", true, fCurrency)
	l.Add(f+".card", false, fCardNumber)
	l.Add(f+".card.firstName", false, fCardFirstName, fFirstName)
	l.Add(f+".card.lastName", false, fCardLastName, fLastName)
	l.Add(f+".card.cardNumber", false, fCardNumber)
	l.Add(f+".card.expiry", false, fCardExpiry)
	ba := f + ".card.billingAddress"
	l.Add(ba+".countryCode", hasCountry, fBillingCountry, fCountry)
	if l.m.givenAny(billingFields) {
		l.Add(ba, false, fBillingLine1)
		l.Add(ba+".addressLine1", false, fBillingLine1)
		l.Add(ba+".addressLine2", false, fBillingLine2)
		l.Add(ba+".addressLine3", false)
		l.Add(ba+".city", false, fBillingCity)
		l.Add(ba+".stateCode", false, fBillingState)
		l.Add(ba+".postalCode", false, fBillingZip)
	} else {
		l.Add(ba, false, fAddressLine1)
		l.Add(ba+".addressLine1", false, fAddressLine1)
		l.Add(ba+".addressLine2", false, fAddressLine2)
		l.Add(ba+".addressLine3", false, fAddressLine3)
		l.Add(ba+".city", false, fCity)
		l.Add(ba+".stateCode", false, fState)
		l.Add(ba+".postalCode", false, fZip)
	}
}

// maskedEWA returns a copy of p with the card number and SSN masked and the card expiry
// withheld.
func maskedEWA(p *api.CustomerProfileRequest) any {
	r := *p
	if r.CustomerData != nil {
		r.CustomerData = maskedPerson(r.CustomerData)
	}
	if fa := r.FinancialAccountData; fa != nil && fa.Card != nil {
		fc, card := *fa, *fa.Card
		card.CardNumber = redact.PAN(card.CardNumber)
		card.Expiry = Withheld
		fc.Card = &card
		r.FinancialAccountData = &fc
	}
	return &r
}

// billingCountry is the country an enrollment's phone number is read in when it is not in
// E.164: that of the card's billing address.
func billingCountry(p *api.CustomerProfileRequest) string {
	if fa := p.FinancialAccountData; fa != nil && fa.Card != nil && fa.Card.BillingAddress != nil {
		return fa.Card.BillingAddress.CountryCode
	}
	return ""
}

// answerEWA is what the platform makes of an enrollment: the customer (from customerData, with
// the enrollment's externalId), its card financial account and the EWA profile, which it
// answers. The card number is not kept at all: nothing the platform answers may hold it.
func answerEWA(req any, cr api.Created) (customer, answer any, err error) {
	p := req.(*api.CustomerProfileRequest)
	// The validator requires both; this keeps a gap there from becoming a nil dereference here.
	if p.CustomerData == nil || p.FinancialAccountData == nil {
		return nil, nil, errors.New("customerData and financialAccountData are required")
	}
	cd := *p.CustomerData
	cd.ExternalID = p.ExternalID
	if cd.Type == "" {
		cd.Type = api.TypeIndividual
	}
	cust := api.IndividualCustomerResponse{ID: cr.IDs.CustomerID, Status: api.StatusActive, CreatedBy: cr.CreatedBy,
		CreatedAt: cr.CreatedAt, IndividualCustomer: *maskedPerson(&cd)}
	status := p.EligibilityStatus
	if status == "" {
		status = defaultEligibility
	}
	prof := api.CustomerProfile{
		ID:                 cr.IDs.ProfileID,
		ExternalID:         p.ExternalID,
		CustomerID:         cr.IDs.CustomerID,
		FinancialAccountID: cr.IDs.FinancialAccountID,
		LatestEligibilityStatus: &api.EligibilityStatus{
			ID: cr.NewID(), EligibilityUpdateReason: "New application", Status: status, CreatedAt: cr.CreatedAt,
		},
		FirstName:   cd.FirstName,
		MiddleName:  cd.MiddleName,
		LastName:    cd.LastName,
		ProgramID:   p.ProgramID,
		ProgramName: "EWA",
	}
	return cust, prof, nil
}
