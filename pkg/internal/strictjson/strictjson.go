// Package strictjson reads JSON the strict way ADF's format parsers need.
// encoding/json silently accepts duplicate object keys (last one wins),
// matches field names case-insensitively, turns JSON null into "unchanged"
// and replaces invalid UTF-8 with U+FFFD. Each of those lets two parsers
// disagree about what a document says, so pkg/dsse and pkg/intoto read
// objects token by token with these helpers instead.
package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxDepth bounds nesting in the duplicate-key walk.
const MaxDepth = 128

// Field is one member of a JSON object, in document order.
type Field struct {
	Name  string
	Value json.RawMessage
}

// ObjectFields reads one JSON object from raw and returns its members in
// order (values alias raw). Duplicate names are rejected; nothing else is
// checked.
func ObjectFields(raw []byte) ([]Field, error) {
	s := NewScanner(raw)
	if err := s.Begin('{'); err != nil {
		return nil, err
	}
	var (
		out  []Field
		seen KeySet
	)
	for first := true; ; first = false {
		name, more, err := s.NextKey(first)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		if !seen.Add(name) {
			return nil, fmt.Errorf("duplicate field %q", name)
		}
		v, err := s.Raw()
		if err != nil {
			return nil, fmt.Errorf("field %q: %v", name, err)
		}
		out = append(out, Field{string(name), v})
	}
	if err := s.End(); err != nil {
		return nil, err
	}
	return out, nil
}

// ArrayElems reads one JSON array from raw; each element is returned raw
// (aliasing raw). If max > 0, more than max elements is an error (reported
// as soon as the element after the max-th is seen, without decoding the
// rest).
func ArrayElems(raw []byte, max int) ([]json.RawMessage, error) {
	s := NewScanner(raw)
	if err := s.Begin('['); err != nil {
		return nil, err
	}
	var out []json.RawMessage
	for first := true; ; first = false {
		more, err := s.NextElem(first)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		if max > 0 && len(out) == max {
			return nil, ErrTooMany
		}
		v, err := s.Raw()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, s.End()
}

var ErrTooMany = errors.New("too many elements")

// String decodes raw, which must be a JSON string (not null).
func String(raw []byte) (string, error) {
	s := NewScanner(raw)
	if c := s.Peek(); c != '"' {
		return "", fmt.Errorf("want a JSON string, got %s", Describe(c))
	}
	v, err := s.String()
	if err != nil {
		return "", fmt.Errorf("invalid JSON string: %v", err)
	}
	if err := s.End(); err != nil {
		return "", fmt.Errorf("invalid JSON string: %v", err)
	}
	return v, nil
}

// ExpectEOF checks that dec has nothing but whitespace left.
func ExpectEOF(dec *json.Decoder) error {
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON: trailing data after the top-level value")
	}
	return nil
}

// CheckNoDuplicateKeys walks the whole JSON value in data and rejects
// duplicate object keys at any depth (naming the path), nesting deeper than
// MaxDepth, and trailing data.
func CheckNoDuplicateKeys(data []byte) error {
	s := NewScanner(data)
	if err := s.SkipNoDup(0, "$"); err != nil {
		return err
	}
	return s.End()
}

// SkipNoDup consumes the next value, rejecting duplicate object keys at any
// depth and containers nested deeper than MaxDepth in total; depth is the
// number of containers around the value and path names it in errors
// ("duplicate key \"b\" at $.predicate.a").
func (s *Scanner) SkipNoDup(depth int, path string) error {
	if err := s.walk(depth); err != nil {
		return err.render(path)
	}
	return nil
}

// walkErr is an error of walk with the path below the walk's start,
// innermost segment first (built only when something fails).
type walkErr struct {
	kind  int // walkSyntax, walkDup, walkDepth
	key   string
	inner error
	segs  []string
}

const (
	walkSyntax = iota
	walkDup
	walkDepth
)

func (e *walkErr) render(base string) error {
	p := base
	for i := len(e.segs) - 1; i >= 0; i-- {
		p += e.segs[i]
	}
	switch e.kind {
	case walkDup:
		return fmt.Errorf("duplicate key %q at %s", e.key, p)
	case walkDepth:
		return fmt.Errorf("JSON nested deeper than %d at %s", MaxDepth, p)
	}
	msg := e.inner.Error()
	var se *SyntaxError
	if errors.As(e.inner, &se) {
		msg = se.Msg
	}
	return fmt.Errorf("invalid JSON at %s: %s", p, msg)
}

func (s *Scanner) walk(depth int) *walkErr {
	c := s.Peek()
	if c != '{' && c != '[' {
		if err := s.Skip(); err != nil {
			return &walkErr{kind: walkSyntax, inner: err}
		}
		return nil
	}
	if depth >= MaxDepth {
		return &walkErr{kind: walkDepth}
	}
	s.pos++
	if c == '[' {
		for i := 0; ; i++ {
			more, err := s.NextElem(i == 0)
			if err != nil {
				return &walkErr{kind: walkSyntax, inner: err}
			}
			if !more {
				return nil
			}
			if we := s.walk(depth + 1); we != nil {
				we.segs = append(we.segs, "["+strconv.Itoa(i)+"]")
				return we
			}
		}
	}
	var seen KeySet
	for first := true; ; first = false {
		k, more, err := s.NextKey(first)
		if err != nil {
			return &walkErr{kind: walkSyntax, inner: err}
		}
		if !more {
			return nil
		}
		if !seen.Add(k) {
			return &walkErr{kind: walkDup, key: string(k)}
		}
		if we := s.walk(depth + 1); we != nil {
			we.segs = append(we.segs, "."+string(k))
			return we
		}
	}
}

// KeySet records the member names of one object: a few inline, then a map.
type KeySet struct {
	small [8][]byte
	n     int
	m     map[string]struct{}
}

// Add records k and reports whether it was new.
func (ks *KeySet) Add(k []byte) bool {
	for i := 0; i < ks.n; i++ {
		if string(ks.small[i]) == string(k) {
			return false
		}
	}
	if ks.m != nil {
		if _, dup := ks.m[string(k)]; dup {
			return false
		}
	}
	if ks.n < len(ks.small) {
		ks.small[ks.n] = k
		ks.n++
		return true
	}
	if ks.m == nil {
		ks.m = map[string]struct{}{}
	}
	ks.m[string(k)] = struct{}{}
	return true
}

func DescribeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			return "an array"
		case '{':
			return "an object"
		}
		return fmt.Sprintf("%q", t.String())
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

func DescribeRaw(raw []byte) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	}
	return "a number"
}
