package ctifeed

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/cti"
)

func TestMISPEvent(t *testing.T) {
	r, err := ParseMISP("e.json", readTestdata(t, "misp/event.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r)
	m := byID(r)
	const a = "a0000000-0000-4000-8000-0000000000"
	tests := []struct {
		sid         string
		kind        cti.Kind
		value       string
		conf        uint32
		from, until int64
	}{
		{a + "01", cti.KindFileSHA256, "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f", 75, 1711972800, 0},
		{a + "02", cti.KindDomain, "evil.example", 70, 1709251200, 1710936000},
		{a + "03", cti.KindIP, "198.51.100.7", 70, 1711972800, 0},
		{a + "11", cti.KindFileSHA256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 70, 1711972800, 0},
	}
	if len(r.Indicators) != len(tests) {
		t.Errorf("%d indicators, want %d", len(r.Indicators), len(tests))
	}
	for _, tt := range tests {
		in := m[tt.sid]
		if in == nil {
			t.Errorf("no indicator %s", tt.sid)
			continue
		}
		if in.Kind != tt.kind || in.Value != tt.value || in.Confidence != tt.conf || in.ValidFrom != tt.from || in.ValidUntil != tt.until {
			t.Errorf("%s: %s %q conf %d %d..%d", tt.sid, in.Kind, in.Value, in.Confidence, in.ValidFrom, in.ValidUntil)
		}
		if in.Severity != cti.SeverityMedium || !in.HasLabel("tlp:green") ||
			!reflect.DeepEqual(in.References, []string{"https://blog.example.org/acme-npm"}) ||
			!strings.HasPrefix(in.Summary, "npm typosquat campaign dropping a stealer") {
			t.Errorf("%s mapping: %+v", tt.sid, in)
		}
	}
	if in := m[a+"01"]; in != nil {
		if in.Summary != "npm typosquat campaign dropping a stealer — stage 2" || in.Labels[0] != `misp:confidence-level="usually-confident"` {
			t.Errorf("attribute comment/tags: %+v", in)
		}
	}
	skips := []struct{ ref, frag string }{
		{a + "04", "to_ids is false"},
		{a + "05", "link"},
		{a + "06", `"email-src"`},
		{a + "08", "not an IP address"},
		{a + "12", "to_ids is false"},
		{a + "13", `"md5"`},
	}
	for _, s := range skips {
		got := skippedFor(r, s.ref)
		if len(got) != 1 || !strings.Contains(got[0].Reason, s.frag) {
			t.Errorf("skipped %s: %+v, want reason with %q", s.ref, got, s.frag)
		}
	}
	if len(r.Skipped) != len(skips) {
		t.Errorf("%d skipped: %+v", len(r.Skipped), r.Skipped)
	}
	if want := []string{a + "07", a + "21"}; !reflect.DeepEqual(r.RevokedSources, want) {
		t.Errorf("revoked %v, want %v", r.RevokedSources, want)
	}
}

func TestMISPResponse(t *testing.T) {
	r, err := ParseMISP("r.json", readTestdata(t, "misp/response.json"))
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r)
	m := byID(r)
	ip := m["c0000000-0000-4000-8000-000000000001"]
	if ip == nil || ip.Value != "2001:db8::5" || ip.Confidence != 50 || ip.Severity != cti.SeverityLow || ip.ValidFrom != 1700000000 {
		t.Errorf("ip: %+v", ip)
	}
	u := m["c0000000-0000-4000-8000-000000000002"]
	if u == nil || u.Value != "http://evil.example/x" || u.Confidence != 30 || u.Severity != cti.SeverityUnknown || u.ValidFrom != 1698796800 || u.ValidUntil != 1698796801 {
		t.Errorf("url: %+v", u)
	}
}

func TestMISPBareEventAndWindow(t *testing.T) {
	ev := func(attr string) string {
		return `{"uuid":"e","info":"bare","threat_level_id":1,"Attribute":[{"uuid":"u1","type":"domain","to_ids":"true","value":"a.example",` + attr + `}]}`
	}
	tests := []struct {
		name, attr  string
		from, until int64
	}{
		{"timestamp only", `"timestamp":"100"`, 100, 0},
		{"first_seen wins", `"timestamp":"5000000","first_seen":"1970-01-01T00:16:40Z"`, 1000, 0},
		{"edited after last sighting", `"timestamp":"5000","last_seen":"1970-01-01T00:16:40Z"`, 0, 1000},
		{"null times", `"timestamp":null,"first_seen":null,"last_seen":""`, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseMISP("f.json", []byte(ev(tt.attr)))
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, r)
			if len(r.Indicators) != 1 || r.Indicators[0].ValidFrom != tt.from || r.Indicators[0].ValidUntil != tt.until || r.Indicators[0].Confidence != 90 {
				t.Errorf("got %+v", r.Indicators)
			}
		})
	}
}

func TestMISPErrors(t *testing.T) {
	ev := func(level, attrs string) string {
		return `{"Event":{"uuid":"e","info":"x","threat_level_id":"` + level + `","Attribute":[` + attrs + `]}}`
	}
	attr := func(uuid, extra string) string {
		return `{"uuid":"` + uuid + `","type":"domain","to_ids":true,"value":"a.example"` + extra + `}`
	}
	osv, _ := os.ReadFile(filepath.Join("testdata", "osv", "MAL-2099-1.json"))
	tests := []struct {
		name, data string
		frags      []string
	}{
		{"malformed", `{"Event":`, []string{"f.json", "malformed JSON"}},
		{"osv", string(osv), []string{"looks like an OSV advisory, not a MISP event"}},
		{"stix", `{"type":"bundle","id":"bundle--1","objects":[]}`, []string{"looks like STIX, not a MISP event"}},
		{"not misp", `{"foo":1}`, []string{"not a MISP event"}},
		{"threat level", ev("7", ""), []string{"threat_level_id"}},
		{"dup uuid", ev("1", attr("u1", "")+","+attr("u1", "")), []string{"u1", "duplicate"}},
		{"inverted", ev("1", attr("u1", `,"first_seen":"2024-02-01T00:00:00Z","last_seen":"2024-01-01T00:00:00Z"`)), []string{"u1", "valid_until"}},
		{"bad time", ev("1", attr("u1", `,"first_seen":"last week"`)), []string{"u1", "first_seen"}},
		{"bad bool", ev("1", `{"uuid":"u1","type":"domain","to_ids":"maybe","value":"a.example"}`), []string{"event 0", "not a boolean"}},
		{"bad confidence tag", ev("1", attr("u1", `,"Tag":[{"name":"misp:confidence-level=\"very\""}]`)), []string{"u1", "confidence level"}},
		{"response without event", `{"response":[{}]}`, []string{"response[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseMISP("f.json", []byte(tt.data))
			wantFeedErr(t, r, err, tt.frags...)
		})
	}
}
