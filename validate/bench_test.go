package validate

import (
	"fmt"
	"testing"
)

// BenchmarkPhone measures one number: a cache hit, a cache miss (a new number each time, parsed
// and stored) and no cache at all (every number parsed).
func BenchmarkPhone(b *testing.B) {
	const field = "customerData.primaryPhoneNumber.number"
	b.Run("hit", func(b *testing.B) {
		c := newV(b).start(Hint{})
		c.phoneNumber(field, "(415) 555-2671") // warm
		b.ReportAllocs()
		for b.Loop() {
			if _, _, ok := c.phoneNumber(field, "(415) 555-2671"); !ok {
				b.Fatal("invalid")
			}
		}
	})
	numbers := make([]string, 20000)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("(%03d) 555-%04d", 201+i/10000, i%10000)
	}
	b.Run("miss", func(b *testing.B) {
		c := newV(b).start(Hint{})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i%len(numbers) == 0 {
				c.v.phones = newPhoneCache() // every number new again
			}
			c.phoneNumber(field, numbers[i%len(numbers)])
			i++
		}
	})
	// A cache-miss number straight through the fast path, and through phonenumbers.
	canons := make([]string, len(numbers))
	for i, n := range numbers {
		d, _ := phoneDigits(nil, n)
		canons[i] = string(d)
	}
	for _, path := range []struct {
		name  string
		parse func(region, canon string) bool
	}{
		{"miss-fast", func(region, canon string) bool { _, ok := fastPhone(region, canon); return ok }},
		{"miss-slow", func(region, canon string) bool { return parsePhone(region, canon).status == phoneValid }},
	} {
		b.Run(path.name, func(b *testing.B) {
			path.parse("US", canons[0]) // metadata compiled once, outside the measure
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if !path.parse("US", canons[i%len(canons)]) {
					b.Fatal("invalid", canons[i%len(canons)])
				}
				i++
			}
		})
	}
	b.Run("nocache", func(b *testing.B) {
		v := newV(b)
		v.phones = nil
		c := v.start(Hint{})
		b.ReportAllocs()
		for b.Loop() {
			if _, _, ok := c.phoneNumber(field, "(415) 555-2671"); !ok {
				b.Fatal("invalid")
			}
		}
	})
}

// BenchmarkEWA validates a whole enrollment, with its phone number a cache hit and without a cache.
func BenchmarkEWA(b *testing.B) {
	for _, cached := range []bool{true, false} {
		name := "cache-hit"
		if !cached {
			name = "nocache"
		}
		b.Run(name, func(b *testing.B) {
			v := newV(b)
			if !cached {
				v.phones = nil
			}
			b.ReportAllocs()
			for b.Loop() {
				r := validEWA()
				r.CustomerData.PrimaryPhoneNumber.Number = "(415) 555-2671"
				r.CustomerData.DateOfBirth = "6/21/1991"
				r.FinancialAccountData.Card.BillingAddress.CountryCode = "US"
				if res := v.EWA(r, Hint{Country: "US"}); !res.Valid() {
					b.Fatal(describe(res.Errors))
				}
			}
		})
	}
}

// BenchmarkRegionLookup compares the indexes of alpha-3 codes and phone regions with the maps
// they stand in for, on a roster's usual values.
func BenchmarkRegionLookup(b *testing.B) {
	ct, pt := countries(), phoneData()
	b.Run("country-map", func(b *testing.B) {
		for b.Loop() {
			_ = ct.alpha2Of["USA"]
		}
	})
	b.Run("country-index", func(b *testing.B) {
		for b.Loop() {
			_, _ = ct.alpha2("USA")
		}
	})
	b.Run("phone-map", func(b *testing.B) {
		for b.Loop() {
			_ = pt.regions["US"]
		}
	})
	b.Run("phone-index", func(b *testing.B) {
		for b.Loop() {
			_ = pt.region("US")
		}
	})
}
