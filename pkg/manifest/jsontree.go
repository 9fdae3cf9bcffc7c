package manifest

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonValue is a decoded JSON value that remembers where it was, so that
// packages and errors in JSON lockfiles and SBOMs can name a line, and keeps
// object members in document order (and duplicates, which npm has been seen
// to write), so results never depend on map iteration.
type jsonValue struct {
	kind   byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str    string
	b      bool
	line   int // line of the value, or of its key when it is an object member
	open   int // for objects and arrays: byte offset just after '{' or '['
	keys   []string
	vals   []*jsonValue // object member values, or array elements
	parent *jsonValue
	key    string // member name in parent, or "" for array elements
	index  int    // element index in parent array
}

// field is the value's path from the root, for error messages. It is built
// only when needed because lockfiles have hundreds of thousands of values.
func (v *jsonValue) field() string {
	if v == nil || v.parent == nil {
		return "$"
	}
	if v.parent.kind == 'a' {
		return v.parent.field() + "[" + strconv.Itoa(v.index) + "]"
	}
	return v.parent.field() + "." + strconv.Quote(v.key)
}

const maxJSONDepth = 200

// parseJSON decodes content into a jsonValue tree. It is a small
// hand-written parser rather than encoding/json's token stream because it
// needs byte offsets and is several times faster on large lockfiles; string
// escapes, the rare case, are still decoded by encoding/json.
func parseJSON(path string, content []byte) (*jsonValue, error) {
	p := &jsonParser{s: string(content), line: 1, path: path}
	p.skipSpace()
	v, err := p.value(0, nil)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return nil, p.errorf("JSON: data after the top-level value")
	}
	return v, nil
}

// jsonParser counts lines as it skips white space: JSON strings cannot hold
// a raw newline, so every line break is white space between tokens.
type jsonParser struct {
	s    string
	i    int
	line int
	path string
}

func (p *jsonParser) errorf(format string, args ...any) error {
	line := p.line
	if p.i >= len(p.s) && strings.HasSuffix(p.s, "\n") && line > 1 {
		line-- // at end of input, name the last line that has content
	}
	return malformed(p.path, line, format, args...)
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '\n':
			p.line++
			p.i++
		case ' ', '\t', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int, parent *jsonValue) (*jsonValue, error) {
	if p.i >= len(p.s) {
		return nil, p.errorf("JSON: unexpected end of input")
	}
	v := &jsonValue{line: p.line, parent: parent}
	switch c := p.s[p.i]; {
	case c == '{' || c == '[':
		if depth >= maxJSONDepth {
			return nil, p.errorf("JSON nested deeper than %d", maxJSONDepth)
		}
		p.i++
		v.open = p.i
		v.kind = 'a'
		end := byte(']')
		if c == '{' {
			v.kind, end = 'o', '}'
		}
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == end {
			p.i++
			return v, nil
		}
		for {
			p.skipSpace()
			var key string
			keyLine := 0
			if v.kind == 'o' {
				if p.i >= len(p.s) || p.s[p.i] != '"' {
					return nil, p.errorf("JSON: object key is not a string")
				}
				keyLine = p.line
				k, err := p.str()
				if err != nil {
					return nil, err
				}
				key = k
				p.skipSpace()
				if p.i >= len(p.s) || p.s[p.i] != ':' {
					return nil, p.errorf("JSON: missing ':' after object key")
				}
				p.i++
				p.skipSpace()
			}
			child, err := p.value(depth+1, v)
			if err != nil {
				return nil, err
			}
			if v.kind == 'o' {
				child.key, child.line = key, keyLine
				v.keys = append(v.keys, key)
			} else {
				child.index = len(v.vals)
			}
			v.vals = append(v.vals, child)
			p.skipSpace()
			if p.i >= len(p.s) {
				return nil, p.errorf("JSON: unexpected end of input")
			}
			if p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.s[p.i] == end {
				p.i++
				return v, nil
			}
			return nil, p.errorf("JSON: want ',' or '%c', found %q", end, p.s[p.i])
		}
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		v.kind, v.str = 's', s
	case c == '-' || c >= '0' && c <= '9':
		start := p.i
		if !p.number() {
			return nil, p.errorf("JSON: invalid number")
		}
		v.kind, v.str = 'n', p.s[start:p.i]
	case strings.HasPrefix(p.s[p.i:], "true"):
		v.kind, v.b = 'b', true
		p.i += 4
	case strings.HasPrefix(p.s[p.i:], "false"):
		v.kind = 'b'
		p.i += 5
	case strings.HasPrefix(p.s[p.i:], "null"):
		v.kind = 'z'
		p.i += 4
	default:
		return nil, p.errorf("JSON: invalid character %q", c)
	}
	return v, nil
}

// str reads a string starting at the opening quote.
func (p *jsonParser) str() (string, error) {
	start := p.i
	p.i++
	escaped := false
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			raw := p.s[start+1 : p.i-1]
			if !escaped && utf8.ValidString(raw) {
				return raw, nil
			}
			var out string
			if err := json.Unmarshal([]byte(p.s[start:p.i]), &out); err != nil {
				p.i = start
				return "", p.errorf("JSON: invalid string: %v", err)
			}
			return out, nil
		case c == '\\':
			escaped = true
			p.i += 2
		case c < 0x20:
			return "", p.errorf("JSON: control character in string")
		default:
			p.i++
		}
	}
	p.i = start
	return "", p.errorf("JSON: unterminated string")
}

// number advances over a JSON number, reporting whether it is well-formed.
func (p *jsonParser) number() bool {
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.s[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return false
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return false
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return false
		}
	}
	return true
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
	return malformedField(c.path, v.line, v.field(), "is %s, want %s", kindName(v.kind), kindName(k))
}

// str reads string member k of v, failing if it has another type.
func (c *collector) str(v *jsonValue, k string) (string, error) {
	s, _, ok := v.getString(k)
	if !ok {
		m := v.get(k)
		return "", malformedField(c.path, m.line, m.field(), "is %s, want a string", kindName(m.kind))
	}
	return s, nil
}
