// Package recursive holds a type no walk can be generated for.
package recursive

// Node holds itself.
type Node struct {
	Name string `json:"name"`
	Next *Node  `json:"next,omitempty"`
}

// Text is not a struct.
type Text string
