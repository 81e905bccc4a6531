package pipeline

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/rosterload/rosterload/api"
)

func ewa(id, email, card string) *api.CustomerProfileRequest {
	return &api.CustomerProfileRequest{
		ExternalID: id, ProgramID: "p1",
		CustomerData: &api.IndividualCustomer{
			Type: "INDIVIDUAL", FirstName: "Ana", LastName: "Lee",
			PrimaryEmail: &api.Email{Value: email},
			Metadata:     map[string]string{"b": "2", "a": "1"},
		},
		FinancialAccountData: &api.FinancialAccountData{Name: "card", Subtype: "DEBIT",
			Card: &api.Card{CardNumber: card}},
	}
}

func TestDeduperClaim(t *testing.T) {
	t.Parallel()
	type claim struct {
		id      string
		row     int
		req     any
		wantRow int      // 0: first use
		differ  []string // expected differing fields
	}
	tests := []struct {
		name   string
		claims []claim
	}{
		{"distinct ids", []claim{
			{id: "A", row: 2, req: ewa("A", "a@x.io", "4242424242424242")},
			{id: "B", row: 3, req: ewa("B", "a@x.io", "4242424242424242")},
		}},
		{"same content", []claim{
			{id: "A", row: 2, req: ewa("A", "a@x.io", "4242424242424242")},
			{id: "A", row: 9, req: ewa("A", "a@x.io", "4242424242424242"), wantRow: 2},
		}},
		{"differing fields named, first row kept", []claim{
			{id: "A", row: 2, req: ewa("A", "a@x.io", "4242424242424242")},
			{id: "A", row: 5, req: ewa("A", "b@x.io", "4000056655665556"), wantRow: 2,
				differ: []string{"customerData.primaryEmail.value", "financialAccountData.card.cardNumber"}},
			{id: "A", row: 7, req: ewa("A", "a@x.io", "4242424242424242"), wantRow: 2},
		}},
		{"case matters", []claim{
			{id: "a1", row: 2, req: ewa("a1", "a@x.io", "1")},
			{id: "A1", row: 3, req: ewa("A1", "a@x.io", "1")},
		}},
		{"field present in one only", []claim{
			{id: "A", row: 2, req: ewa("A", "a@x.io", "")},
			{id: "A", row: 3, req: ewa("A", "a@x.io", "4242424242424242"), wantRow: 2,
				differ: []string{"financialAccountData.card.cardNumber"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHasher()
			d, err := newDeduper(t.TempDir(), h)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			for _, c := range tt.claims {
				fu, err := d.Claim(c.id, c.row, h.fingerprint(c.req))
				if err != nil {
					t.Fatal(err)
				}
				if c.wantRow == 0 {
					if fu != nil {
						t.Fatalf("row %d: got duplicate of row %d, want first use", c.row, fu.Row)
					}
					continue
				}
				if fu == nil {
					t.Fatalf("row %d: got first use, want duplicate of row %d", c.row, c.wantRow)
				}
				if fu.Row != c.wantRow {
					t.Errorf("row %d: duplicate of row %d, want %d", c.row, fu.Row, c.wantRow)
				}
				if !reflect.DeepEqual(fu.Differ, c.differ) {
					t.Errorf("row %d: differ = %q, want %q", c.row, fu.Differ, c.differ)
				}
			}
		})
	}
}

// Two ids whose hashes collide must not be taken for each other.
func TestDeduperHashCollision(t *testing.T) {
	t.Parallel()
	h := newHasher()
	d, err := newDeduper(t.TempDir(), h)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.hash = func(string) uint64 { return 42 } // every id collides
	for i := range 50 {
		id := fmt.Sprint("id", i)
		if fu, err := d.Claim(id, i+2, h.fingerprint(ewa(id, "a@x.io", "1"))); err != nil || fu != nil {
			t.Fatalf("claim %s: got duplicate %v, err %v; want first use", id, fu, err)
		}
	}
	fu, err := d.Claim("id10", 99, h.fingerprint(ewa("id10", "b@x.io", "1")))
	if err != nil {
		t.Fatal(err)
	}
	if fu == nil || fu.Row != 12 || !reflect.DeepEqual(fu.Differ, []string{"customerData.primaryEmail.value"}) {
		t.Fatalf("claim id10 again = %+v, want duplicate of row 12 differing in the email", fu)
	}
}

// More entries than one chunk holds: entries past the first chunk are found again.
func TestDeduperManyChunks(t *testing.T) {
	t.Parallel()
	h := newHasher()
	d, err := newDeduper(t.TempDir(), h)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fp := h.fingerprint(ewa("x", "a@x.io", "1"))
	n := chunkSize + chunkSize/2
	for i := range n {
		if fu, err := d.Claim(fmt.Sprint("x", i), i+2, fp); err != nil || fu != nil {
			t.Fatalf("claim %d: %v %v", i, fu, err)
		}
	}
	for _, i := range []int{0, chunkSize - 1, chunkSize, n - 1} {
		fu, err := d.Claim(fmt.Sprint("x", i), n+10, fp)
		if err != nil || fu == nil || fu.Row != i+2 {
			t.Errorf("claim x%d again = %+v, %v; want duplicate of row %d", i, fu, err, i+2)
		}
	}
}

// After a census an id's first claim is forwarded along the rows of its census key. Two ids
// whose census keys collide share that chain: neither is taken for the other, each is found
// again, and the map holds the colliding one alone (even when its own hashes collide too).
func TestDeduperForwardedCollision(t *testing.T) {
	t.Parallel()
	for _, forced := range []bool{false, true} {
		t.Run(fmt.Sprintf("map hashes collide %v", forced), func(t *testing.T) {
			h := newHasher()
			d, err := newDeduper(t.TempDir(), h)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if forced {
				d.hash = func(string) uint64 { return 42 }
			}
			var fc forwardedClaim // what route forwards along the chain, row to row
			claims := []struct {
				id      string
				row     int
				email   string
				wantRow int // 0: first use
			}{
				{"A", 2, "a@x.io", 0},
				{"B", 3, "a@x.io", 0}, // B's census key is A's: not A's duplicate
				{"A", 4, "b@x.io", 2},
				{"B", 5, "a@x.io", 3},
				{"C", 6, "a@x.io", 0},
				{"B", 7, "c@x.io", 3},
				{"C", 8, "a@x.io", 6},
			}
			for _, c := range claims {
				fu, err := d.ClaimForwarded(c.id, c.row, h.fingerprint(ewa(c.id, c.email, "1")), &fc)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case c.wantRow == 0 && fu != nil:
					t.Fatalf("row %d (%s): duplicate of row %d, want first use", c.row, c.id, fu.Row)
				case c.wantRow != 0 && (fu == nil || fu.Row != c.wantRow):
					t.Fatalf("row %d (%s): %+v, want duplicate of row %d", c.row, c.id, fu, c.wantRow)
				}
			}
			if !fc.ok || fc.entry.row != 2 {
				t.Errorf("forwarded claim %+v, want row 2's", fc)
			}
			if d.n != 2 {
				t.Errorf("%d entries in the map, want 2 (B and C alone)", d.n)
			}
		})
	}
}

// ClaimForwarded, which tells a duplicate of the same content without reading the spill, says
// what Claim says for every row: random rows of a few ids and contents, each id on a census
// chain of its own or all ids on one (their census keys collide), with fingerprints that
// include the id or not (then two ids' content sums are equal, and only the id tells them apart).
func TestClaimForwardedAsClaim(t *testing.T) {
	t.Parallel()
	ids := []string{"A", "B", "C", " A", "a"}
	emails := []string{"a@x.io", "b@x.io", "c@x.io"}
	for _, oneChain := range []bool{false, true} {
		for _, withID := range []bool{false, true} {
			t.Run(fmt.Sprintf("one chain %v, id in fingerprint %v", oneChain, withID), func(t *testing.T) {
				t.Parallel()
				rng := rand.New(rand.NewPCG(7, 8))
				h := newHasher()
				ref, err := newDeduper(t.TempDir(), h)
				if err != nil {
					t.Fatal(err)
				}
				defer ref.Close()
				d, err := newDeduper(t.TempDir(), h)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				chains := map[string]*forwardedClaim{}
				dups := 0
				for row := 2; row < 600; row++ {
					id := ids[rng.IntN(len(ids))]
					reqID := ""
					if withID {
						reqID = id
					}
					fp := h.fingerprint(ewa(reqID, emails[rng.IntN(len(emails))], "1"))
					chain := id
					if oneChain {
						chain = ""
					}
					if chains[chain] == nil {
						chains[chain] = &forwardedClaim{}
					}
					want, err := ref.Claim(id, row, fp)
					if err != nil {
						t.Fatal(err)
					}
					got, err := d.ClaimForwarded(id, row, fp, chains[chain])
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("row %d (%q): ClaimForwarded = %+v, Claim = %+v", row, id, got, want)
					}
					if want != nil && want.Differ == nil {
						dups++
					}
				}
				if dups == 0 {
					t.Error("no duplicate of the same content: the test proves nothing")
				}
			})
		}
	}
}

// The DUPLICATE texts, concatenated, are what the formats they replace printed.
func TestDuplicateMessagesAsFormatted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		id     string
		row    int
		differ []string
	}{
		{"same content", "E1", 2, nil},
		{"one field", "E 2", 1048576, []string{`"Personal Email"`}},
		{"fields", "%d", 7, []string{`"SSN"`, "customerData.metadata.a", `"Card Number"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fu := &firstUse{Row: tt.row}
			want := fmt.Sprintf("externalId %s is already used by row %d (same content); this row is not sent", tt.id, tt.row)
			if len(tt.differ) > 0 {
				want = fmt.Sprintf("externalId %s is already used by row %d, which differs in %s; this row is not sent",
					tt.id, tt.row, strings.Join(tt.differ, ", "))
			}
			if got := fu.message(tt.id, tt.differ); got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
		})
	}
}
