// Package validate checks a request against the platform's documented field rules, normalises its
// values in place to what the API expects, and returns the problems found.
package validate

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/redact"
)

// Options configure a Validator.
type Options struct {
	// DateLayouts are the Go layouts tried in order for dates. Nil or empty means ISO
	// "2006-01-02", then US "1/2/2006" (M/D/YYYY, which also reads 01/02/2006). ISO is always
	// tried last even when not listed, so a normalised request validates again.
	DateLayouts []string
	// DefaultCountry is the phone region where a row gives no country: alpha-3, alpha-2 or an
	// English name. "" means none (US is then used for phones).
	DefaultCountry string
	// Now is the clock for dates of birth and card expiry; nil means time.Now. It must be safe
	// for concurrent use.
	Now func() time.Time
}

// ErrOption is wrapped by every error New returns: the caller's configuration is wrong.
var ErrOption = errors.New("invalid validation option")

const isoDate = "2006-01-02"

// Validator checks and normalises requests. It is safe for concurrent use by many goroutines.
type Validator struct {
	layouts   []string
	short     []bool           // per layout: its year has two digits
	defRegion string           // phone region (alpha-2) from DefaultCountry, "" when none
	now       func() time.Time // nil: the system clock, through systemToday
	phones    *phoneCache      // nil: parse every number (benchmarks compare both)
	countries *countryTables   // countries(), held: a row looks it up several times
}

// New returns a Validator, or an error wrapping ErrOption when DefaultCountry is not a country or
// a date layout is empty or lacks a year, month or day.
func New(opts Options) (*Validator, error) {
	v := &Validator{now: opts.Now, phones: newPhoneCache(), countries: countries()}
	layouts := []string{isoDate, usDate}
	if len(opts.DateLayouts) > 0 {
		layouts = slices.Clone(opts.DateLayouts)
	}
	for i, l := range layouts {
		if strings.TrimSpace(l) == "" {
			return nil, fmt.Errorf("%w: date layout %d is empty", ErrOption, i+1)
		}
		if !fullDateLayout(l) {
			return nil, fmt.Errorf("%w: date layout %q does not hold a year, a month and a day", ErrOption, l)
		}
	}
	if !slices.Contains(layouts, isoDate) {
		layouts = append(layouts, isoDate)
	}
	v.layouts = layouts
	for _, l := range layouts {
		v.short = append(v.short, shortYear(l))
	}
	if opts.DefaultCountry != "" {
		a3, _, ok := lookupCountry(opts.DefaultCountry)
		if !ok {
			return nil, fmt.Errorf("%w: default country %q is not a country (use an ISO code such as USA)", ErrOption, opts.DefaultCountry)
		}
		v.defRegion = v.countries.alpha2Of[a3]
	}
	return v, nil
}

// fullDateLayout reports whether a layout carries a whole date: a reference day formatted with
// it must read back as the same day.
func fullDateLayout(layout string) bool {
	ref := time.Date(2001, time.February, 3, 0, 0, 0, 0, time.UTC)
	t, err := time.Parse(layout, ref.Format(layout))
	if err != nil {
		return false
	}
	y, m, d := t.Date()
	return y == 2001 && m == time.February && d == 3
}

// Locator says where a request field came from in the source. Record (ingest/record.go)
// implements it.
type Locator interface {
	Locate(field string) (column, cell string)
}

// Hint is what a row knows that the request does not carry.
type Hint struct {
	Country string  // the row's own country cell as written ("" if none): the phone region source
	Loc     Locator // nil: no source (the API emulator validating a request body)
}

// Result is what validating one request found.
type Result struct {
	Errors, Warnings []Problem
}

// Valid reports whether no error was found (warnings do not count).
func (r Result) Valid() bool { return len(r.Errors) == 0 }

// EWA checks and normalises an EWA enrollment (POST /v1/customer-profiles).
func (v *Validator) EWA(p *api.CustomerProfileRequest, h Hint) Result {
	c := v.start(h)
	if p == nil {
		p = &api.CustomerProfileRequest{} // report every required field rather than panic
	}
	if c.text("externalId", &p.ExternalID, required, 0, 0) {
		var socialID, card string
		if p.CustomerData != nil {
			socialID = p.CustomerData.SocialID
		}
		if fa := p.FinancialAccountData; fa != nil && fa.Card != nil {
			card = fa.Card.CardNumber
		}
		c.personalID(p.ExternalID, false, ownNumber{socialID, msgEmployeeIDOwnSSN}, ownNumber{card, msgEmployeeIDOwnCard})
	}
	c.enum("eligibilityStatus", &p.EligibilityStatus, optional, api.EligibilityStates)
	c.text("programId", &p.ProgramID, required, 0, 0)
	cd := p.CustomerData
	if cd == nil {
		cd = &api.IndividualCustomer{} // checked for its required leaves, never sent
	}
	if strings.TrimSpace(cd.ExternalID) == p.ExternalID {
		cd.ExternalID = "" // the enrollment's own, repeated: not part of customerData, dropped
	}
	c.person(ewaPersonPaths, cd, true)
	fa := p.FinancialAccountData
	if fa == nil {
		fa = &api.FinancialAccountData{}
	}
	c.account(fa)
	return c.res
}

// Individual checks and normalises an INDIVIDUAL customer (POST /v1/customers).
func (v *Validator) Individual(ic *api.IndividualCustomer, h Hint) Result {
	c := v.start(h)
	if ic == nil {
		ic = &api.IndividualCustomer{}
	}
	c.person(individualPersonPaths, ic, false)
	return c.res
}

// Business checks and normalises a BUSINESS customer (POST /v1/customers).
func (v *Validator) Business(b *api.BusinessCustomer, h Hint) Result {
	c := v.start(h)
	if b == nil {
		b = &api.BusinessCustomer{}
	}
	// rosterload de-duplicates on externalId, so it is required although the seed says CONDITIONAL.
	if c.text("externalId", &b.ExternalID, required, 0, 0) {
		c.personalID(b.ExternalID, true, ownNumber{b.TaxID, msgBusinessIDOwnTaxID})
	}
	c.enum("type", &b.Type, required, []string{api.TypeBusiness})
	c.text("businessName", &b.BusinessName, required, 1, 100)
	c.text("doingBusinessAsName", &b.DoingBusinessAsName, optional, 1, 100)
	c.text("legalName", &b.LegalName, optional, 1, 40)
	c.usState("registeredStateCode", &b.RegisteredStateCode)
	c.contacts(b)
	c.barePhone("primaryPhone", &b.PrimaryPhone)
	c.email("primaryEmail", &b.PrimaryEmail, optional)
	c.website("website", &b.Website)
	c.date("dateOfFormation", &b.DateOfFormation, optional, formationDate)
	c.enum("legalEntityType", &b.LegalEntityType, optional, api.LegalEntityTypes)
	c.taxID(b)
	c.limits(b)
	c.addresses(&b.Addresses)
	c.metadata("metadata", &b.Metadata, api.MaxBusinessMetadata)
	return c.res
}

// checker carries one request's validation: where problems are located and what was found.
type checker struct {
	v      *Validator
	loc    Locator
	region string // phone region, alpha-2
	today  int    // yyyymmdd of Now, for dates of birth and formation
	month  int    // year*12+month of Now, for card expiry
	res    Result
}

// start returns the checker of one request, by value: it lives on the validating goroutine's
// stack, not the heap, for the request's checks.
func (v *Validator) start(h Hint) checker {
	var today int
	if v.now != nil {
		today = ymd(v.now())
	} else {
		today = systemToday()
	}
	return checker{v: v, loc: h.Loc, region: v.region(h.Country), today: today, month: today/10000*12 + today/100%100}
}

// ymd is t's day as yyyymmdd.
func ymd(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// sysDay is today by the system clock (yyyymmdd, 0 until first read), for every Validator
// without a Now of its own. Reading the clock and splitting its date for every row was a
// tenth of validation's CPU; the day changes once a day, so a timer re-reads it at the next
// midnight, and at least once a minute in case the wall clock is set or the zone changes.
var sysDay struct {
	once  sync.Once
	today atomic.Int64
}

// systemToday is today (yyyymmdd) by the system clock, as of the latest midnight or minute.
func systemToday() int {
	sysDay.once.Do(refreshSystemDay)
	return int(sysDay.today.Load())
}

// maxDayAge bounds how long the system day goes without a clock read.
const maxDayAge = time.Minute

// refreshSystemDay reads the system day and sets a timer to read it again.
func refreshSystemDay() {
	now := time.Now()
	sysDay.today.Store(int64(ymd(now)))
	y, m, d := now.Date()
	next := time.Date(y, m, d+1, 0, 0, 0, 0, now.Location()).Sub(now)
	time.AfterFunc(min(next, maxDayAge), refreshSystemDay) // next midnight is after now: next > 0
}

// region is the phone region (alpha-2) of a row whose country cell says country: that
// country's, else the default country's, else US.
func (v *Validator) region(country string) string {
	region := v.defRegion
	if country != "" {
		t := v.countries
		if a2, ok := t.alpha2(country); ok { // an alpha-3 code as written: the usual cell
			region = a2
		} else if a3, _, ok := t.lookup(country); ok {
			region, _ = t.alpha2(a3)
		}
	}
	if region == "" {
		region = "US"
	}
	return region
}

// problem builds a Problem located by the Locator. The field path holds a metadata key and the
// column is a header as written, so both are masked as a value in a message is (see show): they
// are the same as given unless they hold a card number, an SSN-shaped value or a month-year.
func (c *checker) problem(field, code, msg string) Problem {
	p := Problem{Field: redact.MonthYears(redact.Text(field), monthYearShown), Code: code, Message: msg}
	if c.loc != nil {
		p.Column, p.Cell = c.loc.Locate(field)
		p.Message = homeAddress(field, p.Column, msg)
		p.Column = redact.MonthYears(redact.Text(p.Column), monthYearShown)
	}
	return p
}

// homeAddress drops "billing" from the label msg opens with when the value came from a column
// that does not say billing: an EWA card takes the home address as its billing address when
// the roster has no billing columns, and the clerk knows those columns as the home address.
func homeAddress(field, column, msg string) string {
	l := label(field)
	if column == "" || !strings.HasPrefix(l, "billing ") || strings.Contains(strings.ToLower(column), "billing") {
		return msg
	}
	return strings.Replace(msg, l, strings.TrimPrefix(l, "billing "), 1)
}

// fail records an error. Every cell value echoed in format must go through plain or quoted (see
// show), which mask personal numbers, hide month-years and keep the message on one line; the
// values of fields that hold secrets (card numbers, expiries, social and tax ids, security
// answers) are not echoed at all. A field path holds a metadata key, and a column is a header as
// written, so both are masked the same way (see problem).
func (c *checker) fail(field, code, format string, args ...any) {
	c.res.Errors = c.add(c.res.Errors, c.problem(field, code, fmt.Sprintf(format, args...)))
}

func (c *checker) warn(field, code, format string, args ...any) {
	c.res.Warnings = c.add(c.res.Warnings, c.problem(field, code, fmt.Sprintf(format, args...)))
}

// add appends p to list unless another field already has a problem there on the same cell: one
// cell feeds several fields (the first name also names the cardholder, one country column gives
// every country), and a clerk fixes the cell once, so it is reported once, on the first field.
func (c *checker) add(list []Problem, p Problem) []Problem {
	if p.Cell != "" && slices.ContainsFunc(list, func(q Problem) bool { return q.Cell == p.Cell && q.Field != p.Field }) {
		return list
	}
	return append(list, p)
}

// personPaths are the field paths of an individual customer under one prefix ("customerData."
// inside an EWA enrollment, "" for a customer of its own), joined once: a path is read only when
// a problem is reported, and joining them for every row was a tenth of a dry run's CPU.
type personPaths struct {
	externalID, typ, firstName, middleName, lastName, prefix, suffix, sex, gender,
	securityQuestion, securityAnswer, pronoun, emailValue, dateOfBirth,
	birthCity, birthCountry, socialIDCountry, socialID, citizenship, addresses, metadata string
	phone *phonePaths
}

func newPersonPaths(p string) *personPaths {
	return &personPaths{
		externalID: p + "externalId", typ: p + "type", firstName: p + "firstName", middleName: p + "middleName",
		lastName: p + "lastName", prefix: p + "prefix", suffix: p + "suffix", sex: p + "sex", gender: p + "gender",
		securityQuestion: p + "securityQuestion", securityAnswer: p + "securityAnswer", pronoun: p + "pronoun",
		phone: newPhonePaths(p + "primaryPhoneNumber"), emailValue: p + "primaryEmail.value", dateOfBirth: p + "dateOfBirth",
		birthCity: p + "placeOfBirth.city", birthCountry: p + "placeOfBirth.countryCode",
		socialIDCountry: p + "socialIdCountryCode", socialID: p + "socialId",
		citizenship: p + "citizenshipCountryCode", addresses: p + "addresses", metadata: p + "metadata",
	}
}

var (
	ewaPersonPaths        = newPersonPaths("customerData.")
	individualPersonPaths = newPersonPaths("")
)

// sexCode reads the one-letter codes payroll systems export (Paychex, UKG Pro: M, F) as the
// API's values; anything else is left to the enum check.
func sexCode(s string) string {
	switch strings.TrimSpace(s) {
	case "M", "m":
		return "MALE"
	case "F", "f":
		return "FEMALE"
	}
	return s
}

// person checks an individual customer at the paths p (inside an EWA enrollment, which carries
// no externalId and no addresses, when ewa).
func (c *checker) person(p *personPaths, ic *api.IndividualCustomer, ewa bool) {
	if ewa {
		if strings.TrimSpace(ic.ExternalID) != "" {
			c.fail(p.externalID, CodeInvalidFormat, "customerData carries no externalId: the enrollment's own externalId identifies the employee")
		}
	} else {
		// rosterload de-duplicates on externalId, so it is required although the seed leaves it optional.
		if c.text("externalId", &ic.ExternalID, required, 0, 0) {
			c.personalID(ic.ExternalID, false, ownNumber{ic.SocialID, msgEmployeeIDOwnSSN})
		}
	}
	c.enum(p.typ, &ic.Type, required, []string{api.TypeIndividual})
	c.text(p.firstName, &ic.FirstName, required, 1, 40)
	c.text(p.middleName, &ic.MiddleName, optional, 1, 40)
	c.text(p.lastName, &ic.LastName, required, 1, 40)
	c.text(p.prefix, &ic.Prefix, optional, 1, 40)
	c.text(p.suffix, &ic.Suffix, optional, 1, 40)
	ic.Sex = sexCode(ic.Sex)
	c.enum(p.sex, &ic.Sex, optional, api.Sexes)
	c.text(p.gender, &ic.Gender, optional, 0, 0)
	c.text(p.securityQuestion, &ic.SecurityQuestion, optional, 0, 0)
	c.text(p.securityAnswer, &ic.SecurityAnswer, optional, 0, 0)
	c.text(p.pronoun, &ic.Pronoun, optional, 0, 0)
	c.phone(p.phone, &ic.PrimaryPhoneNumber, 10)
	c.emailObject(p.emailValue, ic.PrimaryEmail)
	c.date(p.dateOfBirth, &ic.DateOfBirth, optional, birthDate)
	c.placeOfBirth(p, &ic.PlaceOfBirth)
	c.socialID(p, ic)
	c.country(p.citizenship, &ic.CitizenshipCountryCode, optional)
	if ewa {
		if len(ic.Addresses) > 0 {
			c.fail(p.addresses, CodeInvalidFormat, "customerData takes no addresses: the home address goes on the card as its billing address")
		}
	} else {
		c.addresses(&ic.Addresses)
	}
	c.metadata(p.metadata, &ic.Metadata, api.MaxIndividualMetadata)
}

func (c *checker) placeOfBirth(p *personPaths, pob **api.PlaceOfBirth) {
	b := *pob
	if b == nil {
		return
	}
	c.text(p.birthCity, &b.City, optional, 0, 60)
	c.country(p.birthCountry, &b.CountryCode, optional)
	if b.City == "" && b.CountryCode == "" {
		*pob = nil // an empty optional object is omitted, not sent as {}
	}
}

// The paths of an EWA enrollment's financial account, constants so that no row joins them.
const (
	accountPath = "financialAccountData."
	cardPath    = accountPath + "card."
	billingPath = cardPath + "billingAddress."
)

// account checks an EWA enrollment's financialAccountData.
func (c *checker) account(fa *api.FinancialAccountData) {
	c.text(accountPath+"name", &fa.Name, required, 1, 100)
	c.enum(accountPath+"subtype", &fa.Subtype, required, api.CardSubtypes)
	c.currency(accountPath+"currency", &fa.Currency, optional)
	card := fa.Card
	if card == nil {
		card = &api.Card{}
	}
	c.text(cardPath+"firstName", &card.FirstName, required, 1, 40)
	c.text(cardPath+"middleName", &card.MiddleName, optional, 1, 40)
	c.text(cardPath+"lastName", &card.LastName, required, 1, 40)
	c.cardNumber(cardPath+"cardNumber", &card.CardNumber)
	c.expiry(cardPath+"expiry", &card.Expiry)
	ba := card.BillingAddress
	if ba == nil {
		ba = &api.BillingAddress{}
	}
	c.billing(ba)
}

// emailObject checks an email object; field is the path of its value ("….primaryEmail.value").
func (c *checker) emailObject(field string, e *api.Email) {
	if e == nil {
		e = &api.Email{}
	}
	c.email(field, &e.Value, required)
}
