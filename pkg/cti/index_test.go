package cti

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func pkgInd(src, eco, name string, versions []string, ranges ...Range) *Indicator {
	return &Indicator{
		ID: IDFor(src), SourceID: src, Kind: KindPackage,
		Package:    &PackageMatch{Ecosystem: eco, Name: name, Versions: versions, Ranges: ranges},
		Confidence: 80, Severity: SeverityHigh, Labels: []string{LabelMalicious},
		References: []string{"https://osv.dev/" + src}, Summary: "Malicious code in " + name, Publisher: "org-a",
	}
}

func valInd(src string, k Kind, v string) *Indicator {
	return &Indicator{ID: IDFor(src), SourceID: src, Kind: k, Value: v, Confidence: 50, ValidFrom: 1700000000, ValidUntil: 1800000000}
}

func ids(ins []*Indicator) []string {
	out := []string{}
	for _, in := range ins {
		out = append(out, in.SourceID)
	}
	return out
}

func TestIndexMatchPackage(t *testing.T) {
	x := NewIndex()
	x.Add(pkgInd("MAL-1", "npm", "Evil-Pkg", nil, rng(RangeSemver, intro("0"))))
	x.Add(pkgInd("MAL-2", "PyPI", "Foo_Bar", []string{"1.0", "2.0.post1"}))
	x.Add(pkgInd("GHSA-3", "PyPI", "foo.bar", nil, rng(RangeEcosystem, intro("1.5"), fixed("1.7"))))
	x.Add(pkgInd("MAL-4", "npm", "left-pad", []string{"1.3.0"}))
	all := pkgInd("MAL-5", "RubyGems", "rest-client", nil)
	all.Package.AllVersions = true
	x.Add(all)
	x.Add(pkgInd("MAL-6", "Go", "example.com/m", []string{"v1.2.3"}))
	if x.Len() != 6 {
		t.Fatalf("Len = %d, want 6", x.Len())
	}
	cases := []struct {
		eco, name, v string
		want         []string
	}{
		{"npm", "evil-pkg", "9.9.9", []string{"MAL-1"}},
		{"npm", "EVIL-PKG", "", []string{"MAL-1"}}, // npm names fold case; introduced 0 covers an unknown version
		{"npm", "evil-pkg2", "1.0.0", nil},
		{"PyPI", "foo-bar", "1.0.0", []string{"MAL-2"}},
		{"PyPI", "FOO__BAR", "2.0-1", []string{"MAL-2"}},
		{"PyPI", "foo_bar", "1.6", []string{"GHSA-3"}},
		{"PyPI", "foo_bar", "1.7", nil},
		{"PyPI", "foo-bar", "garbage", nil},
		{"npm", "left-pad", "1.3.0", []string{"MAL-4"}},
		{"npm", "left-pad", "1.3.1", nil},
		{"RubyGems", "rest-client", "1.6.13", []string{"MAL-5"}},
		{"RubyGems", "Rest-Client", "1.6.13", nil}, // RubyGems names are case-sensitive
		{"Go", "example.com/m", "1.2.3", []string{"MAL-6"}},
		{"Maven", "evil-pkg", "1.0", nil},
	}
	for _, c := range cases {
		got := x.MatchPackage(c.eco, c.name, c.v)
		if !slices.Equal(ids(got), append([]string{}, c.want...)) && !(len(got) == 0 && len(c.want) == 0) {
			t.Errorf("MatchPackage(%s, %s, %q) = %v, want %v", c.eco, c.name, c.v, ids(got), c.want)
		}
	}
	// Results are copies.
	got := x.MatchPackage("npm", "left-pad", "1.3.0")
	got[0].Package.Versions[0] = "6.6.6"
	got[0].Labels[0] = "benign"
	if again := x.MatchPackage("npm", "left-pad", "1.3.0"); len(again) != 1 || again[0].Labels[0] != LabelMalicious {
		t.Fatal("changing a result changed the index")
	}
}

func TestIndexSortedByID(t *testing.T) {
	x := NewIndex()
	var want []string
	for i := range 50 {
		in := pkgInd(fmt.Sprintf("MAL-%d", i), "npm", "popular", []string{"1.0.0"})
		if i%2 == 0 {
			in.Package = &PackageMatch{Ecosystem: "npm", Name: "popular", Ranges: []Range{rng(RangeSemver, intro("0"))}}
		}
		x.Add(in)
		want = append(want, in.ID)
	}
	slices.Sort(want)
	got := x.MatchPackage("npm", "popular", "1.0.0")
	var gotIDs []string
	for _, in := range got {
		gotIDs = append(gotIDs, in.ID)
	}
	if !slices.Equal(gotIDs, want) {
		t.Fatalf("not every indicator, or not in ID order: %v", gotIDs)
	}
	if n := len(x.MatchPackage("npm", "popular", "2.0.0")); n != 25 {
		t.Fatalf("2.0.0 matched %d, want the 25 introduced-0 ones", n)
	}
}

func TestIndexReplaceRemove(t *testing.T) {
	x := NewIndex()
	a := pkgInd("MAL-1", "npm", "a", []string{"1.0.0"})
	x.Add(a)
	x.Add(pkgInd("MAL-2", "npm", "b", []string{"1.0.0"}))
	// Same source id, different package: the old key must stop matching.
	x.Add(pkgInd("MAL-1", "npm", "c", []string{"2.0.0"}))
	if x.Len() != 2 {
		t.Fatalf("Len = %d after replace, want 2", x.Len())
	}
	if len(x.MatchPackage("npm", "a", "1.0.0")) != 0 || len(x.MatchPackage("npm", "c", "2.0.0")) != 1 {
		t.Fatal("replace did not move the indicator to its new key")
	}
	x.Remove(IDFor("MAL-2"))
	x.Remove(IDFor("MAL-2"))
	x.Remove("no-such-id")
	if x.Len() != 1 || len(x.MatchPackage("npm", "b", "1.0.0")) != 0 {
		t.Fatal("Remove did not remove")
	}
	x.Add(valInd("ip-1", KindIP, "10.0.0.0/8"))
	x.Remove(IDFor("ip-1"))
	if len(x.MatchValue(KindIP, "10.1.2.3")) != 0 || x.ipBits[0][8] != 0 {
		t.Fatal("removed IP indicator still matches")
	}
}

func TestIndexMatchValue(t *testing.T) {
	x := NewIndex()
	for _, in := range []*Indicator{
		valInd("d1", KindDomain, "evil.com"),
		valInd("d2", KindDomain, "b.evil.com"),
		valInd("d3", KindDomain, "notevil.com"),
		valInd("i1", KindIP, "10.0.0.0/8"),
		valInd("i2", KindIP, "10.1.2.3"),
		valInd("i3", KindIP, "2001:db8::/32"),
		valInd("i4", KindIP, "192.168.1.0/24"),
		valInd("h1", KindFileSHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
		valInd("u1", KindURL, "https://evil.com/payload.sh"),
		valInd("t1", KindTechnique, "T1195.002"),
	} {
		x.Add(in)
	}
	cases := []struct {
		k    Kind
		v    string
		want []string
	}{
		{KindDomain, "a.b.evil.com", []string{"d1", "d2"}},
		{KindDomain, "EVIL.COM.", []string{"d1"}},
		{KindDomain, "notevil.com", []string{"d3"}},
		{KindDomain, "com", nil},
		{KindDomain, "evil.co", nil},
		{KindIP, "10.1.2.3", []string{"i1", "i2"}},
		{KindIP, "10.200.0.1", []string{"i1"}},
		{KindIP, "10.1.0.0/16", []string{"i1"}},
		{KindIP, "::ffff:10.1.2.3", []string{"i1", "i2"}},
		{KindIP, "2001:db8:1::5", []string{"i3"}},
		{KindIP, "192.168.2.1", nil},
		{KindIP, "not-an-ip", nil},
		{KindFileSHA256, "SHA256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", []string{"h1"}},
		{KindURL, "HTTPS://EVIL.COM/payload.sh", []string{"u1"}},
		{KindURL, "https://evil.com/other", nil},
		{KindTechnique, "t1195.002", []string{"t1"}},
		{KindTechnique, "T1195", nil},
		{KindPackage, "x", nil},
	}
	for _, c := range cases {
		got := x.MatchValue(c.k, c.v)
		var want []string
		for _, s := range c.want {
			want = append(want, IDFor(s))
		}
		slices.Sort(want)
		var gotIDs []string
		for _, in := range got {
			gotIDs = append(gotIDs, in.ID)
		}
		if !slices.Equal(gotIDs, want) {
			t.Errorf("MatchValue(%s, %q) = %v, want %v", c.k, c.v, ids(got), c.want)
		}
	}
}

// TestIndexRoundTrip checks that what comes out is what went in, field for
// field, including indicators the index stores unusually (ids not of the
// canonical form, PyPI names that fold, versions that do not parse).
func TestIndexRoundTrip(t *testing.T) {
	ins := []*Indicator{
		pkgInd("MAL-1", "PyPI", "Foo_Bar", []string{"1.0", "1.0.0rc1", "junk"},
			rng(RangeEcosystem, intro("0"), fixed("2.0")), rng(RangeGit, intro("abc"), limit("def"), lastAff("123"))),
		valInd("x", KindDomain, "evil.com"),
		{ID: "custom-id", SourceID: "s", Kind: KindURL, Value: "https://a.example/x", Labels: []string{"l1", "l2"}, Severity: SeverityCritical, ValidFrom: -5},
		{ID: "ind-NOTHEX", SourceID: "s2", Kind: Kind("future-kind"), Value: "v"},
		{ID: IDFor("s3"), SourceID: "s3", Kind: KindPackage},
	}
	all := pkgInd("MAL-2", "npm", "x", nil)
	all.Package.AllVersions = true
	ins = append(ins, all)
	x := NewIndex()
	for _, in := range ins {
		x.Add(in)
	}
	got := map[string]*Indicator{}
	x.All(func(in *Indicator) bool { got[in.ID] = in; return true })
	for _, in := range ins {
		if !reflect.DeepEqual(got[in.ID], in) {
			t.Errorf("round trip of %s:\n got %+v\nwant %+v", in.ID, got[in.ID], in)
		}
	}
	if m := x.MatchValue(Kind("future-kind"), "v"); len(m) != 1 {
		t.Errorf("unknown kind not matched exactly: %v", m)
	}
}

// TestIndexAgreesWithAffects builds random indicators, churns the index
// (replacements, removals, a compaction) and checks every lookup against a
// brute-force scan with PackageMatch.Affects.
func TestIndexAgreesWithAffects(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ecos := []string{"npm", "PyPI", "Maven", "RubyGems", "Go", "NuGet"}
	names := []string{"a", "B", "c_d", "e.f", "g"}
	vers := []string{"0.9", "1.0", "1.0.0", "1.0.1", "1.1rc1", "1.1.0-rc.1", "2.0", "2.0.0", "v2.0.0", "1.0.a", "3.0-SNAPSHOT", "x"}
	randRange := func() Range {
		typ := []string{RangeSemver, RangeEcosystem, RangeEcosystem, RangeGit}[r.IntN(4)]
		var evs []Event
		for range 1 + r.IntN(4) {
			v := vers[r.IntN(len(vers))]
			switch r.IntN(5) {
			case 0:
				evs = append(evs, intro("0"))
			case 1:
				evs = append(evs, intro(v))
			case 2:
				evs = append(evs, fixed(v))
			case 3:
				evs = append(evs, lastAff(v))
			default:
				evs = append(evs, limit(v))
			}
		}
		return rng(typ, evs...)
	}
	model := map[string]*Indicator{}
	x := NewIndex()
	for i := range 3000 {
		src := fmt.Sprintf("S-%d", r.IntN(1500))
		if r.IntN(10) == 0 {
			x.Remove(IDFor(src))
			delete(model, IDFor(src))
			continue
		}
		var vs []string
		for range r.IntN(3) {
			v := vers[r.IntN(len(vers))]
			if !slices.Contains(vs, v) {
				vs = append(vs, v)
			}
		}
		var rs []Range
		for range r.IntN(3) {
			rs = append(rs, randRange())
		}
		in := pkgInd(src, ecos[r.IntN(len(ecos))], names[r.IntN(len(names))], vs, rs...)
		in.Package.AllVersions = r.IntN(20) == 0
		x.Add(in)
		model[in.ID] = in
		if i == 2000 {
			x.compact()
		}
	}
	if x.Len() != len(model) {
		t.Fatalf("Len = %d, model has %d", x.Len(), len(model))
	}
	for _, eco := range ecos {
		for _, name := range names {
			for _, v := range append(vers, "") {
				var want []string
				for id, in := range model {
					if PackageKey(in.Package.Ecosystem, in.Package.Name) != PackageKey(eco, name) {
						continue
					}
					if ok, _ := in.Package.Affects(v); ok {
						want = append(want, id)
					}
				}
				slices.Sort(want)
				got := x.MatchPackage(eco, name, v)
				var gotIDs []string
				for _, in := range got {
					gotIDs = append(gotIDs, in.ID)
					if !reflect.DeepEqual(in, model[in.ID]) {
						t.Fatalf("%s decoded as %+v, want %+v", in.ID, in, model[in.ID])
					}
				}
				if !slices.Equal(gotIDs, want) {
					t.Fatalf("MatchPackage(%s, %s, %q): index %v, brute force %v", eco, name, v, gotIDs, want)
				}
			}
		}
	}
}

func TestDeriveIDAndTemplates(t *testing.T) {
	for _, src := range []string{"MAL-2024-1", "", "x", string(make([]byte, MaxSourceIDLen+10))} {
		if deriveID(src) != IDFor(src) {
			t.Errorf("deriveID(%q) != IDFor", src)
		}
	}
	for _, c := range [][3]string{
		{"Malicious code in evil (npm)", "MAL-1", "evil"},
		{"https://osv.dev/vulnerability/MAL-1 and MAL-1", "MAL-1", "evil"},
		{"nul \x00 then \x00\x01 and evil\x00", "MAL-1", "evil"},
		{"name inside source MAL-evil-1", "MAL-evil-1", "evil"},
		{"tiny a", "S", "a"},
		{"\x01evil\x02", "MAL\x01", "evil"},
	} {
		tm, ok := template(c[0], c[1], c[2])
		if got := expand(tm, c[1], c[2]); ok && got != c[0] {
			t.Errorf("template(%q) = %q expands to %q", c[0], tm, got)
		}
	}
}

// TestMatchPackageCheckedReportsUnevaluable: a SEMVER range cannot judge a
// version that is not SemVer; that must surface, not read as a clean miss.
func TestMatchPackageCheckedReportsUnevaluable(t *testing.T) {
	x := NewIndex()
	in := &Indicator{ID: IDFor("GHSA-semver"), SourceID: "GHSA-semver", Kind: KindPackage, Confidence: 80,
		Package: &PackageMatch{Ecosystem: "PyPI", Name: "pkg", Ranges: []Range{{Type: RangeSemver, Events: []Event{{Introduced: "1.0.0"}, {Fixed: "2.0.0"}}}}}}
	x.Add(in)
	hits, bad := x.MatchPackageChecked("PyPI", "pkg", "1.5")
	if len(hits) != 0 || len(bad) != 1 || bad[0].ID != in.ID {
		t.Fatalf("1.5 against a SEMVER range: hits %v, unevaluable %v", hits, bad)
	}
	unevaluable := bad[0]
	hits, bad = x.MatchPackageChecked("PyPI", "pkg", "1.5.0")
	if len(hits) != 1 || len(bad) != 0 {
		t.Fatalf("1.5.0: hits %v, unevaluable %v", hits, bad)
	}
	ev := Evaluator{Now: 1, Params: DefaultScoreParams(), Policy: DefaultGatePolicy()}
	got, err := ev.EvaluatePackage("PyPI", "1.5", "pkg:pypi/pkg", "pkg:pypi/pkg@1.5", []Candidate{{Indicator: unevaluable}})
	if err != nil || got.Verdict.Decision != DecisionWarn || len(got.Problems) != 1 {
		t.Fatalf("evaluator on an unevaluable candidate: %+v %v", got, err)
	}
}
