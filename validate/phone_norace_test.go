//go:build !race

package validate

const phoneDiffRace = false
