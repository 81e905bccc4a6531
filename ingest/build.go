package ingest

import (
	"encoding/json"
	"strings"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/ingest/rows"
)

// Values a row gets when neither a cell nor the mapping file gives one (DESIGN.md, "Defaults
// where a row gives nothing").
const (
	defaultEligibility = "NEW"
	defaultCurrency    = "USD"
	defaultAddressType = "PHYSICAL"
)

// Map builds the record of one row. It never fails: the validator judges the values, and a
// row the reader found malformed keeps its error in Record.Malformed. Cells are copied as
// written, except that a blank cell counts as empty and externalId is trimmed (dedupe keys on
// it); optional objects nobody filled stay nil, required ones are always there so that the
// validator reports the field inside them.
func (m *Mapper) Map(row rows.Row) *Record {
	rc := rowCells{m: m, cells: row.Cells, blank: m.absent}
	for _, p := range m.present {
		if p.col >= len(row.Cells) || blank(row.Cells[p.col]) {
			rc.blank |= 1 << p.field
		}
	}
	var rec *Record
	switch m.kind {
	case KindIndividual:
		rec = m.buildIndividual(&rc)
	case KindBusiness:
		rec = m.buildBusiness(&rc)
	default:
		rec = m.buildEWA(&rc)
	}
	rec.Row = row.Num
	rec.Kind = m.kind
	rec.Country = rc.get(cCountry)
	rec.Malformed = row.Err
	rec.layout = m.layout
	rec.blank = rc.blank
	return rec
}

// rowCells reads one row's cells by canonical field.
type rowCells struct {
	m     *Mapper
	cells []string
	blank uint64 // fields whose cell is blank or whose column is absent
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// cell returns the field's cell, "" when it is blank or there is no column.
func (rc *rowCells) cell(c canon) string {
	if rc.blank&(1<<c) != 0 {
		return ""
	}
	return rc.cells[rc.m.col[c]]
}

// get returns the field's cell, else the mapping file's default for it, else "".
func (rc *rowCells) get(c canon) string {
	if rc.blank&(1<<c) != 0 {
		return rc.m.def[c]
	}
	return rc.cells[rc.m.col[c]]
}

// country returns the row's country, else the mapping's default country.
func (rc *rowCells) country() string {
	if v := rc.get(cCountry); v != "" {
		return v
	}
	return rc.m.cfg.DefaultCountry
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}

// metadata returns the row's metadata, nil when it has none.
func (rc *rowCells) metadata() map[string]string {
	var md map[string]string
	for _, f := range rc.m.meta {
		v := f.def
		if f.col >= 0 && f.col < len(rc.cells) && !blank(rc.cells[f.col]) {
			v = rc.cells[f.col]
		}
		if v == "" {
			continue
		}
		if md == nil {
			md = make(map[string]string, len(rc.m.meta))
		}
		md[f.key] = v
	}
	return md
}

// The blocks below hold all of one record's objects, so that a row costs one allocation
// (plus its metadata map) rather than one per object.

type person struct {
	cust  api.IndividualCustomer
	phone api.Phone
	email api.Email
	pob   api.PlaceOfBirth
}

type address struct {
	addr    [1]api.Address
	primary bool
}

type ewaBlock struct {
	rec  Record
	req  api.CustomerProfileRequest
	p    person
	fin  api.FinancialAccountData
	card api.Card
	bill api.BillingAddress
}

type individualBlock struct {
	rec Record
	p   person
	a   address
}

type businessBlock struct {
	rec     Record
	bus     api.BusinessCustomer
	contact [1]api.Contact
	primary bool
	phone   api.Phone
	email   api.Email
	a       address
	limits  api.Limits
	limit   [4]api.Limit
}

// fillPerson fills the fields an individual customer and an EWA's customerData share.
func (rc *rowCells) fillPerson(p *person) *api.IndividualCustomer {
	c := &p.cust
	c.Type = api.TypeIndividual
	c.FirstName = rc.get(cFirstName)
	c.MiddleName = rc.get(cMiddleName)
	c.LastName = rc.get(cLastName)
	c.Prefix = rc.get(cPrefix)
	c.Suffix = rc.get(cSuffix)
	c.Sex = rc.get(cSex)
	c.Gender = rc.get(cGender)
	c.Pronoun = rc.get(cPronoun)
	p.phone = api.Phone{
		Number:    rc.get(cPhone),
		Type:      or(rc.get(cPhoneType), rc.m.phoneType),
		Extension: rc.get(cPhoneExtension),
	}
	c.PrimaryPhoneNumber = &p.phone
	p.email.Value = rc.get(cEmail)
	c.PrimaryEmail = &p.email
	c.DateOfBirth = rc.get(cDateOfBirth)
	if city, country := rc.get(cBirthCity), rc.get(cBirthCountry); city != "" || country != "" {
		p.pob = api.PlaceOfBirth{City: city, CountryCode: country}
		c.PlaceOfBirth = &p.pob
	}
	c.SocialID = rc.get(cSSN)
	if c.SocialID != "" {
		c.SocialIDCountryCode = or(rc.get(cSSNCountry), rc.country())
	} else {
		// Without an SSN only a written country is kept: defaulting one would send a
		// socialIdCountryCode for no socialId.
		c.SocialIDCountryCode = rc.cell(cSSNCountry)
	}
	c.CitizenshipCountryCode = rc.get(cCitizenshipCountry)
	c.Metadata = rc.metadata()
	return c
}

// addressBits are the cells whose presence makes an address: the country alone does not,
// since it also serves the phone region and the SSN's country.
const addressBits = 1<<cAddressLine1 | 1<<cAddressLine2 | 1<<cAddressLine3 | 1<<cCity | 1<<cState | 1<<cZip

// fillAddress returns the row's one address (type PHYSICAL unless a column or default says
// otherwise, primary), or nil when every address cell is blank.
func (rc *rowCells) fillAddress(a *address) []api.Address {
	if rc.blank&addressBits == addressBits {
		return nil
	}
	a.primary = true
	a.addr[0] = api.Address{
		Type:        defaultAddressType,
		StreetLine1: rc.get(cAddressLine1),
		StreetLine2: rc.get(cAddressLine2),
		CityName:    rc.get(cCity),
		StateCode:   rc.get(cState),
		CountryCode: rc.country(),
		ZipCode:     rc.get(cZip),
		Primary:     &a.primary,
	}
	if rc.m.kind != KindBusiness {
		a.addr[0].Type = or(rc.get(cAddressType), defaultAddressType)
		a.addr[0].StreetLine3 = rc.get(cAddressLine3)
	}
	return a.addr[:]
}

func (m *Mapper) buildEWA(rc *rowCells) *Record {
	b := new(ewaBlock)
	b.rec.EWA = &b.req
	r := &b.req
	r.ExternalID = strings.TrimSpace(rc.get(cExternalID))
	r.EligibilityStatus = or(rc.get(cEligibilityStatus), defaultEligibility)
	r.ProgramID = or(rc.get(cProgramID), m.cfg.ProgramID)
	cust := rc.fillPerson(&b.p)
	r.CustomerData = cust

	b.fin = api.FinancialAccountData{
		Name:     rc.get(cCardName),
		Subtype:  rc.get(cCardSubtype),
		Currency: or(rc.get(cCurrency), defaultCurrency),
		Card:     &b.card,
	}
	r.FinancialAccountData = &b.fin
	b.card = api.Card{
		FirstName:      or(rc.get(cCardFirstName), cust.FirstName),
		LastName:       or(rc.get(cCardLastName), cust.LastName),
		CardNumber:     rc.get(cCardNumber),
		Expiry:         rc.get(cCardExpiry),
		BillingAddress: &b.bill,
	}
	country := or(rc.get(cBillingCountry), rc.country())
	if m.billing {
		b.bill = api.BillingAddress{
			AddressLine1: rc.get(cBillingLine1),
			AddressLine2: rc.get(cBillingLine2),
			City:         rc.get(cBillingCity),
			StateCode:    rc.get(cBillingState),
			CountryCode:  country,
			PostalCode:   rc.get(cBillingZip),
		}
	} else {
		b.bill = api.BillingAddress{
			AddressLine1: rc.get(cAddressLine1),
			AddressLine2: rc.get(cAddressLine2),
			AddressLine3: rc.get(cAddressLine3),
			City:         rc.get(cCity),
			StateCode:    rc.get(cState),
			CountryCode:  country,
			PostalCode:   rc.get(cZip),
		}
	}
	return &b.rec
}

func (m *Mapper) buildIndividual(rc *rowCells) *Record {
	b := new(individualBlock)
	c := rc.fillPerson(&b.p)
	c.ExternalID = strings.TrimSpace(rc.get(cExternalID))
	c.Addresses = rc.fillAddress(&b.a)
	b.rec.Individual = c
	return &b.rec
}

func (m *Mapper) buildBusiness(rc *rowCells) *Record {
	b := new(businessBlock)
	bc := &b.bus
	bc.ExternalID = strings.TrimSpace(rc.get(cExternalID))
	bc.Type = api.TypeBusiness
	bc.BusinessName = rc.get(cBusinessName)
	bc.DoingBusinessAsName = rc.get(cDBAName)
	bc.LegalName = rc.get(cLegalName)
	bc.RegisteredStateCode = rc.get(cRegisteredState)
	bc.LegalEntityType = rc.get(cLegalEntityType)
	bc.TaxID = rc.get(cTaxID)
	if bc.TaxID != "" {
		bc.TaxIDCountryCode = or(rc.get(cTaxIDCountry), rc.country())
	} else {
		bc.TaxIDCountryCode = rc.cell(cTaxIDCountry)
	}
	bc.Website = rc.get(cWebsite)
	bc.DateOfFormation = rc.get(cDateOfFormation)
	bc.PrimaryPhone = rc.get(cBusinessPhone)
	bc.PrimaryEmail = rc.get(cBusinessEmail)

	b.phone = api.Phone{Number: rc.get(cContactPhone), Type: or(rc.get(cContactPhoneType), m.contactPhoneType)}
	b.email.Value = rc.get(cContactEmail)
	b.primary = true
	b.contact[0] = api.Contact{
		FirstName:          rc.get(cContactFirstName),
		LastName:           rc.get(cContactLastName),
		Primary:            &b.primary,
		PrimaryPhoneNumber: &b.phone,
		PrimaryEmail:       &b.email,
	}
	bc.Contacts = b.contact[:]
	bc.Addresses = rc.fillAddress(&b.a)

	bc.LimitsCurrencyCode = rc.get(cLimitsCurrency)
	hasLimit := false
	for i, f := range [4]canon{cLimitMonthly, cLimitWeekly, cLimitDaily, cLimitSingle} {
		v := rc.get(f)
		if v == "" {
			continue
		}
		hasLimit = true
		b.limit[i].Amount = json.Number(v)
		lim := &b.limit[i]
		switch f {
		case cLimitMonthly:
			b.limits.Monthly = lim
		case cLimitWeekly:
			b.limits.Weekly = lim
		case cLimitDaily:
			b.limits.Daily = lim
		case cLimitSingle:
			b.limits.Single = lim
		}
	}
	if hasLimit {
		bc.Limits = &b.limits
	}
	bc.Metadata = rc.metadata()
	b.rec.Business = bc
	return &b.rec
}

// chain is how Locate finds the column behind a request field whose source varies by row:
// the first of src whose cell is not blank, unless a default stepped in first.
type chain struct {
	n       int
	src     [2]canon
	col     [2]int  // -1 when the field has no column
	def     [2]bool // the mapping file has a default for src[i]
	builtin bool    // a value no column gives (NEW, MOBILE, the default country) fills the rest
}

// column returns the column that gave the field's value in a row with these blank cells: -1
// when a default did. When nothing gave one, it is the first column that could have, so that
// "required" points at the cell to fill in.
func (ch *chain) column(blank uint64) int {
	for i := range ch.n {
		if ch.col[i] >= 0 && blank&(1<<ch.src[i]) == 0 {
			return ch.col[i]
		}
		if ch.def[i] {
			return -1
		}
	}
	if ch.builtin {
		return -1
	}
	for i := range ch.n {
		if ch.col[i] >= 0 {
			return ch.col[i]
		}
	}
	return -1
}

// newLayout records which column feeds each request field path of the mapper's kind.
func (m *Mapper) newLayout() *Layout {
	l := &Layout{headers: m.headers, fields: map[string]int{}, chains: map[string]*chain{}}
	add := func(path string, builtin bool, src ...canon) {
		ch := &chain{n: len(src), builtin: builtin}
		for i, c := range src {
			ch.src[i], ch.col[i], ch.def[i] = c, m.col[c], m.hasDef&(1<<c) != 0
		}
		l.chains[path] = ch
	}
	hasCountry := m.cfg.DefaultCountry != ""
	person := func(p string) {
		add(p+"firstName", false, cFirstName)
		add(p+"middleName", false, cMiddleName)
		add(p+"lastName", false, cLastName)
		add(p+"prefix", false, cPrefix)
		add(p+"suffix", false, cSuffix)
		add(p+"sex", false, cSex)
		add(p+"gender", false, cGender)
		add(p+"pronoun", false, cPronoun)
		add(p+"primaryPhoneNumber", false, cPhone)
		add(p+"primaryPhoneNumber.number", false, cPhone)
		add(p+"primaryPhoneNumber.type", true, cPhoneType)
		add(p+"primaryPhoneNumber.extension", false, cPhoneExtension)
		add(p+"primaryEmail", false, cEmail)
		add(p+"primaryEmail.value", false, cEmail)
		add(p+"dateOfBirth", false, cDateOfBirth)
		add(p+"placeOfBirth", false, cBirthCity, cBirthCountry)
		add(p+"placeOfBirth.city", false, cBirthCity)
		add(p+"placeOfBirth.countryCode", false, cBirthCountry)
		add(p+"socialId", false, cSSN)
		add(p+"socialIdCountryCode", hasCountry, cSSNCountry, cCountry)
		add(p+"citizenshipCountryCode", false, cCitizenshipCountry)
		m.addMetadata(l, p+"metadata")
	}
	address := func() {
		for _, p := range []string{"addresses", "addresses[0]", "addresses[0].streetLine1"} {
			add(p, false, cAddressLine1)
		}
		add("addresses[0].streetLine2", false, cAddressLine2)
		add("addresses[0].cityName", false, cCity)
		add("addresses[0].stateCode", false, cState)
		add("addresses[0].zipCode", false, cZip)
		add("addresses[0].countryCode", hasCountry, cCountry)
		add("addresses[0].primary", true)
	}
	add("externalId", false, cExternalID)
	switch m.kind {
	case KindIndividual:
		person("")
		address()
		add("addresses[0].type", true, cAddressType)
		add("addresses[0].streetLine3", false, cAddressLine3)
	case KindBusiness:
		add("type", true)
		add("businessName", false, cBusinessName)
		add("doingBusinessAsName", false, cDBAName)
		add("legalName", false, cLegalName)
		add("registeredStateCode", false, cRegisteredState)
		add("legalEntityType", false, cLegalEntityType)
		add("taxId", false, cTaxID)
		add("taxIdCountryCode", hasCountry, cTaxIDCountry, cCountry)
		add("website", false, cWebsite)
		add("dateOfFormation", false, cDateOfFormation)
		add("primaryPhone", false, cBusinessPhone)
		add("primaryEmail", false, cBusinessEmail)
		for _, p := range []string{"contacts", "contacts[0]", "contacts[0].firstName"} {
			add(p, false, cContactFirstName)
		}
		add("contacts[0].lastName", false, cContactLastName)
		add("contacts[0].primary", true)
		add("contacts[0].primaryEmail", false, cContactEmail)
		add("contacts[0].primaryEmail.value", false, cContactEmail)
		add("contacts[0].primaryPhoneNumber", false, cContactPhone)
		add("contacts[0].primaryPhoneNumber.number", false, cContactPhone)
		add("contacts[0].primaryPhoneNumber.type", true, cContactPhoneType)
		address()
		add("addresses[0].type", true)
		add("limitsCurrencyCode", false, cLimitsCurrency)
		add("limits", false, cLimitMonthly, cLimitWeekly)
		for _, p := range []struct {
			name string
			src  canon
		}{{"MONTHLY", cLimitMonthly}, {"WEEKLY", cLimitWeekly}, {"DAILY", cLimitDaily}, {"SINGLE", cLimitSingle}} {
			add("limits."+p.name, false, p.src)
			add("limits."+p.name+".amount", false, p.src)
		}
		m.addMetadata(l, "metadata")
	default:
		add("programId", m.cfg.ProgramID != "", cProgramID)
		add("eligibilityStatus", true, cEligibilityStatus)
		add("customerData", false, cFirstName)
		add("customerData.type", true)
		person("customerData.")
		f := "financialAccountData"
		add(f, false, cCardNumber)
		add(f+".name", false, cCardName)
		add(f+".subtype", false, cCardSubtype)
		add(f+".currency", true, cCurrency)
		add(f+".card", false, cCardNumber)
		add(f+".card.firstName", false, cCardFirstName, cFirstName)
		add(f+".card.lastName", false, cCardLastName, cLastName)
		add(f+".card.cardNumber", false, cCardNumber)
		add(f+".card.expiry", false, cCardExpiry)
		ba := f + ".card.billingAddress"
		add(ba+".countryCode", hasCountry, cBillingCountry, cCountry)
		if m.billing {
			add(ba, false, cBillingLine1)
			add(ba+".addressLine1", false, cBillingLine1)
			add(ba+".addressLine2", false, cBillingLine2)
			add(ba+".addressLine3", false)
			add(ba+".city", false, cBillingCity)
			add(ba+".stateCode", false, cBillingState)
			add(ba+".postalCode", false, cBillingZip)
		} else {
			add(ba, false, cAddressLine1)
			add(ba+".addressLine1", false, cAddressLine1)
			add(ba+".addressLine2", false, cAddressLine2)
			add(ba+".addressLine3", false, cAddressLine3)
			add(ba+".city", false, cCity)
			add(ba+".stateCode", false, cState)
			add(ba+".postalCode", false, cZip)
		}
	}
	return l
}

// addMetadata locates the metadata object (at its first column, for a count of keys) and
// each of its keys.
func (m *Mapper) addMetadata(l *Layout, path string) {
	first := -1
	for _, f := range m.meta {
		if f.col < 0 {
			continue
		}
		if first < 0 {
			first = f.col
		}
		l.fields[path+"."+f.key] = f.col
	}
	if first >= 0 {
		l.fields[path] = first
	}
}
