package ingest

import (
	"strings"

	"github.com/rosterload/rosterload/api"
	"github.com/rosterload/rosterload/validate"
)

// individualSpec is the individual kind: a row is an INDIVIDUAL customer (POST /v1/customers).
// Its fields, aliases and person parts are a person's (person.go).
var individualSpec = &Spec{
	Kind:     KindIndividual,
	Fields:   personFields,
	Aliases:  personAliases,
	Required: personRequired,
	Build:    buildIndividual,
	Keys:     keysIndividual,
	Layout:   layoutIndividual,

	Endpoint:   customerEndpoint(api.TypeIndividual),
	Validate:   validator((*validate.Validator).Individual),
	ExternalID: typed(func(c *api.IndividualCustomer) string { return c.ExternalID }),
	Name:       typed(personName),
	Mask:       typed(func(c *api.IndividualCustomer) any { return maskedPerson(c) }),

	NewRequest: newOf[api.IndividualCustomer](),
	Country:    typed(func(c *api.IndividualCustomer) string { return addressCountry(c.Addresses) }),
	Answer: func(req any, cr api.Created) (any, any, error) {
		c := api.IndividualCustomerResponse{ID: cr.IDs.CustomerID, Status: api.StatusActive, CreatedBy: cr.CreatedBy,
			CreatedAt: cr.CreatedAt, IndividualCustomer: *maskedPerson(req.(*api.IndividualCustomer))}
		return c, nil, nil
	},
}

type individualBlock struct {
	p person
	a address
}

func buildIndividual(c Cells) *Record {
	rec, b := NewRecord[individualBlock]()
	ic := fillPerson(&c, &b.p)
	ic.ExternalID = strings.TrimSpace(c.Get(fExternalID))
	ic.Addresses = fillAddress(&c, &b.a, true)
	rec.Body = ic
	return rec
}

// keysIndividual fills a customer's externalId and its keys as a person (see Spec.Keys).
func keysIndividual(c Cells, body any) any {
	ic, _ := body.(*api.IndividualCustomer)
	if ic == nil {
		ic = keyedPerson(new(person))
	}
	ic.ExternalID = strings.TrimSpace(c.Get(fExternalID))
	keysPerson(&c, ic)
	return ic
}

func layoutIndividual(l *Locations) {
	l.Add("externalId", false, fExternalID)
	layoutPerson(l, "")
	layoutAddress(l, true)
}
