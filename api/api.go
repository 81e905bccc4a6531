// Package api holds the platform's request and response bodies, as the seeds document them, for the
// three record kinds: what the validator checks, the client sends and the emulator serves.
package api

import "encoding/json"

// Enumerations the seeds define.
var (
	AddressTypes      = []string{"MAILING", "PHYSICAL", "SHIPPING"}
	PhoneTypes        = []string{"WORK", "HOME", "MOBILE"}
	Sexes             = []string{"MALE", "FEMALE", "NONBINARY"}
	EligibilityStates = []string{"NEW", "ELIGIBLE", "INELIGIBLE", "ARREARS", "BAD_DEBT", "DISABLED"}
	CardSubtypes      = []string{"DEBIT", "CREDIT"}
	LegalEntityTypes  = []string{"SP", "GP", "LP", "LLP", "LLLP", "LLC", "CORP", "NONPROFIT", "GOVERNMENT"}
)

// Fixed values and limits the seeds define.
const (
	TypeIndividual = "INDIVIDUAL"
	TypeBusiness   = "BUSINESS"
	StatusActive   = "ACTIVE"

	MaxIndividualMetadata = 5 // "max items: 5"
	MaxBusinessMetadata   = 6 // "max properties: 6"
	MaxMetadataValue      = 1024
	MaxEmail              = 320
)

// Phone is a primaryPhoneNumber object.
type Phone struct {
	Number    string `json:"number"`
	Type      string `json:"type"`
	Provider  string `json:"provider,omitempty"`
	Extension string `json:"extension,omitempty"`
	Verified  *bool  `json:"verified,omitempty"`
}

// Email is a primaryEmail object.
type Email struct {
	Value    string `json:"value"`
	Verified *bool  `json:"verified,omitempty"`
}

// PlaceOfBirth is an individual's place of birth.
type PlaceOfBirth struct {
	City        string `json:"city,omitempty"`
	CountryCode string `json:"countryCode,omitempty"`
}

// PersonName is the contact name of a SHIPPING address.
type PersonName struct {
	FirstName  string `json:"firstName"`
	MiddleName string `json:"middleName,omitempty"`
	LastName   string `json:"lastName"`
}

// Address is one entry of a customer's addresses.
type Address struct {
	Type            string      `json:"type"`
	Name            *PersonName `json:"name,omitempty"`
	StreetLine1     string      `json:"streetLine1"`
	StreetLine2     string      `json:"streetLine2,omitempty"`
	StreetLine3     string      `json:"streetLine3,omitempty"`
	StreetLine4     string      `json:"streetLine4,omitempty"`
	StreetLine5     string      `json:"streetLine5,omitempty"`
	ApartmentNumber string      `json:"apartmentNumber,omitempty"`
	CityName        string      `json:"cityName,omitempty"`
	StateCode       string      `json:"stateCode,omitempty"`
	CountryCode     string      `json:"countryCode,omitempty"`
	ZipCode         string      `json:"zipCode,omitempty"`
	Primary         *bool       `json:"primary,omitempty"`
}

// IndividualCustomer is the body of POST /v1/customers for type INDIVIDUAL, and the customerData
// of an EWA enrollment (which carries no externalId and no addresses).
type IndividualCustomer struct {
	ExternalID             string            `json:"externalId,omitempty"`
	Addresses              []Address         `json:"addresses,omitempty"`
	Metadata               map[string]string `json:"metadata,omitempty"`
	Type                   string            `json:"type"`
	FirstName              string            `json:"firstName"`
	MiddleName             string            `json:"middleName,omitempty"`
	LastName               string            `json:"lastName"`
	Prefix                 string            `json:"prefix,omitempty"`
	Suffix                 string            `json:"suffix,omitempty"`
	Sex                    string            `json:"sex,omitempty"`
	Gender                 string            `json:"gender,omitempty"`
	SecurityQuestion       string            `json:"securityQuestion,omitempty"`
	SecurityAnswer         string            `json:"securityAnswer,omitempty"`
	Pronoun                string            `json:"pronoun,omitempty"`
	PrimaryPhoneNumber     *Phone            `json:"primaryPhoneNumber,omitempty"`
	PrimaryEmail           *Email            `json:"primaryEmail,omitempty"`
	DateOfBirth            string            `json:"dateOfBirth,omitempty"`
	PlaceOfBirth           *PlaceOfBirth     `json:"placeOfBirth,omitempty"`
	SocialID               string            `json:"socialId,omitempty"`
	SocialIDCountryCode    string            `json:"socialIdCountryCode,omitempty"`
	CitizenshipCountryCode string            `json:"citizenshipCountryCode,omitempty"`
}

// Contact is one of a business's contacts.
type Contact struct {
	FirstName          string `json:"firstName"`
	MiddleName         string `json:"middleName,omitempty"`
	LastName           string `json:"lastName"`
	Primary            *bool  `json:"primary,omitempty"`
	PrimaryPhoneNumber *Phone `json:"primaryPhoneNumber,omitempty"`
	PrimaryEmail       *Email `json:"primaryEmail,omitempty"`
}

// Limit is one debit transaction limit. Amount is kept as the number's text so that a bad cell can
// be reported rather than lost in parsing; only valid numbers are ever sent.
type Limit struct {
	Amount json.Number `json:"amount"`
}

// Limits are a business's initial debit limits.
type Limits struct {
	Monthly *Limit `json:"MONTHLY,omitempty"`
	Weekly  *Limit `json:"WEEKLY,omitempty"`
	Daily   *Limit `json:"DAILY,omitempty"`
	Single  *Limit `json:"SINGLE,omitempty"`
}

// BusinessCustomer is the body of POST /v1/customers for type BUSINESS.
type BusinessCustomer struct {
	ExternalID          string            `json:"externalId,omitempty"`
	Addresses           []Address         `json:"addresses,omitempty"`
	Metadata            map[string]string `json:"metadata,omitempty"`
	Type                string            `json:"type"`
	BusinessName        string            `json:"businessName"`
	DoingBusinessAsName string            `json:"doingBusinessAsName,omitempty"`
	RegisteredStateCode string            `json:"registeredStateCode,omitempty"`
	Contacts            []Contact         `json:"contacts,omitempty"`
	LegalName           string            `json:"legalName,omitempty"`
	PrimaryPhone        string            `json:"primaryPhone,omitempty"`
	PrimaryEmail        string            `json:"primaryEmail,omitempty"`
	Website             string            `json:"website,omitempty"`
	DateOfFormation     string            `json:"dateOfFormation,omitempty"`
	LegalEntityType     string            `json:"legalEntityType,omitempty"`
	TaxIDCountryCode    string            `json:"taxIdCountryCode,omitempty"`
	TaxID               string            `json:"taxId,omitempty"`
	LimitsCurrencyCode  string            `json:"limitsCurrencyCode,omitempty"`
	Limits              *Limits           `json:"limits,omitempty"`
}

// BillingAddress is the billing address of an EWA card.
type BillingAddress struct {
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	AddressLine3 string `json:"addressLine3,omitempty"`
	City         string `json:"city"`
	StateCode    string `json:"stateCode,omitempty"`
	CountryCode  string `json:"countryCode"`
	PostalCode   string `json:"postalCode"`
}

// Card is the card attached to an EWA financial account.
type Card struct {
	FirstName      string          `json:"firstName"`
	MiddleName     string          `json:"middleName,omitempty"`
	LastName       string          `json:"lastName"`
	CardNumber     string          `json:"cardNumber"`
	Expiry         string          `json:"expiry"`
	BillingAddress *BillingAddress `json:"billingAddress,omitempty"`
}

// FinancialAccountData is the card financial account of an EWA enrollment.
type FinancialAccountData struct {
	Name        string `json:"name"`
	Subtype     string `json:"subtype"`
	DefaultFlag *bool  `json:"defaultFlag,omitempty"`
	Currency    string `json:"currency,omitempty"`
	Card        *Card  `json:"card,omitempty"`
}

// CustomerProfileRequest is the body of POST /v1/customer-profiles (EWA enrollment).
type CustomerProfileRequest struct {
	ExternalID           string                `json:"externalId"`
	EligibilityStatus    string                `json:"eligibilityStatus,omitempty"`
	ProgramID            string                `json:"programId"`
	CustomerData         *IndividualCustomer   `json:"customerData,omitempty"`
	FinancialAccountData *FinancialAccountData `json:"financialAccountData,omitempty"`
}

// Actor is a createdBy / updatedBy reference.
type Actor struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// IndividualCustomerResponse is the Individual Customer object the API returns.
type IndividualCustomerResponse struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	CreatedBy *Actor `json:"createdBy,omitempty"`
	CreatedAt string `json:"createdAt,omitempty"`
	UpdatedAt string `json:"updatedAt,omitempty"`
	IndividualCustomer
}

// BusinessCustomerResponse is the Business Customer object the API returns.
type BusinessCustomerResponse struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	CreatedBy *Actor `json:"createdBy,omitempty"`
	CreatedAt string `json:"createdAt,omitempty"`
	UpdatedAt string `json:"updatedAt,omitempty"`
	BusinessCustomer
}

// EligibilityStatus is an EWA profile's latest eligibility.
type EligibilityStatus struct {
	ID                      string `json:"id"`
	EligibilityUpdateReason string `json:"eligibilityUpdateReason,omitempty"`
	Status                  string `json:"status"`
	CreatedAt               string `json:"createdAt,omitempty"`
}

// CustomerProfile is the EWA Customer Profile object the API returns.
type CustomerProfile struct {
	ID                      string             `json:"id"`
	ExternalID              string             `json:"externalId"`
	CustomerID              string             `json:"customerId"`
	FinancialAccountID      string             `json:"financialAccountId"`
	LatestEligibilityStatus *EligibilityStatus `json:"latestEligibilityStatus,omitempty"`
	FirstName               string             `json:"firstName"`
	MiddleName              string             `json:"middleName,omitempty"`
	LastName                string             `json:"lastName"`
	ProgramID               string             `json:"programId"`
	ProgramName             string             `json:"programName,omitempty"`
}

// FieldError is one entry of a 400 answer's error list.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ErrorResponse is the body of a 4xx or 5xx answer.
type ErrorResponse struct {
	Message string       `json:"message,omitempty"`
	Errors  []FieldError `json:"errors,omitempty"`
}

// Bool returns a pointer to b, for the API's optional booleans.
func Bool(b bool) *bool { return &b }

// Endpoint is where one record kind's create request goes and what its documented 2xx answer
// holds: the client posts to it and checks the answer by it, the emulator serves it.
type Endpoint struct {
	Path string // relative to the API's base URL: "/v1/customers"
	// Type is the body's "type" when several kinds share Path ("INDIVIDUAL"); "" when one does.
	Type   string
	Object string       // what the answer is called in messages: "customer profile"
	IDs    []ResponseID // the answer's fields that must hold a UUID, and which id each is
}

// IDRole says which of a created record's ids an answer's field is.
type IDRole uint8

// The ids a creation yields.
const (
	CustomerID IDRole = iota + 1
	ProfileID
	FinancialAccountID
)

// ResponseID is one id field of a documented answer.
type ResponseID struct {
	Field string // JSON name in the answer: "id", "customerId"
	Role  IDRole
}

// IDs are the ids of a created record; those its endpoint does not yield are "".
type IDs struct {
	CustomerID, ProfileID, FinancialAccountID string
}

// Set puts v in the id of role r.
func (ids *IDs) Set(r IDRole, v string) {
	switch r {
	case CustomerID:
		ids.CustomerID = v
	case ProfileID:
		ids.ProfileID = v
	case FinancialAccountID:
		ids.FinancialAccountID = v
	}
}

// Created is what the platform gives a record it creates, for building its answer: the ids its
// endpoint yields (CustomerID always, since every kind creates a customer), who and when.
type Created struct {
	IDs       IDs
	CreatedBy *Actor
	CreatedAt string
	NewID     func() string // a fresh UUID for anything else the answer creates
}
