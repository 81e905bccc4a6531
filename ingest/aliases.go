package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// canon indexes the roster template's canonical column names (all kinds together), so that a
// mapper can keep per-field column indexes in arrays and a record its blank cells in one word.
type canon uint8

// The canonical names, person fields first, in the template's order (DESIGN.md).
const (
	cExternalID canon = iota
	cFirstName
	cMiddleName
	cLastName
	cPrefix
	cSuffix
	cSex
	cGender
	cPronoun
	cEmail
	cPhone
	cPhoneType
	cPhoneExtension
	cDateOfBirth
	cBirthCity
	cBirthCountry
	cSSN
	cSSNCountry
	cCitizenshipCountry
	cAddressType
	cAddressLine1
	cAddressLine2
	cAddressLine3
	cCity
	cState
	cZip
	cCountry
	// EWA only.
	cProgramID
	cEligibilityStatus
	cCardName
	cCardSubtype
	cCardNumber
	cCardExpiry
	cCardFirstName
	cCardLastName
	cBillingLine1
	cBillingLine2
	cBillingCity
	cBillingState
	cBillingZip
	cBillingCountry
	cCurrency
	// Business only (the address fields above are shared).
	cBusinessName
	cDBAName
	cLegalName
	cRegisteredState
	cLegalEntityType
	cTaxID
	cTaxIDCountry
	cWebsite
	cDateOfFormation
	cBusinessPhone
	cBusinessEmail
	cContactFirstName
	cContactLastName
	cContactEmail
	cContactPhone
	cContactPhoneType
	cLimitsCurrency
	cLimitMonthly
	cLimitWeekly
	cLimitDaily
	cLimitSingle

	numCanon
)

// A record keeps one bit per canonical name (Record.blank); this fails to compile past 64.
var _ [64 - numCanon]struct{}

// canonInfo describes one canonical name.
type canonInfo struct {
	name string
	// class groups names that hold the same kind of value: one header may feed two names only
	// when their classes agree (firstName and cardFirstName, country and billingCountry).
	class string
	// personal marks identifiers of one person, business or card: a mapping default for them
	// would give every row the same one, so it is refused.
	personal bool
}

var canons = [numCanon]canonInfo{
	cExternalID:         {name: "externalId", class: "externalId", personal: true},
	cFirstName:          {name: "firstName", class: "first"},
	cMiddleName:         {name: "middleName", class: "middle"},
	cLastName:           {name: "lastName", class: "last"},
	cPrefix:             {name: "prefix", class: "prefix"},
	cSuffix:             {name: "suffix", class: "suffix"},
	cSex:                {name: "sex", class: "sex"},
	cGender:             {name: "gender", class: "gender"},
	cPronoun:            {name: "pronoun", class: "pronoun"},
	cEmail:              {name: "email", class: "email"},
	cPhone:              {name: "phone", class: "phone"},
	cPhoneType:          {name: "phoneType", class: "phoneType"},
	cPhoneExtension:     {name: "phoneExtension", class: "phoneExtension"},
	cDateOfBirth:        {name: "dateOfBirth", class: "date"},
	cBirthCity:          {name: "birthCity", class: "city"},
	cBirthCountry:       {name: "birthCountry", class: "country"},
	cSSN:                {name: "ssn", class: "ssn", personal: true},
	cSSNCountry:         {name: "ssnCountry", class: "country"},
	cCitizenshipCountry: {name: "citizenshipCountry", class: "country"},
	cAddressType:        {name: "addressType", class: "addressType"},
	cAddressLine1:       {name: "addressLine1", class: "line1"},
	cAddressLine2:       {name: "addressLine2", class: "line2"},
	cAddressLine3:       {name: "addressLine3", class: "line3"},
	cCity:               {name: "city", class: "city"},
	cState:              {name: "state", class: "state"},
	cZip:                {name: "zip", class: "zip"},
	cCountry:            {name: "country", class: "country"},
	cProgramID:          {name: "programId", class: "programId"},
	cEligibilityStatus:  {name: "eligibilityStatus", class: "eligibilityStatus"},
	cCardName:           {name: "cardName", class: "cardName"},
	cCardSubtype:        {name: "cardSubtype", class: "cardSubtype"},
	cCardNumber:         {name: "cardNumber", class: "cardNumber", personal: true},
	cCardExpiry:         {name: "cardExpiry", class: "cardExpiry", personal: true},
	cCardFirstName:      {name: "cardFirstName", class: "first"},
	cCardLastName:       {name: "cardLastName", class: "last"},
	cBillingLine1:       {name: "billingLine1", class: "line1"},
	cBillingLine2:       {name: "billingLine2", class: "line2"},
	cBillingCity:        {name: "billingCity", class: "city"},
	cBillingState:       {name: "billingState", class: "state"},
	cBillingZip:         {name: "billingZip", class: "zip"},
	cBillingCountry:     {name: "billingCountry", class: "country"},
	cCurrency:           {name: "currency", class: "currency"},
	cBusinessName:       {name: "businessName", class: "orgName"},
	cDBAName:            {name: "dbaName", class: "orgName"},
	cLegalName:          {name: "legalName", class: "orgName"},
	cRegisteredState:    {name: "registeredState", class: "state"},
	cLegalEntityType:    {name: "legalEntityType", class: "legalEntityType"},
	cTaxID:              {name: "taxId", class: "taxId", personal: true},
	cTaxIDCountry:       {name: "taxIdCountry", class: "country"},
	cWebsite:            {name: "website", class: "website"},
	cDateOfFormation:    {name: "dateOfFormation", class: "date"},
	cBusinessPhone:      {name: "businessPhone", class: "phone"},
	cBusinessEmail:      {name: "businessEmail", class: "email"},
	cContactFirstName:   {name: "contactFirstName", class: "first"},
	cContactLastName:    {name: "contactLastName", class: "last"},
	cContactEmail:       {name: "contactEmail", class: "email"},
	cContactPhone:       {name: "contactPhone", class: "phone"},
	cContactPhoneType:   {name: "contactPhoneType", class: "phoneType"},
	cLimitsCurrency:     {name: "limitsCurrency", class: "currency"},
	cLimitMonthly:       {name: "limitMonthly", class: "amount"},
	cLimitWeekly:        {name: "limitWeekly", class: "amount"},
	cLimitDaily:         {name: "limitDaily", class: "amount"},
	cLimitSingle:        {name: "limitSingle", class: "amount"},
}

func (c canon) String() string { return canons[c].name }

// Each kind's canonical names in the template's order.
var (
	personCanons = []canon{cExternalID, cFirstName, cMiddleName, cLastName, cPrefix, cSuffix, cSex,
		cGender, cPronoun, cEmail, cPhone, cPhoneType, cPhoneExtension, cDateOfBirth, cBirthCity,
		cBirthCountry, cSSN, cSSNCountry, cCitizenshipCountry, cAddressType, cAddressLine1,
		cAddressLine2, cAddressLine3, cCity, cState, cZip, cCountry}
	ewaOnlyCanons = []canon{cProgramID, cEligibilityStatus, cCardName, cCardSubtype, cCardNumber,
		cCardExpiry, cCardFirstName, cCardLastName, cBillingLine1, cBillingLine2, cBillingCity,
		cBillingState, cBillingZip, cBillingCountry, cCurrency}
	businessCanons = []canon{cExternalID, cBusinessName, cDBAName, cLegalName, cRegisteredState,
		cLegalEntityType, cTaxID, cTaxIDCountry, cWebsite, cDateOfFormation, cBusinessPhone,
		cBusinessEmail, cContactFirstName, cContactLastName, cContactEmail, cContactPhone,
		cContactPhoneType, cAddressLine1, cAddressLine2, cCity, cState, cZip, cCountry,
		cLimitsCurrency, cLimitMonthly, cLimitWeekly, cLimitDaily, cLimitSingle}
)

// metadataPrefix starts the name of a metadata column: "metadata.costCenter".
const metadataPrefix = "metadata."

// kindCanons returns the kind's canonical names in template order.
func kindCanons(k Kind) []canon {
	switch k {
	case KindIndividual:
		return personCanons
	case KindBusiness:
		return businessCanons
	}
	return ewaCanons
}

var ewaCanons = append(append([]canon(nil), personCanons...), ewaOnlyCanons...)

// kindSet returns the kind's canonical names as a bit set.
func kindSet(k Kind) uint64 {
	var s uint64
	for _, c := range kindCanons(k) {
		s |= 1 << c
	}
	return s
}

// CanonicalNames returns the roster template's column names for a kind, in template order.
// Any number of "metadata.<key>" columns may be added to them.
func CanonicalNames(k Kind) []string {
	cs := kindCanons(k)
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = canons[c].name
	}
	return names
}

// canonByKey finds a canonical name by its normalised form (see normKey), over all kinds.
var canonByKey = func() map[string]canon {
	m := make(map[string]canon, numCanon)
	for c := range numCanon {
		m[normKey(canons[c].name)] = c
	}
	return m
}()

// normKey is the form headers and names are compared in: lower case, without white space, `_`,
// `-` and `.` ("First Name", "first_name" and "FIRSTNAME" all give "firstname").
func normKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '_' || r == '-' || r == '.' || unicode.IsSpace(r):
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// alias is what a payroll export's header means: the field it fills, how strongly it claims
// it when other headers want the same field, and the phone type it implies.
type alias struct {
	field canon
	// prio orders headers competing for one field; the lowest wins and the header named
	// exactly as the template has 0. Ties go to the header further left.
	prio int
	// phoneType is the type a phone from this header has unless a phoneType column or
	// default says otherwise ("Home Phone" is HOME).
	phoneType string
}

// Priorities of aliases. For a person's email: the generic one, then personal, then work;
// for a phone: mobile, then generic, then home, then work (a payroll clerk reaches an
// employee on the mobile; EWA notices go there too).
const (
	// prioLegal is for a legal name, which beats even the template's name: the card and the
	// identity checks need the legal name, and an export that has both calls the other one
	// "First Name".
	prioLegal    = -1
	prioExact    = 0
	prioStrong   = 1
	prioGeneric  = 2
	prioPersonal = 3
	prioWork     = 4
)

// aliasGroup lists the headers (as payroll exports write them) that mean one field.
type aliasGroup struct {
	field     canon
	prio      int
	phoneType string
	headers   []string
}

// Headers every person kind (ewa, individual) recognises. Sources: the column names of ADP
// Workforce Now, Gusto, Paychex Flex and Workday worker exports.
var personAliasGroups = []aliasGroup{
	{cExternalID, prioStrong, "", []string{"Employee ID", "Employee Number", "Employee No",
		"Employee #", "Employee Num", "Emp ID", "Emp No", "Emp #", "Emp Num", "Emp Number",
		"Employee Code", "Emp Code", "EE ID", "EE Number", "Associate ID", "Associate Number",
		"Worker ID", "Worker Number", "File Number", "File #", "Payroll ID", "Payroll Number",
		"Personnel Number", "Person Number", "Staff ID", "Staff Number", "Team Member ID",
		"Ext ID", "Employee Reference", "Employee Ref", "Badge Number",
		"Clock Number"}},
	{cExternalID, prioGeneric, "", []string{"ID"}},
	{cFirstName, prioLegal, "", []string{"Legal First Name", "Legal Name: First Name",
		"Legal Name - First Name", "Employee Legal First Name"}},
	{cFirstName, prioGeneric, "", []string{"First", "Given Name", "Given Names",
		"Forename", "FName", "Employee First Name", "Worker First Name"}},
	{cMiddleName, prioLegal, "", []string{"Legal Middle Name"}},
	{cMiddleName, prioGeneric, "", []string{"Middle", "Middle Initial", "MI",
		"Middle Names", "Second Name"}},
	{cLastName, prioLegal, "", []string{"Legal Last Name", "Legal Name: Last Name",
		"Legal Name - Last Name", "Employee Legal Last Name"}},
	{cLastName, prioGeneric, "", []string{"Last", "Surname", "Family Name",
		"LName", "Employee Last Name", "Worker Last Name"}},
	{cPrefix, prioGeneric, "", []string{"Name Prefix", "Salutation", "Honorific"}},
	{cSuffix, prioGeneric, "", []string{"Name Suffix", "Generational Suffix"}},
	{cSex, prioGeneric, "", []string{"Legal Sex", "Sex at Birth", "Biological Sex"}},
	{cGender, prioGeneric, "", []string{"Gender Identity"}},
	{cPronoun, prioGeneric, "", []string{"Pronouns", "Preferred Pronouns", "Personal Pronouns"}},
	{cEmail, prioStrong, "", []string{"Email Address", "E-mail Address", "Primary Email",
		"Primary Email Address", "Employee Email", "Email ID"}},
	{cEmail, prioPersonal, "", []string{"Personal Email", "Personal Email Address",
		"Personal E-mail", "Home Email", "Home Email Address", "Private Email", "Other Email",
		"Personal Contact: Personal Email"}},
	{cEmail, prioWork, "", []string{"Work Email", "Work Email Address", "Work E-mail",
		"Business Email", "Company Email", "Office Email", "Corporate Email",
		"Work Contact: Work Email"}},
	{cPhone, prioStrong, "MOBILE", []string{"Mobile Phone", "Mobile", "Mobile Number",
		"Mobile Phone Number", "Mobile #", "Cell Phone", "Cell", "Cell Number", "Cell Phone Number",
		"Cell #", "Cellphone", "Cellular", "Cellular Phone", "Personal Mobile", "Personal Cell",
		"Personal Mobile Phone", "Personal Cell Phone", "Personal Contact: Personal Mobile"}},
	{cPhone, prioGeneric, "", []string{"Phone Number", "Phone #", "Phone No", "Telephone",
		"Telephone Number", "Tel", "Primary Phone", "Primary Phone Number", "Contact Number",
		"Personal Phone", "Employee Phone"}},
	{cPhone, prioPersonal, "HOME", []string{"Home Phone", "Home Phone Number", "Home Telephone",
		"Home Tel", "Landline", "Personal Contact: Home Phone"}},
	{cPhone, prioWork, "WORK", []string{"Work Phone", "Work Phone Number", "Work Telephone",
		"Business Phone", "Office Phone", "Work Tel", "Work Contact: Work Phone"}},
	{cPhoneType, prioGeneric, "", []string{"Phone Number Type", "Phone Kind"}},
	{cPhoneExtension, prioGeneric, "", []string{"Extension", "Ext", "Phone Ext", "Phone Ext.",
		"Work Phone Extension", "Work Phone Ext"}},
	{cDateOfBirth, prioGeneric, "", []string{"Birth Date", "Birthdate", "DOB", "Birthday", "Employee Birth Date", "Birth Dt"}},
	{cBirthCity, prioGeneric, "", []string{"City of Birth", "Birth Place", "Birthplace",
		"Place of Birth", "Place of Birth City"}},
	{cBirthCountry, prioGeneric, "", []string{"Country of Birth", "Birth Country Code",
		"Place of Birth Country"}},
	{cSSN, prioStrong, "", []string{"Social Security Number", "Social Security #",
		"Social Security No", "Social Security", "SS#", "SS Number", "SSN/SIN", "SIN",
		"SSN/ITIN", "Social Insurance Number", "Social ID", "National ID", "National ID Number",
		"National Identifier", "National Insurance Number", "NI Number", "Tax ID Number (SSN)",
		"Employee SSN"}},
	{cSSNCountry, prioGeneric, "", []string{"Social ID Country",
		"Social ID Country Code", "SSN Issuing Country", "National ID Country"}},
	{cCitizenshipCountry, prioGeneric, "", []string{"Citizenship", "Country of Citizenship",
		"Citizenship Country Code", "Nationality"}},
	{cAddressType, prioGeneric, "", []string{"Address Kind"}},
	{cAddressLine1, prioStrong, "", []string{"Address 1", "Street 1",
		"Street Line 1", "Home Address Line 1", "Home Address 1", "Home Street 1",
		"Home Address: Address Line 1", "Primary Address Line 1", "Residential Address Line 1",
		"Line 1"}},
	{cAddressLine1, prioGeneric, "", []string{"Street", "Street Address", "Address",
		"Home Address", "Home Street", "Home Street Address", "Residential Address",
		"Street Address 1", "Mailing Address", "Mailing Address Line 1"}},
	{cAddressLine2, prioStrong, "", []string{"Address 2", "Street 2",
		"Street Line 2", "Home Address Line 2", "Home Address 2", "Home Street 2",
		"Home Address: Address Line 2", "Primary Address Line 2", "Residential Address Line 2",
		"Street Address 2", "Mailing Address Line 2", "Line 2"}},
	{cAddressLine2, prioGeneric, "", []string{"Apt", "Apt #", "Apt.", "Apartment",
		"Apartment Number", "Apt/Suite", "Suite", "Suite #", "Unit", "Unit #", "Apt/Unit",
		"Apartment/Suite"}},
	{cAddressLine3, prioStrong, "", []string{"Address 3", "Street 3",
		"Street Line 3", "Home Address Line 3", "Line 3"}},
	{cCity, prioGeneric, "", []string{"Town", "City/Town", "Town/City", "Home City",
		"Home Address: City", "Locality", "Municipality", "Mailing City", "Residential City"}},
	{cState, prioGeneric, "", []string{"State/Province", "Province", "State Code",
		"Province/State", "State/Region", "State/Province/Region", "Province Code", "Home State",
		"Home Address: State", "Home Province", "Mailing State", "Region", "State or Province",
		"Territory", "State/Territory"}},
	{cZip, prioGeneric, "", []string{"Zip Code", "Zipcode", "ZIP+4", "Zip/Postal Code",
		"Zip/Postal", "Postal Code", "Postal/Zip Code", "Postal", "Postcode", "Post Code",
		"Pincode", "Home Zip", "Home Zip Code", "Home Postal Code", "Home Address: Zip Code",
		"Mailing Zip", "Mailing Zip Code"}},
	{cCountry, prioGeneric, "", []string{"Country Code", "Home Country", "Country/Region",
		"Home Address: Country", "Mailing Country", "Residential Country", "Country of Residence"}},
}

// Headers only the ewa kind recognises.
var ewaAliasGroups = []aliasGroup{
	{cProgramID, prioGeneric, "", []string{"Program", "EWA Program",
		"EWA Program ID", "Program Code"}},
	{cEligibilityStatus, prioGeneric, "", []string{"Eligibility", "EWA Eligibility",
		"EWA Status", "Eligibility Code"}},
	{cCardName, prioGeneric, "", []string{"Card Nickname", "Account Name", "Account Nickname",
		"Financial Account Name"}},
	{cCardSubtype, prioGeneric, "", []string{"Card Type", "Debit/Credit",
		"Card Kind"}},
	{cCardNumber, prioGeneric, "", []string{"PAN", "Card No", "Card #", "Card Num",
		"Debit Card Number", "Debit Card", "Credit Card Number", "Primary Account Number",
		"Payment Card Number", "Pay Card Number", "Paycard Number"}},
	{cCardExpiry, prioGeneric, "", []string{"Expiry", "Expiry Date", "Expiration",
		"Expiration Date", "Exp Date", "Exp", "Card Expiration", "Card Expiration Date",
		"Card Exp", "Card Exp Date", "Card Expiry Date", "Valid Thru", "Valid Through",
		"Expires", "Exp Month/Year"}},
	{cCardFirstName, prioGeneric, "", []string{"Cardholder First Name", "Card Holder First Name",
		"Name on Card First"}},
	{cCardLastName, prioGeneric, "", []string{"Cardholder Last Name", "Card Holder Last Name",
		"Name on Card Last"}},
	{cBillingLine1, prioGeneric, "", []string{"Billing Address", "Billing Address Line 1",
		"Billing Address 1", "Billing Street", "Billing Street 1", "Billing Street Address"}},
	{cBillingLine2, prioGeneric, "", []string{"Billing Address Line 2", "Billing Address 2",
		"Billing Street 2", "Billing Apt", "Billing Suite", "Billing Unit"}},
	{cBillingCity, prioGeneric, "", []string{"Billing Town"}},
	{cBillingState, prioGeneric, "", []string{"Billing Province", "Billing State/Province",
		"Billing State Code", "Billing Region"}},
	{cBillingZip, prioGeneric, "", []string{"Billing Zip Code", "Billing Postal Code",
		"Billing Postcode", "Billing Zip/Postal Code", "Billing Postal"}},
	{cBillingCountry, prioGeneric, "", []string{"Billing Country Code"}},
	{cCurrency, prioGeneric, "", []string{"Currency Code", "Card Currency", "Account Currency"}},
}

// Headers the business kind recognises. A business roster's person columns (name, email,
// phone) are its contact's: the contact's email and phone are required, the business's not.
var businessAliasGroups = []aliasGroup{
	{cExternalID, prioStrong, "", []string{"Customer ID", "Customer Number", "Business ID",
		"Company ID", "Company Code", "Client ID", "Client Number", "Account ID", "Account Number",
		"Ext ID", "Employer ID", "Employer Number", "Merchant ID"}},
	{cExternalID, prioGeneric, "", []string{"ID"}},
	{cBusinessName, prioStrong, "", []string{"Company Name", "Company",
		"Employer Name", "Employer", "Organization", "Organization Name", "Organisation",
		"Organisation Name", "Business", "Client Name", "Customer Name"}},
	{cBusinessName, prioGeneric, "", []string{"Name"}},
	{cDBAName, prioGeneric, "", []string{"DBA", "Doing Business As",
		"Doing Business As Name", "Trade Name", "Trading Name", "Operating Name"}},
	{cLegalName, prioGeneric, "", []string{"Legal Business Name", "Registered Name",
		"Legal Entity Name", "Company Legal Name", "Business Legal Name"}},
	{cRegisteredState, prioGeneric, "", []string{"Registered State Code", "State of Incorporation",
		"Incorporation State", "State of Formation", "Formation State", "State of Registration"}},
	{cLegalEntityType, prioGeneric, "", []string{"Entity Type", "Business Type", "Company Type",
		"Legal Structure", "Business Structure", "Entity", "Legal Entity", "Organization Type"}},
	{cTaxID, prioGeneric, "", []string{"EIN", "FEIN", "Federal EIN", "Tax ID Number",
		"TIN", "Tax Number", "Federal Tax ID", "Federal Tax ID Number", "Business Tax ID",
		"Employer Identification Number", "Tax Identification Number", "Company Tax ID"}},
	{cTaxIDCountry, prioGeneric, "", []string{"Tax ID Country Code",
		"Tax Country", "EIN Country"}},
	{cWebsite, prioGeneric, "", []string{"Website URL", "URL", "Web", "Homepage",
		"Home Page", "Company Website", "Business Website", "Web Address"}},
	{cDateOfFormation, prioGeneric, "", []string{"Formation Date", "Date Formed",
		"Incorporation Date", "Date of Incorporation", "Established", "Date Established",
		"Founded", "Founding Date"}},
	{cBusinessPhone, prioGeneric, "", []string{"Business Phone Number", "Company Phone",
		"Company Phone Number", "Main Phone", "Main Phone Number", "Office Phone"}},
	{cBusinessEmail, prioGeneric, "", []string{"Business Email Address", "Company Email",
		"Company Email Address", "Main Email", "General Email", "Info Email"}},
	{cContactFirstName, prioStrong, "", []string{"Contact First", "Primary Contact First Name",
		"Contact Given Name"}},
	{cContactFirstName, prioGeneric, "", []string{"First Name", "Given Name", "Legal First Name"}},
	{cContactLastName, prioStrong, "", []string{"Contact Last", "Primary Contact Last Name",
		"Contact Surname", "Contact Family Name"}},
	{cContactLastName, prioGeneric, "", []string{"Last Name", "Surname", "Family Name",
		"Legal Last Name"}},
	{cContactEmail, prioStrong, "", []string{"Contact Email Address", "Primary Contact Email"}},
	{cContactEmail, prioGeneric, "", []string{"Email", "Email Address", "E-mail",
		"Primary Email"}},
	{cContactEmail, prioWork, "", []string{"Work Email", "Personal Email"}},
	{cContactPhone, prioStrong, "", []string{"Contact Phone Number", "Primary Contact Phone",
		"Contact Telephone"}},
	{cContactPhone, prioStrong, "MOBILE", []string{"Contact Mobile", "Contact Cell",
		"Contact Mobile Phone", "Contact Cell Phone"}},
	{cContactPhone, prioGeneric, "", []string{"Phone", "Phone Number", "Telephone",
		"Primary Phone"}},
	{cContactPhone, prioPersonal, "MOBILE", []string{"Mobile Phone", "Mobile", "Cell Phone", "Cell"}},
	{cContactPhone, prioWork, "WORK", []string{"Work Phone"}},
	{cContactPhoneType, prioGeneric, "", []string{"Phone Type", "Contact Phone Kind"}},
	{cLimitsCurrency, prioGeneric, "", []string{"Currency", "Currency Code", "Limit Currency",
		"Limits Currency Code"}},
	{cLimitMonthly, prioGeneric, "", []string{"Monthly Limit", "Monthly Debit Limit",
		"Limit (Monthly)", "Monthly Transaction Limit"}},
	{cLimitWeekly, prioGeneric, "", []string{"Weekly Limit", "Weekly Debit Limit",
		"Limit (Weekly)", "Weekly Transaction Limit"}},
	{cLimitDaily, prioGeneric, "", []string{"Daily Limit", "Daily Debit Limit", "Limit (Daily)",
		"Daily Transaction Limit"}},
	{cLimitSingle, prioGeneric, "", []string{"Single Limit", "Single Transaction Limit",
		"Per Transaction Limit", "Transaction Limit", "Limit (Single)", "Limit per Transaction"}},
}

// businessAddressGroups are the person address aliases a business roster shares.
func businessAddressGroups() []aliasGroup {
	var gs []aliasGroup
	for _, g := range personAliasGroups {
		switch g.field {
		case cAddressLine1, cAddressLine2, cCity, cState, cZip, cCountry:
			gs = append(gs, g)
		}
	}
	return gs
}

// aliasTables holds each kind's alias table, keyed by normKey of the header.
var aliasTables, aliasConflicts = buildAliasTables()

func buildAliasTables() (map[Kind]map[string]alias, []string) {
	var conflicts []string
	build := func(k Kind, groups ...[]aliasGroup) map[string]alias {
		t := make(map[string]alias)
		for _, gs := range groups {
			for _, g := range gs {
				for _, h := range g.headers {
					key := normKey(h)
					if prev, ok := t[key]; ok {
						// A table is written by hand; the test reports a clash.
						if prev.field != g.field || prev.prio != g.prio || prev.phoneType != g.phoneType {
							conflicts = append(conflicts, string(k)+": "+h)
						}
						continue
					}
					if c, ok := canonByKey[key]; ok && kindSet(k)&(1<<c) != 0 {
						conflicts = append(conflicts, string(k)+": "+h+" is a canonical name")
						continue
					}
					t[key] = alias{field: g.field, prio: g.prio, phoneType: g.phoneType}
				}
			}
		}
		return t
	}
	return map[Kind]map[string]alias{
		KindEWA:        build(KindEWA, personAliasGroups, ewaAliasGroups),
		KindIndividual: build(KindIndividual, personAliasGroups),
		KindBusiness:   build(KindBusiness, businessAliasGroups, businessAddressGroups()),
	}, conflicts
}

// matchHeader says which field a header fills for a kind, and why: "column" when it is the
// template's name, "alias" when it is a known payroll export header. A header written as
// "Section: Field" (ADP) or "Section - Field" (Workday) that matches neither as a whole is
// tried by its last part.
func matchHeader(k Kind, header string) (alias, string, bool) {
	if a, via, ok := matchKey(k, normKey(header)); ok {
		return a, via, true
	}
	if part, ok := lastPart(header); ok {
		if a, _, ok := matchKey(k, normKey(part)); ok {
			return a, ViaAlias, true
		}
	}
	return alias{}, "", false
}

func matchKey(k Kind, key string) (alias, string, bool) {
	if c, ok := canonByKey[key]; ok && kindSet(k)&(1<<c) != 0 {
		return alias{field: c, prio: prioExact}, ViaColumn, true
	}
	if a, ok := aliasTables[k][key]; ok {
		return a, ViaAlias, true
	}
	return alias{}, "", false
}

// lastPart returns the part of "Section: Field" or "Section - Field" after the last separator.
func lastPart(h string) (string, bool) {
	start := -1
	for _, sep := range []string{":", " - ", " – ", " — "} {
		if i := strings.LastIndex(h, sep); i >= 0 && i+len(sep) > start {
			start = i + len(sep)
		}
	}
	if start < 0 || strings.TrimSpace(h[start:]) == "" {
		return "", false
	}
	return h[start:], true
}

// otherKindOf names a kind whose template or aliases know the header, for the note on an
// unplaced header ("cardNumber is a field of kind ewa").
func otherKindOf(k Kind, header string) (canon, Kind, bool) {
	for _, o := range []Kind{KindEWA, KindIndividual, KindBusiness} {
		if o == k {
			continue
		}
		if a, _, ok := matchHeader(o, header); ok && kindSet(k)&(1<<a.field) == 0 {
			return a.field, o, true
		}
	}
	return 0, "", false
}

// impliedPhoneType returns the phone type a header implies ("Home Phone": HOME), or "".
func impliedPhoneType(k Kind, header string) string {
	if a, _, ok := matchHeader(k, header); ok {
		return a.phoneType
	}
	return ""
}

// metadataKey returns the key of a metadata column ("metadata.costCenter" -> "costCenter"),
// kept as written. The prefix is matched as headers are: any case, and `.`, `_`, `-`, `:` or
// a space after it.
func metadataKey(header string) (string, bool) {
	const p = "metadata"
	h := strings.TrimSpace(header)
	if len(h) <= len(p) || !strings.EqualFold(h[:len(p)], p) {
		return "", false
	}
	switch h[len(p)] {
	case '.', '_', '-', ':', ' ':
	default:
		return "", false
	}
	key := strings.TrimLeft(h[len(p):], ".:_- ")
	// JSON carries text only: a stray byte becomes U+FFFD here rather than when sent.
	key = validText(strings.TrimSpace(key))
	return key, key != ""
}

// validText turns each byte that is not UTF-8 into U+FFFD, as ranging over the string does,
// so that the text survives YAML and JSON and still matches the header it came from.
func validText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(r)
	}
	return b.String()
}

// What a refused column holds.
const (
	holdsCodes = "card security codes"
	holdsPINs  = "card PINs"
)

// cardSecretKeys are headers (normalised) that name a card security code or PIN.
var cardSecretKeys = map[string]string{
	"cvv": holdsCodes, "cvc": holdsCodes, "cvv2": holdsCodes, "cvc2": holdsCodes,
	"cid": holdsCodes, "cvn": holdsCodes, "cvd": holdsCodes, "csc": holdsCodes,
	"cav2": holdsCodes, "cvvcode": holdsCodes, "cvccode": holdsCodes, "cvvnumber": holdsCodes,
	"cvcnumber": holdsCodes, "cvv/cvc": holdsCodes, "cvc/cvv": holdsCodes,
	"cvv2/cvc2": holdsCodes, "securitycode": holdsCodes, "cardcode": holdsCodes,
	"cardsecuritycode": holdsCodes, "cardverificationvalue": holdsCodes,
	"cardverificationcode": holdsCodes, "cardverificationnumber": holdsCodes,
	"cardidentificationnumber": holdsCodes,
	"pin":                      holdsPINs, "cardpin": holdsPINs, "pinnumber": holdsPINs, "pin#": holdsPINs,
	"personalidentificationnumber": holdsPINs,
}

// cardSecretWords are words that name a card security code wherever they stand in a header
// ("Card CVV", "cvv_number", "cardCvc").
var cardSecretWords = map[string]bool{"cvv": true, "cvc": true, "cvv2": true, "cvc2": true,
	"cvn": true, "cvd": true}

// cardSecret says whether a header names card security codes or PINs, which may be neither
// stored nor sent, and which. Look-alikes pass: "Pincode" and "Pin Code" (an Indian postal
// code), "Spinner", "Social Security Number".
func cardSecret(header string) (string, bool) {
	key := normKey(header)
	if what, ok := cardSecretKeys[key]; ok {
		return what, true
	}
	if strings.Contains(key, "cardsecurity") || strings.Contains(key, "cardverification") ||
		strings.Contains(key, "securitycodecv") {
		return holdsCodes, true
	}
	pin := false
	for _, w := range words(header) {
		if cardSecretWords[w] {
			return holdsCodes, true
		}
		if w == "pin" || w == "pins" {
			pin = true
		}
	}
	if !pin {
		return "", false
	}
	cardish := strings.Contains(key, "card") || strings.Contains(key, "debit") ||
		strings.Contains(key, "atm") || strings.Contains(key, "credit")
	if strings.HasSuffix(key, "pincode") && !cardish {
		return "", false // a postal code
	}
	return holdsPINs, true
}

// words splits a header into lower-case words at anything that is not a letter or digit and
// at camelCase humps: "cardPIN_no" -> card, pin, no.
func words(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	var prev rune
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && unicode.IsLower(prev) {
				flush()
			}
			cur = append(cur, r)
		default:
			flush()
		}
		prev = r
	}
	flush()
	return out
}
