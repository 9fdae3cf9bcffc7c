package version

import "strings"

// The generic comparator serves NuGet, Packagist and every ecosystem this
// package has no rules for. A version is
//
//	[v|V] N(.N)* [-PRE] [+BUILD]
//
// N are decimal numbers; PRE and BUILD are ASCII letters, digits, "." and
// "-". It orders:
//
//  1. the numbers, numerically, a missing one being 0 (NuGet's 1.0 ==
//     1.0.0.0);
//  2. a version without PRE above the same one with it (1.0-rc1 < 1.0);
//  3. PRE cut at ".", "-" and digit/letter changes (beta10 is beta.10),
//     piece by piece: numbers numerically and below words, words in ASCII
//     order ignoring case (NuGet's labels are case-insensitive); fewer
//     pieces lower when the rest are equal.
//
// BUILD is ignored. For SemVer-shaped versions this is SemVer's order,
// except that beta10 > beta2 here (SemVer compares "beta10" and "beta2" as
// strings). Known gaps: Composer's "-patch"/"-pl" suffixes sort above the
// release there and below it here; Composer branch names ("dev-main") and
// NuGet's legacy four-part semantics are not modelled.
type generic struct {
	release []string // trailing zeros dropped
	pre     []string // lower-case pieces
}

func parseGeneric(v string) (parsed, string) {
	s := v
	if len(s) > 0 && (s[0] == 'v' || s[0] == 'V') {
		s = s[1:]
	}
	s, build, hasBuild := strings.Cut(s, "+")
	s, pre, hasPre := strings.Cut(s, "-")
	out := &generic{}
	for _, n := range strings.Split(s, ".") {
		if !allDigits(n) {
			return nil, "want dot-separated numbers before any -prerelease or +build"
		}
		out.release = append(out.release, trimZeros(n))
	}
	out.release = dropZeros(out.release)
	if hasPre {
		if pre == "" {
			return nil, "empty prerelease"
		}
		for i := 0; i < len(pre); {
			c := pre[i]
			j := i + 1
			switch {
			case c == '.' || c == '-':
				i = j
				continue
			case isDigit(c):
				for j < len(pre) && isDigit(pre[j]) {
					j++
				}
				out.pre = append(out.pre, trimZeros(pre[i:j]))
			case isAlpha(c):
				for j < len(pre) && isAlpha(pre[j]) {
					j++
				}
				out.pre = append(out.pre, strings.ToLower(pre[i:j]))
			default:
				return nil, "prerelease has a character outside [0-9A-Za-z.-]"
			}
			i = j
		}
		if len(out.pre) == 0 {
			return nil, "prerelease has no letters or digits"
		}
	}
	if hasBuild {
		if build == "" {
			return nil, "empty build metadata"
		}
		for i := 0; i < len(build); i++ {
			if c := build[i]; !isDigit(c) && !isAlpha(c) && c != '.' && c != '-' {
				return nil, "build metadata has a character outside [0-9A-Za-z.-]"
			}
		}
	}
	return out, ""
}

func (a *generic) cmp(o parsed) int {
	b := o.(*generic)
	for i := 0; i < len(a.release) || i < len(b.release); i++ {
		x, y := "0", "0"
		if i < len(a.release) {
			x = a.release[i]
		}
		if i < len(b.release) {
			y = b.release[i]
		}
		if c := cmpNum(x, y); c != 0 {
			return c
		}
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

func (a *generic) canon() string {
	s := "0"
	if len(a.release) > 0 {
		s = strings.Join(a.release, ".")
	}
	if len(a.pre) > 0 {
		s += "-" + strings.Join(a.pre, ".")
	}
	return s
}
