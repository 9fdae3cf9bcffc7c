package ctifeed

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/cti"
)

func TestSTIXBundle(t *testing.T) {
	r, err := ParseSTIX("b.json", readTestdata(t, "stix/packages-bundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r)
	m := byID(r)
	const p = "indicator--00000000-0000-4000-8000-00000000000"
	pkgs := []struct {
		sid  string
		want cti.PackageMatch
	}{
		{p + "1#0", cti.PackageMatch{Ecosystem: "npm", Name: "@acme/evil", Versions: []string{"1.2.3"}}},
		{p + "1#1", cti.PackageMatch{Ecosystem: "PyPI", Name: "evil-pkg", AllVersions: true}},
		{p + "1#2", cti.PackageMatch{Ecosystem: "Go", Name: "github.com/acme/evil", Versions: []string{"v1.0.0"}}},
	}
	for _, tt := range pkgs {
		in := m[tt.sid]
		if in == nil {
			t.Errorf("no indicator %s", tt.sid)
			continue
		}
		if in.Kind != cti.KindPackage || !reflect.DeepEqual(*in.Package, tt.want) {
			t.Errorf("%s: %+v", tt.sid, in.Package)
		}
		if in.Confidence != 90 || in.ValidFrom != 1714521600 || in.ValidUntil != 1746057600 ||
			!reflect.DeepEqual(in.Labels, []string{"supply-chain", "malicious-activity"}) ||
			!reflect.DeepEqual(in.References, []string{"https://example.org/acme-campaign"}) ||
			in.Summary != "Typosquats from the acme campaign" {
			t.Errorf("%s mapping: %+v", tt.sid, in)
		}
	}
	values := []struct {
		sid   string
		kind  cti.Kind
		value string
		from  int64
		until int64
	}{
		{p + "3#0", cti.KindFileSHA256, "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f", 1714521600, 0},
		{p + "4#0", cti.KindURL, "https://evil.example/payload", 1714521600, 0},
		{p + "4#1", cti.KindIP, "2001:db8::/32", 1714521600, 0},
		{p + "5#0", cti.KindIP, "203.0.113.9", 1717200000, 1719792000},
		{"attack-pattern--00000000-0000-4000-8000-000000000008", cti.KindTechnique, "T1195.001", 0, 0},
	}
	for _, tt := range values {
		in := m[tt.sid]
		if in == nil {
			t.Errorf("no indicator %s", tt.sid)
			continue
		}
		if in.Kind != tt.kind || in.Value != tt.value || in.ValidFrom != tt.from || in.ValidUntil != tt.until {
			t.Errorf("%s: got %s %q %d..%d", tt.sid, in.Kind, in.Value, in.ValidFrom, in.ValidUntil)
		}
		if in.Confidence != STIXDefaultConfidence && tt.kind != cti.KindTechnique {
			t.Errorf("%s: confidence %d, want default %d", tt.sid, in.Confidence, STIXDefaultConfidence)
		}
	}
	if tech := m["attack-pattern--00000000-0000-4000-8000-000000000008"]; tech != nil && tech.Confidence != 85 {
		t.Errorf("technique confidence %d", tech.Confidence)
	}
	if len(r.Indicators) != len(pkgs)+len(values) {
		t.Errorf("%d indicators, want %d", len(r.Indicators), len(pkgs)+len(values))
	}

	skips := []struct{ ref, frag string }{
		{p + "2#0", "different object type"},
		{p + "2#1", "different object type"},
		{p + "3#1", "further describes the file identified by term 0"},
		{p + "4#2", "joined by AND"},
		{p + "4#3", "joined by AND"},
		{p + "5#1", "REPEATS 3 TIMES"},
		{p + "5#2", "REPEATS 3 TIMES"},
		{p + "5#3", "operator LIKE"},
		{p + "5#4", `purl type "deb" has no OSV ecosystem`},
		{p + "6", `pattern_type "sigma"`},
		{"attack-pattern--00000000-0000-4000-8000-000000000009", "TA0001"},
	}
	for _, tt := range skips {
		s := skippedFor(r, tt.ref)
		if len(s) != 1 || !strings.Contains(s[0].Reason, tt.frag) {
			t.Errorf("skipped %s: got %+v, want reason with %q", tt.ref, s, tt.frag)
		}
	}
	if len(r.Skipped) != len(skips) {
		t.Errorf("%d skipped, want %d: %+v", len(r.Skipped), len(skips), r.Skipped)
	}
	if want := []string{p + "7", p + "7#0", p + "7#1"}; !reflect.DeepEqual(r.RevokedSources, want) {
		t.Errorf("revoked %v, want %v", r.RevokedSources, want)
	}
	if want := map[string]int{"attack-pattern": 1, "malware": 1, "relationship": 1}; !reflect.DeepEqual(r.Ignored, want) {
		t.Errorf("ignored %v, want %v", r.Ignored, want)
	}
}

func TestSTIXShapes(t *testing.T) {
	obj := `{"type":"indicator","id":"indicator--1","pattern":"[domain-name:value = 'Evil.Example.']","valid_from":"2024-01-01T00:00:00Z"}`
	for name, data := range map[string]string{
		"single": obj,
		"array":  "[" + obj + "]",
		"bundle": `{"type":"bundle","id":"bundle--1","objects":[` + obj + `]}`,
	} {
		t.Run(name, func(t *testing.T) {
			r, err := ParseSTIX("f.json", []byte(data))
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r)
			if len(r.Indicators) != 1 || r.Indicators[0].Value != "evil.example" || r.Indicators[0].SourceID != "indicator--1" {
				t.Errorf("got %+v", r.Indicators)
			}
		})
	}
}

func TestSTIXErrors(t *testing.T) {
	ind := func(extra string) string {
		return `{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '1.2.3.4']"` + extra + `}]}`
	}
	osv, _ := os.ReadFile(filepath.Join("testdata", "osv", "MAL-2099-1.json"))
	tests := []struct {
		name, data string
		frags      []string
	}{
		{"malformed", `{"type":"bundle",`, []string{"f.json", "malformed JSON"}},
		{"osv", string(osv), []string{"looks like an OSV advisory, not STIX"}},
		{"misp", `{"Event":{}}`, []string{"looks like a MISP event, not STIX"}},
		{"no type", `{"id":"x"}`, []string{"no type"}},
		{"confidence", ind(`,"confidence":101`), []string{"indicator--1", "confidence 101"}},
		{"confidence float", ind(`,"confidence":5.5`), []string{"indicator--1", "not an integer"}},
		{"window", ind(`,"valid_from":"2024-02-01T00:00:00Z","valid_until":"2024-01-01T00:00:00Z"`), []string{"indicator--1", "valid_until"}},
		{"equal window", ind(`,"valid_from":"2024-02-01T00:00:00Z","valid_until":"2024-02-01T00:00:00Z"`), []string{"indicator--1", "valid_until"}},
		{"bad time", ind(`,"valid_from":"Feb 1"`), []string{"indicator--1", "valid_from"}},
		{"bad purl", `[{"type":"indicator","id":"indicator--2","pattern":"[software:purl = 'npm/left-pad']"}]`, []string{"indicator--2", "term 0", "purl"}},
		{"dup", `[{"type":"indicator","id":"indicator--1","pattern":"[url:value = 'http://a.example/']"},{"type":"indicator","id":"indicator--1","pattern":"[url:value = 'http://b.example/']"}]`, []string{"indicator--1", "duplicate"}},
		{"wrong field type", `[{"type":"indicator","id":"indicator--3","labels":"x"}]`, []string{"indicator--3", "labels"}},
		{"id prefix", `[{"type":"indicator","id":"malware--3"}]`, []string{"malware--3", "indicator--"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseSTIX("f.json", []byte(tt.data))
			wantFeedErr(t, r, err, tt.frags...)
		})
	}
}

func TestSTIXIndicatorSkips(t *testing.T) {
	tests := []struct{ name, obj, ref, frag string }{
		{"no pattern", `{"type":"indicator","id":"indicator--1"}`, "indicator--1", "no pattern"},
		{"syntax", `{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = ]"}`, "indicator--1", "does not parse"},
		{"snort", `{"type":"indicator","id":"indicator--1","pattern_type":"snort","pattern":"alert tcp any any"}`, "indicator--1", "snort"},
		{"md5 only", `{"type":"indicator","id":"indicator--1","pattern":"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']"}`, "indicator--1", "only SHA-256"},
		{"window outside", `{"type":"indicator","id":"indicator--1","valid_from":"2024-01-01T00:00:00Z","valid_until":"2024-02-01T00:00:00Z","pattern":"[ipv4-addr:value = '1.2.3.4'] START t'2025-01-01T00:00:00Z' STOP t'2025-02-01T00:00:00Z'"}`, "indicator--1", "outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseSTIX("f.json", []byte(tt.obj))
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r)
			if s := skippedFor(r, tt.ref); len(r.Indicators) != 0 || len(s) != 1 || !strings.Contains(s[0].Reason, tt.frag) {
				t.Errorf("indicators %v, skipped %+v", r.Indicators, r.Skipped)
			}
		})
	}
}

// TestSharedSTIX: every indicator in the OASIS examples is either
// translated or skipped with a reason, and known translations hold.
func TestSharedSTIX(t *testing.T) {
	dir := sharedDir(t, "stix")
	var files []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 9 {
		t.Fatalf("found %d STIX files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseSTIX(f, data)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		checkResult(t, r)
		// Account for every indicator object in the file.
		for _, id := range indicatorIDs(t, data) {
			found := false
			for _, in := range r.Indicators {
				found = found || in.SourceID == id || strings.HasPrefix(in.SourceID, id+"#")
			}
			for _, s := range r.Skipped {
				found = found || s.Ref == id || strings.HasPrefix(s.Ref, id+"#")
			}
			if !found {
				t.Errorf("%s: indicator %s neither translated nor skipped", f, id)
			}
		}
	}

	all, err := ParseFiles(FormatSTIX, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, all)
	m := byID(all)
	want := []struct {
		sid   string
		kind  cti.Kind
		value string
		from  int64
	}{
		// indicator-for-c2-ip-address.json
		{"indicator--33fe3b22-0201-47cf-85d0-97c02164528d", cti.KindIP, "10.0.0.0", 1399539600},
		// apt1: CIDR given with =
		{"indicator--031778a4-057f-48e6-9db9-c8d72b81ccd5", cti.KindIP, "223.166.0.0/15", 1431681136},
		{"indicator--3f3ff9f1-bb4e-4392-89e5-1991179042ba", cti.KindDomain, "hugesoft.org", 1431681136},
		{"indicator--a932fcc6-e032-476c-826f-cb970a5a1ade", cti.KindFileSHA256, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c", 1399539600},
		// poisonivy: OR of a domain and addresses, one indicator per term
		{"indicator--b7fa7e73-e645-4813-9723-161bbd8dda62#0", cti.KindDomain, "e.ct.toh.info", 1431681136},
		{"indicator--b7fa7e73-e645-4813-9723-161bbd8dda62#1", cti.KindIP, "101.78.151.179", 1431681136},
		{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", cti.KindFileSHA256, "4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877", 1451606400},
	}
	for _, w := range want {
		in := m[w.sid]
		if in == nil {
			t.Errorf("no indicator %s", w.sid)
			continue
		}
		if in.Kind != w.kind || in.Value != w.value || in.ValidFrom != w.from || in.Confidence != STIXDefaultConfidence || !in.HasLabel("malicious-activity") {
			t.Errorf("%s: %+v", w.sid, in)
		}
	}
	skips := []struct{ ref, frag string }{
		{"indicator--8cf9236f-1b96-493d-98be-0c1c1e8b62d7", "email-message"},
		{"indicator--8d12f44f-8ac0-4b12-8b4a-3699ca8c9691", "only SHA-256"},
		{"indicator--b3b6b540-d838-41e2-853b-005056c00008#1", "x509-certificate"},
		{"indicator--4e4c4ad7-4909-456a-b6fa-e24a6f682a40#0", "domain autuo.xicp.net"},
		{"indicator--137acf67-cedc-4a07-8719-72759174de3a", "file:name"},
	}
	for _, s := range skips {
		got := skippedFor(all, s.ref)
		if len(got) != 1 || !strings.Contains(got[0].Reason, s.frag) {
			t.Errorf("skipped %s: %+v, want reason with %q", s.ref, got, s.frag)
		}
	}
	if all.Ignored["relationship"] == 0 || all.Ignored["malware"] == 0 || all.Ignored["campaign"] == 0 {
		t.Errorf("ignored counts %v", all.Ignored)
	}
}

func indicatorIDs(t *testing.T, data []byte) []string {
	t.Helper()
	raws, err := stixObjects("", data)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, raw := range raws {
		var o stixObject
		if err := jsonUnmarshal(raw, &o); err == nil && o.Type == "indicator" {
			ids = append(ids, o.ID)
		}
	}
	return ids
}
