package version

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// ascending checks that every earlier entry of each list is lower than
// every later one, in both argument orders, and that Canonical differs.
func ascending(t *testing.T, eco string, lists ...[]string) {
	t.Helper()
	for _, vs := range lists {
		for i := range vs {
			for j := range vs {
				want := cmpInt(i, j)
				got, err := Compare(eco, vs[i], vs[j])
				if err != nil {
					t.Fatalf("%s: Compare(%q, %q): %v", eco, vs[i], vs[j], err)
				}
				if got != want {
					t.Errorf("%s: Compare(%q, %q) = %d, want %d", eco, vs[i], vs[j], got, want)
				}
			}
		}
	}
}

// equal checks pairs that are the same version under eco's rules.
func equal(t *testing.T, eco string, pairs ...[2]string) {
	t.Helper()
	for _, p := range pairs {
		c, err := Compare(eco, p[0], p[1])
		if err != nil {
			t.Fatalf("%s: Compare(%q, %q): %v", eco, p[0], p[1], err)
		}
		if c != 0 {
			t.Errorf("%s: Compare(%q, %q) = %d, want 0", eco, p[0], p[1], c)
		}
		ca, _ := Canonical(eco, p[0])
		cb, _ := Canonical(eco, p[1])
		if ca != cb {
			t.Errorf("%s: Canonical(%q) = %q, Canonical(%q) = %q, want equal", eco, p[0], ca, p[1], cb)
		}
	}
}

// invalid checks that each version is refused with an error naming it and
// the ecosystem.
func invalid(t *testing.T, eco string, vs ...string) {
	t.Helper()
	for _, v := range vs {
		err := Valid(eco, v)
		if err == nil {
			t.Errorf("%s: Valid(%q) = nil, want error", eco, v)
			continue
		}
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), eco) || (v != "" && !strings.Contains(err.Error(), strconv.Quote(v))) {
			t.Errorf("%s: Valid(%q) = %v, want ErrInvalid naming the version and ecosystem", eco, v, err)
		}
		if _, err := Compare(eco, v, "1.0.0"); err == nil {
			t.Errorf("%s: Compare(%q, 1.0.0) did not fail", eco, v)
		}
	}
}

func TestSemVer(t *testing.T) {
	for _, eco := range []string{"npm", "crates.io", "SEMVER"} {
		// semver.org item 11's examples, in order.
		ascending(t, eco,
			[]string{"1.0.0", "2.0.0", "2.1.0", "2.1.1"},
			[]string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"},
			[]string{"0.0.0", "0.0.1", "0.1.0", "0.9.9", "0.10.0", "1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-A", "1.0.0-a", "1.0.0-a-b", "1.0.0", "1.0.1", "1.2.3", "1.10.0", "10.0.0", "99999999999999999999.0.0", "100000000000000000000.0.0"},
			[]string{"1.0.0-x.7.z.92", "1.0.0-x.7.z.92.1", "1.0.0-x.8"},
		)
		equal(t, eco,
			[2]string{"1.0.0+20130313144700", "1.0.0"},
			[2]string{"1.0.0-beta+exp.sha.5114f85", "1.0.0-beta"},
			[2]string{"1.0.0+21AF26D3----117B344092BD", "1.0.0+a"},
			[2]string{"v1.2.3", "1.2.3"},
		)
		invalid(t, eco, "", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.3-01", "1.2.3-", "1.2.3+", "1.2.3-a..b", "1.2.3-a_b", "a.b.c", "1.2.3 ", "vv1.2.3", "=1.2.3", "1.2.3+a+b")
	}
}

func TestGo(t *testing.T) {
	ascending(t, "Go",
		// A pseudo-version of an untagged module, the first tag, a
		// pseudo-version after v1.2.3 (v1.2.4-0.…), v1.2.4 itself.
		[]string{
			"v0.0.0-20191109021931-daa7c04131f5",
			"v0.0.0-20200101000000-aaaaaaaaaaaa",
			"v0.1.0",
			"v1.2.3-pre",
			"v1.2.3-pre.0.20191109021931-daa7c04131f5",
			"v1.2.3",
			"v1.2.4-0.20191109021931-daa7c04131f5",
			"v1.2.4",
			"v2.0.0+incompatible",
			"v2.0.1",
			"v10.0.0",
		},
		// OSV's Go entries drop the "v".
		[]string{"0.0.0-20210101000000-abcdefabcdef", "1.20.3", "1.20.10", "1.21.0-rc.1", "1.21.0"},
	)
	equal(t, "Go",
		[2]string{"v2.0.0+incompatible", "v2.0.0"},
		[2]string{"v1.20.3", "1.20.3"},
	)
	invalid(t, "Go", "v1", "v1.2", "v1.0.0+incompatible", "v2.0.0+meta", "v1.02.0", "1.2.3.4", "latest")
}

func TestPEP440(t *testing.T) {
	// PEP 440's "Summary of permitted suffixes and relative ordering"
	// example, in order.
	ascending(t, "PyPI",
		[]string{
			"1.dev0",
			"1.0.dev456",
			"1.0a1",
			"1.0a2.dev456",
			"1.0a12.dev456",
			"1.0a12",
			"1.0b1.dev456",
			"1.0b2",
			"1.0b2.post345.dev456",
			"1.0b2.post345",
			"1.0rc1.dev456",
			"1.0rc1",
			"1.0",
			"1.0+abc.5",
			"1.0+abc.7",
			"1.0+5",
			"1.0.post456.dev34",
			"1.0.post456",
			"1.0.15",
			"1.1.dev1",
		},
		// Epochs trump everything; final releases as in the spec's
		// "Final releases" section.
		[]string{"0.9", "0.9.1", "0.9.2", "0.9.10", "0.9.11", "1.0", "1.0.1", "1.1", "2.0", "2.0.1", "2013.10", "2014.04", "1!0.1", "1!1.0", "2!0.0.1"},
		[]string{"1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0a1.post1.dev1", "1.0a1.post1", "1.0b1", "1.0rc1", "1.0", "1.0.post1.dev1", "1.0.post1", "1.0.1"},
		[]string{"1.0+a", "1.0+a.1", "1.0+b", "1.0+0", "1.0+1", "1.0+1.a", "1.0+1.0", "1.0+2"},
	)
	// PEP 440 "Normalization".
	equal(t, "PyPI",
		[2]string{"1.0", "1.0.0"},
		[2]string{"1.0", "1"},
		[2]string{"1.0rc1", "1.0.0rc1"},
		[2]string{"1.0RC1", "1.0rc1"},
		[2]string{"1.1.0", "1.1"},
		[2]string{"1.0c1", "1.0rc1"},
		[2]string{"1.0pre1", "1.0rc1"},
		[2]string{"1.0preview1", "1.0rc1"},
		[2]string{"1.0alpha1", "1.0a1"},
		[2]string{"1.0beta1", "1.0b1"},
		[2]string{"1.0-a.1", "1.0a1"},
		[2]string{"1.0a", "1.0a0"},
		[2]string{"1.0-1", "1.0.post1"},
		[2]string{"1.0.post", "1.0.post0"},
		[2]string{"1.0-r4", "1.0.post4"},
		[2]string{"1.0rev4", "1.0.post4"},
		[2]string{"1.0.dev", "1.0.dev0"},
		[2]string{"1.0-DEV-1", "1.0.dev1"},
		[2]string{"1.0+ubuntu-1", "1.0+ubuntu.1"},
		[2]string{"1.0+Ubuntu_1", "1.0+ubuntu.1"},
		[2]string{"1.0+01", "1.0+1"},
		[2]string{"v1.0", "1.0"},
		[2]string{"0!1.0", "1.0"},
		[2]string{"01.02.03", "1.2.3"},
		[2]string{" 1.0\n", "1.0"},
	)
	invalid(t, "PyPI", "", "a1.0", "1.0.x", "1..0", "1.0+", "1.0+a..b", "1.0-", "1.0 a", "!1.0", "1.0a1a2", "1.0.post1.post2", "1.0.dev1.dev2", "1.0+a+b")
}

func TestRubyGems(t *testing.T) {
	ascending(t, "RubyGems",
		[]string{"0.0.0", "0.9", "1.0.a", "1.0.a.1", "1.0.a.2", "1.0.b1", "1.0.rc1", "1.0", "1.0.1", "1.8.2.a", "1.8.2.a9", "1.8.2.a10", "1.8.2.b", "1.8.2", "1.9.3", "1.10.0", "2"},
		// test_gem_version.rb's spaceship cases.
		[]string{"0.0.beta", "0.0.beta.1"},
		[]string{"5.a", "5.0.0.rc2", "5.x"},
		[]string{"1.0.0-rc1", "1.0.0"},
		[]string{"1.0.A", "1.0.a"}, // byte order: upper case first
	)
	equal(t, "RubyGems",
		[2]string{"1.0", "1.0.0"},
		[2]string{"1", "1.0"},
		[2]string{"1.8.2", "1.8.2.0"},
		[2]string{"1.2.b1", "1.2.b.1"},
		[2]string{"0.beta.1", "0.0.beta.1"},
		[2]string{"1.0.0.a", "1.0.a"},
		[2]string{"1.0.0-rc1", "1.0.0.pre.rc1"},
		[2]string{"01.2", "1.2"},
		[2]string{" 1.2 ", "1.2"},
	)
	invalid(t, "RubyGems", "", "a.1", "1..2", "1.2.", "1.2-", "1.2_3", "junk", "1.0\n1.0")
}

func TestMaven(t *testing.T) {
	// maven-artifact's ComparableVersionTest lists, in order.
	ascending(t, "Maven",
		[]string{"1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123"},
		[]string{"2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m"},
		// The qualifier order the brief and the POM reference give.
		[]string{"1.0-alpha", "1.0-beta", "1.0-milestone", "1.0-rc", "1.0-snapshot", "1.0", "1.0-sp", "1.0-xyz", "1.0.1"},
		[]string{"2.14.1", "2.15.0", "2.16.0", "2.17.0", "2.17.1"},
		[]string{"1.0.0.RELEASE", "1.0.1.RELEASE", "1.1.0.M1", "1.1.0.RC1", "1.1.0"},
	)
	equal(t, "Maven",
		[2]string{"1", "1.0"},
		[2]string{"1", "1.0.0"},
		[2]string{"1", "1-0"},
		[2]string{"1", "1.0-0"},
		[2]string{"1a", "1-a"},
		[2]string{"1a", "1.0-a"},
		[2]string{"1.0.0x", "1-x"},
		[2]string{"1cr", "1rc"},
		[2]string{"1a1", "1-alpha-1"},
		[2]string{"1b2", "1-beta-2"},
		[2]string{"1m3", "1-milestone-3"},
		[2]string{"1X", "1x"},
		[2]string{"1ga", "1"},
		[2]string{"1release", "1"},
		[2]string{"1final", "1"},
		[2]string{"1.0-GA", "1"},
		[2]string{"1.0.0.RELEASE", "1.0.0"},
		[2]string{"1.0.0.Final", "1.0.0"},
		[2]string{"1.0-CR1", "1.0-rc1"},
		[2]string{"1.01", "1.1"},
	)
	// "1-a" and "1--a" print the same in Java but compare differently.
	ascending(t, "Maven", []string{"1-a", "1--a"})
	invalid(t, "Maven", "", "1.0 beta", "1.0\t", "1,0", "1.0ü")
}

func TestGeneric(t *testing.T) {
	for _, eco := range []string{"NuGet", "Packagist", "Debian:11", "SomethingNew"} {
		ascending(t, eco,
			[]string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-Beta", "1.0.0-beta.2", "1.0.0-beta10", "1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.0.1", "1.2", "1.10"},
			[]string{"0.9", "v1.0.0-RC1", "v1.0.0", "2.0.0.0"},
		)
		equal(t, eco,
			[2]string{"1.0", "1.0.0"},
			[2]string{"1.0", "1.0.0.0"},
			[2]string{"1.0.0-Beta", "1.0.0-beta"},
			[2]string{"1.0.0-beta1", "1.0.0-beta.1"},
			[2]string{"1.0.0+build.5", "1.0.0"},
			[2]string{"v1.0", "1.0"},
			[2]string{"01.0", "1.0"},
		)
		invalid(t, eco, "", "dev-main", "1.0a", "1..0", "1.0-", "1.0+", "1.0-be_ta", "x")
	}
}

func TestSchemeOf(t *testing.T) {
	for eco, want := range map[string]Scheme{
		"npm": SemVer, "crates.io": SemVer, "SEMVER": SemVer, "Go": Go, "PyPI": PEP440,
		"RubyGems": RubyGems, "Maven": Maven, "NuGet": Generic, "Packagist": Generic,
		"Debian:12": Generic, "": Generic, "Maven:central": Maven,
	} {
		if got := SchemeOf(eco); got != want {
			t.Errorf("SchemeOf(%q) = %v, want %v", eco, got, want)
		}
	}
}

func TestVersionZeroAndMixed(t *testing.T) {
	a, _ := SemVer.Parse("1.0.0")
	b, _ := PEP440.Parse("1.0.0")
	var z Version
	if z.Compare(a) != -1 || a.Compare(z) != 1 || z.Compare(z) != 0 || z.Canonical() != "" {
		t.Error("zero Version does not sort first")
	}
	if a.Compare(b) != -b.Compare(a) || a.Compare(b) == 0 {
		t.Error("versions of different schemes are not ordered by scheme")
	}
	if err := Valid("npm", strings.Repeat("1", MaxLen+1)); err == nil {
		t.Error("over-long version accepted")
	}
}
