// Package version orders package versions the way each ecosystem's own
// tooling does, so that an OSV range such as {introduced: 1.0, fixed: 1.0.5}
// means the same thing to the chain, to `adf gate --snapshot` and to the
// registry the package came from.
//
// Schemes, and the OSV ecosystems that use them:
//
//	SemVer    npm, crates.io, Hex, Pub, and every OSV range of type SEMVER:
//	          SemVer 2.0.0 (https://semver.org), a leading "v" tolerated,
//	          build metadata ignored.
//	Go        Go module versions: SemVer with pseudo-versions ordered as the
//	          prereleases they are and "+incompatible" ignored. The "v" is
//	          optional because OSV's Go ecosystem writes versions without it
//	          while module paths and purls carry it.
//	PEP440    PyPI: epochs, pre/post/dev releases, local versions, and the
//	          normalisation rules (1.0 == 1.0.0, 1.0rc1 == 1.0.0rc1,
//	          1.0-1 == 1.0.post1).
//	RubyGems  RubyGems: Gem::Version.
//	Maven     Maven: org.apache.maven.artifact.versioning.ComparableVersion
//	          (Maven 3.6 rules).
//	Generic   everything else, including NuGet and Packagist: see
//	          generic.go for the exact rules.
//
// Every comparison is integer and byte arithmetic on the version strings:
// numbers of any length are compared as digit strings, so there is no
// overflow, no float and no dependence on map order. That matters because
// these functions run inside chain queries.
package version

import (
	"errors"
	"fmt"
	"strings"
)

// Scheme is a version ordering.
type Scheme uint8

// Schemes.
const (
	Generic Scheme = iota
	SemVer
	Go
	PEP440
	RubyGems
	Maven
)

var schemeNames = [...]string{
	Generic:  "generic",
	SemVer:   "SemVer",
	Go:       "Go",
	PEP440:   "PEP 440",
	RubyGems: "RubyGems",
	Maven:    "Maven",
}

// String names the scheme.
func (s Scheme) String() string {
	if int(s) < len(schemeNames) {
		return schemeNames[s]
	}
	return fmt.Sprintf("Scheme(%d)", s)
}

// SchemeOf is the scheme of an OSV ecosystem. Only the part before the first
// ":" counts ("Debian:11" is "Debian"). An ecosystem it does not know uses
// Generic.
func SchemeOf(ecosystem string) Scheme {
	if i := strings.IndexByte(ecosystem, ':'); i >= 0 {
		ecosystem = ecosystem[:i]
	}
	switch ecosystem {
	case "npm", "crates.io", "Hex", "Pub", "SEMVER":
		return SemVer
	case "Go":
		return Go
	case "PyPI":
		return PEP440
	case "RubyGems":
		return RubyGems
	case "Maven":
		return Maven
	}
	return Generic
}

// ErrInvalid wraps every error about a malformed version.
var ErrInvalid = errors.New("invalid version")

// MaxLen bounds the versions this package parses. It is far above any real
// version and the registry's own limit (cti.MaxVersionLen); it keeps parsing
// cost bounded for hostile input.
const MaxLen = 1024

// Version is a parsed version. The zero value is not a valid version.
type Version struct {
	scheme Scheme
	p      parsed
}

// parsed is one scheme's parsed form. cmp is only called with the same
// concrete type; canon returns a string that is equal for two versions
// exactly when cmp says they are equal.
type parsed interface {
	cmp(o parsed) int
	canon() string
}

// Parse parses v with s's rules. The error names v and the scheme.
func (s Scheme) Parse(v string) (Version, error) {
	return s.parse(v, s.String())
}

func (s Scheme) parse(v, label string) (Version, error) {
	if v == "" {
		return Version{}, fmt.Errorf("%w: empty %s version", ErrInvalid, label)
	}
	if len(v) > MaxLen {
		return Version{}, fmt.Errorf("%w: %s version longer than %d bytes", ErrInvalid, label, MaxLen)
	}
	var (
		p   parsed
		why string
	)
	switch s {
	case SemVer:
		p, why = parseSemver(v, false)
	case Go:
		p, why = parseSemver(v, true)
	case PEP440:
		p, why = parsePEP440(v)
	case RubyGems:
		p, why = parseGem(v)
	case Maven:
		p, why = parseMaven(v)
	default:
		p, why = parseGeneric(v)
	}
	if why != "" {
		if label != s.String() {
			label += " (" + s.String() + ")"
		}
		return Version{}, fmt.Errorf("%w: %q is not a valid %s version: %s", ErrInvalid, v, label, why)
	}
	return Version{scheme: s, p: p}, nil
}

// Compare orders two versions of the same scheme: -1, 0 or +1. Versions of
// different schemes are ordered by scheme, so that sorting a mixed slice is
// still deterministic; the zero Version sorts first.
func (a Version) Compare(b Version) int {
	switch {
	case a.p == nil || b.p == nil:
		return cmpBool(a.p != nil, b.p != nil)
	case a.scheme != b.scheme:
		return cmpInt(int(a.scheme), int(b.scheme))
	}
	return a.p.cmp(b.p)
}

// Canonical is an equality key: two versions of one scheme have the same
// Canonical exactly when Compare says they are equal. It is not meant for
// display (PEP 440's "1.0" is "1", for instance).
func (a Version) Canonical() string {
	if a.p == nil {
		return ""
	}
	return a.p.canon()
}

// Scheme is the scheme v was parsed with.
func (a Version) Scheme() Scheme { return a.scheme }

// Parse parses v as a version of ecosystem. The error names v and the
// ecosystem.
func Parse(ecosystem, v string) (Version, error) {
	return SchemeOf(ecosystem).parse(v, ecosystemLabel(ecosystem))
}

// Valid reports whether v is a version of ecosystem; the error names v, the
// ecosystem and what is wrong.
func Valid(ecosystem, v string) error {
	_, err := Parse(ecosystem, v)
	return err
}

// Compare orders a and b by ecosystem's rules: -1 when a < b, 0 when they
// are the same version (PyPI "1.0" and "1.0.0"), +1 when a > b. Either being
// invalid is an error.
func Compare(ecosystem, a, b string) (int, error) {
	va, err := Parse(ecosystem, a)
	if err != nil {
		return 0, err
	}
	vb, err := Parse(ecosystem, b)
	if err != nil {
		return 0, err
	}
	return va.Compare(vb), nil
}

// Canonical is Parse(ecosystem, v).Canonical().
func Canonical(ecosystem, v string) (string, error) {
	p, err := Parse(ecosystem, v)
	if err != nil {
		return "", err
	}
	return p.Canonical(), nil
}

func ecosystemLabel(e string) string {
	if e == "" {
		return "(no ecosystem)"
	}
	return e
}

// cmpNum compares two non-empty ASCII digit strings as unbounded integers.
func cmpNum(a, b string) int {
	a, b = trimZeros(a), trimZeros(b)
	if len(a) != len(b) {
		return cmpInt(len(a), len(b))
	}
	return strings.Compare(a, b)
}

// trimZeros drops leading zeros, keeping one digit.
func trimZeros(s string) string {
	i := 0
	for i < len(s)-1 && s[i] == '0' {
		i++
	}
	return s[i:]
}

func isZero(s string) bool { return trimZeros(s) == "0" }

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
