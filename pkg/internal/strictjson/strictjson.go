// Package strictjson reads JSON the strict way ADF's format parsers need.
// encoding/json silently accepts duplicate object keys (last one wins),
// matches field names case-insensitively, turns JSON null into "unchanged"
// and replaces invalid UTF-8 with U+FFFD. Each of those lets two parsers
// disagree about what a document says, so pkg/dsse and pkg/intoto read
// objects token by token with these helpers instead.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxDepth bounds nesting in the duplicate-key walk.
const MaxDepth = 128

// Field is one member of a JSON object, in document order.
type Field struct {
	Name  string
	Value json.RawMessage
}

// ObjectFields reads one JSON object from raw and returns its members in
// order. Duplicate names are rejected; nothing else is checked.
func ObjectFields(raw []byte) ([]Field, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want a JSON object, got %s", DescribeToken(tok))
	}
	var out []Field
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("invalid JSON: object key is %s", DescribeToken(tok))
		}
		if seen[name] {
			return nil, fmt.Errorf("duplicate field %q", name)
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("field %q: invalid JSON: %v", name, err)
		}
		out = append(out, Field{name, v})
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if err := ExpectEOF(dec); err != nil {
		return nil, err
	}
	return out, nil
}

// ArrayElems reads one JSON array from raw; each element is returned raw.
// If max > 0, more than max elements is an error (reported as soon as the
// element after the max-th is seen, without decoding the rest).
func ArrayElems(raw []byte, max int) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("want a JSON array, got %s", DescribeToken(tok))
	}
	var out []json.RawMessage
	for dec.More() {
		if max > 0 && len(out) == max {
			return nil, ErrTooMany
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("invalid JSON: %v", err)
		}
		out = append(out, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	return out, ExpectEOF(dec)
}

var ErrTooMany = errors.New("too many elements")

// String decodes raw, which must be a JSON string (not null).
func String(raw []byte) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("want a JSON string, got %s", DescribeRaw(raw))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("invalid JSON string: %v", err)
	}
	return s, nil
}

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
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := walkValue(dec, "$", 0); err != nil {
		return err
	}
	return ExpectEOF(dec)
}

func walkValue(dec *json.Decoder, path string, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("invalid JSON at %s: %v", path, err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth >= MaxDepth {
		return fmt.Errorf("JSON nested deeper than %d at %s", MaxDepth, path)
	}
	switch d {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return fmt.Errorf("invalid JSON at %s: %v", path, err)
			}
			k, _ := tok.(string)
			if seen[k] {
				return fmt.Errorf("duplicate key %q at %s", k, path)
			}
			seen[k] = true
			if err := walkValue(dec, path+"."+k, depth+1); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("invalid JSON at %s: unexpected %q", path, d)
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("invalid JSON at %s: %v", path, err)
	}
	return nil
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

// ExpectDelim reads the next token, which must be the delimiter d.
func ExpectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		want := "object"
		if d == '[' {
			want = "array"
		}
		return fmt.Errorf("%s: want a JSON %s, got %s", what, want, DescribeToken(tok))
	}
	return nil
}

// NextKey reads an object key (the caller has checked dec.More()).
func NextKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("invalid JSON: %v", err)
	}
	k, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("invalid JSON: object key is %s", DescribeToken(tok))
	}
	return k, nil
}

// NextString reads a value that must be a JSON string (not null). If the
// value is an object or array, the error is returned without reading it.
func NextString(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", fmt.Errorf("invalid JSON: %v", err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want a JSON string, got %s", DescribeToken(tok))
	}
	return s, nil
}
