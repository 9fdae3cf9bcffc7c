package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/intoto"
)

func noEnv(string) string { return "" }

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func hexSum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestResourceFor(t *testing.T) {
	p := writeFile(t, "app.tar", "hello artifact")
	rd, err := resourceFor(p)
	if err != nil {
		t.Fatal(err)
	}
	if rd.Name != "app.tar" || rd.Digest["sha256"] != hexSum("hello artifact") {
		t.Fatalf("got %+v", rd)
	}
	d := strings.Repeat("Ab", 32)
	rd, err = resourceFor("sha256:" + d)
	if err != nil || rd.Digest["sha256"] != strings.ToLower(d) || rd.Name != "" {
		t.Fatalf("got %+v, %v", rd, err)
	}
	for _, bad := range []string{"sha256:abc", "sha256:" + strings.Repeat("zz", 32), filepath.Join(t.TempDir(), "missing"), t.TempDir()} {
		if _, err := resourceFor(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Large files are streamed.
	big := make([]byte, 3<<20)
	for i := range big {
		big[i] = byte(i)
	}
	bp := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(bp, big, 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := fileSHA256(bp)
	if err != nil || sum != sha256.Sum256(big) {
		t.Fatalf("big file digest %x, %v", sum, err)
	}
}

func TestBuildStatementSLSA(t *testing.T) {
	sub := writeFile(t, "app", "binary")
	src := "sha256:" + hexSum("source")
	st, err := buildStatement(attestOptions{subjects: []string{sub}, materials: []string{src}, predicate: "slsa", builderID: "https://ci.example/builder", buildType: "https://example/bt"}, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if st.Type != intoto.StatementTypeV1 || st.PredicateType != intoto.PredicateSLSAProvenanceV1 {
		t.Fatalf("statement %+v", st)
	}
	subs, err := st.SubjectSHA256()
	if err != nil || len(subs) != 1 || hex.EncodeToString(subs[0][:]) != hexSum("binary") {
		t.Fatalf("subjects %x %v", subs, err)
	}
	mats, err := st.MaterialSHA256()
	if err != nil || len(mats) != 1 || hex.EncodeToString(mats[0][:]) != hexSum("source") {
		t.Fatalf("materials %x %v", mats, err)
	}
	p, err := intoto.ParseSLSAProvenance(st.Predicate)
	if err != nil || p.RunDetails.Builder.ID != "https://ci.example/builder" || p.BuildDefinition.BuildType != "https://example/bt" {
		t.Fatalf("predicate %+v %v", p, err)
	}
	// The statement survives its own strict parser byte for byte.
	b, _ := st.Marshal()
	again, err := intoto.ParseStatement(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := again.Marshal()
	if string(b) != string(b2) {
		t.Fatal("statement does not round-trip")
	}
}

func TestBuildStatementBuilderFromGitHubEnv(t *testing.T) {
	env := map[string]string{
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/app",
		"GITHUB_WORKFLOW_REF": "acme/app/.github/workflows/release.yml@refs/tags/v1", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "1",
		"GITHUB_SHA": "abc",
	}
	st, err := buildStatement(attestOptions{subjects: []string{"sha256:" + hexSum("x")}, predicate: "slsa", buildType: "bt"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	p, err := intoto.ParseSLSAProvenance(st.Predicate)
	if err != nil {
		t.Fatal(err)
	}
	if p.RunDetails.Builder.ID != "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1" {
		t.Fatalf("builder %q", p.RunDetails.Builder.ID)
	}
	if p.RunDetails.Metadata == nil || p.RunDetails.Metadata.InvocationID != "https://github.com/acme/app/actions/runs/42/attempts/1" {
		t.Fatalf("metadata %+v", p.RunDetails.Metadata)
	}
	if !strings.Contains(string(p.BuildDefinition.ExternalParameters), `"sha":"abc"`) {
		t.Fatalf("external parameters %s", p.BuildDefinition.ExternalParameters)
	}
	// Without a builder id anywhere, SLSA is refused.
	if _, err := buildStatement(attestOptions{subjects: []string{"sha256:" + hexSum("x")}, predicate: "slsa"}, noEnv); err == nil || !strings.Contains(err.Error(), "builder id") {
		t.Fatalf("no builder: %v", err)
	}
}

func TestBuildStatementTestResult(t *testing.T) {
	cfg := writeFile(t, "suite.yaml", "tests: all")
	st, err := buildStatement(attestOptions{subjects: []string{"sha256:" + hexSum("img")}, materials: []string{cfg}, predicate: "test-result", result: "passed"}, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if st.PredicateType != intoto.PredicateTestResultV01 {
		t.Fatal(st.PredicateType)
	}
	tr, err := intoto.ParseTestResult(st.Predicate)
	if err != nil || tr.Result != "PASSED" || len(tr.Configuration) != 1 || tr.Configuration[0].Name != "suite.yaml" {
		t.Fatalf("%+v %v", tr, err)
	}
	mats, err := st.MaterialSHA256()
	if err != nil || len(mats) != 1 || hex.EncodeToString(mats[0][:]) != hexSum("tests: all") {
		t.Fatalf("materials %x %v", mats, err)
	}
	for _, r := range []string{"", "maybe"} {
		if _, err := buildStatement(attestOptions{subjects: []string{"sha256:" + hexSum("img")}, predicate: "test-result", result: r}, noEnv); err == nil {
			t.Errorf("result %q accepted", r)
		}
	}
}

func TestBuildStatementPredicateFile(t *testing.T) {
	p := writeFile(t, "pred.json", `{"predicateType":"https://example.com/custom/v1","predicate":{"k":"v"}}`)
	st, err := buildStatement(attestOptions{subjects: []string{"sha256:" + hexSum("a")}, predicate: p}, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if st.PredicateType != "https://example.com/custom/v1" || string(st.Predicate) != `{"k":"v"}` {
		t.Fatalf("%s %s", st.PredicateType, st.Predicate)
	}
	bad := writeFile(t, "bad.json", `{"k":"v"}`)
	if _, err := buildStatement(attestOptions{subjects: []string{"sha256:" + hexSum("a")}, predicate: bad}, noEnv); err == nil {
		t.Fatal("bare predicate without type accepted")
	}
	if _, err := buildStatement(attestOptions{predicate: "slsa", builderID: "b"}, noEnv); err == nil {
		t.Fatal("no subject accepted")
	}
}

func TestNormalizeSubject(t *testing.T) {
	d := strings.Repeat("AB", 32)
	for _, in := range []string{"sha256:" + d, d} {
		got, err := normalizeSubject(in)
		if err != nil || got != strings.ToLower(d) {
			t.Fatalf("%q: %q %v", in, got, err)
		}
	}
	if _, err := normalizeSubject("sha256:12"); err == nil {
		t.Fatal("short digest accepted")
	}
}
