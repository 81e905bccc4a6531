package ingest

import (
	"strings"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

// A person's fields (ewa's customerData, an individual customer) and the address fields every
// built-in kind shares, in the template's order (DESIGN.md).
var (
	fExternalID         = &Field{Name: "externalId", Class: "externalId", Personal: true}
	fFirstName          = &Field{Name: "firstName", Class: "first"}
	fMiddleName         = &Field{Name: "middleName", Class: "middle"}
	fLastName           = &Field{Name: "lastName", Class: "last"}
	fPrefix             = &Field{Name: "prefix", Class: "prefix"}
	fSuffix             = &Field{Name: "suffix", Class: "suffix"}
	fSex                = &Field{Name: "sex", Class: "sex"}
	fGender             = &Field{Name: "gender", Class: "gender"}
	fPronoun            = &Field{Name: "pronoun", Class: "pronoun"}
	fEmail              = &Field{Name: "email", Class: "email"}
	fPhone              = &Field{Name: "phone", Class: "phone"}
	fPhoneType          = &Field{Name: "phoneType", Class: "phoneType"}
	fPhoneExtension     = &Field{Name: "phoneExtension", Class: "phoneExtension"}
	fDateOfBirth        = &Field{Name: "dateOfBirth", Class: "date"}
	fBirthCity          = &Field{Name: "birthCity", Class: "city"}
	fBirthCountry       = &Field{Name: "birthCountry", Class: "country"}
	fSSN                = &Field{Name: "ssn", Class: "ssn", Personal: true}
	fSSNCountry         = &Field{Name: "ssnCountry", Class: "country"}
	fCitizenshipCountry = &Field{Name: "citizenshipCountry", Class: "country"}
	fAddressType        = &Field{Name: "addressType", Class: "addressType"}
	fAddressLine1       = &Field{Name: "addressLine1", Class: "line1"}
	fAddressLine2       = &Field{Name: "addressLine2", Class: "line2"}
	fAddressLine3       = &Field{Name: "addressLine3", Class: "line3"}
	fCity               = &Field{Name: "city", Class: "city"}
	fState              = &Field{Name: "state", Class: "state"}
	fZip                = &Field{Name: "zip", Class: "zip"}
	fCountry            = &Field{Name: "country", Class: "country"}
)

// personFields are a person kind's fields in template order.
var personFields = []*Field{fExternalID, fFirstName, fMiddleName, fLastName, fPrefix, fSuffix, fSex,
	fGender, fPronoun, fEmail, fPhone, fPhoneType, fPhoneExtension, fDateOfBirth, fBirthCity,
	fBirthCountry, fSSN, fSSNCountry, fCitizenshipCountry, fAddressType, fAddressLine1,
	fAddressLine2, fAddressLine3, fCity, fState, fZip, fCountry}

// personRequired are the fields a person's request cannot do without.
var personRequired = []*Field{fExternalID, fFirstName, fLastName, fEmail, fPhone}

// personAliases are the headers every person kind (ewa, individual) recognises.
var personAliases = concat(personAliasGroups, addressAliasGroups, personAddressAliasGroups)

// Headers every person kind recognises. Sources: the column names of the worker exports of ADP
// Workforce Now, Paychex Flex, Gusto, Workday, UKG Pro, Paylocity and BambooHR (aliases_test.go
// cites each system's own).
var personAliasGroups = []AliasGroup{
	{fExternalID, prioStrong, "", []string{"Employee ID", "Employee Number", "Employee No",
		"Employee #", "Employee Num", "Emp ID", "Emp No", "Emp #", "Emp Num", "Emp Number",
		"Employee Code", "Emp Code", "EE ID", "EE Number", "Associate ID", "Associate Number",
		"Worker ID", "Worker Number", "File Number", "File #", "Payroll ID", "Payroll Number",
		"Personnel Number", "Person Number", "Staff ID", "Staff Number", "Team Member ID",
		"Ext ID", "Employee Reference", "Employee Ref", "Badge Number",
		"Clock Number", "Clock ID", "Employee Id Number"}},
	{fExternalID, prioGeneric, "", []string{"ID"}},
	{fFirstName, prioLegal, "", []string{"Legal First Name", "Legal Name: First Name",
		"Legal Name - First Name", "Employee Legal First Name"}},
	{fFirstName, prioGeneric, "", []string{"First", "Given Name", "Given Names",
		"Forename", "FName", "Employee First Name", "Worker First Name"}},
	{fMiddleName, prioLegal, "", []string{"Legal Middle Name"}},
	{fMiddleName, prioGeneric, "", []string{"Middle", "Middle Initial", "MI",
		"Middle Names", "Second Name"}},
	{fLastName, prioLegal, "", []string{"Legal Last Name", "Legal Name: Last Name",
		"Legal Name - Last Name", "Employee Legal Last Name"}},
	{fLastName, prioGeneric, "", []string{"Last", "Surname", "Family Name",
		"LName", "Employee Last Name", "Worker Last Name"}},
	{fPrefix, prioGeneric, "", []string{"Name Prefix", "Salutation", "Honorific"}},
	{fSuffix, prioGeneric, "", []string{"Name Suffix", "Generational Suffix", "Generation Suffix Code",
		"Generation Suffix", "Suffix Code"}},
	{fSex, prioGeneric, "", []string{"Legal Sex", "Sex at Birth", "Biological Sex"}},
	{fGender, prioGeneric, "", []string{"Gender Identity"}},
	{fPronoun, prioGeneric, "", []string{"Pronouns", "Preferred Pronouns", "Personal Pronouns"}},
	{fEmail, prioStrong, "", []string{"Email Address", "E-mail Address", "Primary Email",
		"Primary Email Address", "Employee Email", "Email ID", "Email - Primary"}},
	{fEmail, prioPersonal, "", []string{"Personal Email", "Personal Email Address",
		"Personal E-mail", "Home Email", "Home Email Address", "Private Email", "Other Email",
		"Personal Contact: Personal Email", "Email - Primary Home", "Home Email - Primary"}},
	{fEmail, prioWork, "", []string{"Work Email", "Work Email Address", "Work E-mail",
		"Business Email", "Company Email", "Office Email", "Corporate Email",
		"Work Contact: Work Email", "Email - Primary Work", "Work Email - Primary"}},
	{fPhone, prioStrong, "MOBILE", []string{"Mobile Phone", "Mobile", "Mobile Number",
		"Mobile Phone Number", "Mobile #", "Cell Phone", "Cell", "Cell Number", "Cell Phone Number",
		"Cell #", "Cellphone", "Cellular", "Cellular Phone", "Personal Mobile", "Personal Cell",
		"Personal Mobile Phone", "Personal Cell Phone", "Personal Contact: Personal Mobile",
		"Phone - Primary Mobile", "Mobile Phone Number - Primary"}},
	{fPhone, prioGeneric, "", []string{"Phone Number", "Phone #", "Phone No", "Telephone",
		"Telephone Number", "Tel", "Primary Phone", "Primary Phone Number", "Contact Number",
		"Personal Phone", "Employee Phone", "Phone - Primary"}},
	{fPhone, prioPersonal, "HOME", []string{"Home Phone", "Home Phone Number", "Home Telephone",
		"Home Tel", "Landline", "Personal Contact: Home Phone", "Phone - Primary Home"}},
	{fPhone, prioWork, "WORK", []string{"Work Phone", "Work Phone Number", "Work Telephone",
		"Business Phone", "Office Phone", "Work Tel", "Work Contact: Work Phone", "Phone - Primary Work"}},
	{fPhoneType, prioGeneric, "", []string{"Phone Number Type", "Phone Kind"}},
	{fPhoneExtension, prioGeneric, "", []string{"Extension", "Ext", "Phone Ext", "Phone Ext.",
		"Work Phone Extension", "Work Phone Ext"}},
	{fDateOfBirth, prioGeneric, "", []string{"Birth Date", "Birthdate", "DOB", "Birthday", "Employee Birth Date", "Birth Dt", "Date of Birth (MM/DD/YYYY)"}},
	{fBirthCity, prioGeneric, "", []string{"City of Birth", "Birth Place", "Birthplace",
		"Place of Birth", "Place of Birth City"}},
	{fBirthCountry, prioGeneric, "", []string{"Country of Birth", "Birth Country Code",
		"Place of Birth Country"}},
	{fSSN, prioStrong, "", []string{"Social Security Number", "Social Security #",
		"Social Security No", "Social Security", "SS#", "SS Number", "SSN/SIN", "SIN",
		"SSN/ITIN", "Social Insurance Number", "Social ID", "National ID", "National ID Number",
		"National Identifier", "National Insurance Number", "NI Number", "Tax ID Number (SSN)",
		"Employee SSN", "Tax ID (SSN)", "Tax ID (SSN/ITIN)", "SSN (Tax ID)",
		"Social Security Number (SSN)", "National ID Number (SSN)"}},
	{fSSNCountry, prioGeneric, "", []string{"Social ID Country",
		"Social ID Country Code", "SSN Issuing Country", "National ID Country"}},
	{fCitizenshipCountry, prioGeneric, "", []string{"Citizenship", "Country of Citizenship",
		"Citizenship Country Code", "Nationality"}},
}

// Address headers only a person kind recognises.
var personAddressAliasGroups = []AliasGroup{
	{fAddressType, prioGeneric, "", []string{"Address Kind"}},
	{fAddressLine3, prioStrong, "", []string{"Address 3", "Street 3",
		"Street Line 3", "Home Address Line 3", "Line 3"}},
}

// Address headers every built-in kind recognises (a business roster's too).
var addressAliasGroups = []AliasGroup{
	{fAddressLine1, prioStrong, "", []string{"Address 1", "Street 1",
		"Street Line 1", "Home Address Line 1", "Home Address 1", "Home Street 1",
		"Home Address: Address Line 1", "Primary Address Line 1", "Residential Address Line 1",
		"Line 1", "Home Address Street 1", "Home Street Address 1", "Primary Home Address Line 1"}},
	{fAddressLine1, prioGeneric, "", []string{"Street", "Street Address", "Address",
		"Home Address", "Home Street", "Home Street Address", "Residential Address",
		"Street Address 1", "Mailing Address", "Mailing Address Line 1"}},
	{fAddressLine2, prioStrong, "", []string{"Address 2", "Street 2",
		"Street Line 2", "Home Address Line 2", "Home Address 2", "Home Street 2",
		"Home Address: Address Line 2", "Primary Address Line 2", "Residential Address Line 2",
		"Street Address 2", "Mailing Address Line 2", "Line 2", "Home Address Street 2",
		"Home Street Address 2", "Primary Home Address Line 2"}},
	{fAddressLine2, prioGeneric, "", []string{"Apt", "Apt #", "Apt.", "Apartment",
		"Apartment Number", "Apt/Suite", "Suite", "Suite #", "Unit", "Unit #", "Apt/Unit",
		"Apartment/Suite"}},
	{fCity, prioGeneric, "", []string{"Town", "City/Town", "Town/City", "Home City",
		"Home Address: City", "Locality", "Municipality", "Mailing City", "Residential City",
		"Home Address City"}},
	{fState, prioGeneric, "", []string{"State/Province", "Province", "State Code",
		"Province/State", "State/Region", "State/Province/Region", "Province Code", "Home State",
		"Home Address: State", "Home Province", "Mailing State", "Region", "State or Province",
		"Territory", "State/Territory", "State / Territory Code", "State/Territory Code",
		"State/Province Code", "Home Address State", "State (US)"}},
	{fZip, prioGeneric, "", []string{"Zip Code", "Zipcode", "ZIP+4", "Zip/Postal Code",
		"Zip/Postal", "Postal Code", "Postal/Zip Code", "Postal", "Postcode", "Post Code",
		"Pincode", "Home Zip", "Home Zip Code", "Home Postal Code", "Home Address: Zip Code",
		"Mailing Zip", "Mailing Zip Code", "Home Address Zip", "Home Address Zip Code",
		"Zip/Postal Code (US)", "Postal Code/Zip"}},
	{fCountry, prioGeneric, "", []string{"Country Code", "Home Country", "Country/Region",
		"Home Address: Country", "Mailing Country", "Residential Country", "Country of Residence"}},
}

func concat[T any](parts ...[]T) []T {
	var out []T
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Values a row gets when neither a cell nor the mapping file gives one (DESIGN.md, "Defaults
// where a row gives nothing").
const (
	defaultAddressType = "PHYSICAL"
	defaultPhoneType   = "MOBILE"
)

// person holds a person's objects, so that they share their record's one allocation.
type person struct {
	cust  api.IndividualCustomer
	phone api.Phone
	email api.Email
	pob   api.PlaceOfBirth
}

// fillPerson fills the fields an individual customer and an EWA's customerData share, in p,
// which is fresh (see buildEWA).
func fillPerson(c *Cells, p *person) *api.IndividualCustomer {
	ic := &p.cust
	ic.Type = api.TypeIndividual
	ic.FirstName = c.Get(fFirstName)
	ic.MiddleName = c.Get(fMiddleName)
	ic.LastName = c.Get(fLastName)
	ic.Prefix = c.Get(fPrefix)
	ic.Suffix = c.Get(fSuffix)
	ic.Sex = c.Get(fSex)
	ic.Gender = c.Get(fGender)
	ic.Pronoun = c.Get(fPronoun)
	p.phone.Number = c.Get(fPhone)
	p.phone.Type = or(c.Get(fPhoneType), or(c.Implied(fPhone), defaultPhoneType))
	p.phone.Extension = c.Get(fPhoneExtension)
	ic.PrimaryPhoneNumber = &p.phone
	p.email.Value = c.Get(fEmail)
	ic.PrimaryEmail = &p.email
	ic.DateOfBirth = c.Get(fDateOfBirth)
	if city, country := c.Get(fBirthCity), c.Get(fBirthCountry); city != "" || country != "" {
		p.pob.City, p.pob.CountryCode = city, country
		ic.PlaceOfBirth = &p.pob
	}
	ic.SocialID = c.Get(fSSN)
	if ic.SocialID != "" {
		ic.SocialIDCountryCode = or(c.Get(fSSNCountry), c.Country())
	} else {
		// Without an SSN only a written country is kept: defaulting one would send a
		// socialIdCountryCode for no socialId.
		ic.SocialIDCountryCode = c.Cell(fSSNCountry)
	}
	ic.CitizenshipCountryCode = c.Get(fCitizenshipCountry)
	ic.Metadata = c.Metadata()
	return ic
}

// keysPerson fills what MapKeys promises of a person (see fillPerson) into ic, which Keys made
// with keyedPerson.
func keysPerson(c *Cells, ic *api.IndividualCustomer) {
	ic.SocialID = c.Get(fSSN)
	ic.PrimaryPhoneNumber.Number = c.Get(fPhone)
	ic.PrimaryEmail.Value = c.Get(fEmail)
}

// keyedPerson returns p's customer with the objects keysPerson fills in place.
func keyedPerson(p *person) *api.IndividualCustomer {
	p.cust.PrimaryPhoneNumber = &p.phone
	p.cust.PrimaryEmail = &p.email
	return &p.cust
}

// layoutPerson locates what fillPerson fills, under prefix p ("customerData.").
func layoutPerson(l *Locations, p string) {
	hasCountry := l.Config().DefaultCountry != ""
	l.Add(p+"firstName", false, fFirstName)
	l.Add(p+"middleName", false, fMiddleName)
	l.Add(p+"lastName", false, fLastName)
	l.Add(p+"prefix", false, fPrefix)
	l.Add(p+"suffix", false, fSuffix)
	l.Add(p+"sex", false, fSex)
	l.Add(p+"gender", false, fGender)
	l.Add(p+"pronoun", false, fPronoun)
	l.Add(p+"primaryPhoneNumber", false, fPhone)
	l.Add(p+"primaryPhoneNumber.number", false, fPhone)
	l.Add(p+"primaryPhoneNumber.type", true, fPhoneType)
	l.Add(p+"primaryPhoneNumber.extension", false, fPhoneExtension)
	l.Add(p+"primaryEmail", false, fEmail)
	l.Add(p+"primaryEmail.value", false, fEmail)
	l.Add(p+"dateOfBirth", false, fDateOfBirth)
	l.Add(p+"placeOfBirth", false, fBirthCity, fBirthCountry)
	l.Add(p+"placeOfBirth.city", false, fBirthCity)
	l.Add(p+"placeOfBirth.countryCode", false, fBirthCountry)
	l.Add(p+"socialId", false, fSSN)
	l.Add(p+"socialIdCountryCode", hasCountry, fSSNCountry, fCountry)
	l.Add(p+"citizenshipCountryCode", false, fCitizenshipCountry)
	l.Metadata(p + "metadata")
}

// personName is the name a report shows for a person.
func personName(c *api.IndividualCustomer) string {
	if c == nil {
		return ""
	}
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// maskedPerson returns a copy of c with its SSN masked.
func maskedPerson(c *api.IndividualCustomer) *api.IndividualCustomer {
	m := *c
	if m.SocialID != "" {
		m.SocialID = redact.ID(m.SocialID)
	}
	return &m
}

// address holds a customer's one address, in its record's allocation.
type address struct {
	addr    [1]api.Address
	primary bool
}

// fillAddress returns the row's one address (type PHYSICAL unless a column or default says
// otherwise, primary), or nil when every address cell is blank: the country alone does not
// make one, since it also serves the phone region and the SSN's country. A person's address
// has a type and a third line; a business's does not.
func fillAddress(c *Cells, a *address, person bool) []api.Address {
	if c.AllBlank(fAddressLine1, fAddressLine2, fAddressLine3, fCity, fState, fZip) {
		return nil
	}
	a.primary = true
	a.addr[0] = api.Address{
		Type:        defaultAddressType,
		StreetLine1: c.Get(fAddressLine1),
		StreetLine2: c.Get(fAddressLine2),
		CityName:    c.Get(fCity),
		StateCode:   c.Get(fState),
		CountryCode: c.Country(),
		ZipCode:     c.Get(fZip),
		Primary:     &a.primary,
	}
	if person {
		a.addr[0].Type = or(c.Get(fAddressType), defaultAddressType)
		a.addr[0].StreetLine3 = c.Get(fAddressLine3)
	}
	return a.addr[:]
}

// layoutAddress locates what fillAddress fills.
func layoutAddress(l *Locations, person bool) {
	for _, p := range []string{"addresses", "addresses[0]", "addresses[0].streetLine1"} {
		l.Add(p, false, fAddressLine1)
	}
	l.Add("addresses[0].streetLine2", false, fAddressLine2)
	l.Add("addresses[0].cityName", false, fCity)
	l.Add("addresses[0].stateCode", false, fState)
	l.Add("addresses[0].zipCode", false, fZip)
	l.Add("addresses[0].countryCode", l.Config().DefaultCountry != "", fCountry)
	l.Add("addresses[0].primary", true)
	if person {
		l.Add("addresses[0].type", true, fAddressType)
		l.Add("addresses[0].streetLine3", false, fAddressLine3)
	} else {
		l.Add("addresses[0].type", true)
	}
}

// addressCountry is the country a customer's phone number is read in when it is not in E.164:
// that of its primary address, else of its first address that has one.
func addressCountry(as []api.Address) string {
	first := ""
	for _, a := range as {
		if a.CountryCode == "" {
			continue
		}
		if a.Primary != nil && *a.Primary {
			return a.CountryCode
		}
		if first == "" {
			first = a.CountryCode
		}
	}
	return first
}
