package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// jsonValue is a decoded JSON value that remembers where it was, so that
// packages and errors in JSON lockfiles and SBOMs can name a line, and keeps
// object members in document order (and duplicates, which npm has been seen
// to write), so results never depend on map iteration.
type jsonValue struct {
	kind  byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str   string
	b     bool
	line  int // line of the value, or of its key when it is an object member
	open  int // for objects and arrays: byte offset just after '{' or '['
	keys  []string
	vals  []*jsonValue // object member values, or array elements
	field string       // path from the root, for error messages
}

const maxJSONDepth = 200

// parseJSON decodes content into a jsonValue tree.
func parseJSON(path string, content []byte) (*jsonValue, error) {
	li := newLineIndex(content)
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	p := &jsonParser{dec: dec, li: li, path: path, end: len(content)}
	v, err := p.value(0, "$")
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, malformed(path, li.line(int(dec.InputOffset())), "JSON: data after the top-level value")
	}
	return v, nil
}

type jsonParser struct {
	dec  *json.Decoder
	li   lineIndex
	path string
	end  int
}

func (p *jsonParser) err(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return malformed(p.path, p.li.line(int(se.Offset)-1), "JSON: %v", se)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return malformed(p.path, p.li.line(p.end-1), "JSON: unexpected end of input")
	}
	return malformed(p.path, p.li.line(int(p.dec.InputOffset())), "JSON: %v", err)
}

func (p *jsonParser) value(depth int, field string) (*jsonValue, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.err(err)
	}
	off := int(p.dec.InputOffset())
	v := &jsonValue{line: p.li.line(off - 1), field: field}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxJSONDepth {
			return nil, malformed(p.path, v.line, "JSON nested deeper than %d", maxJSONDepth)
		}
		v.open = off
		switch t {
		case '{':
			v.kind = 'o'
			for p.dec.More() {
				kt, err := p.dec.Token()
				if err != nil {
					return nil, p.err(err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, malformed(p.path, p.li.line(int(p.dec.InputOffset())-1), "JSON: object key is not a string")
				}
				kline := p.li.line(int(p.dec.InputOffset()) - 1)
				child, err := p.value(depth+1, field+"."+strconv.Quote(k))
				if err != nil {
					return nil, err
				}
				child.line = kline
				v.keys = append(v.keys, k)
				v.vals = append(v.vals, child)
			}
		case '[':
			v.kind = 'a'
			for i := 0; p.dec.More(); i++ {
				child, err := p.value(depth+1, fmt.Sprintf("%s[%d]", field, i))
				if err != nil {
					return nil, err
				}
				v.vals = append(v.vals, child)
			}
		default:
			return nil, malformed(p.path, v.line, "JSON: unexpected %q", t)
		}
		if _, err := p.dec.Token(); err != nil { // closing delimiter
			return nil, p.err(err)
		}
	case string:
		v.kind, v.str = 's', t
	case json.Number:
		v.kind, v.str = 'n', string(t)
	case bool:
		v.kind, v.b = 'b', t
	case nil:
		v.kind = 'z'
	default:
		return nil, malformed(p.path, v.line, "JSON: unexpected token %v", tok)
	}
	return v, nil
}

// get returns the last member named k: JSON.parse, which npm and most SBOM
// tools use, lets a later duplicate win.
func (v *jsonValue) get(k string) *jsonValue {
	if v == nil || v.kind != 'o' {
		return nil
	}
	for i := len(v.keys) - 1; i >= 0; i-- {
		if v.keys[i] == k {
			return v.vals[i]
		}
	}
	return nil
}

// getString returns member k if it is a string; ok is false if k is present
// with another type.
func (v *jsonValue) getString(k string) (s string, present, ok bool) {
	m := v.get(k)
	if m == nil || m.kind == 'z' {
		return "", false, true
	}
	if m.kind != 's' {
		return "", true, false
	}
	return m.str, true, true
}

func (v *jsonValue) getBool(k string) bool {
	m := v.get(k)
	return m != nil && m.kind == 'b' && m.b
}

func kindName(k byte) string {
	switch k {
	case 'o':
		return "an object"
	case 'a':
		return "an array"
	case 's':
		return "a string"
	case 'n':
		return "a number"
	case 'b':
		return "a boolean"
	}
	return "null"
}

// expect checks that v, if present, has kind k.
func (c *collector) expect(v *jsonValue, k byte) error {
	if v == nil || v.kind == k || v.kind == 'z' {
		return nil
	}
	return malformedField(c.path, v.line, v.field, "is %s, want %s", kindName(v.kind), kindName(k))
}

// str reads string member k of v, failing if it has another type.
func (c *collector) str(v *jsonValue, k string) (string, error) {
	s, _, ok := v.getString(k)
	if !ok {
		m := v.get(k)
		return "", malformedField(c.path, m.line, m.field, "is %s, want a string", kindName(m.kind))
	}
	return s, nil
}
