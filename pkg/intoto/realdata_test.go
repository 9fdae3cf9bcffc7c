package intoto

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/dsse"
)

var sharedDir = filepath.Join("..", "..", "..", "shared", "data", "attestations")

func shared(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sharedDir, "README.md")); err != nil {
		t.Skipf("shared attestation data not present (%s): %v", sharedDir, err)
	}
	return sharedDir
}

// stmtWant is what we expect of one statement found in the shared data.
type stmtWant struct {
	err       string // non-empty: ParseStatement must fail mentioning this
	legacy    bool
	predType  string
	nSubjects int
	// first subject: name and one digest (alg=value)
	name, alg, digest string
	sha256OK          bool   // SubjectSHA256 succeeds
	materialsErr      string // non-empty: Materials must fail mentioning this
	nMaterials        int
	gitCommits        []string
}

func checkStatement(t *testing.T, s *Statement, err error, w stmtWant) {
	t.Helper()
	if w.err != "" {
		if !errors.Is(err, ErrInvalidStatement) || !strings.Contains(err.Error(), w.err) {
			t.Fatalf("got %v, want error mentioning %q", err, w.err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.Legacy() != w.legacy || s.PredicateType != w.predType || len(s.Subject) != w.nSubjects {
		t.Fatalf("legacy=%v predicateType=%q subjects=%d; want %v %q %d", s.Legacy(), s.PredicateType, len(s.Subject), w.legacy, w.predType, w.nSubjects)
	}
	if s.Subject[0].Name != w.name || s.Subject[0].Digest[w.alg] != w.digest {
		t.Fatalf("subject[0] = %q %v; want %q %s=%s", s.Subject[0].Name, s.Subject[0].Digest, w.name, w.alg, w.digest)
	}
	d, err := s.SubjectSHA256()
	if w.sha256OK {
		if err != nil || len(d) != w.nSubjects {
			t.Fatalf("SubjectSHA256: %v", err)
		}
		if w.alg == "sha256" && hex.EncodeToString(d[0][:]) != w.digest {
			t.Fatalf("SubjectSHA256[0] = %x", d[0])
		}
	} else if !errors.Is(err, ErrNoSHA256) {
		t.Fatalf("SubjectSHA256: %v, want ErrNoSHA256", err)
	}
	ms, err := s.Materials()
	if w.materialsErr != "" {
		if err == nil || !strings.Contains(err.Error(), w.materialsErr) {
			t.Fatalf("Materials: %v, want error mentioning %q", err, w.materialsErr)
		}
		return
	}
	if err != nil || len(ms) != w.nMaterials {
		t.Fatalf("Materials: %d, %v; want %d", len(ms), err, w.nMaterials)
	}
	gc, err := s.MaterialGitCommits()
	if err != nil || strings.Join(gc, ",") != strings.Join(w.gitCommits, ",") {
		t.Fatalf("MaterialGitCommits: %v %v; want %v", gc, err, w.gitCommits)
	}
}

const (
	sigstore130SHA512 = "76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751"
	slsaProv007SHA512 = "bbfd372fc9beeb777fe35d05bb10c0c70a9733d366a75fed7dd18866c7391de3ee7e88ba74dd47abf3e15c845e547fcf0e5c3da80854c751554224d3a6d4e55f"
)

// TestSharedStatements parses every bare statement. The in-toto spec
// examples with truncated "illustrative" digests ("4faeb1b2...") must be
// rejected, naming the field; the guac kubectl statement has a git SHA-1
// labelled "sha256" in its SLSA v0.2 materials, which Materials reports.
func TestSharedStatements(t *testing.T) {
	dir := shared(t)
	hello := sha256.Sum256([]byte("hello world"))
	want := map[string]stmtWant{
		"guac__oci-kubectl-linux-amd64-in-toto.json": {legacy: true, predType: PredicateSLSAProvenanceV02, nSubjects: 75,
			name: "/mnt/vss/_work/1/a/release-tars/client/darwin/amd64/kubectl", alg: "sha256", digest: "8202add66a93bcb7219ed7bb16438caf82a80c60348cace2381c678b99d65638",
			sha256OK: true, materialsErr: "materials[0].digest.sha256: 40 hex digits, want 64"},
		"in-toto-attestation__spec-predicates-reference.md__L121-150.json": {predType: "https://in-toto.io/attestation/reference/v0.1", nSubjects: 2,
			name: "foo.deb", alg: "sha256", digest: "f1847f7e67aa18d0063fda3cbde8b61f84384fbf35c3dd4cfa8c4822400b5a64", sha256OK: true},
		"in-toto-attestation__spec-predicates-reference.md__L89-110.json": {predType: "https://in-toto.io/attestation/reference/v0.1", nSubjects: 1,
			name: "registry.example.com/my-project/my-image", alg: "sha256", digest: "886a77e9b9c993e221d1843e3af5b1fbeea26d8962995e8562174a6aba0c7cc9", sha256OK: true},
		"in-toto-attestation__spec-predicates-release.md__L112-127.json": {err: `subject[0].digest.sha256: "4faeb1b2..." is not lowercase hex`},
		"in-toto-attestation__spec-predicates-release.md__L160-174.json": {err: `subject[0].digest.sha256: "fedcba09..." is not lowercase hex`},
		"in-toto-attestation__spec-predicates-release.md__L193-210.json": {err: `subject[0].digest.sha512: "d5b09211..." is not lowercase hex`},
		"in-toto-attestation__spec-predicates-svr.md__L115-138.json":     {err: `subject[0].digest.sha256: "3A244fd47e07d10..." is not lowercase hex`},
		"in-toto-attestation__spec-predicates-test-result.md__L133-171.json": {predType: PredicateTestResultV01, nSubjects: 1,
			alg: "gitCommit", digest: "d20ace7968ba43c0219f62d71334c1095bab1602", nMaterials: 1},
		// The sigstore-go signing example signs hello_world.txt: its sha256
		// is SHA-256("hello world"), which we recompute.
		"sigstore-go__sigstore-go-signing__intoto.txt": {legacy: true, predType: "something", nSubjects: 1,
			name: "hello_world.txt", alg: "sha256", digest: hex.EncodeToString(hello[:]), sha256OK: true},
		"sigstore-go__statement-provenance-sigstorejs1.3.0.json": {legacy: true, predType: PredicateSLSAProvenanceV02, nSubjects: 1,
			name: "pkg:npm/sigstore@1.3.0", alg: "sha512", digest: sigstore130SHA512, nMaterials: 1},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "in-toto-statements", "*"))
	if len(files) != len(want) {
		t.Errorf("%d files, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			w, ok := want[name]
			if !ok {
				t.Fatalf("new file: add expectations")
			}
			data, _ := os.ReadFile(f)
			s, err := ParseStatement(data, 0)
			checkStatement(t, s, err, w)
			if err == nil {
				// canonical form re-parses to the same statement
				b, err := s.Marshal()
				if err != nil {
					t.Fatal(err)
				}
				s2, err := ParseStatement(b, 0)
				if err != nil {
					t.Fatal(err)
				}
				b2, _ := s2.Marshal()
				if !bytes.Equal(b, b2) {
					t.Fatal("Marshal not stable")
				}
			}
		})
	}
}

// TestSharedEnvelopeStatements reads the statement inside every DSSE
// envelope and Sigstore bundle.
func TestSharedEnvelopeStatements(t *testing.T) {
	dir := shared(t)
	linkErr := stmtWant{err: `_type is "link"`}
	layoutErr := stmtWant{err: `_type is "layout"`}
	rekorFoo := stmtWant{legacy: true, predType: PredicateSLSAProvenanceV02, nSubjects: 1, name: "foobar", alg: "foo", digest: "bar"}
	envWant := map[string]stmtWant{
		"guac__oci-dsse-att.json": {legacy: true, predType: PredicateSLSAProvenanceV02, nSubjects: 1,
			name: "ttl.sh/b46737a24c11fd47c240f357a558be31/example-sample", alg: "sha256", digest: "9e183c89765d92a440f44ac7059385c778cbadad0ee8fe3208360efb07c0ba09", sha256OK: true},
		"in-toto-golang__clone-dsse.776a00e2.link":          linkErr,
		"in-toto-golang__package-dsse.2f89b927.link":        linkErr,
		"in-toto-golang__update-version-dsse.776a00e2.link": linkErr,
		"in-toto-golang__demo.dsse.layout":                  layoutErr,
		"in-toto-golang__dsse-only.root.layout":             layoutErr,
		"rekor__intoto_dsse.json":                           rekorFoo,
		"rekor__intoto_multi_dsse.json":                     rekorFoo,
		"rekor__rekor-server-tests__envelope.sha512.json": {legacy: true, predType: PredicateSLSAProvenanceV02, nSubjects: 1,
			name: "foo-linux-amd64", alg: "sha512", digest: "c7694a1112ea1404a3c5852bdda04c2cc224b3567ef6ceb8204dbf2b382daacfc6837ee2ed9d5b82c90b880a3c7289778dbd5a8c2c08193459bcf7bd44581ed0", nMaterials: 2},
	}
	bundleWant := map[string]stmtWant{
		"sigstore-go__bundle-provenance.json": {legacy: true, predType: PredicateSLSAProvenanceV02, nSubjects: 1,
			name: "pkg:npm/sigstore@1.3.0", alg: "sha512", digest: sigstore130SHA512, nMaterials: 1},
		"sigstore-go__bundle-publish.json": {legacy: true, predType: "https://github.com/npm/attestation/tree/main/specs/publish/v0.1", nSubjects: 1,
			name: "pkg:npm/sigstore@1.3.0", alg: "sha512", digest: sigstore130SHA512},
		"sigstore-go__dsse.sigstore.json": {legacy: true, predType: PredicateSLSAProvenanceV02, nSubjects: 1,
			name: "slsa-provenance-0.0.7.tgz", alg: "sha512", digest: slsaProv007SHA512, nMaterials: 1},
		"sigstore-go__dsse-2sigs.sigstore.json": {legacy: true, predType: PredicateSLSAProvenanceV02, nSubjects: 1,
			name: "slsa-provenance-0.0.7.tgz", alg: "sha512", digest: slsaProv007SHA512, nMaterials: 1},
		"sigstore-go__sigstore.js@2.0.0-provenance.sigstore.json": {predType: PredicateSLSAProvenanceV1, nSubjects: 1,
			name: "pkg:npm/sigstore@2.0.0", alg: "sha512", digest: "46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c",
			nMaterials: 1, gitCommits: []string{"f0b49a04e5a62250e0f60fb128004a73110fe311"}},
	}
	files, _ := filepath.Glob(filepath.Join(dir, "dsse-envelopes", "*"))
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, _ := os.ReadFile(f)
			e, err := dsse.Parse(data, dsse.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			w, ok := envWant[name]
			if !ok {
				if name == "dsse-spec__protocol.md__test-vector-envelope.json" {
					if _, err := StatementFromEnvelope(e, 0); !errors.Is(err, ErrNotInToto) {
						t.Fatalf("%v", err)
					}
					return
				}
				t.Fatal("new file: add expectations")
			}
			s, err := StatementFromEnvelope(e, 0)
			checkStatement(t, s, err, w)
		})
	}
	files, _ = filepath.Glob(filepath.Join(dir, "sigstore-bundles", "*"))
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, _ := os.ReadFile(f)
			e, err := dsse.ParseSigstoreBundle(data)
			w, ok := bundleWant[name]
			if !ok {
				if !errors.Is(err, dsse.ErrNotDSSEBundle) {
					t.Fatalf("%v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s, err := StatementFromEnvelope(e, 0)
			checkStatement(t, s, err, w)
			if s.PredicateType == PredicateSLSAProvenanceV1 {
				p, err := ParseSLSAProvenance(s.Predicate)
				if err != nil {
					t.Fatal(err)
				}
				if p.RunDetails.Builder.ID != "https://github.com/actions/runner/github-hosted" ||
					p.BuildDefinition.BuildType != "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1" ||
					p.RunDetails.Metadata.InvocationID != "https://github.com/sigstore/sigstore-js/actions/runs/5904696764/attempts/1" {
					t.Fatalf("%+v", p)
				}
			}
		})
	}
	// README: "bundle-provenance.json … payload equals
	// in-toto-statements/sigstore-go__statement-provenance-sigstorejs1.3.0.json".
	b, _ := os.ReadFile(filepath.Join(dir, "sigstore-bundles", "sigstore-go__bundle-provenance.json"))
	e, err := dsse.ParseSigstoreBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	// The file is the pretty-printed form (1806 bytes) of the compact
	// payload (1376 bytes), so "equal" holds for the parsed statements: we
	// compare canonical encodings.
	st, _ := os.ReadFile(filepath.Join(dir, "in-toto-statements", "sigstore-go__statement-provenance-sigstorejs1.3.0.json"))
	s1, err := StatementFromEnvelope(e, 0)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := ParseStatement(st, 0)
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := s1.Marshal()
	c2, _ := s2.Marshal()
	if !bytes.Equal(c1, c2) || bytes.Equal(e.Payload, st) {
		t.Fatal("bundle-provenance payload and the statement file are not the same statement")
	}
}

// The classic in-toto v0.9 links and layouts are not Statements.
func TestSharedV09MetadataRejected(t *testing.T) {
	dir := shared(t)
	files, _ := filepath.Glob(filepath.Join(dir, "in-toto-v0.9-metadata", "*"))
	if len(files) == 0 {
		t.Fatal("no files")
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		_, err := ParseStatement(data, 0)
		if !errors.Is(err, ErrInvalidStatement) || !strings.Contains(err.Error(), "_type is missing") {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}
