package ctifeed

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/cti"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func TestSTIXPatternTranslations(t *testing.T) {
	type want struct {
		kind   cti.Kind
		value  string
		reason string // substring; "" means translated
	}
	tests := []struct {
		pattern string
		terms   []want
	}{
		{`[file:hashes.'SHA-256' = 'AA00000000000000000000000000000000000000000000000000000000000000']`,
			[]want{{cti.KindFileSHA256, "aa00000000000000000000000000000000000000000000000000000000000000", ""}}},
		{`[file:hashes.SHA256 = 'aa00000000000000000000000000000000000000000000000000000000000000']`,
			[]want{{cti.KindFileSHA256, "aa00000000000000000000000000000000000000000000000000000000000000", ""}}},
		{`[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']`, []want{{"", "", "only SHA-256"}}},
		{`[file:hashes.'SHA-256' = 'xyz']`, []want{{"", "", "64 hex digits"}}},
		{`[domain-name:value == 'Example.COM']`, []want{{cti.KindDomain, "example.com", ""}}},
		{`[domain-name:value != 'example.com']`, []want{{"", "", "operator !="}}},
		{`[domain-name:value NOT = 'example.com']`, []want{{"", "", "negated"}}},
		{`[domain-name:resolves_to_refs[*].value = '10.0.0.1']`, []want{{"", "", "only domain-name:value"}}},
		{`[ipv4-addr:value ISSUBSET '10.0.0.0/8']`, []want{{cti.KindIP, "10.0.0.0/8", ""}}},
		{`[ipv4-addr:value ISSUPERSET '10.0.0.0/8']`, []want{{"", "", "ISSUPERSET"}}},
		{`[ipv4-addr:value = '2001:db8::1']`, []want{{"", "", "other family"}}},
		{`[ipv6-addr:value = '2001:DB8::1']`, []want{{cti.KindIP, "2001:db8::1", ""}}},
		{`[url:value = 'http://Example.com/a b']`, []want{{cti.KindURL, "http://example.com/a%20b", ""}}},
		{`[url:value MATCHES '^http']`, []want{{"", "", "MATCHES"}}},
		{`[software:purl = 'pkg:cargo/evil@0.1.0']`, nil},
		{`[software:cpe = 'cpe:2.3:a:x:y:1:*:*:*:*:*:*:*']`, []want{{"", "", "software:cpe"}}},
		{`[email-addr:value = 'a@b.example']`, []want{{"", "", "email-addr objects"}}},
		{`[windows-registry-key:key = 'HKLM\\Run']`, []want{{"", "", "windows-registry-key"}}},
		{`[file:size > 10]`, []want{{"", "", "file:size"}}},
		{`[domain-name:value = 10]`, []want{{"", "", "not a string"}}},
		{`[domain-name:value IN ('a.example', 'b.example')]`, []want{{cti.KindDomain, "a.example", ""}, {cti.KindDomain, "b.example", ""}}},
		{`[domain-name:value NOT IN ('a.example')]`, []want{{"", "", "NOT IN"}}},
		{`[domain-name:value = 'a.example' OR (domain-name:value = 'b.example' AND domain-name:value = 'c.example')]`,
			[]want{{cti.KindDomain, "a.example", ""}, {"", "", "ANDed with term 2"}, {"", "", "ANDed with term 1"}}},
		{`[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e' AND (file:name = 'a' OR file:name = 'b')]`,
			[]want{{"", "", "only SHA-256"}, {"", "", "file:name"}, {"", "", "file:name"}}},
		{`[domain-name:value = 'a.example' AND domain-name:value = 'b.example']`,
			[]want{{"", "", "conjunction"}, {"", "", "conjunction"}}},
		{`[domain-name:value = 'a.example'] FOLLOWEDBY [url:value = 'http://a.example/x'] WITHIN 60 SECONDS`,
			[]want{{"", "", "FOLLOWEDBY"}, {"", "", "FOLLOWEDBY"}}},
		{`([domain-name:value = 'a.example'] OR [domain-name:value = 'b.example']) WITHIN 10 SECONDS`,
			[]want{{cti.KindDomain, "a.example", ""}, {cti.KindDomain, "b.example", ""}}},
		{`EXISTS` + ` `, nil}, // syntax error, tested below
		{`[ domain-name:value = 'it''s' ]`, nil},
		{`/* c2 */ [domain-name:value = 'a.example'] // trailing`, []want{{cti.KindDomain, "a.example", ""}}},
		{`[ EXISTS file:hashes.'SHA-256' ]`, []want{{"", "", "operator EXISTS"}}},
		{`[artifact:hashes.'SHA-256' = 'aa00000000000000000000000000000000000000000000000000000000000000']`,
			[]want{{cti.KindFileSHA256, "aa00000000000000000000000000000000000000000000000000000000000000", ""}}},
	}
	for _, tt := range tests {
		terms, err := ParseSTIXPattern(tt.pattern)
		if tt.terms == nil {
			continue // syntax or error-carrying cases are covered elsewhere
		}
		if err != nil {
			t.Errorf("%s: %v", tt.pattern, err)
			continue
		}
		if len(terms) != len(tt.terms) {
			t.Errorf("%s: %d terms, want %d: %+v", tt.pattern, len(terms), len(tt.terms), terms)
			continue
		}
		for i, w := range tt.terms {
			got := terms[i]
			if got.Index != i {
				t.Errorf("%s: term %d has index %d", tt.pattern, i, got.Index)
			}
			if w.reason == "" {
				if !got.Translated() || got.Kind != w.kind || got.Value != w.value {
					t.Errorf("%s: term %d = %s %q (reason %q), want %s %q", tt.pattern, i, got.Kind, got.Value, got.Reason, w.kind, w.value)
				}
				continue
			}
			if got.Translated() || !strings.Contains(got.Reason, w.reason) {
				t.Errorf("%s: term %d reason %q, want one with %q", tt.pattern, i, got.Reason, w.reason)
			}
		}
	}
}

func TestSTIXPatternPurl(t *testing.T) {
	terms, err := ParseSTIXPattern(`[software:x_purl = 'pkg:maven/org.acme/evil@1.0?type=jar']`)
	if err != nil || len(terms) != 1 || !terms[0].Translated() {
		t.Fatalf("%+v %v", terms, err)
	}
	if p := terms[0].Package; p.Ecosystem != "Maven" || p.Name != "org.acme:evil" || p.Versions[0] != "1.0" {
		t.Errorf("%+v", p)
	}
	terms, err = ParseSTIXPattern(`[software:purl = 'left-pad']`)
	if err != nil || len(terms) != 1 || terms[0].Err == nil || terms[0].Translated() {
		t.Errorf("invalid purl: %+v %v", terms, err)
	}
}

func TestSTIXPatternWindow(t *testing.T) {
	terms, err := ParseSTIXPattern(`([ipv4-addr:value = '1.2.3.4'] START t'2024-01-01T00:00:00Z' STOP t'2024-12-01T00:00:00Z') START t'2024-03-01T00:00:00.5Z' STOP t'2025-01-01T00:00:00Z'`)
	if err != nil {
		t.Fatal(err)
	}
	if terms[0].Start != 1709251200 || terms[0].Stop != 1733011200 || !terms[0].Translated() {
		t.Errorf("%+v", terms[0])
	}
	terms, _ = ParseSTIXPattern(`([ipv4-addr:value = '1.2.3.4'] START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00Z') START t'2024-03-01T00:00:00Z' STOP t'2025-01-01T00:00:00Z'`)
	if terms[0].Translated() || !strings.Contains(terms[0].Reason, "never match") {
		t.Errorf("disjoint windows: %+v", terms[0])
	}
}

func TestSTIXPatternSyntax(t *testing.T) {
	bad := []string{
		``,
		`[]`,
		`[ipv4-addr:value = '1.2.3.4'`,
		`ipv4-addr:value = '1.2.3.4'`,
		`[ipv4-addr:value = '1.2.3.4'] AND`,
		`[ipv4-addr:value '1.2.3.4']`,
		`[ipv4-addr:value = '1.2.3.4] `,
		`[ipv4-addr:value = 'a\x']`,
		`[ipv4-addr value = 'a']`,
		`[ipv4-addr:value = 'a'] WITHIN -5 SECONDS`,
		`[ipv4-addr:value = 'a'] REPEATS 2`,
		`[ipv4-addr:value = 'a'] START t'2024-01-01T00:00:00Z' STOP t'2023-01-01T00:00:00Z'`,
		`[ipv4-addr:value = 'a'] START '2024-01-01T00:00:00Z' STOP t'2025-01-01T00:00:00Z'`,
		`[ipv4-addr:value = 'a'] START t'2024-01-01T00:00:00+01:00' STOP t'2025-01-01T00:00:00Z'`,
		`[ipv4-addr:value IN ('a' 'b')]`,
		`[ipv4-addr:value LIKE 5]`,
		`[ipv4-addr:value = 'a'] /* open`,
		`[a:b = 'a'] ]`,
		`[a:b ! 'x']`,
		`EXISTS`,
		strings.Repeat("(", 100) + `[a:b = 'c']` + strings.Repeat(")", 100),
		strings.Repeat("[a:b = 'c'] OR ", 3) + "[",
	}
	for _, p := range bad {
		terms, err := ParseSTIXPattern(p)
		if err == nil || !errors.Is(err, ErrPattern) || terms != nil {
			t.Errorf("%q: terms %v err %v; want ErrPattern", p, terms, err)
		}
	}
	good := []string{
		`[a:b = 'it\'s' AND a:'c d'[0].e = true OR a:f = h'ff' OR a:g = b'AAAA' OR a:h = -1.5 OR a:i < t'2020-01-01T00:00:00Z']`,
		`[a:b = 'c'] and [a:b = 'd'] or [a:b = 'e'] followedby [a:b = 'f'] repeats 2 times within 5.5 seconds`,
		"[a:b\n=\t'c']",
		`[ipv4-addr:value = '1.2.3.4'] START t'2024-01-01T00:00:00Z' STOP t'2025-01-01T00:00:00Z'`,
	}
	for _, p := range good {
		if _, err := ParseSTIXPattern(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
}
