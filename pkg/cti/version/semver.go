package version

import "strings"

// semver is a SemVer 2.0.0 version. Numbers are kept as digit strings so a
// 30-digit build number neither overflows nor panics.
type semver struct {
	major, minor, patch string
	pre                 []string
}

// parseSemver parses SemVer 2.0.0 (https://semver.org/#backusnaur-form-grammar-for-valid-semver-versions)
// with a leading "v" tolerated. Build metadata is checked and dropped:
// precedence ignores it (spec item 10). In Go mode the only build metadata
// allowed is "+incompatible" on a v2+ module, as in go.mod.
func parseSemver(v string, goMode bool) (parsed, string) {
	s := strings.TrimPrefix(v, "v")
	core, build, hasBuild := strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return nil, "want MAJOR.MINOR.PATCH"
	}
	for _, p := range parts {
		if !allDigits(p) {
			return nil, "MAJOR.MINOR.PATCH must be numbers"
		}
		if len(p) > 1 && p[0] == '0' {
			return nil, "numbers must not have leading zeros"
		}
	}
	out := &semver{major: parts[0], minor: parts[1], patch: parts[2]}
	if hasPre {
		out.pre = strings.Split(pre, ".")
		for _, id := range out.pre {
			if why := checkIdent(id); why != "" {
				return nil, "prerelease: " + why
			}
			if len(id) > 1 && id[0] == '0' && allDigits(id) {
				return nil, "prerelease: numeric identifier " + id + " has a leading zero"
			}
		}
	}
	if hasBuild {
		if goMode {
			if build != "incompatible" {
				return nil, "the only build suffix of a module version is +incompatible"
			}
			if out.major == "0" || out.major == "1" {
				return nil, "+incompatible needs major version 2 or more"
			}
		} else {
			for _, id := range strings.Split(build, ".") {
				if why := checkIdent(id); why != "" {
					return nil, "build metadata: " + why
				}
			}
		}
	}
	return out, ""
}

func checkIdent(id string) string {
	if id == "" {
		return "empty identifier"
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !isDigit(c) && !isAlpha(c) && c != '-' {
			return "identifier " + id + " has a character outside [0-9A-Za-z-]"
		}
	}
	return ""
}

// cmp follows spec item 11: major, minor, patch numerically; a version
// with a prerelease is lower than the same version without; prerelease
// identifiers left to right, numeric ones numerically and lower than
// alphanumeric ones, alphanumeric ones in ASCII order; a shorter list of
// equal identifiers is lower.
func (a *semver) cmp(o parsed) int {
	b := o.(*semver)
	if c := cmpNum(a.major, b.major); c != 0 {
		return c
	}
	if c := cmpNum(a.minor, b.minor); c != 0 {
		return c
	}
	if c := cmpNum(a.patch, b.patch); c != 0 {
		return c
	}
	if len(a.pre) == 0 || len(b.pre) == 0 {
		return cmpBool(len(a.pre) == 0, len(b.pre) == 0)
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		if c := cmpIdent(a.pre[i], b.pre[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(a.pre), len(b.pre))
}

func cmpIdent(x, y string) int {
	xn, yn := allDigits(x), allDigits(y)
	switch {
	case xn && yn:
		return cmpNum(x, y)
	case xn:
		return -1
	case yn:
		return 1
	}
	return strings.Compare(x, y)
}

func (a *semver) canon() string {
	s := a.major + "." + a.minor + "." + a.patch
	if len(a.pre) > 0 {
		s += "-" + strings.Join(a.pre, ".")
	}
	return s
}
