package validate

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/rosterload/rosterload/api"
)

// addresses checks a customer's addresses. Entries with no address text at all (only a type,
// a primary flag or a country, which a mapping fills in by default) are dropped as empty
// optional objects; an empty list becomes nil.
func (c *checker) addresses(list *[]api.Address) {
	kept := (*list)[:0]
	for _, a := range *list {
		trimAddress(&a)
		if a.StreetLine1+a.StreetLine2+a.StreetLine3+a.StreetLine4+a.StreetLine5+a.ApartmentNumber+a.CityName+a.StateCode+a.ZipCode == "" && emptyName(a.Name) {
			continue
		}
		kept = append(kept, a)
	}
	if len(kept) == 0 {
		*list = nil
		return
	}
	*list = kept
	firstOfType := map[string]int{} // address type -> index of its first address
	hasPrimary := map[string]bool{}
	var types []string // in order of first appearance, so problems come out in a stable order
	for i := range kept {
		a := &kept[i]
		p := fmt.Sprintf("addresses[%d].", i)
		if c.enum(p+"type", &a.Type, required, api.AddressTypes) {
			if _, seen := firstOfType[a.Type]; !seen {
				firstOfType[a.Type] = i
				types = append(types, a.Type)
			}
			hasPrimary[a.Type] = hasPrimary[a.Type] || (a.Primary != nil && *a.Primary)
		}
		if a.Type == "SHIPPING" {
			if emptyName(a.Name) {
				a.Name = nil
				c.fail(p+"name.firstName", CodeConditionalRequired, "a SHIPPING address needs the first name of the person it is shipped to")
				c.fail(p+"name.lastName", CodeConditionalRequired, "a SHIPPING address needs the last name of the person it is shipped to")
			} else {
				c.text(p+"name.firstName", &a.Name.FirstName, required, 1, 40)
				c.text(p+"name.middleName", &a.Name.MiddleName, optional, 1, 40)
				c.text(p+"name.lastName", &a.Name.LastName, required, 1, 40)
			}
		}
		c.text(p+"streetLine1", &a.StreetLine1, required, 1, 50)
		c.text(p+"streetLine2", &a.StreetLine2, optional, 1, 50)
		c.text(p+"streetLine3", &a.StreetLine3, optional, 1, 50)
		c.text(p+"streetLine4", &a.StreetLine4, optional, 1, 50)
		c.text(p+"streetLine5", &a.StreetLine5, optional, 1, 50)
		c.text(p+"cityName", &a.CityName, optional, 1, 25)
		country := c.country(p+"countryCode", &a.CountryCode, optional)
		c.state(p+"stateCode", &a.StateCode, country)
		c.postal(p+"zipCode", &a.ZipCode, country, optional)
	}
	for _, t := range types {
		if !hasPrimary[t] {
			c.fail(fmt.Sprintf("addresses[%d].primary", firstOfType[t]), CodeConditionalRequired, "no %s address is marked primary: mark one %s address as primary", t, t)
		}
	}
}

func trimAddress(a *api.Address) {
	for _, s := range []*string{&a.StreetLine1, &a.StreetLine2, &a.StreetLine3, &a.StreetLine4, &a.StreetLine5, &a.ApartmentNumber, &a.CityName, &a.StateCode, &a.ZipCode} {
		*s = strings.TrimSpace(*s)
	}
}

func emptyName(n *api.PersonName) bool {
	return n == nil || strings.TrimSpace(n.FirstName+n.MiddleName+n.LastName) == ""
}

// billing checks a card's billing address.
func (c *checker) billing(b *api.BillingAddress) {
	const p = billingPath
	c.text(p+"addressLine1", &b.AddressLine1, required, 1, 50)
	c.text(p+"addressLine2", &b.AddressLine2, optional, 1, 50)
	c.text(p+"addressLine3", &b.AddressLine3, optional, 1, 50)
	c.text(p+"city", &b.City, required, 1, 25)
	country := c.country(p+"countryCode", &b.CountryCode, required)
	c.state(p+"stateCode", &b.StateCode, country)
	c.postal(p+"postalCode", &b.PostalCode, country, required)
}

var (
	zip9      = regexp.MustCompile(`^(\d{5})[ -]?(\d{4})$`)
	caPostal  = regexp.MustCompile(`^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])[ -]?(\d[ABCEGHJ-NPRSTV-Z]\d)$`)
	postalAny = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} -]*$`)
)

// postal checks a ZIP or postal code for the address's country (alpha-3, "" if unknown). It is
// conditional_required for USA and CAN unless n makes it required outright.
func (c *checker) postal(field string, s *string, country string, n need) {
	if !c.text(field, s, n, 0, 0) {
		if n == optional && *s == "" && (country == "USA" || country == "CAN") {
			c.fail(field, CodeConditionalRequired, "ZIP/postal code is required when the country is %s", country)
		}
		return
	}
	switch country {
	case "USA":
		c.usZip(field, s)
	case "CAN":
		u := strings.ToUpper(*s)
		m := caPostal.FindStringSubmatch(u)
		if m == nil {
			c.fail(field, CodeInvalidZip, "postal code %s is not a Canadian postal code (A1A 1A1)", plain(*s))
			return
		}
		*s = m[1] + " " + m[2]
	default:
		if !c.length(field, *s, 1, 10) {
			return
		}
		if !postalAny.MatchString(*s) {
			c.fail(field, CodeInvalidZip, "postal code %s may hold only letters, digits, spaces and dashes", plain(*s))
			return
		}
		*s = strings.ToUpper(*s)
	}
}

// usZip accepts 5 digits or 5+4 and restores the leading zeros a spreadsheet drops from a ZIP
// stored as a number (New England ZIPs start with 0).
func (c *checker) usZip(field string, s *string) {
	in := *s
	digits := allDigits(in) // RE2's \d: ASCII digits only
	switch {
	case digits && len(in) == 5:
	case zip9.MatchString(in):
		m := zip9.FindStringSubmatch(in)
		*s = m[1] + "-" + m[2]
	case digits && (len(in) == 3 || len(in) == 4): // a 5-digit ZIP that lost its leading zeros
		*s = strings.Repeat("0", 5-len(in)) + in
		c.warn(field, WarnZipPadded, "ZIP %s padded to %s (leading zero restored)", plain(in), plain(*s))
	case digits && len(in) == 8: // a 9-digit ZIP that lost its leading zero
		d := "0" + in
		*s = d[:5] + "-" + d[5:]
		c.warn(field, WarnZipPadded, "ZIP %s padded to %s (leading zero restored)", plain(in), plain(*s))
	default:
		c.fail(field, CodeInvalidZip, "ZIP %s is not a US ZIP code: use 5 digits or 5+4, e.g. 63368 or 63368-5555", plain(in))
	}
}
