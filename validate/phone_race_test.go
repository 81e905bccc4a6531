//go:build race

package validate

// phoneDiffRace: the race detector slows phonenumbers some tenfold, so under it the phone
// differential test runs its -short sample (the plain run takes the full one).
const phoneDiffRace = true
