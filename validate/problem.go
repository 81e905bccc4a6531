package validate

// Problem is one error or warning about one field of one row.
type Problem struct {
	// Field is the JSON path in the request, arrays indexed: "addresses[0].zipCode".
	Field string `json:"field" csv:"field"`
	// Column is the source header the value came from ("" when it came from a default).
	Column string `json:"column" csv:"column"`
	// Cell is the spreadsheet reference of the value, "E17" ("" when it came from a default).
	Cell string `json:"cell" csv:"cell"`
	// Code is one of the codes below.
	Code string `json:"code" csv:"code"`
	// Message says what is wrong in words a payroll clerk understands. It never holds a full
	// card number, SSN or tax id.
	Message string `json:"message" csv:"message"`
}

// Error codes (DESIGN.md, "Normalisation and validation").
const (
	CodeRequired            = "required"
	CodeTooShort            = "too_short"
	CodeTooLong             = "too_long"
	CodeInvalidEnum         = "invalid_enum"
	CodeInvalidFormat       = "invalid_format"
	CodeInvalidPhone        = "invalid_phone"
	CodeInvalidEmail        = "invalid_email"
	CodeInvalidDate         = "invalid_date"
	CodeInvalidCountry      = "invalid_country"
	CodeInvalidState        = "invalid_state"
	CodeInvalidZip          = "invalid_zip"
	CodeInvalidSSN          = "invalid_ssn"
	CodeInvalidCardNumber   = "invalid_card_number"
	CodeCardExpired         = "card_expired"
	CodeInvalidCurrency     = "invalid_currency"
	CodeInvalidURL          = "invalid_url"
	CodeTooManyMetadata     = "too_many_metadata"
	CodeConditionalRequired = "conditional_required"
	CodeMalformedRow        = "malformed_row"
	// CodeDuplicate marks a later occurrence of an externalId (status DUPLICATE).
	CodeDuplicate = "duplicate"
	// CodeShared marks a value an earlier row of another employee (another externalId) holds:
	// an SSN, tax id or card number, an email or a phone. The pipeline's cross-row check gives
	// it as a warning, and as an error for the personal numbers when it runs strict.
	CodeShared = "shared"
)

// Warning codes: the value was changed in a way worth a second look, and the row goes on. Changes
// of form only (punctuation in a phone, a date layout, dashes in an SSN) are not warned about.
const (
	WarnZipPadded         = "zip_padded"         // leading zeros restored to a US ZIP
	WarnCountryNormalised = "country_normalised" // alpha-2 or a country name turned into alpha-3
	WarnPhoneNormalised   = "phone_normalised"   // an extension split off the number, or a trunk prefix dropped
	WarnStateNormalised   = "state_normalised"   // a US state or Canadian province name turned into its code
	// WarnChanged: on a CHANGED row, one per field whose value differs from what an earlier run
	// sent (its Field the JSON path; never the old value, which the state does not hold).
	WarnChanged = "changed"
	// WarnReturned: the row's externalId was missing from an earlier full roster (a rehire or a
	// fixed export) and is back; the message says since when it was missing.
	WarnReturned = "returned"
)
