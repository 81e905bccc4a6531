package validate

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
)

// digitDFA is a regular expression of the phone metadata turned into a deterministic automaton
// over the ten ASCII digits, the only characters a fast-path number holds. It answers the three
// questions phonenumbers asks of its patterns (a whole match, a match at the start, and where a
// match at the start may end) in one table walk instead of a regexp run.
type digitDFA struct {
	next   [][10]int32 // next[state][digit]; -1 is the dead state
	accept []bool      // the input read so far is in the pattern's language
}

// maxDFAStates bounds a pattern's automaton; a pattern above it is left to phonenumbers.
const maxDFAStates = 4096

var errDFAUnsupported = errors.New("pattern not compiled to a digit automaton")

// compileDigitDFA parses pattern as regexp.Compile does (Perl flags, simplified) and builds the
// automaton by subset construction over the program's instructions. A pattern with an assertion
// (^, $, \b) is refused, so that the language alone decides every answer: the callers add the
// anchors phonenumbers adds around the pattern.
func compileDigitDFA(pattern string) (*digitDFA, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", pattern, err)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, fmt.Errorf("compile %q: %w", pattern, err)
	}
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth {
			return nil, fmt.Errorf("%w: %q holds an assertion", errDFAUnsupported, pattern)
		}
	}
	b := dfaBuilder{prog: prog, index: map[string]int32{}, seen: make([]bool, len(prog.Inst))}
	d := &digitDFA{}
	start := b.closure([]uint32{uint32(prog.Start)})
	if len(start) == 0 { // a pattern that matches nothing: one dead state
		return &digitDFA{next: [][10]int32{{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}}, accept: []bool{false}}, nil
	}
	if _, err := b.state(d, start); err != nil {
		return nil, err
	}
	for s := 0; s < len(b.sets); s++ {
		for digit := range 10 {
			r := rune('0' + digit)
			var out []uint32
			for _, pc := range b.sets[s] {
				if consumes(&prog.Inst[pc], r) {
					out = append(out, prog.Inst[pc].Out)
				}
			}
			id, err := b.state(d, b.closure(out))
			if err != nil {
				return nil, err
			}
			d.next[s][digit] = id
		}
	}
	return d, nil
}

// consumes reports whether instruction in reads r (MatchRune is only meant for the rune lists).
func consumes(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRune, syntax.InstRune1:
		return in.MatchRune(r)
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	return false
}

// dfaBuilder holds the subset construction's sets of instructions, one per automaton state.
type dfaBuilder struct {
	prog  *syntax.Prog
	index map[string]int32
	sets  [][]uint32
	seen  []bool
}

// closure follows the instructions that read nothing (alternations, captures, no-ops) from pcs
// and keeps those that read a rune or match, in program order.
func (b *dfaBuilder) closure(pcs []uint32) []uint32 {
	clear(b.seen)
	var out []uint32
	var walk func(pc uint32)
	walk = func(pc uint32) {
		if b.seen[pc] {
			return
		}
		b.seen[pc] = true
		in := &b.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			walk(in.Out)
			walk(in.Arg)
		case syntax.InstCapture, syntax.InstNop:
			walk(in.Out)
		case syntax.InstFail:
		default:
			out = append(out, pc)
		}
	}
	for _, pc := range pcs {
		walk(pc)
	}
	return out
}

// state returns the automaton state for a set of instructions, adding it when new; the empty
// set is the dead state -1.
func (b *dfaBuilder) state(d *digitDFA, set []uint32) (int32, error) {
	if len(set) == 0 {
		return -1, nil
	}
	var key strings.Builder
	sorted := slices.Clone(set)
	slices.Sort(sorted)
	for _, pc := range sorted {
		key.WriteString(strconv.FormatUint(uint64(pc), 36))
		key.WriteByte(',')
	}
	if id, ok := b.index[key.String()]; ok {
		return id, nil
	}
	if len(b.sets) >= maxDFAStates {
		return 0, fmt.Errorf("%w: more than %d states", errDFAUnsupported, maxDFAStates)
	}
	id := int32(len(b.sets))
	b.index[key.String()] = id
	b.sets = append(b.sets, set)
	match := false
	for _, pc := range set {
		match = match || b.prog.Inst[pc].Op == syntax.InstMatch
	}
	d.next = append(d.next, [10]int32{})
	d.accept = append(d.accept, match)
	return id, nil
}

// full reports whether all of digits is in the language: phonenumbers' `^(?:p)$`.
func (d *digitDFA) full(digits string) bool {
	s := int32(0)
	for i := 0; i < len(digits); i++ {
		if s = d.next[s][digits[i]-'0']; s < 0 {
			return false
		}
	}
	return d.accept[s]
}

// prefix reports whether some start of digits (perhaps none of it) is in the language:
// phonenumbers' `^(?:p)` found.
func (d *digitDFA) prefix(digits string) bool {
	s := int32(0)
	for i := 0; ; i++ {
		if d.accept[s] {
			return true
		}
		if i == len(digits) {
			return false
		}
		if s = d.next[s][digits[i]-'0']; s < 0 {
			return false
		}
	}
}

// prefixEnds returns how many starts of digits are in the language (capped at 2) and where the
// last of them ends. When there is exactly one, a regexp match at the start must end there,
// whatever its leftmost-first preferences; with two or more the caller cannot tell which one
// the regexp picks.
func (d *digitDFA) prefixEnds(digits string) (end, n int) {
	s := int32(0)
	for i := 0; ; i++ {
		if d.accept[s] {
			if n++; n > 1 {
				return end, n
			}
			end = i
		}
		if i == len(digits) {
			return end, n
		}
		if s = d.next[s][digits[i]-'0']; s < 0 {
			return end, n
		}
	}
}
