// Package layers holds no code, only a test: the module's packages (as `go list` sees them) go in,
// and every import that breaks the layering of CONTRIBUTING.md comes out as a failure naming the
// importing and the imported package.
package layers
