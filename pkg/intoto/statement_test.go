package intoto

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	var d [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad hex %q", s)
	}
	copy(d[:], b)
	return d
}

// Digests of the hand-written ADF fixtures (sha256 of descriptive strings,
// see testdata/README.md).
const (
	imgSHA   = "11d2d996d618c621e2c6ad22e4c6f8d3f1af074bd51ac168203acfb7b5cbee5f"
	baseSHA  = "f320f1c5b436dd35321887c1733b529058ebe79abc06ce6fc90867c1d7ff3cf3"
	lockSHA  = "7f4f7e763ced4532a1e06ec79eb581c3a70293d4931597f53422772810d414dc"
	testsSHA = "9a836aa774f0662a68ad5fadfbec493e2ca7abafd807ebd325ef39d79d9ecc5f"
	commit   = "0123456789abcdef0123456789abcdef01234567"
)

func TestSLSAv1Fixture(t *testing.T) {
	s, err := ParseStatement(readFixture(t, "adf-slsa-v1.statement.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.Type != StatementTypeV1 || s.Legacy() || s.PredicateType != PredicateSLSAProvenanceV1 {
		t.Fatalf("%+v", s)
	}
	subj, err := s.SubjectSHA256()
	if err != nil || len(subj) != 1 || subj[0] != mustHex32(t, imgSHA) {
		t.Fatalf("subjects %x %v", subj, err)
	}
	p, err := ParseSLSAProvenance(s.Predicate)
	if err != nil {
		t.Fatal(err)
	}
	if p.BuildDefinition.BuildType != "https://adf.example/buildtypes/container/v1" ||
		p.RunDetails.Builder.ID != "https://adf.example/builders/ci@v1" ||
		p.RunDetails.Builder.Version["ci"] != "1.2.3" ||
		p.RunDetails.Metadata.InvocationID != "https://ci.example/runs/42" ||
		p.RunDetails.Metadata.StartedOn.Unix() != 1767323045 ||
		p.RunDetails.Metadata.FinishedOn.Sub(*p.RunDetails.Metadata.StartedOn).Seconds() != 600.5 ||
		len(p.BuildDefinition.ResolvedDependencies) != 3 || len(p.RunDetails.Byproducts) != 1 ||
		!strings.Contains(string(p.BuildDefinition.ExternalParameters), `"ref":"refs/tags/v1.0"`) {
		t.Fatalf("%+v", p)
	}
	mats, err := s.MaterialSHA256()
	if err != nil {
		t.Fatal(err)
	}
	if len(mats) != 2 || mats[0] != mustHex32(t, baseSHA) || mats[1] != mustHex32(t, lockSHA) {
		t.Fatalf("materials %x", mats)
	}
	commits, err := s.MaterialGitCommits()
	if err != nil || len(commits) != 1 || commits[0] != commit {
		t.Fatalf("commits %v %v", commits, err)
	}
}

// TestProvenanceChain follows commit → build → image → test through the
// fixtures: the test-result's subject is the build's subject, and both name
// the same commit.
func TestProvenanceChain(t *testing.T) {
	build, err := ParseStatement(readFixture(t, "adf-slsa-v1.statement.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	test, err := ParseStatement(readFixture(t, "adf-test-result.statement.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := ParseTestResult(test.Predicate)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Result != TestResultWarned || tr.URL != "https://ci.example/runs/43" ||
		strings.Join(tr.PassedTests, ",") != "unit,integration" || strings.Join(tr.WarnedTests, ",") != "lint" ||
		tr.FailedTests == nil || len(tr.FailedTests) != 0 || len(tr.Configuration) != 2 {
		t.Fatalf("%+v", tr)
	}
	bs, _ := build.SubjectSHA256()
	ts, _ := test.SubjectSHA256()
	if bs[0] != ts[0] {
		t.Fatal("tested image is not the built image")
	}
	tm, err := test.MaterialSHA256()
	if err != nil || len(tm) != 1 || tm[0] != mustHex32(t, testsSHA) {
		t.Fatalf("test materials %x %v", tm, err)
	}
	bc, _ := build.MaterialGitCommits()
	tc, _ := test.MaterialGitCommits()
	if len(bc) != 1 || len(tc) != 1 || bc[0] != tc[0] {
		t.Fatalf("commits %v %v", bc, tc)
	}
}

func TestSpecTestResultFixture(t *testing.T) {
	s, err := ParseStatement(readFixture(t, "in-toto-spec-test-result.statement.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	// The spec's example attests a git commit, not a file: no sha256.
	if _, err := s.SubjectSHA256(); !errors.Is(err, ErrNoSHA256) || !strings.Contains(err.Error(), `subject[0]`) || !strings.Contains(err.Error(), "gitCommit") {
		t.Fatalf("SubjectSHA256: %v", err)
	}
	if s.Subject[0].Digest["gitCommit"] != "d20ace7968ba43c0219f62d71334c1095bab1602" {
		t.Fatal(s.Subject[0].Digest)
	}
	tr, err := ParseTestResult(s.Predicate)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Result != "PASSED" || len(tr.PassedTests) != 13 || tr.Configuration[0].Digest["gitBlob"] != "ebe4add40f63c3c98bc9b32ff1e736f04120b023" {
		t.Fatalf("%+v", tr)
	}
	m, err := s.MaterialSHA256()
	if err != nil || len(m) != 0 {
		t.Fatalf("%v %v", m, err)
	}
}

func TestLegacyV01Fixture(t *testing.T) {
	s, err := ParseStatement(readFixture(t, "sigstore-go-provenance-sigstorejs1.3.0.statement.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Legacy() || s.PredicateType != PredicateSLSAProvenanceV02 {
		t.Fatalf("%+v", s)
	}
	if s.Subject[0].Name != "pkg:npm/sigstore@1.3.0" || !strings.HasPrefix(s.Subject[0].Digest["sha512"], "76176ffa33808b54") {
		t.Fatalf("%+v", s.Subject)
	}
	if _, err := s.SubjectSHA256(); !errors.Is(err, ErrNoSHA256) {
		t.Fatalf("%v", err)
	}
	ms, err := s.Materials()
	if err != nil || len(ms) != 1 || !strings.HasPrefix(ms[0].URI, "git+https://github.com/sigstore/sigstore-js") {
		t.Fatalf("%+v %v", ms, err)
	}
	if c, _ := s.MaterialGitCommits(); len(c) != 0 {
		// SLSA v0.2 materials use "sha1" for commits in this file.
		t.Logf("gitCommit materials: %v", c)
	}
}

func TestParseStatementBad(t *testing.T) {
	d256 := strings.Repeat("a", 64)
	subj := `"subject":[{"name":"a","digest":{"sha256":"` + d256 + `"}}]`
	pt := `"predicateType":"https://example.com/p"`
	v1 := `"_type":"https://in-toto.io/Statement/v1"`
	for _, tc := range []struct {
		name, in, mention string
		want              error
	}{
		{"malformed", `{` + v1 + `,`, "invalid JSON", ErrInvalidStatement},
		{"not object", `[]`, "want a JSON object", ErrInvalidStatement},
		{"invalid UTF-8", "{\"_type\":\"\xff\"}", "UTF-8", ErrInvalidStatement},
		{"type missing", `{` + subj + `,` + pt + `}`, "_type is missing", ErrInvalidStatement},
		{"type wrong", `{"_type":"https://in-toto.io/Statement/v2",` + subj + `,` + pt + `}`, `_type is "https://in-toto.io/Statement/v2"`, ErrInvalidStatement},
		{"type link", `{"_type":"link",` + subj + `,` + pt + `}`, `_type is "link"`, ErrInvalidStatement},
		{"type not string", `{"_type":1,` + subj + `,` + pt + `}`, `_type: want a JSON string`, ErrInvalidStatement},
		{"type case variant key", `{"_TYPE":"https://in-toto.io/Statement/v1",` + subj + `,` + pt + `}`, "_type is missing", ErrInvalidStatement},
		{"subject missing", `{` + v1 + `,` + pt + `}`, "subject is missing", ErrInvalidStatement},
		{"subject empty", `{` + v1 + `,"subject":[],` + pt + `}`, "subject is empty", ErrInvalidStatement},
		{"subject null", `{` + v1 + `,"subject":null,` + pt + `}`, "subject: want a JSON array", ErrInvalidStatement},
		{"subject no digest", `{` + v1 + `,"subject":[{"name":"a"}],` + pt + `}`, "subject[0].digest: missing", ErrInvalidStatement},
		{"subject empty digest", `{` + v1 + `,"subject":[{"name":"a","digest":{}}],` + pt + `}`, "subject[0].digest: missing or empty", ErrInvalidStatement},
		{"digest not object", `{` + v1 + `,"subject":[{"name":"a","digest":"` + d256 + `"}],` + pt + `}`, "subject[0].digest: want a JSON object", ErrInvalidStatement},
		{"digest value number", `{` + v1 + `,"subject":[{"name":"a","digest":{"sha256":1}}],` + pt + `}`, "subject[0].digest.sha256: want a JSON string", ErrInvalidStatement},
		{"sha256 short", `{` + v1 + `,"subject":[{"digest":{"sha256":"` + d256 + `"}},{"digest":{"sha256":"` + d256 + `"}},{"digest":{"sha256":"abc"}}],` + pt + `}`, "subject[2].digest.sha256: 3 hex digits, want 64", ErrInvalidStatement},
		{"sha256 uppercase", `{` + v1 + `,"subject":[{"digest":{"sha256":"` + strings.ToUpper(d256) + `"}}],` + pt + `}`, "subject[0].digest.sha256", ErrInvalidStatement},
		{"sha512 wrong length", `{` + v1 + `,"subject":[{"digest":{"sha512":"` + d256 + `"}}],` + pt + `}`, "subject[0].digest.sha512: 64 hex digits, want 128", ErrInvalidStatement},
		{"sha1 wrong length", `{` + v1 + `,"subject":[{"digest":{"sha1":"` + d256 + `"}}],` + pt + `}`, "subject[0].digest.sha1: 64 hex digits, want 40", ErrInvalidStatement},
		{"gitCommit wrong length", `{` + v1 + `,"subject":[{"digest":{"gitCommit":"abc123"}}],` + pt + `}`, "subject[0].digest.gitCommit: 6 hex digits, want 40 or 64", ErrInvalidStatement},
		{"empty digest value", `{` + v1 + `,"subject":[{"digest":{"customAlg":""}}],` + pt + `}`, "subject[0].digest.customAlg: empty digest", ErrInvalidStatement},
		{"duplicate digest key", `{` + v1 + `,"subject":[{"digest":{"sha256":"` + d256 + `","sha256":"` + d256 + `"}}],` + pt + `}`, `duplicate key "sha256"`, ErrInvalidStatement},
		{"duplicate top-level", `{` + v1 + `,` + v1 + `,` + subj + `,` + pt + `}`, `duplicate key "_type"`, ErrInvalidStatement},
		{"duplicate in predicate", `{` + v1 + `,` + subj + `,` + pt + `,"predicate":{"a":{"b":1,"b":2}}}`, `duplicate key "b" at $.predicate.a`, ErrInvalidStatement},
		{"predicateType missing", `{` + v1 + `,` + subj + `}`, "predicateType is missing", ErrInvalidStatement},
		{"predicateType empty", `{` + v1 + `,` + subj + `,"predicateType":""}`, "predicateType is empty", ErrInvalidStatement},
		{"predicate not object", `{` + v1 + `,` + subj + `,` + pt + `,"predicate":[1]}`, "predicate: want a JSON object", ErrInvalidStatement},
		{"slsa v1 predicate invalid", `{` + v1 + `,` + subj + `,"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"x"}}}`, "buildDefinition.externalParameters is missing", ErrInvalidPredicate},
		{"test-result invalid", `{` + v1 + `,` + subj + `,"predicateType":"https://in-toto.io/attestation/test-result/v0.1","predicate":{"result":"OK"}}`, `result is "OK"`, ErrInvalidPredicate},
		{"content bad base64", `{` + v1 + `,"subject":[{"digest":{"sha256":"` + d256 + `"},"content":"a-b_"}],` + pt + `}`, "subject[0].content: invalid base64", ErrInvalidStatement},
		{"trailing data", `{` + v1 + `,` + subj + `,` + pt + `} {}`, "trailing data", ErrInvalidStatement},
	} {
		_, err := ParseStatement([]byte(tc.in), 0)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: got %v\n\twant %v mentioning %q", tc.name, err, tc.want, tc.mention)
		}
	}
}

func TestParseStatementSizeCheckedFirst(t *testing.T) {
	in := bytes.Repeat([]byte{0xff}, 101)
	_, err := ParseStatement(in, 100)
	if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrInvalidStatement) {
		t.Fatalf("got %v", err)
	}
	big := []byte(`{"_type":"https://in-toto.io/Statement/v1","x":"` + strings.Repeat("a", DefaultMaxStatementBytes) + `"}`)
	if _, err := ParseStatement(big, 0); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("default limit: %v", err)
	}
}

func TestParseStatementAcceptsUnknownFieldsAndCustomDigests(t *testing.T) {
	in := `{"_type":"https://in-toto.io/Statement/v0.1","extra":{"x":1},"subject":[{"name":"foobar","digest":{"foo":"bar"},"other":true}],"predicateType":"p"}`
	s, err := ParseStatement([]byte(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Legacy() || s.Subject[0].Digest["foo"] != "bar" || s.Predicate != nil {
		t.Fatalf("%+v", s)
	}
	if _, err := s.SubjectSHA256(); !errors.Is(err, ErrNoSHA256) || !strings.Contains(err.Error(), `subject[0] (name "foobar")`) {
		t.Fatalf("%v", err)
	}
}

func TestSubjectSHA256NamesSubject(t *testing.T) {
	d := strings.Repeat("b", 64)
	in := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"` + d + `"}},{"name":"b","digest":{"sha512":"` + strings.Repeat("c", 128) + `"}}],"predicateType":"p"}`
	s, err := ParseStatement([]byte(in), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.SubjectSHA256()
	if !errors.Is(err, ErrNoSHA256) || !strings.Contains(err.Error(), `subject[1] (name "b")`) || !strings.Contains(err.Error(), `["sha512"]`) {
		t.Fatalf("%v", err)
	}
}

func TestNewStatementAndMarshal(t *testing.T) {
	subj := []ResourceDescriptor{{Name: "app", Digest: map[string]string{"sha256": imgSHA}}}
	pred := TestResult{Result: "PASSED", Configuration: []ResourceDescriptor{{URI: "git+https://x", Digest: map[string]string{"gitCommit": commit}}}, PassedTests: []string{"t1"}}
	s, err := NewStatement(subj, PredicateTestResultV01, pred)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"` + imgSHA + `"}}],"predicateType":"https://in-toto.io/attestation/test-result/v0.1","predicate":{"configuration":[{"digest":{"gitCommit":"` + commit + `"},"uri":"git+https://x"}],"passedTests":["t1"],"result":"PASSED"}}`
	if string(b) != want {
		t.Fatalf("Marshal:\n got %s\nwant %s", b, want)
	}
	// Parse(Marshal) round trip is stable, whatever the input formatting.
	s2, err := ParseStatement(readFixture(t, "adf-slsa-v1.statement.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := s2.Marshal()
	var ind bytes.Buffer
	json.Indent(&ind, m1, "", "   ")
	s3, err := ParseStatement(ind.Bytes(), 0)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := s3.Marshal()
	if !bytes.Equal(m1, m2) {
		t.Fatalf("not canonical:\n%s\n%s", m1, m2)
	}
	// Numbers survive exactly.
	s4, err := NewStatement(subj, "p", json.RawMessage(`{"n":12345678901234567890,"f":1.50}`))
	if err != nil {
		t.Fatal(err)
	}
	m4, _ := s4.Marshal()
	if !strings.Contains(string(m4), `"predicate":{"f":1.50,"n":12345678901234567890}`) {
		t.Fatalf("%s", m4)
	}

	// Validation.
	for _, tc := range []struct {
		name string
		subj []ResourceDescriptor
		pt   string
		pred any
		want string
	}{
		{"no subjects", nil, "p", nil, "subject is empty"},
		{"no digest", []ResourceDescriptor{{Name: "x"}}, "p", nil, "subject[0].digest"},
		{"bad digest", []ResourceDescriptor{{Digest: map[string]string{"sha256": "xyz"}}}, "p", nil, "subject[0].digest.sha256"},
		{"no predicateType", subj, "", nil, "predicateType is empty"},
		{"predicate not object", subj, "p", []int{1}, "want a JSON object"},
		{"bad test-result", subj, PredicateTestResultV01, TestResult{Result: "MAYBE"}, `result is "MAYBE"`},
		{"bad slsa", subj, PredicateSLSAProvenanceV1, SLSAProvenance{}, "buildDefinition.externalParameters: want a JSON object, got null"},
		{"slsa no buildType", subj, PredicateSLSAProvenanceV1, SLSAProvenance{BuildDefinition: BuildDefinition{ExternalParameters: json.RawMessage(`{}`)}}, "buildDefinition.buildType is missing or empty"},
	} {
		if _, err := NewStatement(tc.subj, tc.pt, tc.pred); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (want %q)", tc.name, err, tc.want)
		}
	}
}

func TestNewStatementSLSAStruct(t *testing.T) {
	p := SLSAProvenance{
		BuildDefinition: BuildDefinition{
			BuildType:          "https://adf.example/bt/v1",
			ExternalParameters: json.RawMessage(`{"ref":"main"}`),
			ResolvedDependencies: []ResourceDescriptor{
				{URI: "git+https://x", Digest: map[string]string{"gitCommit": commit}},
				{URI: "oci://base", Digest: map[string]string{"sha256": baseSHA}},
			},
		},
		RunDetails: RunDetails{Builder: Builder{ID: "https://adf.example/builder"}},
	}
	s, err := NewStatement([]ResourceDescriptor{{Name: "img", Digest: map[string]string{"sha256": imgSHA}}}, PredicateSLSAProvenanceV1, p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.MaterialSHA256()
	if err != nil || len(m) != 1 || m[0] != mustHex32(t, baseSHA) {
		t.Fatalf("%x %v", m, err)
	}
}

// TestStatementInSignedEnvelope: the end-to-end path x/attestation uses.
func TestStatementInSignedEnvelope(t *testing.T) {
	s, err := ParseStatement(readFixture(t, "adf-slsa-v1.statement.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	sk, err := sigscheme.ParsePrivateKey(sigscheme.Composite, bytes.Repeat([]byte{7}, sigscheme.Composite.PrivateKeySize()))
	if err != nil {
		t.Fatal(err)
	}
	e := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: payload}
	if err := dsse.Sign(e, "adf1builder", sk, "adf-1"); err != nil {
		t.Fatal(err)
	}
	raw, _ := e.Marshal()
	e2, err := dsse.Parse(raw, dsse.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if err := dsse.Verify(e2, "adf1builder", sk.Public(), "adf-1"); err != nil {
		t.Fatal(err)
	}
	s2, err := StatementFromEnvelope(e2, 0)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := s2.SubjectSHA256()
	if d[0] != mustHex32(t, imgSHA) {
		t.Fatal("subject lost")
	}
	e2.PayloadType = "text/plain"
	if _, err := StatementFromEnvelope(e2, 0); !errors.Is(err, ErrNotInToto) {
		t.Fatalf("%v", err)
	}
}

func TestPredicateParsersBad(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"slsa not object", `[]`, "want a JSON object"},
		{"slsa no buildDefinition", `{"runDetails":{"builder":{"id":"x"}}}`, "buildDefinition is missing"},
		{"slsa no runDetails", `{"buildDefinition":{"buildType":"t","externalParameters":{}}}`, "runDetails is missing"},
		{"slsa no builder id", `{"buildDefinition":{"buildType":"t","externalParameters":{}},"runDetails":{"builder":{}}}`, "runDetails.builder.id is missing"},
		{"slsa externalParameters not object", `{"buildDefinition":{"buildType":"t","externalParameters":"x"},"runDetails":{"builder":{"id":"x"}}}`, "buildDefinition.externalParameters: want a JSON object"},
		{"slsa dependency empty", `{"buildDefinition":{"buildType":"t","externalParameters":{},"resolvedDependencies":[{"name":"x"}]},"runDetails":{"builder":{"id":"x"}}}`, "buildDefinition.resolvedDependencies[0]: needs at least one of uri, digest, content"},
		{"slsa dependency bad digest", `{"buildDefinition":{"buildType":"t","externalParameters":{},"resolvedDependencies":[{"uri":"u"},{"uri":"u","digest":{"sha256":"00"}}]},"runDetails":{"builder":{"id":"x"}}}`, "buildDefinition.resolvedDependencies[1].digest.sha256: 2 hex digits"},
		{"slsa bad time", `{"buildDefinition":{"buildType":"t","externalParameters":{}},"runDetails":{"builder":{"id":"x"},"metadata":{"startedOn":"yesterday"}}}`, "runDetails.metadata.startedOn: \"yesterday\" is not an RFC 3339 timestamp"},
		{"slsa version not map of strings", `{"buildDefinition":{"buildType":"t","externalParameters":{}},"runDetails":{"builder":{"id":"x","version":{"a":1}}}}`, "runDetails.builder.version.a: want a JSON string"},
		{"slsa duplicate", `{"buildDefinition":{"buildType":"t","buildType":"u","externalParameters":{}},"runDetails":{"builder":{"id":"x"}}}`, `duplicate key "buildType"`},
	} {
		_, err := ParseSLSAProvenance(json.RawMessage(tc.in))
		if !errors.Is(err, ErrInvalidPredicate) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (want %q)", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"no result", `{}`, "result is missing"},
		{"bad result", `{"result":"passed"}`, `result is "passed"`},
		{"tests not strings", `{"result":"FAILED","failedTests":[1]}`, "failedTests: [0]: want a JSON string"},
		{"config bad", `{"result":"FAILED","configuration":[{"digest":{"sha1":"zz"}}]}`, "configuration[0].digest.sha1"},
		{"url not string", `{"result":"FAILED","url":{}}`, "url: want a JSON string"},
	} {
		_, err := ParseTestResult(json.RawMessage(tc.in))
		if !errors.Is(err, ErrInvalidPredicate) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (want %q)", tc.name, err, tc.want)
		}
	}
}
