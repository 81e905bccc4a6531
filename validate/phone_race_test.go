//go:build race

package validate

// phoneDiffRace: the race detector slows phonenumbers some tenfold, so under it the phone
// differential test runs a sample of 50,000 (the plain run takes the full one): what it adds under
// the detector is the fast path's tables shared by two goroutines.
const phoneDiffRace = true
