package ingest

import (
	"encoding/json"
	"strings"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
	"github.com/rosterload/rosterload/validate"
)

// businessSpec is the business kind: a row is a BUSINESS customer (POST /v1/customers) with
// one primary contact, its address and its debit limits.
var businessSpec = &Spec{
	Kind: KindBusiness,
	Fields: []*Field{fExternalID, fBusinessName, fDBAName, fLegalName, fRegisteredState,
		fLegalEntityType, fTaxID, fTaxIDCountry, fWebsite, fDateOfFormation, fBusinessPhone,
		fBusinessEmail, fContactFirstName, fContactLastName, fContactEmail, fContactPhone,
		fContactPhoneType, fAddressLine1, fAddressLine2, fCity, fState, fZip, fCountry,
		fLimitsCurrency, fLimitMonthly, fLimitWeekly, fLimitDaily, fLimitSingle},
	Aliases:  concat(businessAliases, addressAliasGroups),
	Required: []*Field{fExternalID, fBusinessName, fContactFirstName, fContactLastName, fContactEmail, fContactPhone},
	Build:    buildBusiness,
	Keys:     keysBusiness,
	Layout:   layoutBusiness,

	Endpoint:   customerEndpoint(api.TypeBusiness),
	Validate:   validator((*validate.Validator).Business),
	ExternalID: typed(func(b *api.BusinessCustomer) string { return b.ExternalID }),
	Name:       typed(func(b *api.BusinessCustomer) string { return b.BusinessName }),
	Mask:       typed(func(b *api.BusinessCustomer) any { return maskedBusiness(b) }),

	NewRequest: newOf[api.BusinessCustomer](),
	Country:    typed(func(b *api.BusinessCustomer) string { return addressCountry(b.Addresses) }),
	Answer: func(req any, cr api.Created) (any, any, error) {
		c := api.BusinessCustomerResponse{ID: cr.IDs.CustomerID, Status: api.StatusActive, CreatedBy: cr.CreatedBy,
			CreatedAt: cr.CreatedAt, BusinessCustomer: *maskedBusiness(req.(*api.BusinessCustomer))}
		return c, nil, nil
	},
}

// The business kind's own fields (the address fields are person.go's).
var (
	fBusinessName     = &Field{Name: "businessName", Class: "orgName"}
	fDBAName          = &Field{Name: "dbaName", Class: "orgName"}
	fLegalName        = &Field{Name: "legalName", Class: "orgName"}
	fRegisteredState  = &Field{Name: "registeredState", Class: "state"}
	fLegalEntityType  = &Field{Name: "legalEntityType", Class: "legalEntityType"}
	fTaxID            = &Field{Name: "taxId", Class: "taxId", Personal: true}
	fTaxIDCountry     = &Field{Name: "taxIdCountry", Class: "country"}
	fWebsite          = &Field{Name: "website", Class: "website"}
	fDateOfFormation  = &Field{Name: "dateOfFormation", Class: "date"}
	fBusinessPhone    = &Field{Name: "businessPhone", Class: "phone"}
	fBusinessEmail    = &Field{Name: "businessEmail", Class: "email"}
	fContactFirstName = &Field{Name: "contactFirstName", Class: "first"}
	fContactLastName  = &Field{Name: "contactLastName", Class: "last"}
	fContactEmail     = &Field{Name: "contactEmail", Class: "email"}
	fContactPhone     = &Field{Name: "contactPhone", Class: "phone"}
	fContactPhoneType = &Field{Name: "contactPhoneType", Class: "phoneType"}
	fLimitsCurrency   = &Field{Name: "limitsCurrency", Class: "currency"}
	fLimitMonthly     = &Field{Name: "limitMonthly", Class: "amount"}
	fLimitWeekly      = &Field{Name: "limitWeekly", Class: "amount"}
	fLimitDaily       = &Field{Name: "limitDaily", Class: "amount"}
	fLimitSingle      = &Field{Name: "limitSingle", Class: "amount"}
)

// defaultContactPhoneType is a contact phone's type when no column, default or header says.
const defaultContactPhoneType = "WORK"

// Headers the business kind recognises, besides the address ones. A business roster's person
// columns (name, email, phone) are its contact's: the contact's email and phone are required,
// the business's not.
var businessAliases = []AliasGroup{
	{fExternalID, prioStrong, "", []string{"Customer ID", "Customer Number", "Business ID",
		"Company ID", "Company Code", "Client ID", "Client Number", "Account ID", "Account Number",
		"Ext ID", "Employer ID", "Employer Number", "Merchant ID"}},
	{fExternalID, prioGeneric, "", []string{"ID"}},
	{fBusinessName, prioStrong, "", []string{"Company Name", "Company",
		"Employer Name", "Employer", "Organization", "Organization Name", "Organisation",
		"Organisation Name", "Business", "Client Name", "Customer Name"}},
	{fBusinessName, prioGeneric, "", []string{"Name"}},
	{fDBAName, prioGeneric, "", []string{"DBA", "Doing Business As",
		"Doing Business As Name", "Trade Name", "Trading Name", "Operating Name"}},
	{fLegalName, prioGeneric, "", []string{"Legal Business Name", "Registered Name",
		"Legal Entity Name", "Company Legal Name", "Business Legal Name"}},
	{fRegisteredState, prioGeneric, "", []string{"Registered State Code", "State of Incorporation",
		"Incorporation State", "State of Formation", "Formation State", "State of Registration"}},
	{fLegalEntityType, prioGeneric, "", []string{"Entity Type", "Business Type", "Company Type",
		"Legal Structure", "Business Structure", "Entity", "Legal Entity", "Organization Type"}},
	{fTaxID, prioGeneric, "", []string{"EIN", "FEIN", "Federal EIN", "Tax ID Number",
		"TIN", "Tax Number", "Federal Tax ID", "Federal Tax ID Number", "Business Tax ID",
		"Employer Identification Number", "Tax Identification Number", "Company Tax ID"}},
	{fTaxIDCountry, prioGeneric, "", []string{"Tax ID Country Code",
		"Tax Country", "EIN Country"}},
	{fWebsite, prioGeneric, "", []string{"Website URL", "URL", "Web", "Homepage",
		"Home Page", "Company Website", "Business Website", "Web Address"}},
	{fDateOfFormation, prioGeneric, "", []string{"Formation Date", "Date Formed",
		"Incorporation Date", "Date of Incorporation", "Established", "Date Established",
		"Founded", "Founding Date"}},
	{fBusinessPhone, prioGeneric, "", []string{"Business Phone Number", "Company Phone",
		"Company Phone Number", "Main Phone", "Main Phone Number", "Office Phone"}},
	{fBusinessEmail, prioGeneric, "", []string{"Business Email Address", "Company Email",
		"Company Email Address", "Main Email", "General Email", "Info Email"}},
	{fContactFirstName, prioStrong, "", []string{"Contact First", "Primary Contact First Name",
		"Contact Given Name"}},
	{fContactFirstName, prioGeneric, "", []string{"First Name", "Given Name", "Legal First Name"}},
	{fContactLastName, prioStrong, "", []string{"Contact Last", "Primary Contact Last Name",
		"Contact Surname", "Contact Family Name"}},
	{fContactLastName, prioGeneric, "", []string{"Last Name", "Surname", "Family Name",
		"Legal Last Name"}},
	{fContactEmail, prioStrong, "", []string{"Contact Email Address", "Primary Contact Email"}},
	{fContactEmail, prioGeneric, "", []string{"Email", "Email Address", "E-mail",
		"Primary Email"}},
	{fContactEmail, prioWork, "", []string{"Work Email", "Personal Email"}},
	{fContactPhone, prioStrong, "", []string{"Contact Phone Number", "Primary Contact Phone",
		"Contact Telephone"}},
	{fContactPhone, prioStrong, "MOBILE", []string{"Contact Mobile", "Contact Cell",
		"Contact Mobile Phone", "Contact Cell Phone"}},
	{fContactPhone, prioGeneric, "", []string{"Phone", "Phone Number", "Telephone",
		"Primary Phone"}},
	{fContactPhone, prioPersonal, "MOBILE", []string{"Mobile Phone", "Mobile", "Cell Phone", "Cell"}},
	{fContactPhone, prioWork, "WORK", []string{"Work Phone"}},
	{fContactPhoneType, prioGeneric, "", []string{"Phone Type", "Contact Phone Kind"}},
	{fLimitsCurrency, prioGeneric, "", []string{"Currency", "Currency Code", "Limit Currency",
		"Limits Currency Code"}},
	{fLimitMonthly, prioGeneric, "", []string{"Monthly Limit", "Monthly Debit Limit",
		"Limit (Monthly)", "Monthly Transaction Limit"}},
	{fLimitWeekly, prioGeneric, "", []string{"Weekly Limit", "Weekly Debit Limit",
		"Limit (Weekly)", "Weekly Transaction Limit"}},
	{fLimitDaily, prioGeneric, "", []string{"Daily Limit", "Daily Debit Limit", "Limit (Daily)",
		"Daily Transaction Limit"}},
	{fLimitSingle, prioGeneric, "", []string{"Single Limit", "Single Transaction Limit",
		"Per Transaction Limit", "Transaction Limit", "Limit (Single)", "Limit per Transaction"}},
}

type businessBlock struct {
	bus     api.BusinessCustomer
	contact [1]api.Contact
	primary bool
	phone   api.Phone
	email   api.Email
	a       address
	limits  api.Limits
	limit   [4]api.Limit
}

// keysBusiness fills a business's externalId and tax id (see Spec.Keys): the cross-row check
// compares nothing else of a business.
func keysBusiness(c Cells, body any) any {
	bc, _ := body.(*api.BusinessCustomer)
	if bc == nil {
		bc = new(api.BusinessCustomer)
	}
	bc.ExternalID = strings.TrimSpace(c.Get(fExternalID))
	bc.TaxID = c.Get(fTaxID)
	return bc
}

func buildBusiness(c Cells) *Record {
	rec, b := NewRecord[businessBlock]()
	bc := &b.bus
	bc.ExternalID = strings.TrimSpace(c.Get(fExternalID))
	bc.Type = api.TypeBusiness
	bc.BusinessName = c.Get(fBusinessName)
	bc.DoingBusinessAsName = c.Get(fDBAName)
	bc.LegalName = c.Get(fLegalName)
	bc.RegisteredStateCode = c.Get(fRegisteredState)
	bc.LegalEntityType = c.Get(fLegalEntityType)
	bc.TaxID = c.Get(fTaxID)
	if bc.TaxID != "" {
		bc.TaxIDCountryCode = or(c.Get(fTaxIDCountry), c.Country())
	} else {
		bc.TaxIDCountryCode = c.Cell(fTaxIDCountry)
	}
	bc.Website = c.Get(fWebsite)
	bc.DateOfFormation = c.Get(fDateOfFormation)
	bc.PrimaryPhone = c.Get(fBusinessPhone)
	bc.PrimaryEmail = c.Get(fBusinessEmail)

	b.phone = api.Phone{Number: c.Get(fContactPhone),
		Type: or(c.Get(fContactPhoneType), or(c.Implied(fContactPhone), defaultContactPhoneType))}
	b.email.Value = c.Get(fContactEmail)
	b.primary = true
	b.contact[0] = api.Contact{
		FirstName:          c.Get(fContactFirstName),
		LastName:           c.Get(fContactLastName),
		Primary:            &b.primary,
		PrimaryPhoneNumber: &b.phone,
		PrimaryEmail:       &b.email,
	}
	bc.Contacts = b.contact[:]
	bc.Addresses = fillAddress(&c, &b.a, false)

	bc.LimitsCurrencyCode = c.Get(fLimitsCurrency)
	hasLimit := false
	for i, f := range limitFields {
		v := c.Get(f)
		if v == "" {
			continue
		}
		hasLimit = true
		b.limit[i].Amount = json.Number(v)
		lim := &b.limit[i]
		switch f {
		case fLimitMonthly:
			b.limits.Monthly = lim
		case fLimitWeekly:
			b.limits.Weekly = lim
		case fLimitDaily:
			b.limits.Daily = lim
		case fLimitSingle:
			b.limits.Single = lim
		}
	}
	if hasLimit {
		bc.Limits = &b.limits
	}
	bc.Metadata = c.Metadata()
	rec.Body = bc
	return rec
}

// limitFields feed the limits, by their names in the request.
var limitFields = [4]*Field{fLimitMonthly, fLimitWeekly, fLimitDaily, fLimitSingle}

var limitNames = [4]string{"MONTHLY", "WEEKLY", "DAILY", "SINGLE"}

func layoutBusiness(l *Locations) {
	hasCountry := l.Config().DefaultCountry != ""
	l.Add("externalId", false, fExternalID)
	l.Add("type", true)
	l.Add("businessName", false, fBusinessName)
	l.Add("doingBusinessAsName", false, fDBAName)
	l.Add("legalName", false, fLegalName)
	l.Add("registeredStateCode", false, fRegisteredState)
	l.Add("legalEntityType", false, fLegalEntityType)
	l.Add("taxId", false, fTaxID)
	l.Add("taxIdCountryCode", hasCountry, fTaxIDCountry, fCountry)
	l.Add("website", false, fWebsite)
	l.Add("dateOfFormation", false, fDateOfFormation)
	l.Add("primaryPhone", false, fBusinessPhone)
	l.Add("primaryEmail", false, fBusinessEmail)
	for _, p := range []string{"contacts", "contacts[0]", "contacts[0].firstName"} {
		l.Add(p, false, fContactFirstName)
	}
	l.Add("contacts[0].lastName", false, fContactLastName)
	l.Add("contacts[0].primary", true)
	l.Add("contacts[0].primaryEmail", false, fContactEmail)
	l.Add("contacts[0].primaryEmail.value", false, fContactEmail)
	l.Add("contacts[0].primaryPhoneNumber", false, fContactPhone)
	l.Add("contacts[0].primaryPhoneNumber.number", false, fContactPhone)
	l.Add("contacts[0].primaryPhoneNumber.type", true, fContactPhoneType)
	layoutAddress(l, false)
	l.Add("limitsCurrencyCode", false, fLimitsCurrency)
	l.Add("limits", false, fLimitMonthly, fLimitWeekly)
	for i, f := range limitFields {
		l.Add("limits."+limitNames[i], false, f)
		l.Add("limits."+limitNames[i]+".amount", false, f)
	}
	l.Metadata("metadata")
}

// maskedBusiness returns a copy of b with its tax id masked.
func maskedBusiness(b *api.BusinessCustomer) *api.BusinessCustomer {
	m := *b
	if m.TaxID != "" {
		m.TaxID = redact.ID(m.TaxID)
	}
	return &m
}
