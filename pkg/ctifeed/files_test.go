package ctifeed

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	osvA = `{"id":"MAL-1","published":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"}}]}`
	osvB = `{"id":"MAL-2","published":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"b"}}]}`
	osvW = `{"id":"MAL-3","withdrawn":"2024-01-02T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"c"}}]}`
)

func TestParseFilesDirectory(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"z/b.json":      osvB,
		"a.json":        osvA,
		"w1.json":       osvW,
		"sub/w2.JSON":   osvW, // same withdrawal twice: collapsed
		"notes.txt":     "not a feed",
		"sub/README.md": "# hi",
	})
	r, err := ParseFiles(FormatOSV, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r)
	var got []string
	for _, in := range r.Indicators {
		got = append(got, in.SourceID)
	}
	// Lexical walk order: a.json, sub/..., w1.json, z/b.json.
	if !reflect.DeepEqual(got, []string{"MAL-1", "MAL-2"}) {
		t.Errorf("order %v", got)
	}
	if !reflect.DeepEqual(r.RevokedSources, []string{"MAL-3"}) {
		t.Errorf("revoked %v", r.RevokedSources)
	}
	// Deterministic: same tree, same result.
	r2, err := ParseFiles(FormatOSV, []string{dir})
	if err != nil || !reflect.DeepEqual(r, r2) {
		t.Errorf("second run differs: %v", err)
	}
	// A file given explicitly is read whatever its name.
	one := writeFiles(t, map[string]string{"advisory.osv": osvA})
	r, err = ParseFiles(FormatOSV, []string{filepath.Join(one, "advisory.osv")})
	if err != nil || len(r.Indicators) != 1 {
		t.Errorf("explicit file: %v %v", r, err)
	}
}

func TestParseFilesErrors(t *testing.T) {
	revokesA := `{"id":"MAL-1","withdrawn":"2024-01-02T00:00:00Z","affected":[]}`
	tests := []struct {
		name  string
		files map[string]string
		frags []string
	}{
		{"duplicate", map[string]string{"one.json": osvA, "two.json": osvA}, []string{"MAL-1", "one.json", "two.json", "duplicate"}},
		{"published then revoked", map[string]string{"one.json": osvA, "two.json": revokesA}, []string{"MAL-1", "one.json", "two.json"}},
		{"revoked then published", map[string]string{"one.json": revokesA, "two.json": osvA}, []string{"MAL-1", "one.json", "two.json"}},
		{"bad file", map[string]string{"one.json": osvA, "two.json": "{"}, []string{"two.json"}},
		{"wrong format", map[string]string{"one.json": `{"type":"bundle","id":"bundle--1","objects":[]}`}, []string{"one.json", "looks like STIX"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			r, err := ParseFiles(FormatOSV, []string{dir})
			wantFeedErr(t, r, err, tt.frags...)
		})
	}
	r, err := ParseFiles(FormatOSV, []string{filepath.Join(t.TempDir(), "missing")})
	wantFeedErr(t, r, err, "missing")
	r, err = ParseFiles("yaml", []string{writeFiles(t, map[string]string{"a.json": osvA})})
	wantFeedErr(t, r, err, `unknown format "yaml"`)
}

func TestParseDispatchAndSniff(t *testing.T) {
	tests := []struct {
		f    Format
		file string
	}{
		{FormatOSV, "osv/MAL-2099-1.json"},
		{FormatOSV, "osv/withdrawn-array.json"},
		{FormatSTIX, "stix/packages-bundle.json"},
		{FormatMISP, "misp/event.json"},
		{FormatMISP, "misp/response.json"},
	}
	for _, tt := range tests {
		data := readTestdata(t, tt.file)
		if got, ok := Sniff(data); !ok || got != tt.f {
			t.Errorf("Sniff(%s) = %q, %v", tt.file, got, ok)
		}
		r, err := Parse(tt.f, tt.file, data)
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.file, err)
			continue
		}
		checkResult(t, r)
		for _, other := range Formats {
			if other == tt.f {
				continue
			}
			r, err := Parse(other, tt.file, data)
			wantFeedErr(t, r, err, "looks like")
		}
	}
}
