package strictjson

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Scanner reads one JSON text from a byte slice, token by token, without
// reflection and without copying: strings without escapes are returned as
// sub-slices of the input. It accepts exactly the JSON grammar of RFC 8259
// (the same documents encoding/json accepts: FuzzScannerMatchesEncodingJSON
// checks it), and decodes string escapes exactly as encoding/json does
// (lone surrogates and invalid UTF-8 become U+FFFD).
//
// Use it as a pull parser: Peek at the next value, then Begin/Next… for
// containers, String/StringBytes for strings, Skip for anything else; End
// checks that nothing but whitespace follows the top-level value.
type Scanner struct {
	data []byte
	pos  int
}

// NewScanner returns a Scanner over data.
func NewScanner(data []byte) *Scanner { return &Scanner{data: data} }

// Reset makes s read data from the start.
func (s *Scanner) Reset(data []byte) { s.data, s.pos = data, 0 }

// Offset is the current byte offset.
func (s *Scanner) Offset() int { return s.pos }

// Data returns the input.
func (s *Scanner) Data() []byte { return s.data }

func (s *Scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// Peek skips whitespace and returns the next byte without consuming it, or
// 0 at the end of the input.
func (s *Scanner) Peek() byte {
	s.ws()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// SyntaxError is malformed JSON.
type SyntaxError struct {
	Msg    string
	Offset int
}

func (e *SyntaxError) Error() string { return "invalid JSON: " + e.Msg }

// errUnexpected describes the byte at the current position.
func (s *Scanner) errUnexpected(context string) error {
	if s.pos >= len(s.data) {
		return &SyntaxError{Msg: "unexpected end of input", Offset: s.pos}
	}
	msg := "invalid character " + quoteChar(s.data[s.pos])
	if context != "" {
		msg += " " + context
	}
	return &SyntaxError{Msg: msg + " (offset " + strconv.Itoa(s.pos) + ")", Offset: s.pos}
}

func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	q := strconv.Quote(string(rune(c)))
	return "'" + q[1:len(q)-1] + "'"
}

// Describe names the kind of value that starts with c ("an object", "a
// string", …), as DescribeRaw does.
func Describe(c byte) string {
	switch c {
	case 0:
		return "nothing"
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

// wrongKind reports that the next value is not of the wanted kind. A
// scalar is scanned first, so that malformed JSON is reported as such.
func (s *Scanner) wrongKind(want string) error {
	c := s.Peek()
	switch {
	case c == '{' || c == '[':
	case c == '"' || c == 't' || c == 'f' || c == 'n' || c == '-' || ('0' <= c && c <= '9'):
		if err := s.Skip(); err != nil {
			return err
		}
	default:
		return s.errUnexpected("looking for beginning of value")
	}
	return fmt.Errorf("want a JSON %s, got %s", want, Describe(c))
}

// Begin consumes the opening delimiter of an object ('{') or array ('[');
// any other value is an error "want a JSON object/array, got …".
func (s *Scanner) Begin(delim byte) error {
	if s.Peek() == delim {
		s.pos++
		return nil
	}
	if delim == '{' {
		return s.wrongKind("object")
	}
	return s.wrongKind("array")
}

// NextKey advances inside an object (after Begin('{')): it returns the next
// member's name (unescaped; it aliases the input when the name has no
// escapes) and consumes the ':' after it, or more == false when the closing
// '}' was consumed. first must be true for the first call on an object.
func (s *Scanner) NextKey(first bool) (key []byte, more bool, err error) {
	c := s.Peek()
	if c == '}' && first {
		s.pos++
		return nil, false, nil
	}
	if !first {
		switch c {
		case '}':
			s.pos++
			return nil, false, nil
		case ',':
			s.pos++
			c = s.Peek()
		default:
			return nil, false, s.errUnexpected("after object member")
		}
	}
	if c != '"' {
		return nil, false, s.errUnexpected("looking for beginning of object key string")
	}
	key, err = s.StringBytes()
	if err != nil {
		return nil, false, err
	}
	if s.Peek() != ':' {
		return nil, false, s.errUnexpected("after object key")
	}
	s.pos++
	return key, true, nil
}

// NextElem advances inside an array (after Begin('[')): more is true when
// an element follows (positioned at it), false when the closing ']' was
// consumed. first must be true for the first call on an array.
func (s *Scanner) NextElem(first bool) (more bool, err error) {
	c := s.Peek()
	if c == ']' {
		if first {
			s.pos++
			return false, nil
		}
		s.pos++
		return false, nil
	}
	if !first {
		if c != ',' {
			return false, s.errUnexpected("after array element")
		}
		s.pos++
		if s.Peek() == ']' {
			return false, s.errUnexpected("looking for beginning of value")
		}
	}
	if s.pos >= len(s.data) {
		return false, s.errUnexpected("")
	}
	return true, nil
}

// IsNull consumes a JSON null if one is next.
func (s *Scanner) IsNull() (bool, error) {
	if s.Peek() != 'n' {
		return false, nil
	}
	return true, s.Skip()
}

// String reads a value that must be a JSON string (not null) and returns it
// unescaped.
func (s *Scanner) String() (string, error) {
	b, err := s.StringBytes()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// StringBytes is String without the copy: the result aliases the input
// unless the string has escapes.
func (s *Scanner) StringBytes() ([]byte, error) {
	if s.Peek() != '"' {
		return nil, s.wrongKind("string")
	}
	raw, esc, high, err := s.scanString()
	if err != nil {
		return nil, err
	}
	if !esc && (!high || utf8.Valid(raw)) {
		return raw, nil
	}
	return unquote(raw), nil
}

// strPlain[c] is true for the ASCII bytes that may appear unescaped in a
// JSON string ('"', '\\', control characters and non-ASCII bytes need
// attention).
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// scanString consumes a string token (s.pos at its opening quote) and
// returns its raw content between the quotes, whether it has escapes and
// whether it has non-ASCII bytes.
func (s *Scanner) scanString() (raw []byte, esc, high bool, err error) {
	d := s.data
	start := s.pos + 1
	i := start
	for {
		for i+8 <= len(d) && strPlain[d[i]] && strPlain[d[i+1]] && strPlain[d[i+2]] && strPlain[d[i+3]] &&
			strPlain[d[i+4]] && strPlain[d[i+5]] && strPlain[d[i+6]] && strPlain[d[i+7]] {
			i += 8
		}
		for i < len(d) && strPlain[d[i]] {
			i++
		}
		if i >= len(d) {
			s.pos = i
			return nil, false, false, s.errUnexpected("")
		}
		switch c := d[i]; {
		case c == '"':
			s.pos = i + 1
			return d[start:i], esc, high, nil
		case c == '\\':
			esc = true
			if i+1 >= len(d) {
				s.pos = len(d)
				return nil, false, false, s.errUnexpected("")
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				for k := 2; k < 6; k++ {
					if i+k >= len(d) {
						s.pos = len(d)
						return nil, false, false, s.errUnexpected("")
					}
					if !isHex(d[i+k]) {
						s.pos = i + k
						return nil, false, false, s.errUnexpected("in \\u hexadecimal character escape")
					}
				}
				i += 6
			default:
				s.pos = i + 1
				return nil, false, false, s.errUnexpected("in string escape code")
			}
		case c >= 0x80:
			high = true
			i++
		default: // control character
			s.pos = i
			return nil, false, false, s.errUnexpected("in string literal")
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Skip consumes the next value (validating it) without nesting limits
// beyond encoding/json's (10,000 levels).
func (s *Scanner) Skip() error {
	return s.skip(0, 10000)
}

// Raw consumes the next value and returns its bytes (aliasing the input,
// without surrounding whitespace).
func (s *Scanner) Raw() ([]byte, error) {
	s.ws()
	start := s.pos
	if err := s.Skip(); err != nil {
		return nil, err
	}
	return s.data[start:s.pos], nil
}

func (s *Scanner) skip(depth, max int) error {
	switch c := s.Peek(); c {
	case '"':
		_, _, _, err := s.scanString()
		return err
	case '{', '[':
		if depth >= max {
			return &SyntaxError{Msg: fmt.Sprintf("exceeded max depth %d", max), Offset: s.pos}
		}
		s.pos++
		first := true
		for {
			var more bool
			var err error
			if c == '{' {
				_, more, err = s.NextKey(first)
			} else {
				more, err = s.NextElem(first)
			}
			if err != nil {
				return err
			}
			if !more {
				return nil
			}
			first = false
			if err := s.skip(depth+1, max); err != nil {
				return err
			}
		}
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

func (s *Scanner) literal(lit string) error {
	for i := 0; i < len(lit); i++ {
		if s.pos >= len(s.data) || s.data[s.pos] != lit[i] {
			return s.errUnexpected("in literal " + lit)
		}
		s.pos++
	}
	return nil
}

// number consumes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *Scanner) number() error {
	d := s.data
	digits := func() bool {
		st := s.pos
		for s.pos < len(d) && '0' <= d[s.pos] && d[s.pos] <= '9' {
			s.pos++
		}
		return s.pos > st
	}
	if s.pos < len(d) && d[s.pos] == '-' {
		s.pos++
	}
	switch {
	case s.pos < len(d) && d[s.pos] == '0':
		s.pos++
	case s.pos < len(d) && '1' <= d[s.pos] && d[s.pos] <= '9':
		digits()
	default:
		return s.errUnexpected("looking for beginning of value")
	}
	if s.pos < len(d) && d[s.pos] == '.' {
		s.pos++
		if !digits() {
			return s.errUnexpected("after decimal point in numeric literal")
		}
	}
	if s.pos < len(d) && (d[s.pos] == 'e' || d[s.pos] == 'E') {
		s.pos++
		if s.pos < len(d) && (d[s.pos] == '+' || d[s.pos] == '-') {
			s.pos++
		}
		if !digits() {
			return s.errUnexpected("in exponent of numeric literal")
		}
	}
	// A number must be followed by a delimiter, whitespace or the end.
	if s.pos < len(d) {
		switch d[s.pos] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
		default:
			return s.errUnexpected("after numeric literal")
		}
	}
	return nil
}

// End checks that only whitespace follows.
func (s *Scanner) End() error {
	if s.Peek() != 0 || s.pos < len(s.data) {
		return errors.New("invalid JSON: trailing data after the top-level value")
	}
	return nil
}

// unquote decodes the escapes of a string's raw content, exactly as
// encoding/json does (invalid UTF-8 and lone surrogates become U+FFFD).
func unquote(s []byte) []byte {
	b := make([]byte, 0, len(s)+2*utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			r++
			switch s[r] {
			case '"', '\\', '/', '\'':
				b = append(b, s[r])
				r++
			case 'b':
				b = append(b, '\b')
				r++
			case 'f':
				b = append(b, '\f')
				r++
			case 'n':
				b = append(b, '\n')
				r++
			case 'r':
				b = append(b, '\r')
				r++
			case 't':
				b = append(b, '\t')
				r++
			case 'u':
				r--
				rr := getu4(s[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					rr1 := getu4(s[r:])
					if dec := utf16.DecodeRune(rr, rr1); dec != utf8.RuneError {
						r += 6
						b = utf8.AppendRune(b, dec)
						break
					}
					rr = utf8.RuneError
				}
				b = utf8.AppendRune(b, rr)
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return b
}

// getu4 decodes \uXXXX from the beginning of s, returning the hex value,
// or -1.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range s[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c = c - '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
