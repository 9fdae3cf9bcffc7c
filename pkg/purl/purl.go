// Package purl parses and formats package URLs (github.com/package-url/purl-spec)
// and maps them to the OSV ecosystem and package name the CTI registry
// indexes: pkg:npm/%40scope/name@1.0.0 is npm "@scope/name" version 1.0.0.
package purl

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// PURL is a parsed package URL.
type PURL struct {
	Type       string
	Namespace  string
	Name       string
	Version    string
	Qualifiers map[string]string
	Subpath    string
}

// ErrInvalid wraps every parse error.
var ErrInvalid = errors.New("invalid purl")

// MaxLen bounds a purl's length in bytes.
const MaxLen = 4096

// Parse reads a package URL. Type is lower-cased; namespace, name and
// version are percent-decoded; names of types whose registry compares
// names case-insensitively are left as written (see cti.NormalizePackageName).
func Parse(s string) (PURL, error) {
	var p PURL
	if len(s) > MaxLen {
		return p, fmt.Errorf("%w: longer than %d bytes", ErrInvalid, MaxLen)
	}
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		return p, fmt.Errorf("%w: %q does not start with pkg:", ErrInvalid, s)
	}
	rest = strings.TrimLeft(rest, "/")
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		sub, err := url.PathUnescape(strings.Trim(rest[i+1:], "/"))
		if err != nil {
			return p, fmt.Errorf("%w: %q: subpath: %v", ErrInvalid, s, err)
		}
		p.Subpath, rest = sub, rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		q, err := parseQualifiers(rest[i+1:])
		if err != nil {
			return p, fmt.Errorf("%w: %q: %v", ErrInvalid, s, err)
		}
		p.Qualifiers, rest = q, rest[:i]
	}
	typ, path, ok := strings.Cut(rest, "/")
	if !ok || typ == "" {
		return p, fmt.Errorf("%w: %q has no type/name", ErrInvalid, s)
	}
	p.Type = strings.ToLower(typ)
	for _, r := range p.Type {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '+' || r == '-') {
			return p, fmt.Errorf("%w: %q: type %q has character %q", ErrInvalid, s, typ, r)
		}
	}
	path = strings.Trim(path, "/")
	if i := strings.LastIndexByte(path, '@'); i >= 0 {
		v, err := url.PathUnescape(path[i+1:])
		if err != nil || v == "" {
			return p, fmt.Errorf("%w: %q: bad version %q", ErrInvalid, s, path[i+1:])
		}
		p.Version, path = v, path[:i]
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		d, err := url.PathUnescape(seg)
		if err != nil || d == "" {
			return p, fmt.Errorf("%w: %q: bad path segment %q", ErrInvalid, s, seg)
		}
		segs[i] = d
	}
	p.Name = segs[len(segs)-1]
	p.Namespace = strings.Join(segs[:len(segs)-1], "/")
	if p.Type == "pypi" {
		p.Name = NormalizePyPI(p.Name)
	}
	return p, nil
}

func parseQualifiers(q string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(q, "&") {
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("qualifier %q is not key=value", kv)
		}
		dv, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("qualifier %q: %v", kv, err)
		}
		if dv != "" {
			out[strings.ToLower(k)] = dv
		}
	}
	return out, nil
}

// String formats the purl canonically: qualifiers sorted, each segment
// percent-encoded.
func (p PURL) String() string {
	var b strings.Builder
	b.WriteString("pkg:")
	b.WriteString(p.Type)
	b.WriteByte('/')
	if p.Namespace != "" {
		for _, seg := range strings.Split(p.Namespace, "/") {
			b.WriteString(escape(seg))
			b.WriteByte('/')
		}
	}
	b.WriteString(escape(p.Name))
	if p.Version != "" {
		b.WriteByte('@')
		b.WriteString(escape(p.Version))
	}
	if len(p.Qualifiers) > 0 {
		keys := make([]string, 0, len(p.Qualifiers))
		for k := range p.Qualifiers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i == 0 {
				b.WriteByte('?')
			} else {
				b.WriteByte('&')
			}
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(p.Qualifiers[k]))
		}
	}
	if p.Subpath != "" {
		b.WriteByte('#')
		b.WriteString(p.Subpath)
	}
	return b.String()
}

// escape percent-encodes a segment, keeping what the spec allows bare.
func escape(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "@", "%40")
}

// NormalizePyPI applies PEP 503 name normalisation, as the purl spec asks
// for pypi names and as OSV and the registry key PyPI projects: lower case,
// every run of '-', '_' and '.' one '-' ("Foo_Bar.baz" is "foo-bar-baz").
func NormalizePyPI(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for _, r := range strings.ToLower(name) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// ecosystems maps purl types to OSV ecosystem names.
var ecosystems = map[string]string{
	"npm":      "npm",
	"pypi":     "PyPI",
	"golang":   "Go",
	"cargo":    "crates.io",
	"gem":      "RubyGems",
	"maven":    "Maven",
	"nuget":    "NuGet",
	"composer": "Packagist",
	"pub":      "Pub",
	"hex":      "Hex",
}

// types is the inverse of ecosystems.
var types = func() map[string]string {
	m := make(map[string]string, len(ecosystems))
	for t, e := range ecosystems {
		m[e] = t
	}
	return m
}()

// Ecosystem is the OSV ecosystem and package name of a purl, or an error
// for a type OSV has no ecosystem for.
func (p PURL) Ecosystem() (ecosystem, name string, err error) {
	eco, ok := ecosystems[p.Type]
	if !ok {
		return "", "", fmt.Errorf("%w: purl type %q has no OSV ecosystem", ErrInvalid, p.Type)
	}
	switch p.Type {
	case "maven":
		if p.Namespace == "" {
			return "", "", fmt.Errorf("%w: maven purl %q has no group", ErrInvalid, p.String())
		}
		return eco, p.Namespace + ":" + p.Name, nil
	case "npm", "golang", "composer":
		if p.Namespace != "" {
			return eco, p.Namespace + "/" + p.Name, nil
		}
	}
	return eco, p.Name, nil
}

// FromEcosystem builds the purl of an OSV ecosystem package at a version.
func FromEcosystem(ecosystem, name, version string) (PURL, error) {
	typ, ok := types[ecosystem]
	if !ok {
		return PURL{}, fmt.Errorf("%w: ecosystem %q has no purl type", ErrInvalid, ecosystem)
	}
	p := PURL{Type: typ, Name: name, Version: version}
	switch typ {
	case "maven":
		g, a, ok := strings.Cut(name, ":")
		if !ok {
			return PURL{}, fmt.Errorf("%w: maven name %q is not group:artifact", ErrInvalid, name)
		}
		p.Namespace, p.Name = g, a
	case "npm", "golang", "composer":
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			p.Namespace, p.Name = name[:i], name[i+1:]
		}
	case "pypi":
		p.Name = NormalizePyPI(name)
	}
	if p.Name == "" {
		return PURL{}, fmt.Errorf("%w: empty package name", ErrInvalid)
	}
	return p, nil
}
