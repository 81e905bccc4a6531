package ingest

import (
	"strings"
	"unicode"
)

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
