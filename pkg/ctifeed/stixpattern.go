package ctifeed

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/purl"
)

// Term is one comparison of a STIX pattern and what it translates to.
// Terms are numbered left to right from 0; an IN set counts one term per
// element (x IN ('a','b') is x = 'a' OR x = 'b').
type Term struct {
	Index int
	// Text is the comparison as the pattern states it, re-spaced.
	Text   string
	Object string // "ipv4-addr"
	Path   string // "value", "hashes.'SHA-256'"
	// Op is the operator, upper-case, "NOT " prefixed when negated; "=="
	// is given as "=" and "<>" as "!=".
	Op      string
	Literal string // the constant (for IN, this term's element)

	// Kind, Value and Package are the translation; set only when Reason
	// and Err are empty.
	Kind    cti.Kind
	Value   string
	Package *cti.PackageMatch
	// Start and Stop are a START/STOP qualifier's window in unix seconds
	// (0 when unqualified); the indicator's validity is narrowed to it.
	Start, Stop int64

	// Reason says why the term is not translated.
	Reason string
	// Err is set when the term is not merely unsupported but wrong (an
	// invalid purl); the feed object carrying it is refused.
	Err error
}

// Translated reports whether the term became an indicator value.
func (t *Term) Translated() bool { return t.Reason == "" && t.Err == nil && t.Kind != "" }

func (t *Term) label() string { return fmt.Sprintf("term %d `%s`", t.Index, t.Text) }

// Limits on patterns: they bound work and recursion, far above real use.
const (
	MaxPatternLen   = 1 << 20
	maxPatternDepth = 64
)

// ErrPattern wraps STIX pattern syntax errors.
var ErrPattern = errors.New("invalid STIX pattern")

// ParseSTIXPattern parses a STIX 2.1 pattern (STIX 2.1 §9) and translates
// each comparison. The error is for syntax only; a well-formed pattern
// whose terms ADF cannot use comes back with those terms' Reason set.
//
// A term is translated when it is an equality (or IN, or ISSUBSET on an IP
// address) on a supported property, and everything above it in the
// pattern is OR: each OR branch alone is evidence. A term under AND or
// FOLLOWEDBY, or in an observation qualified with REPEATS, describes only
// part of what must be observed, so importing it alone would over-match;
// its Reason says so. The one exception is AND inside one [ ] on the same
// file: a SHA-256 equality there identifies the file and the other
// comparisons only describe it further, so the SHA-256 is translated.
// WITHIN adds nothing to a single observation; START/STOP narrows the
// window (Term.Start, Term.Stop).
func ParseSTIXPattern(pattern string) ([]Term, error) {
	if len(pattern) > MaxPatternLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrPattern, MaxPatternLen)
	}
	toks, err := lexPattern(pattern)
	if err != nil {
		return nil, err
	}
	p := &patParser{toks: toks}
	root, err := p.observations()
	if err != nil {
		return nil, err
	}
	if tk := p.peek(); tk.kind != tkEOF {
		return nil, p.errAt(tk, "unexpected %s after the pattern", tk)
	}
	p.walkObs(root, walkCtx{})
	return p.terms, nil
}

// ---- lexer ----

type tokKind int

const (
	tkEOF tokKind = iota
	tkPunct
	tkOp
	tkIdent
	tkString
	tkNumber
	tkTyped // h'..', b'..', t'..'; prefix in typ
)

type token struct {
	kind tokKind
	text string // punctuation, operator, identifier, number, or decoded string
	typ  byte   // 'h', 'b', 't' for typed literals
	pos  int
}

func (t token) String() string {
	switch t.kind {
	case tkEOF:
		return "end of pattern"
	case tkString:
		return quoteSTIX(t.text)
	case tkTyped:
		return string(t.typ) + quoteSTIX(t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

func lexPattern(s string) ([]token, error) {
	var toks []token
	i := 0
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: at byte %d: %s", ErrPattern, i, fmt.Sprintf(format, args...))
	}
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return nil, bad("unterminated comment")
			}
			i += end + 4
		case strings.HasPrefix(s[i:], "//"):
			end := strings.IndexByte(s[i:], '\n')
			if end < 0 {
				end = len(s) - i
			}
			i += end
		case strings.IndexByte("[]():.,*", c) >= 0:
			toks = append(toks, token{kind: tkPunct, text: string(c), pos: i})
			i++
		case c == '=' || c == '!' || c == '<' || c == '>':
			op := string(c)
			if i+1 < len(s) && (s[i+1] == '=' || c == '<' && s[i+1] == '>') {
				op = s[i : i+2]
			}
			if op == "!" {
				return nil, bad("'!' without '='")
			}
			toks = append(toks, token{kind: tkOp, text: op, pos: i})
			i += len(op)
		case c == '\'':
			str, n, err := lexString(s[i:])
			if err != nil {
				return nil, bad("%v", err)
			}
			toks = append(toks, token{kind: tkString, text: str, pos: i})
			i += n
		case c >= '0' && c <= '9' || (c == '-' || c == '+') && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if _, err := strconv.ParseFloat(s[i:j], 64); err != nil {
				return nil, bad("bad number %q", s[i:j])
			}
			toks = append(toks, token{kind: tkNumber, text: s[i:j], pos: i})
			i = j
		case isIdentStart(c):
			if (c == 'h' || c == 'b' || c == 't') && i+1 < len(s) && s[i+1] == '\'' {
				str, n, err := lexString(s[i+1:])
				if err != nil {
					return nil, bad("%v", err)
				}
				toks = append(toks, token{kind: tkTyped, typ: c, text: str, pos: i})
				i += 1 + n
				continue
			}
			j := i + 1
			for j < len(s) && (isIdentStart(s[j]) || s[j] >= '0' && s[j] <= '9' || s[j] == '-') {
				j++
			}
			toks = append(toks, token{kind: tkIdent, text: s[i:j], pos: i})
			i = j
		default:
			return nil, bad("unexpected character %q", rune(c))
		}
	}
	return append(toks, token{kind: tkEOF, pos: len(s)}), nil
}

func isIdentStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }

// lexString reads a quoted string at the start of s; the grammar allows
// only \' and \\ as escapes.
func lexString(s string) (string, int, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\'':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 >= len(s) || s[i+1] != '\'' && s[i+1] != '\\' {
				return "", 0, fmt.Errorf("string escape other than \\' or \\\\")
			}
			i++
			b.WriteByte(s[i])
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

func quoteSTIX(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// ---- parser ----

// obsNode is an observation expression: a [ ] (cmp set), a ( ) group
// (inner set), or an AND/OR/FOLLOWEDBY of kids.
type obsNode struct {
	op    string
	kids  []*obsNode
	cmp   *cmpNode
	inner *obsNode
	quals []qualifier
}

// cmpNode is a comparison expression: a leaf (term index) or AND/OR.
type cmpNode struct {
	op   string
	kids []*cmpNode
	term int
}

type qualifier struct {
	kind        string // WITHIN, REPEATS, START
	text        string
	start, stop int64
}

type patParser struct {
	toks  []token
	i     int
	depth int
	terms []Term
}

func (p *patParser) peek() token { return p.toks[p.i] }
func (p *patParser) next() token {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

func (p *patParser) errAt(t token, format string, args ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrPattern, t.pos, fmt.Sprintf(format, args...))
}

// keyword reports whether the next token is keyword kw (keywords are
// case-insensitive in the STIX grammar).
func (p *patParser) keyword(kw string) bool {
	t := p.peek()
	return t.kind == tkIdent && strings.EqualFold(t.text, kw)
}

func (p *patParser) punct(c string) bool {
	t := p.peek()
	return t.kind == tkPunct && t.text == c
}

func (p *patParser) expect(c string) error {
	if !p.punct(c) {
		t := p.peek()
		return p.errAt(t, "expected %q, found %s", c, t)
	}
	p.next()
	return nil
}

func (p *patParser) enter() error {
	p.depth++
	if p.depth > maxPatternDepth {
		return p.errAt(p.peek(), "nested deeper than %d", maxPatternDepth)
	}
	return nil
}

// joined parses sub (kw sub)* into one n-ary node.
func joinedObs(p *patParser, kw string, sub func() (*obsNode, error)) (*obsNode, error) {
	first, err := sub()
	if err != nil {
		return nil, err
	}
	if !p.keyword(kw) {
		return first, nil
	}
	n := &obsNode{op: kw, kids: []*obsNode{first}}
	for p.keyword(kw) {
		p.next()
		k, err := sub()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

// observations: FOLLOWEDBY binds loosest, then OR, then AND.
func (p *patParser) observations() (*obsNode, error) {
	return joinedObs(p, "FOLLOWEDBY", func() (*obsNode, error) {
		return joinedObs(p, "OR", func() (*obsNode, error) {
			return joinedObs(p, "AND", p.observation)
		})
	})
}

func (p *patParser) observation() (*obsNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	n := &obsNode{}
	switch {
	case p.punct("["):
		p.next()
		c, err := p.comparisons()
		if err != nil {
			return nil, err
		}
		if err := p.expect("]"); err != nil {
			return nil, err
		}
		n.cmp = c
	case p.punct("("):
		p.next()
		in, err := p.observations()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		n.inner = in
	default:
		t := p.peek()
		return nil, p.errAt(t, "expected '[' or '(' to start an observation, found %s", t)
	}
	for {
		q, ok, err := p.qualifier()
		if err != nil {
			return nil, err
		}
		if !ok {
			return n, nil
		}
		n.quals = append(n.quals, q)
	}
}

func (p *patParser) qualifier() (qualifier, bool, error) {
	switch {
	case p.keyword("WITHIN"):
		p.next()
		t := p.next()
		if f, err := strconv.ParseFloat(t.text, 64); t.kind != tkNumber || err != nil || f <= 0 {
			return qualifier{}, false, p.errAt(t, "WITHIN needs a positive number of seconds, found %s", t)
		}
		if !p.keyword("SECONDS") {
			return qualifier{}, false, p.errAt(p.peek(), "expected SECONDS after WITHIN %s", t.text)
		}
		p.next()
		return qualifier{kind: "WITHIN", text: "WITHIN " + t.text + " SECONDS"}, true, nil
	case p.keyword("REPEATS"):
		p.next()
		t := p.next()
		if n, err := strconv.Atoi(t.text); t.kind != tkNumber || err != nil || n <= 0 {
			return qualifier{}, false, p.errAt(t, "REPEATS needs a positive integer, found %s", t)
		}
		if !p.keyword("TIMES") {
			return qualifier{}, false, p.errAt(p.peek(), "expected TIMES after REPEATS %s", t.text)
		}
		p.next()
		return qualifier{kind: "REPEATS", text: "REPEATS " + t.text + " TIMES"}, true, nil
	case p.keyword("START"):
		p.next()
		start, err := p.timestamp()
		if err != nil {
			return qualifier{}, false, err
		}
		if !p.keyword("STOP") {
			return qualifier{}, false, p.errAt(p.peek(), "expected STOP after START")
		}
		p.next()
		stop, err := p.timestamp()
		if err != nil {
			return qualifier{}, false, err
		}
		if stop <= start {
			return qualifier{}, false, p.errAt(p.peek(), "STOP is not after START")
		}
		return qualifier{kind: "START", text: "START/STOP", start: start, stop: stop}, true, nil
	}
	return qualifier{}, false, nil
}

func (p *patParser) timestamp() (int64, error) {
	t := p.next()
	if t.kind != tkTyped || t.typ != 't' {
		return 0, p.errAt(t, "expected a timestamp t'...', found %s", t)
	}
	ts, err := time.Parse(time.RFC3339Nano, t.text)
	if err != nil || !strings.HasSuffix(t.text, "Z") {
		return 0, p.errAt(t, "timestamp %q is not RFC 3339 in UTC (Z)", t.text)
	}
	if ts.Unix() < 0 {
		return 0, p.errAt(t, "timestamp %q is before 1970", t.text)
	}
	return ts.Unix(), nil
}

func joinedCmp(p *patParser, kw string, sub func() (*cmpNode, error)) (*cmpNode, error) {
	first, err := sub()
	if err != nil {
		return nil, err
	}
	if !p.keyword(kw) {
		return first, nil
	}
	n := &cmpNode{op: kw, kids: []*cmpNode{first}}
	for p.keyword(kw) {
		p.next()
		k, err := sub()
		if err != nil {
			return nil, err
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

func (p *patParser) comparisons() (*cmpNode, error) {
	return joinedCmp(p, "OR", func() (*cmpNode, error) {
		return joinedCmp(p, "AND", p.comparison)
	})
}

func (p *patParser) comparison() (*cmpNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if p.punct("(") {
		p.next()
		c, err := p.comparisons()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return c, nil
	}
	if p.keyword("EXISTS") {
		p.next()
		obj, path, err := p.objectPath()
		if err != nil {
			return nil, err
		}
		return p.leaf(Term{Text: "EXISTS " + obj + ":" + path, Object: obj, Path: path, Op: "EXISTS"},
			"operator EXISTS tests that a property is present, not its value; an indicator names one value"), nil
	}
	obj, path, err := p.objectPath()
	if err != nil {
		return nil, err
	}
	neg := ""
	if p.keyword("NOT") {
		p.next()
		neg = "NOT "
	}
	t := p.next()
	var op string
	switch {
	case t.kind == tkOp:
		op = map[string]string{"==": "=", "<>": "!="}[t.text]
		if op == "" {
			op = t.text
		}
	case t.kind == tkIdent:
		op = strings.ToUpper(t.text)
		switch op {
		case "IN", "LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET":
		default:
			return nil, p.errAt(t, "expected a comparison operator after %s:%s, found %s", obj, path, t)
		}
	default:
		return nil, p.errAt(t, "expected a comparison operator after %s:%s, found %s", obj, path, t)
	}
	prefix := obj + ":" + path + " " + neg + op + " "
	base := Term{Object: obj, Path: path, Op: neg + op}
	if op == "IN" {
		elems, text, err := p.setLiteral()
		if err != nil {
			return nil, err
		}
		if neg != "" || len(elems) == 0 {
			base.Text = prefix + text
			base.Literal = text
			reason := "NOT IN excludes values; an indicator names one"
			if len(elems) == 0 {
				reason = "IN an empty set matches nothing"
			}
			return p.leaf(base, reason), nil
		}
		or := &cmpNode{op: "OR"}
		for _, e := range elems {
			tm := base
			tm.Text = prefix + text
			tm.Literal = e.text
			reason := p.translate(&tm, e)
			or.kids = append(or.kids, p.leaf(tm, reason))
		}
		if len(or.kids) == 1 {
			return or.kids[0], nil
		}
		return or, nil
	}
	lit := p.next()
	if !isLiteral(lit) {
		return nil, p.errAt(lit, "expected a constant after %s, found %s", strings.TrimSpace(prefix), lit)
	}
	if (op == "LIKE" || op == "MATCHES" || op == "ISSUBSET" || op == "ISSUPERSET") && lit.kind != tkString {
		return nil, p.errAt(lit, "%s needs a string constant, found %s", op, lit)
	}
	base.Text = prefix + literalText(lit)
	base.Literal = lit.text
	n := p.leaf(base, "")
	tm := &p.terms[n.term]
	if r := p.translate(tm, lit); r != "" {
		tm.Reason = r
	}
	return n, nil
}

// leaf records a term (with reason, possibly empty) and returns its node.
func (p *patParser) leaf(t Term, reason string) *cmpNode {
	t.Index = len(p.terms)
	if reason != "" {
		t.Reason = reason
		t.Kind, t.Value, t.Package = "", "", nil
	}
	p.terms = append(p.terms, t)
	return &cmpNode{term: t.Index}
}

func isLiteral(t token) bool {
	switch t.kind {
	case tkString, tkNumber, tkTyped:
		return true
	case tkIdent:
		return strings.EqualFold(t.text, "true") || strings.EqualFold(t.text, "false")
	}
	return false
}

func literalText(t token) string {
	switch t.kind {
	case tkString:
		return quoteSTIX(t.text)
	case tkTyped:
		return string(t.typ) + quoteSTIX(t.text)
	}
	return t.text
}

func (p *patParser) setLiteral() ([]token, string, error) {
	if err := p.expect("("); err != nil {
		return nil, "", err
	}
	var elems []token
	var parts []string
	for !p.punct(")") {
		if len(elems) > 0 {
			if err := p.expect(","); err != nil {
				return nil, "", err
			}
		}
		t := p.next()
		if !isLiteral(t) {
			return nil, "", p.errAt(t, "expected a constant in the IN set, found %s", t)
		}
		elems = append(elems, t)
		parts = append(parts, literalText(t))
	}
	p.next()
	return elems, "(" + strings.Join(parts, ", ") + ")", nil
}

// objectPath reads type:component(.component | [index])*.
func (p *patParser) objectPath() (obj, path string, err error) {
	t := p.next()
	if t.kind != tkIdent {
		return "", "", p.errAt(t, "expected an object type like ipv4-addr, found %s", t)
	}
	obj = t.text
	if err := p.expect(":"); err != nil {
		return "", "", err
	}
	var b strings.Builder
	first := p.next()
	switch first.kind {
	case tkIdent:
		b.WriteString(first.text)
	case tkString:
		b.WriteString(quoteSTIX(first.text))
	default:
		return "", "", p.errAt(first, "expected a property name after %s:, found %s", obj, first)
	}
	for {
		switch {
		case p.punct("."):
			p.next()
			c := p.next()
			switch c.kind {
			case tkIdent:
				b.WriteString("." + c.text)
			case tkString:
				b.WriteString("." + quoteSTIX(c.text))
			default:
				return "", "", p.errAt(c, "expected a property name after '.', found %s", c)
			}
		case p.punct("["):
			p.next()
			c := p.next()
			if !(c.kind == tkPunct && c.text == "*") && c.kind != tkNumber {
				return "", "", p.errAt(c, "expected an index or '*', found %s", c)
			}
			if err := p.expect("]"); err != nil {
				return "", "", err
			}
			b.WriteString("[" + c.text + "]")
		default:
			return obj, b.String(), nil
		}
	}
}

// pathParts splits a rendered path into its components, unquoted.
func pathParts(path string) []string {
	var parts []string
	var b strings.Builder
	inStr := false
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case inStr && c == '\\' && i+1 < len(path):
			i++
			b.WriteByte(path[i])
		case c == '\'':
			inStr = !inStr
		case !inStr && (c == '.' || c == '['):
			parts = append(parts, b.String())
			b.Reset()
		case !inStr && c == ']':
		default:
			b.WriteByte(c)
		}
	}
	return append(parts, b.String())
}

// translate fills t's translation from literal lit, or returns the reason
// the comparison is not one ADF imports.
func (p *patParser) translate(t *Term, lit token) string {
	op := t.Op
	if strings.HasPrefix(op, "NOT ") {
		return fmt.Sprintf("negated comparison (%s) excludes values; an indicator names one", op)
	}
	parts := pathParts(t.Path)
	eqOp := op == "=" || op == "IN"
	var kind cti.Kind
	switch t.Object {
	case "file", "artifact":
		if len(parts) != 2 || parts[0] != "hashes" {
			return fmt.Sprintf("%s:%s is not an observable ADF imports (of files only hashes.'SHA-256' is)", t.Object, t.Path)
		}
		alg := strings.NewReplacer("-", "", "_", "").Replace(strings.ToUpper(parts[1]))
		if alg != "SHA256" {
			return fmt.Sprintf("%s hash %s: only SHA-256 file hashes are imported", t.Object, parts[1])
		}
		kind = cti.KindFileSHA256
	case "domain-name":
		kind = cti.KindDomain
	case "url":
		kind = cti.KindURL
	case "ipv4-addr", "ipv6-addr":
		kind = cti.KindIP
		if op == "ISSUBSET" {
			eqOp = true
		}
	case "software":
		if !isPurlPath(parts) {
			return fmt.Sprintf("software:%s is not imported (only software:purl, software:x_purl or a purl extension property identify a package)", t.Path)
		}
		kind = cti.KindPackage
	default:
		return fmt.Sprintf("%s objects are not an indicator kind ADF imports", t.Object)
	}
	if kind != cti.KindFileSHA256 && kind != cti.KindPackage && (len(parts) != 1 || parts[0] != "value") {
		return fmt.Sprintf("%s:%s is not imported (only %s:value is)", t.Object, t.Path, t.Object)
	}
	if !eqOp {
		return fmt.Sprintf("operator %s compares by pattern or order and can match many values; an indicator names one", op)
	}
	if lit.kind != tkString {
		return fmt.Sprintf("compares with %s, not a string", literalText(lit))
	}
	if kind == cti.KindPackage {
		pu, err := purl.Parse(lit.text)
		if err != nil {
			t.Err = err
			return ""
		}
		eco, name, err := pu.Ecosystem()
		if err != nil {
			return fmt.Sprintf("purl %s: %v", lit.text, err)
		}
		pm := &cti.PackageMatch{Ecosystem: eco, Name: name}
		if pu.Version != "" {
			pm.Versions = []string{pu.Version}
		} else {
			pm.AllVersions = true
		}
		t.Kind, t.Package = kind, pm
		return ""
	}
	v, err := cti.NormalizeValue(kind, lit.text)
	if err != nil {
		return fmt.Sprintf("value: %v", err)
	}
	if kind == cti.KindIP {
		want4 := t.Object == "ipv4-addr"
		addr, perr := netip.ParseAddr(v)
		if perr != nil {
			pr, _ := netip.ParsePrefix(v)
			addr = pr.Addr()
		}
		if addr.Is4() != want4 {
			return fmt.Sprintf("%s compared with %q, an address of the other family", t.Object, lit.text)
		}
	}
	t.Kind, t.Value = kind, v
	return ""
}

func isPurlPath(parts []string) bool {
	last := parts[len(parts)-1]
	if last != "purl" && last != "x_purl" {
		return false
	}
	return len(parts) == 1 || len(parts) == 3 && parts[0] == "extensions"
}

// ---- context: which terms stand alone ----

type walkCtx struct {
	blocker     string // why terms below cannot stand alone; "" if they can
	start, stop int64
}

func (c walkCtx) block(reason string) walkCtx {
	if c.blocker == "" {
		c.blocker = reason
	}
	return c
}

func (p *patParser) walkObs(n *obsNode, ctx walkCtx) {
	switch n.op {
	case "OR":
		for _, k := range n.kids {
			p.walkObs(k, ctx)
		}
		return
	case "AND":
		for _, k := range n.kids {
			p.walkObs(k, ctx.block("its observation is joined by AND with another: all must be observed, so one alone is not the indicator"))
		}
		return
	case "FOLLOWEDBY":
		for _, k := range n.kids {
			p.walkObs(k, ctx.block("its observation is part of a FOLLOWEDBY sequence, which one indicator cannot express"))
		}
		return
	}
	for _, q := range n.quals {
		switch q.kind {
		case "REPEATS":
			ctx = ctx.block(fmt.Sprintf("its observation is qualified %s: one sighting is not the indicator", q.text))
		case "START":
			if ctx.start < q.start {
				ctx.start = q.start
			}
			if ctx.stop == 0 || q.stop < ctx.stop {
				ctx.stop = q.stop
			}
			if ctx.stop <= ctx.start {
				ctx = ctx.block("its START/STOP windows do not overlap, so it can never match")
			}
		}
	}
	if n.inner != nil {
		p.walkObs(n.inner, ctx)
		return
	}
	p.walkCmp(n.cmp, ctx)
}

func (p *patParser) walkCmp(n *cmpNode, ctx walkCtx) {
	switch n.op {
	case "OR":
		for _, k := range n.kids {
			p.walkCmp(k, ctx)
		}
	case "AND":
		p.walkAnd(n, ctx)
	default:
		p.settle(n.term, ctx)
	}
}

// walkAnd handles a conjunction inside one [ ].
func (p *patParser) walkAnd(n *cmpNode, ctx walkCtx) {
	var leaves []int
	nested := false
	var flatten func(*cmpNode)
	flatten = func(c *cmpNode) {
		switch c.op {
		case "AND":
			for _, k := range c.kids {
				flatten(k)
			}
		case "OR":
			nested = true
			collectTerms(c, &leaves)
		default:
			leaves = append(leaves, c.term)
		}
	}
	flatten(n)
	others := func(self int) string {
		var xs []string
		for _, j := range leaves {
			if j != self {
				xs = append(xs, p.terms[j].label())
			}
		}
		return strings.Join(xs, ", ")
	}
	if nested {
		for _, j := range leaves {
			p.settle(j, ctx.block("it is ANDed with an OR of other comparisons ("+others(j)+"); one indicator cannot express that"))
		}
		return
	}
	objects := map[string]bool{}
	sha := -1
	nsha := 0
	for _, j := range leaves {
		t := &p.terms[j]
		objects[t.Object] = true
		if t.Translated() && t.Kind == cti.KindFileSHA256 {
			sha, nsha = j, nsha+1
		}
	}
	if len(objects) > 1 {
		for _, j := range leaves {
			p.settle(j, ctx.block(fmt.Sprintf("it is ANDed with %s on a different object type (%s): two observables, one indicator describes one",
				others(j), strings.Join(sortedKeys(objects), ", "))))
		}
		return
	}
	if nsha == 1 {
		for _, j := range leaves {
			if j == sha {
				p.settle(j, ctx)
				continue
			}
			note := fmt.Sprintf("it further describes the file identified by %s, which is imported instead", p.terms[sha].label())
			if t := &p.terms[j]; t.Reason != "" {
				t.Reason += "; " + note
			}
			p.settle(j, ctx.block(note))
		}
		return
	}
	for _, j := range leaves {
		p.settle(j, ctx.block("it is ANDed with "+others(j)+"; one indicator cannot express a conjunction"))
	}
}

func collectTerms(c *cmpNode, out *[]int) {
	if c.op == "" {
		*out = append(*out, c.term)
		return
	}
	for _, k := range c.kids {
		collectTerms(k, out)
	}
}

// settle applies the context to a term. A term's own reason (unsupported
// property or operator) is more fundamental than its context and is kept.
func (p *patParser) settle(j int, ctx walkCtx) {
	t := &p.terms[j]
	t.Start, t.Stop = ctx.start, ctx.stop
	if t.Reason != "" || t.Err != nil {
		t.Kind, t.Value, t.Package = "", "", nil
		return
	}
	if ctx.blocker != "" {
		t.Reason = ctx.blocker
		t.Kind, t.Value, t.Package = "", "", nil
	}
	if t.Kind == "" && t.Reason == "" {
		t.Reason = "not a comparison ADF translates"
	}
}
