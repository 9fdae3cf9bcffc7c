package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSBOMPurls(t *testing.T) {
	dir := t.TempDir()
	sbom := filepath.Join(dir, "fw.cdx.json")
	if err := os.WriteFile(sbom, []byte(`{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": [
  {"type": "library", "name": "requests", "version": "2.31.0", "purl": "pkg:pypi/requests@2.31.0"},
  {"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"},
  {"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"}
]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := sbomPurls(sbom)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "pkg:npm/left-pad@1.3.0 pkg:pypi/requests@2.31.0" {
		t.Fatalf("purls %v", got)
	}
	bad := filepath.Join(dir, "bad.cdx.json")
	if err := os.WriteFile(bad, []byte(`{"bomFormat": "CycloneDX", "components": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sbomPurls(bad); err == nil || !strings.Contains(err.Error(), "--sbom") {
		t.Fatalf("malformed SBOM: %v", err)
	}
	if _, err := sbomPurls(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("missing SBOM accepted")
	}
}

func TestParseTime(t *testing.T) {
	if v, err := parseTime("1767225600"); err != nil || v != 1767225600 {
		t.Errorf("unix: %d %v", v, err)
	}
	if v, err := parseTime("2026-01-01T00:00:00Z"); err != nil || v != 1767225600 {
		t.Errorf("rfc3339: %d %v", v, err)
	}
	if v, err := parseTime("now"); err != nil || v == 0 {
		t.Errorf("now: %d %v", v, err)
	}
	for _, bad := range []string{"", "yesterday", "2026-01-01"} {
		if _, err := parseTime(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Bad input is refused before any key is read or the node is asked.
func TestTelemetryCommandsRefuseBadInput(t *testing.T) {
	dir := t.TempDir()
	dig := "sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"telemetry", "device", "register", "--id", "acme/p", "--class", "pump", "--artifact", dig, "--firmware", "1"}, "--channels"},
		{[]string{"telemetry", "device", "register", "--id", "p", "--class", "pump", "--artifact", dig, "--firmware", "1", "--channels", "a"}, "<org_id>/<name>"},
		{[]string{"telemetry", "device", "register", "--id", "acme/p", "--class", "pump", "--artifact", "sha256:xx", "--firmware", "1", "--channels", "a"}, "artifact digest"},
		{[]string{"telemetry", "device", "register", "--id", "acme/p", "--class", "pump", "--artifact", dig, "--firmware", "1", "--channels", "a", "--purl", "pkg:npm/x"}, "no version"},
		{[]string{"telemetry", "device", "register", "--id", "acme/p", "--class", "pump", "--artifact", dig, "--firmware", "1", "--channels", "a", "--sbom", dir + "/none.json"}, "--sbom"},
		{[]string{"telemetry", "report", "--device", "acme/p", "--channels", "a", "--start", "10", "--end", "5", "--score", "2", "--threshold", "1", "--model", dig, "--evidence", dig}, "after window end"},
		{[]string{"telemetry", "report", "--device", "acme/p", "--channels", "a", "--start", "1", "--end", "5", "--score", "0", "--threshold", "1", "--model", dig, "--evidence", dig}, "below threshold"},
		{[]string{"telemetry", "report", "--device", "acme/p", "--channels", "a", "--end", "5", "--score", "2", "--threshold", "1", "--model", dig, "--evidence", dig}, "--start"},
		{[]string{"telemetry", "report", "--device", "acme/p", "--channels", "a", "--start", "1", "--end", "5", "--score", "2", "--threshold", "1", "--model", "md5:1", "--evidence", dig}, "model digest"},
		{[]string{"telemetry", "incident", "ack", "--note", "x"}, "--id"},
		{[]string{"telemetry", "incident", "resolve", "--id", "1", "--device", "acme/p", "--note", "a\x01b"}, "note"},
		{[]string{"telemetry", "report", "--device", "acme/p", "--channels", "a", "--start", "1", "--end", "5", "--score", "2", "--threshold", "1", "--model", dig, "--evidence", dig}, "who signs"},
	} {
		root := newRootCmd()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(append(tc.args, "--keys-dir", dir+"/keys", "--node", "http://127.0.0.1:1", "--chain-id", "c"))
		err := root.Execute()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
