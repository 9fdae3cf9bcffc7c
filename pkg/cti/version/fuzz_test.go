package version

import "testing"

var fuzzEcosystems = []string{"npm", "Go", "PyPI", "RubyGems", "Maven", "NuGet"}

// FuzzCompare checks, for every scheme, that Compare never panics, fails
// exactly when Valid does, is antisymmetric and transitive, and agrees with
// Canonical about equality (the index relies on that for exact versions).
func FuzzCompare(f *testing.F) {
	seeds := [][3]string{
		{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0"},
		{"v0.0.0-20191109021931-daa7c04131f5", "v1.2.4-0.20191109021931-daa7c04131f5", "v2.0.0+incompatible"},
		{"1.0rc1", "1!1.0.post1.dev2+abc.5", "1.0.0"},
		{"1.0.a", "1.0.0-rc1", "1.0.b1"},
		{"1-alpha2snapshot", "1--a", "2.1.0.1"},
		{"1.0.0-Beta10", "1.0", "1.0.0.0"},
	}
	for _, s := range seeds {
		f.Add(uint8(0), s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, e uint8, a, b, c string) {
		eco := fuzzEcosystems[int(e)%len(fuzzEcosystems)]
		ab, errAB := Compare(eco, a, b)
		ea, eb := Valid(eco, a), Valid(eco, b)
		if (errAB != nil) != (ea != nil || eb != nil) {
			t.Fatalf("%s: Compare(%q, %q) err %v but Valid gives %v, %v", eco, a, b, errAB, ea, eb)
		}
		if errAB != nil {
			return
		}
		ba, _ := Compare(eco, b, a)
		if ab != -ba {
			t.Fatalf("%s: Compare(%q, %q) = %d but Compare(%q, %q) = %d", eco, a, b, ab, b, a, ba)
		}
		if aa, _ := Compare(eco, a, a); aa != 0 {
			t.Fatalf("%s: Compare(%q, %q) = %d", eco, a, a, aa)
		}
		ca, _ := Canonical(eco, a)
		cb, _ := Canonical(eco, b)
		if (ab == 0) != (ca == cb) {
			t.Fatalf("%s: Compare(%q, %q) = %d but canonical forms %q and %q", eco, a, b, ab, ca, cb)
		}
		if Valid(eco, c) != nil {
			return
		}
		// Maven's own order is intransitive for versions that do not start
		// with a digit (see maven.go).
		if eco == "Maven" && !(isDigit(a[0]) && isDigit(b[0]) && isDigit(c[0])) {
			return
		}
		bc, _ := Compare(eco, b, c)
		ac, _ := Compare(eco, a, c)
		if ab <= 0 && bc <= 0 && ac > 0 || ab >= 0 && bc >= 0 && ac < 0 {
			t.Fatalf("%s: not transitive: %q %q %q: %d %d %d", eco, a, b, c, ab, bc, ac)
		}
	})
}
