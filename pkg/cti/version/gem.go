package version

import (
	"regexp"
	"strings"
)

// gemRe is Gem::Version::ANCHORED_VERSION_PATTERN without the empty case
// (Ruby reads "" as "0"; an empty version names nothing here).
var gemRe = regexp.MustCompile(`^\s*[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?\s*$`)

// gem is Gem::Version#canonical_segments: digit runs as numbers (leading
// zeros dropped), letter runs as strings, trailing zeros dropped from the
// numeric part and from the part that starts at the first string.
type gem struct {
	segs []string
}

func parseGem(v string) (parsed, string) {
	if !gemRe.MatchString(v) {
		return nil, "does not match Gem::Version's pattern"
	}
	// Gem::Version reads "1.0-beta" as "1.0.pre.beta": a hyphen starts a
	// prerelease.
	s := strings.ReplaceAll(strings.TrimSpace(v), "-", ".pre.")
	var segs []string
	for i := 0; i < len(s); {
		j := i
		switch {
		case isDigit(s[i]):
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			segs = append(segs, trimZeros(s[i:j]))
		case isAlpha(s[i]):
			for j < len(s) && isAlpha(s[j]) {
				j++
			}
			segs = append(segs, s[i:j])
		default:
			j++
		}
		i = j
	}
	first := len(segs)
	for i, x := range segs {
		if !isDigit(x[0]) {
			first = i
			break
		}
	}
	out := &gem{segs: append(dropZeros(segs[:first:first]), dropZeros(segs[first:])...)}
	return out, ""
}

func dropZeros(s []string) []string {
	for len(s) > 0 && s[len(s)-1] == "0" {
		s = s[:len(s)-1]
	}
	return s
}

// cmp is Gem::Version#<=>: segment by segment, a missing segment being 0;
// a string segment is lower than a number (so 1.0.a < 1.0); strings compare
// byte-wise, numbers numerically.
func (a *gem) cmp(o parsed) int {
	b := o.(*gem)
	n := max(len(a.segs), len(b.segs))
	for i := 0; i < n; i++ {
		x, y := "0", "0"
		if i < len(a.segs) {
			x = a.segs[i]
		}
		if i < len(b.segs) {
			y = b.segs[i]
		}
		if x == y {
			continue
		}
		xn, yn := isDigit(x[0]), isDigit(y[0])
		switch {
		case xn && yn:
			return cmpNum(x, y)
		case xn:
			return 1
		case yn:
			return -1
		}
		return strings.Compare(x, y)
	}
	return 0
}

func (a *gem) canon() string { return strings.Join(a.segs, ".") }
