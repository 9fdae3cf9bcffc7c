package version

import "strings"

// Maven versions follow org.apache.maven.artifact.versioning.ComparableVersion
// as of maven-artifact 3.9 (https://maven.apache.org/pom.html#version-order-specification):
// the version is cut into numbers and qualifiers at ".", "-" and
// digit/letter transitions; "-" and a transition open a nested list;
// trailing "null" items (0, "", "final", "ga", "release") are dropped from
// every list. Qualifiers order alpha < beta < milestone < rc = cr <
// snapshot < "" = ga = final = release < sp, and unknown qualifiers come
// after sp in ASCII order. "a1", "b1", "m1" mean alpha1, beta1, milestone1.
//
// ComparableVersion accepts any string; here a version must be non-empty
// printable ASCII letters, digits and "._+~-", which every version on Maven
// Central is. That keeps Java's Unicode digit and case rules out of it.
//
// ComparableVersion is not transitive for versions that do not start with a
// digit (".a0" < "." < "a" yet ".a0" > "a", because a nested list beats a
// qualifier but loses to a missing item). Such versions are kept (Guava's
// "r03" is one) and compared exactly as Maven does; nothing here sorts
// Maven versions, so the only consequence is Maven's own.

type mKind uint8

const (
	mInt mKind = iota
	mStr
	mList
)

type mItem struct {
	kind mKind
	s    string // mInt: digits without leading zeros; mStr: the qualifier after aliasing
	list []*mItem
}

var mavenQualifiers = map[string]string{
	"alpha": "0", "beta": "1", "milestone": "2", "rc": "3", "snapshot": "4", "": "5", "sp": "6",
}

var mavenAliases = map[string]string{"ga": "", "final": "", "release": "", "cr": "rc"}

func newMavenString(s string, followedByDigit bool) *mItem {
	if followedByDigit && len(s) == 1 {
		switch s {
		case "a":
			s = "alpha"
		case "b":
			s = "beta"
		case "m":
			s = "milestone"
		}
	}
	if a, ok := mavenAliases[s]; ok {
		s = a
	}
	return &mItem{kind: mStr, s: s}
}

func parseMavenItem(isDigit bool, s string) *mItem {
	if isDigit {
		return &mItem{kind: mInt, s: trimZeros(s)}
	}
	return newMavenString(s, false)
}

func parseMaven(v string) (parsed, string) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isDigit(c) && !isAlpha(c) && !strings.ContainsRune("._+~-", rune(c)) {
			return nil, "want ASCII letters, digits and ._+~- only"
		}
	}
	v = strings.ToLower(v)
	root := &mItem{kind: mList}
	list := root
	stack := []*mItem{root}
	push := func() {
		n := &mItem{kind: mList}
		list.list = append(list.list, n)
		list = n
		stack = append(stack, n)
	}
	zero := func() *mItem { return &mItem{kind: mInt, s: "0"} }
	isDig := false
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '.':
			if i == start {
				list.list = append(list.list, zero())
			} else {
				list.list = append(list.list, parseMavenItem(isDig, v[start:i]))
			}
			start = i + 1
		case c == '-':
			if i == start {
				list.list = append(list.list, zero())
			} else {
				list.list = append(list.list, parseMavenItem(isDig, v[start:i]))
			}
			start = i + 1
			push()
		case isDigit(c):
			if !isDig && i > start {
				if len(list.list) > 0 {
					push()
				}
				list.list = append(list.list, newMavenString(v[start:i], true))
				start = i
				push()
			}
			isDig = true
		default:
			if isDig && i > start {
				list.list = append(list.list, parseMavenItem(true, v[start:i]))
				start = i
				push()
			}
			isDig = false
		}
	}
	if len(v) > start {
		// 1.0.0.X1 < 1.0.0-X2: a trailing qualifier after "." is treated
		// like one after "-".
		if !isDig && len(list.list) > 0 {
			push()
		}
		list.list = append(list.list, parseMavenItem(isDig, v[start:]))
	}
	for i := len(stack) - 1; i >= 0; i-- {
		stack[i].normalize()
	}
	return root, ""
}

func (it *mItem) isNull() bool {
	switch it.kind {
	case mInt:
		return it.s == "0"
	case mStr:
		return it.s == ""
	}
	return len(it.list) == 0
}

// normalize drops null items from the end, looking through (but keeping)
// non-empty nested lists, as ListItem.normalize does.
func (it *mItem) normalize() {
	for i := len(it.list) - 1; i >= 0; i-- {
		last := it.list[i]
		if last.isNull() {
			it.list = append(it.list[:i], it.list[i+1:]...)
		} else if last.kind != mList {
			break
		}
	}
}

func qualifierKey(s string) string {
	if k, ok := mavenQualifiers[s]; ok {
		return k
	}
	return "7-" + s
}

// compare is Item.compareTo; o == nil stands for a missing item.
func (it *mItem) compare(o *mItem) int {
	switch it.kind {
	case mInt:
		if o == nil {
			return cmpBool(it.s != "0", false)
		}
		if o.kind == mInt {
			return cmpNum(it.s, o.s)
		}
		return 1 // 1.1 > 1-sp, 1.1 > 1-1
	case mStr:
		if o == nil {
			// 1-rc < 1, 1-sp > 1
			return strings.Compare(qualifierKey(it.s), "5")
		}
		if o.kind == mStr {
			return strings.Compare(qualifierKey(it.s), qualifierKey(o.s))
		}
		return -1 // 1.any < 1.1, 1.any < 1-1
	}
	if o == nil {
		for _, x := range it.list {
			if c := x.compare(nil); c != 0 {
				return c
			}
		}
		return 0
	}
	switch o.kind {
	case mInt:
		return -1 // 1-1 < 1.0.x
	case mStr:
		return 1 // 1-1 > 1-sp
	}
	for i := 0; i < len(it.list) || i < len(o.list); i++ {
		var c int
		switch {
		case i >= len(it.list):
			c = -o.list[i].compare(nil)
		case i >= len(o.list):
			c = it.list[i].compare(nil)
		default:
			c = it.list[i].compare(o.list[i])
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func (it *mItem) cmp(o parsed) int { return it.compare(o.(*mItem)) }

// canon writes the normalised tree with explicit nesting. (Java's
// getCanonical() writes "1-a" for both "1-a" and "1--a", which compare
// differently, so it cannot serve as an equality key.)
func (it *mItem) canon() string {
	var b strings.Builder
	it.writeCanon(&b)
	return b.String()
}

func (it *mItem) writeCanon(b *strings.Builder) {
	switch it.kind {
	case mInt:
		b.WriteString(it.s)
	case mStr:
		b.WriteByte('\'')
		b.WriteString(it.s)
	default:
		b.WriteByte('[')
		for i, x := range it.list {
			if i > 0 {
				b.WriteByte(',')
			}
			x.writeCanon(b)
		}
		b.WriteByte(']')
	}
}
