package main

import (
	"io"
	"testing"
)

func TestStrictFlag(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"off by default", nil, nil, false},
		{"on the command line", []string{"--strict"}, nil, true},
		{"from the environment", nil, map[string]string{"ROSTERLOAD_STRICT": "true"}, true},
		{"the command line wins", []string{"--strict=false"}, map[string]string{"ROSTERLOAD_STRICT": "true"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFlagSet("validate")
			strict := addStrict(fs)
			if err := parseFlags(fs, tt.args, func(k string) string { return tt.env[k] }, io.Discard); err != nil {
				t.Fatal(err)
			}
			if *strict != tt.want {
				t.Errorf("--strict = %v, want %v", *strict, tt.want)
			}
		})
	}
}
