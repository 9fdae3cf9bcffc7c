package ctifeed

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// addSeeds adds every fixture of a format (and, when present, the shared
// data set) to a fuzz corpus.
func addSeeds(f *testing.F, dirs ...string) {
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.json"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
}

func sharedSeed(sub string) string {
	if env := os.Getenv("ADF_SHARED_DATA"); env != "" {
		return filepath.Join(env, "cti", sub)
	}
	return filepath.Join("..", "..", "..", "shared", "data", "cti", sub)
}

// fuzzParse checks the parser's contract on arbitrary input: no panic, an
// error is an ErrFeed with no result, every indicator validates, and the
// same input gives the same answer.
func fuzzParse(t *testing.T, parse func(string, []byte) (*Result, error), data []byte) {
	r, err := parse("fuzz.json", data)
	if err != nil {
		if r != nil {
			t.Fatalf("result with error %v", err)
		}
		if !errors.Is(err, ErrFeed) {
			t.Fatalf("error %v does not wrap ErrFeed", err)
		}
	} else {
		checkResult(t, r)
	}
	r2, err2 := parse("fuzz.json", data)
	if !reflect.DeepEqual(r, r2) || (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
		t.Fatalf("not deterministic: %v / %v", err, err2)
	}
}

func FuzzParseOSV(f *testing.F) {
	addSeeds(f, "testdata/osv", filepath.Join(sharedSeed("osv"), "npm"), sharedSeed("osv-withdrawn/npm"))
	f.Add([]byte(`{"id":"A-1","published":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1"}]}],"versions":["0.1"]}],"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, ParseOSV, data) })
}

func FuzzParseSTIX(f *testing.F) {
	addSeeds(f, "testdata/stix", sharedSeed("stix"))
	f.Add([]byte(`{"type":"indicator","id":"indicator--1","confidence":7,"valid_from":"2024-01-01T00:00:00Z","pattern":"[domain-name:value = 'a.example' OR software:purl = 'pkg:npm/a@1']"}`))
	f.Add([]byte(`[{"type":"attack-pattern","id":"attack-pattern--1","external_references":[{"source_name":"mitre-attack","external_id":"T1195"}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, ParseSTIX, data) })
}

func FuzzParseMISP(f *testing.F) {
	addSeeds(f, "testdata/misp")
	f.Add([]byte(`{"Event":{"uuid":"e","threat_level_id":"1","Attribute":[{"uuid":"u","type":"ip-dst|port","to_ids":"1","value":"1.2.3.4|80","first_seen":"2024-01-01T00:00:00Z","last_seen":"2024-01-01T00:00:00Z"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParse(t, ParseMISP, data) })
}

func FuzzSTIXPattern(f *testing.F) {
	for _, p := range []string{
		`[ipv4-addr:value = '10.0.0.0']`,
		`[file:hashes.'SHA-256' = 'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c' AND file:hashes.MD5 = 'x']`,
		`[domain-name:value = 'a.example' OR ipv4-addr:value = '1.2.3.4'] OR [url:value = 'http://a.example/']`,
		`[software:purl = 'pkg:npm/%40a/b@1.0.0' OR software:x_purl = 'pkg:pypi/x']`,
		`([a:b = 'c'] AND [d:e = 'f']) FOLLOWEDBY [g:h IN ('i', 'j')] WITHIN 5 SECONDS`,
		`[ipv4-addr:value ISSUBSET '10.0.0.0/8'] START t'2024-01-01T00:00:00Z' STOP t'2025-01-01T00:00:00Z' REPEATS 2 TIMES`,
		`[email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\.exe$']`,
		`/* c */ [a:'b c'.d[0] NOT LIKE 'x' AND EXISTS a:b]`,
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		terms, err := ParseSTIXPattern(pattern)
		if err != nil {
			if terms != nil || !errors.Is(err, ErrPattern) {
				t.Fatalf("terms %v with error %v", terms, err)
			}
			return
		}
		for i, tm := range terms {
			if tm.Index != i {
				t.Fatalf("term %d has index %d", i, tm.Index)
			}
			if tm.Translated() == (tm.Reason != "" || tm.Err != nil) {
				t.Fatalf("term %d: translated=%v reason %q err %v", i, tm.Translated(), tm.Reason, tm.Err)
			}
		}
		again, _ := ParseSTIXPattern(pattern)
		if !reflect.DeepEqual(terms, again) {
			t.Fatalf("not deterministic")
		}
		// The translated terms must make valid indicators.
		obj := `{"type":"indicator","id":"indicator--f","pattern":` + jsonString(pattern) + `}`
		fuzzParse(t, ParseSTIX, []byte(obj))
	})
}

func jsonString(s string) string {
	b, _ := jsonMarshal(s)
	return string(b)
}
