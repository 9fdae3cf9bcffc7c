package version

import (
	"regexp"
	"strings"
)

// pep440Re is packaging.version.VERSION_PATTERN
// (https://packaging.python.org/en/latest/specifications/version-specifiers/#appendix-parsing-version-strings-with-regular-expressions),
// case-insensitive and anchored. Go's regexp picks the same submatches a
// backtracking engine would, so alternations such as "alpha|a" resolve as
// they do in Python.
var pep440Re = regexp.MustCompile(`(?i)^\s*v?` +
	`(?:(?P<epoch>[0-9]+)!)?` +
	`(?P<release>[0-9]+(?:\.[0-9]+)*)` +
	`(?P<pre>[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?` +
	`(?P<post>(?:-(?P<post_n1>[0-9]+))|(?:[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?))?` +
	`(?P<dev>[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?` +
	`(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$`)

var pep440Idx = func() map[string]int {
	m := map[string]int{}
	for i, n := range pep440Re.SubexpNames() {
		if n != "" {
			m[n] = i
		}
	}
	return m
}()

// pep440 is a parsed PEP 440 version, already normalised: numbers without
// leading zeros, the release without trailing zeros, pre-release spelled
// a/b/rc, local segments lower-case.
type pep440 struct {
	epoch   string
	release []string
	preL    int // 0 none, 1 a, 2 b, 3 rc
	preN    string
	hasPost bool
	post    string
	hasDev  bool
	dev     string
	local   []string
}

func parsePEP440(v string) (parsed, string) {
	m := pep440Re.FindStringSubmatch(v)
	if m == nil {
		return nil, "does not match PEP 440's version grammar"
	}
	g := func(n string) string { return m[pep440Idx[n]] }
	num := func(s string) string {
		if s == "" {
			return "0"
		}
		return trimZeros(s)
	}
	out := &pep440{epoch: num(g("epoch"))}
	rel := strings.Split(g("release"), ".")
	for i := range rel {
		rel[i] = trimZeros(rel[i])
	}
	// Trailing zeros do not count: 1.0 == 1.0.0 (packaging's _cmpkey).
	for len(rel) > 0 && rel[len(rel)-1] == "0" {
		rel = rel[:len(rel)-1]
	}
	out.release = rel
	if g("pre") != "" {
		switch strings.ToLower(g("pre_l")) {
		case "a", "alpha":
			out.preL = 1
		case "b", "beta":
			out.preL = 2
		default: // c, rc, pre, preview
			out.preL = 3
		}
		out.preN = num(g("pre_n"))
	}
	if g("post") != "" {
		out.hasPost = true
		if n := g("post_n1"); n != "" {
			out.post = num(n)
		} else {
			out.post = num(g("post_n2"))
		}
	}
	if g("dev") != "" {
		out.hasDev, out.dev = true, num(g("dev_n"))
	}
	if l := g("local"); l != "" {
		out.local = strings.FieldsFunc(strings.ToLower(l), func(r rune) bool { return r == '-' || r == '_' || r == '.' })
		for i, s := range out.local {
			if allDigits(s) {
				out.local[i] = trimZeros(s)
			}
		}
	}
	return out, ""
}

// cmp is packaging's _cmpkey ordering: epoch, release, then pre-release
// (a dev release of a final version sorts before its alphas; a version with
// no pre-release sorts after its pre-releases), post-release (none lowest),
// dev-release (none highest), local version (none lowest; numeric segments
// above alphanumeric ones; a shorter list of equal segments lower).
func (a *pep440) cmp(o parsed) int {
	b := o.(*pep440)
	if c := cmpNum(a.epoch, b.epoch); c != 0 {
		return c
	}
	for i := 0; i < len(a.release) && i < len(b.release); i++ {
		if c := cmpNum(a.release[i], b.release[i]); c != 0 {
			return c
		}
	}
	if c := cmpInt(len(a.release), len(b.release)); c != 0 {
		return c
	}
	if c := cmpInt(a.preRank(), b.preRank()); c != 0 {
		return c
	}
	if a.preL != 0 {
		if c := cmpNum(a.preN, b.preN); c != 0 {
			return c
		}
	}
	if c := cmpBool(a.hasPost, b.hasPost); c != 0 {
		return c
	}
	if a.hasPost {
		if c := cmpNum(a.post, b.post); c != 0 {
			return c
		}
	}
	if c := cmpBool(!a.hasDev, !b.hasDev); c != 0 {
		return c
	}
	if a.hasDev {
		if c := cmpNum(a.dev, b.dev); c != 0 {
			return c
		}
	}
	if c := cmpBool(len(a.local) > 0, len(b.local) > 0); c != 0 {
		return c
	}
	for i := 0; i < len(a.local) && i < len(b.local); i++ {
		x, y := a.local[i], b.local[i]
		xn, yn := allDigits(x), allDigits(y)
		var c int
		switch {
		case xn && yn:
			c = cmpNum(x, y)
		case xn != yn:
			c = cmpBool(xn, yn)
		default:
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
	return cmpInt(len(a.local), len(b.local))
}

// preRank places the pre-release part: 0 for "dev release of a final
// version" (-Infinity in packaging), 1..3 for a, b, rc, 4 for none
// (+Infinity).
func (a *pep440) preRank() int {
	switch {
	case a.preL != 0:
		return a.preL
	case !a.hasPost && a.hasDev:
		return 0
	}
	return 4
}

func (a *pep440) canon() string {
	var b strings.Builder
	if a.epoch != "0" {
		b.WriteString(a.epoch)
		b.WriteByte('!')
	}
	if len(a.release) == 0 {
		b.WriteByte('0')
	}
	b.WriteString(strings.Join(a.release, "."))
	if a.preL != 0 {
		b.WriteString([...]string{"", "a", "b", "rc"}[a.preL])
		b.WriteString(a.preN)
	}
	if a.hasPost {
		b.WriteString(".post")
		b.WriteString(a.post)
	}
	if a.hasDev {
		b.WriteString(".dev")
		b.WriteString(a.dev)
	}
	if len(a.local) > 0 {
		b.WriteByte('+')
		b.WriteString(strings.Join(a.local, "."))
	}
	return b.String()
}
