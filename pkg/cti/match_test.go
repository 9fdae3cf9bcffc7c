package cti

import (
	"strings"
	"testing"
)

func intro(v string) Event   { return Event{Introduced: v} }
func fixed(v string) Event   { return Event{Fixed: v} }
func lastAff(v string) Event { return Event{LastAffected: v} }
func limit(v string) Event   { return Event{Limit: v} }

func rng(typ string, evs ...Event) Range { return Range{Type: typ, Events: evs} }

func TestAffects(t *testing.T) {
	type check struct {
		v    string
		want bool
	}
	cases := []struct {
		name string
		p    PackageMatch
		vs   []check
	}{
		{
			// A MAL- advisory: introduced "0" and nothing else.
			"introduced 0 only is every version",
			PackageMatch{Ecosystem: "npm", Name: "evil-pkg", Ranges: []Range{rng(RangeSemver, intro("0"))}},
			[]check{{"0.0.1", true}, {"1.0.0", true}, {"99.0.0-beta", true}, {"not-a-version", true}, {"", true}},
		},
		{
			"all_versions",
			PackageMatch{Ecosystem: "PyPI", Name: "x", AllVersions: true},
			[]check{{"1.0", true}, {"", true}},
		},
		{
			// GHSA-35jh-r3h4-6jhm (lodash): introduced 0, fixed 4.17.21.
			"introduced/fixed",
			PackageMatch{Ecosystem: "npm", Name: "lodash", Ranges: []Range{rng(RangeSemver, intro("0"), fixed("4.17.21"))}},
			[]check{{"4.17.20", true}, {"4.17.21", false}, {"4.17.21-rc.1", true}, {"4.17.22", false}, {"v4.0.0", true}},
		},
		{
			// CVE-2021-44228 (log4j-core) as OSV gives it: three intervals.
			"multiple intervals, Maven",
			PackageMatch{Ecosystem: "Maven", Name: "org.apache.logging.log4j:log4j-core", Ranges: []Range{rng(RangeEcosystem,
				intro("2.0-beta9"), fixed("2.3.1"), intro("2.4"), fixed("2.12.2"), intro("2.13.0"), fixed("2.15.0"))}},
			[]check{
				{"2.0-alpha1", false}, {"2.0-beta9", true}, {"2.0", true}, {"2.3", true}, {"2.3.1", false},
				{"2.3.2", false}, {"2.4", true}, {"2.12.1", true}, {"2.12.2", false}, {"2.12.4", false},
				{"2.13.0", true}, {"2.14.1", true}, {"2.15.0", false}, {"2.17.1", false},
			},
		},
		{
			"unsorted events evaluate as sorted",
			PackageMatch{Ecosystem: "Maven", Name: "g:a", Ranges: []Range{rng(RangeEcosystem,
				fixed("2.15.0"), intro("2.13.0"), fixed("2.3.1"), intro("2.0-beta9"), fixed("2.12.2"), intro("2.4"))}},
			[]check{{"2.0", true}, {"2.3.1", false}, {"2.5", true}, {"2.12.2", false}, {"2.14", true}, {"2.15.0", false}},
		},
		{
			"last_affected is inclusive",
			PackageMatch{Ecosystem: "PyPI", Name: "Django", Ranges: []Range{rng(RangeEcosystem, intro("3.0"), lastAff("3.2.4"))}},
			[]check{{"2.2", false}, {"3.0", true}, {"3.0.0", true}, {"3.2.4", true}, {"3.2.4.post1", false}, {"3.2.5", false}, {"3.2.4rc1", true}},
		},
		{
			"PyPI normalisation in ranges",
			PackageMatch{Ecosystem: "PyPI", Name: "requests", Ranges: []Range{rng(RangeEcosystem, intro("2.1"), fixed("2.31.0"))}},
			[]check{{"2.1.0", true}, {"2.0.9", false}, {"2.31", false}, {"2.31.0rc1", true}, {"2.31.0.dev1", true}},
		},
		{
			"exact versions with ecosystem equality",
			PackageMatch{Ecosystem: "PyPI", Name: "ctx", Versions: []string{"0.1.2", "0.2.2", "0.2.6"}},
			[]check{{"0.1.2", true}, {"0.2.6.0", true}, {"v0.2.2", true}, {"0.2.3", false}, {"0.2", false}},
		},
		{
			"exact versions keep unparseable entries as bytes",
			PackageMatch{Ecosystem: "npm", Name: "x", Versions: []string{"latest", "1.0.0"}},
			[]check{{"latest", true}, {"v1.0.0", true}, {"1.0.0+build", true}, {"1.0.1", false}},
		},
		{
			"limit bounds the range",
			PackageMatch{Ecosystem: "Go", Name: "example.com/m", Ranges: []Range{rng(RangeSemver, intro("1.0.0"), limit("1.5.0"))}},
			[]check{{"0.9.0", false}, {"1.0.0", true}, {"1.4.9", true}, {"1.5.0", false}, {"2.0.0", false}},
		},
		{
			"limit * is no bound",
			PackageMatch{Ecosystem: "npm", Name: "x", Ranges: []Range{rng(RangeSemver, intro("1.0.0"), limit("*"))}},
			[]check{{"9.0.0", true}, {"0.1.0", false}},
		},
		{
			"Go module versions with and without v",
			PackageMatch{Ecosystem: "Go", Name: "golang.org/x/net", Ranges: []Range{rng(RangeSemver, intro("0"), fixed("0.17.0"))}},
			[]check{{"v0.16.0", true}, {"v0.0.0-20230101000000-abcdefabcdef", true}, {"v0.17.0", false}, {"0.17.0", false}},
		},
		{
			"introduced and fixed at the same version is empty",
			PackageMatch{Ecosystem: "npm", Name: "x", Ranges: []Range{rng(RangeSemver, intro("1.0.0"), fixed("1.0.0"))}},
			[]check{{"1.0.0", false}, {"0.9.0", false}, {"1.0.1", false}},
		},
		{
			"introduced and last_affected at the same version is that version",
			PackageMatch{Ecosystem: "npm", Name: "x", Ranges: []Range{rng(RangeSemver, lastAff("1.0.0"), intro("1.0.0"))}},
			[]check{{"1.0.0", true}, {"0.9.0", false}, {"1.0.1", false}},
		},
		{
			"GIT ranges never affect a release version",
			PackageMatch{Ecosystem: "npm", Name: "x", Ranges: []Range{rng(RangeGit, intro("0"), fixed("3f2a9c1e"))}},
			[]check{{"1.0.0", false}},
		},
		{
			"a range that covers wins over one that cannot be evaluated",
			PackageMatch{Ecosystem: "npm", Name: "x", Ranges: []Range{rng(RangeSemver, intro("nonsense")), rng(RangeSemver, intro("0"))}},
			[]check{{"1.0.0", true}},
		},
		{
			"RubyGems prerelease inside the interval",
			PackageMatch{Ecosystem: "RubyGems", Name: "rails", Ranges: []Range{rng(RangeEcosystem, intro("7.0.0"), fixed("7.0.4.1"))}},
			[]check{{"7.0.0.rc1", false}, {"7.0.0", true}, {"7.0.4", true}, {"7.0.4.1", false}, {"7.0.4.a", true}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range c.vs {
				got, err := c.p.Affects(k.v)
				if err != nil && !got && k.want {
					t.Errorf("Affects(%q): %v", k.v, err)
					continue
				}
				if got != k.want {
					t.Errorf("Affects(%q) = %v, want %v (err %v)", k.v, got, k.want, err)
				}
			}
		})
	}
}

func TestAffectsErrors(t *testing.T) {
	cases := []struct {
		p       PackageMatch
		v, want string
	}{
		{PackageMatch{Ecosystem: "npm", Name: "x", Ranges: []Range{rng(RangeSemver, intro("0"), fixed("1.0.0"))}}, "latest", `"latest" is not a valid SemVer version`},
		{PackageMatch{Ecosystem: "PyPI", Name: "x", Ranges: []Range{rng(RangeEcosystem, intro("1.0"), fixed("bogus!"))}}, "1.1", `x ranges[0]: events[1]: invalid version: "bogus!" is not a valid PyPI`},
		{PackageMatch{Ecosystem: "npm", Name: "x", Ranges: []Range{rng("SEMVERISH", intro("0"))}}, "1.0.0", `unknown range type "SEMVERISH"`},
		{PackageMatch{Ecosystem: "npm", Name: "x", Ranges: []Range{rng(RangeSemver, Event{})}}, "1.0.0", `events[0] is empty`},
	}
	for _, c := range cases {
		got, err := c.p.Affects(c.v)
		if got || err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v Affects(%q) = %v, %v; want false and an error containing %q", c.p, c.v, got, err, c.want)
		}
	}
}
