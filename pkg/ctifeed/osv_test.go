package ctifeed

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/cti"
)

func TestOSVMultiAffected(t *testing.T) {
	r, err := ParseOSV("testdata/osv/GHSA-test-multi.json", readTestdata(t, "osv/GHSA-test-multi.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r)
	m := byID(r)
	if len(r.Indicators) != 3 {
		t.Fatalf("got %d indicators, want 3: %v", len(r.Indicators), m)
	}
	const id = "GHSA-test-mult-i000"
	npm := m[id+"#npm/@acme/left-tool"]
	if npm == nil {
		t.Fatalf("no npm indicator; have %v", m)
	}
	want := &cti.PackageMatch{
		Ecosystem: "npm", Name: "@acme/left-tool",
		Versions: []string{"1.0.0", "1.4.1", "2.0.0", "2.1.0"},
		Ranges: []cti.Range{
			{Type: "SEMVER", Events: []cti.Event{{Introduced: "1.0.0"}, {Fixed: "1.4.2"}}},
			{Type: "SEMVER", Events: []cti.Event{{Introduced: "2.0.0"}, {LastAffected: "2.1.0"}}},
			{Type: "SEMVER", Events: []cti.Event{{Introduced: "3.0.0-rc.1"}, {Fixed: "3.0.0"}}},
		},
	}
	if !reflect.DeepEqual(npm.Package, want) {
		t.Errorf("npm package\n got %+v\nwant %+v", npm.Package, want)
	}
	if npm.Confidence != 70 || npm.Severity != cti.SeverityCritical || !npm.HasLabel(LabelVulnerability) || npm.HasLabel(cti.LabelMalicious) {
		t.Errorf("npm mapping: confidence %d severity %q labels %v", npm.Confidence, npm.Severity, npm.Labels)
	}
	if npm.ValidFrom != 1709294400 || npm.ValidUntil != 0 {
		t.Errorf("validity %d..%d", npm.ValidFrom, npm.ValidUntil)
	}
	if want := []string{"https://github.com/advisories/GHSA-test-mult-i000", "https://example.org/left-tool"}; !reflect.DeepEqual(npm.References, want) {
		t.Errorf("references %v", npm.References)
	}
	py := m[id+"#PyPI:3.8/left_tool"]
	if py == nil || py.Package.Ecosystem != "PyPI" || py.Package.AllVersions {
		t.Errorf("PyPI:3.8 entry: %+v", py)
	}
	gomod := m[id+"#Go/github.com/acme/lefttool"]
	if gomod == nil || gomod.Package.Ranges[0].Type != cti.RangeGit || gomod.Package.AllVersions {
		t.Errorf("Go git-range entry: %+v", gomod)
	}
	if s := skippedFor(r, id+"#affected[4]"); len(s) != 1 || !strings.Contains(s[0].Reason, "no package") {
		t.Errorf("git-only entry not skipped with reason: %+v", r.Skipped)
	}
	if s := skippedFor(r, id+"#Maven/com.acme:left-tool"); len(s) != 1 || !strings.Contains(s[0].Reason, "neither versions nor ranges") {
		t.Errorf("versionless entry not skipped with reason: %+v", r.Skipped)
	}
}

func TestOSVMalicious(t *testing.T) {
	r, err := ParseOSV("MAL-2099-1.json", readTestdata(t, "osv/MAL-2099-1.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r)
	m := byID(r)
	tests := []struct {
		sid      string
		all      bool
		versions []string
	}{
		{"MAL-2099-1#npm/evil-pkg", true, nil},
		{"MAL-2099-1#PyPI/evil_pkg", false, []string{"0.0.1", "0.0.2"}},
		{"MAL-2099-1#crates.io/evil-pkg", true, nil},
	}
	if len(r.Indicators) != len(tests) || len(r.Skipped) != 0 {
		t.Fatalf("got %d indicators, %d skipped", len(r.Indicators), len(r.Skipped))
	}
	for _, tt := range tests {
		in := m[tt.sid]
		if in == nil {
			t.Errorf("no indicator %s", tt.sid)
			continue
		}
		if in.Package.AllVersions != tt.all || !reflect.DeepEqual(in.Package.Versions, tt.versions) {
			t.Errorf("%s: all=%v versions=%v", tt.sid, in.Package.AllVersions, in.Package.Versions)
		}
		if in.Confidence != 100 || in.Severity != cti.SeverityCritical || !in.HasLabel(cti.LabelMalicious) || in.ID != cti.IDFor(tt.sid) {
			t.Errorf("%s mapping: %+v", tt.sid, in)
		}
	}
}

func TestOSVArrayWithdrawn(t *testing.T) {
	r, err := ParseOSV("w.json", readTestdata(t, "osv/withdrawn-array.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r)
	if !reflect.DeepEqual(r.RevokedSources, []string{"MAL-2099-2"}) || r.Revoked[0] != cti.IDFor("MAL-2099-2") {
		t.Errorf("revoked %v %v", r.RevokedSources, r.Revoked)
	}
	if len(r.Indicators) != 1 {
		t.Fatalf("got %d indicators", len(r.Indicators))
	}
	in := r.Indicators[0]
	if in.SourceID != "OSV-2099-3" || in.Package.Ecosystem != "Debian" || in.Severity != cti.SeverityMedium || in.Summary != "Heap overflow in the decoder." {
		t.Errorf("got %+v", in)
	}
}

func TestOSVErrors(t *testing.T) {
	adv := func(extra string) string {
		return `{"id":"OSV-1","published":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"}` + extra + `}]}`
	}
	tests := []struct {
		name, data string
		frags      []string
	}{
		{"malformed", `{"id":`, []string{"f.json", "malformed JSON"}},
		{"stix", `{"type":"bundle","id":"bundle--1","objects":[]}`, []string{"looks like STIX, not an OSV advisory"}},
		{"misp", `{"Event":{"info":"x"}}`, []string{"looks like a MISP event"}},
		{"no id", `{"published":"2024-01-01T00:00:00Z","affected":[]}`, []string{"no id"}},
		{"bad purl", `{"id":"OSV-1","affected":[{"package":{"ecosystem":"npm","name":"x","purl":"npm/x"}}]}`, []string{"OSV-1", "affected[0].package.purl"}},
		{"two fields in event", adv(`,"ranges":[{"type":"SEMVER","events":[{"introduced":"0","fixed":"1"}]}]`), []string{"OSV-1", "ranges[0]", "exactly one"}},
		{"no events", adv(`,"ranges":[{"type":"SEMVER","events":[]}]`), []string{"no events"}},
		{"bad time", `{"id":"OSV-1","published":"yesterday"}`, []string{"published", "RFC 3339"}},
		{"wrong type", `{"id":"OSV-1","affected":"npm"}`, []string{"field affected"}},
		{"duplicate ids", `[{"id":"OSV-1","modified":"2024-01-01T00:00:00Z"},{"id":"OSV-1","modified":"2024-01-01T00:00:00Z"}]`, []string{"duplicate OSV id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseOSV("f.json", []byte(tt.data))
			wantFeedErr(t, r, err, tt.frags...)
		})
	}
}

func TestOSVSkips(t *testing.T) {
	tests := []struct {
		name, data, ref, frag string
	}{
		{"unknown range type", `{"id":"OSV-1","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"WEIRD","events":[{"introduced":"1"}]}]}]}`, "OSV-1", "range type"},
		{"no affected", `{"id":"OSV-1","modified":"2024-01-01T00:00:00Z"}`, "OSV-1", "no affected"},
		{"too many versions", `{"id":"OSV-1","affected":[{"package":{"ecosystem":"npm","name":"x"},"versions":[` + manyVersions(cti.MaxVersions+1) + `]}]}`, "OSV-1", "package.versions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseOSV("f.json", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r)
			if s := skippedFor(r, tt.ref); len(r.Indicators) != 0 || len(s) != 1 || !strings.Contains(s[0].Reason, tt.frag) {
				t.Errorf("indicators %d, skipped %+v", len(r.Indicators), r.Skipped)
			}
		})
	}
}

func manyVersions(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"1.0.` + itoa(i) + `"`)
	}
	return b.String()
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

func TestCVSS(t *testing.T) {
	tests := []struct {
		vec  string
		want float64
		ok   bool
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, true},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, true},
		{"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5, true},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0, true},
		{"CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:C/C:H/I:H/A:H", 7.6, true},
		{"7.5", 7.5, true},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 0, false},
		{"CVSS:3.1/AV:X", 0, false},
	}
	for _, tt := range tests {
		got, ok := cvssScore("", tt.vec)
		if ok != tt.ok || got != tt.want {
			t.Errorf("cvssScore(%s) = %v, %v; want %v, %v", tt.vec, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSharedOSV: every real MAL- advisory becomes at least one valid
// indicator; the withdrawn ones only revoke.
func TestSharedOSV(t *testing.T) {
	dir := sharedDir(t, "osv")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if len(files) < 39 {
		t.Fatalf("found %d advisories, want at least 39", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseOSV(f, data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		checkResult(t, r)
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		if len(r.Indicators) == 0 || len(r.Skipped) != 0 || len(r.Revoked) != 0 {
			t.Errorf("%s: %d indicators, skipped %v, revoked %v", f, len(r.Indicators), r.Skipped, r.Revoked)
			continue
		}
		in := r.Indicators[0]
		if in.SourceID != id || !in.HasLabel(cti.LabelMalicious) || in.Confidence != 100 || in.Severity != cti.SeverityCritical {
			t.Errorf("%s: %+v", f, in)
		}
	}
	all, err := ParseFiles(FormatOSV, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, all)
	if len(all.Indicators) != len(files) {
		t.Errorf("ParseFiles: %d indicators for %d files", len(all.Indicators), len(files))
	}
	// The @ctrl/tinycolor report has an all-versions range next to a
	// narrower one: all versions wins, the ranges are kept.
	if tc := byID(all)["MAL-2025-47141"]; tc == nil || !tc.Package.AllVersions || len(tc.Package.Ranges) != 2 || tc.Package.Name != "@ctrl/tinycolor" {
		t.Errorf("MAL-2025-47141: %+v", tc)
	}

	w, err := ParseFiles(FormatOSV, []string{sharedDir(t, "osv-withdrawn")})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, w)
	if len(w.Indicators) != 0 || len(w.Revoked) != 2 {
		t.Errorf("withdrawn: %d indicators, revoked %v", len(w.Indicators), w.RevokedSources)
	}
}
