package intoto

import (
	"bytes"
	"testing"
)

// Seed corpus: testdata/fuzz/FuzzParseStatement (fixtures plus edge cases).

func FuzzParseStatement(f *testing.F) {
	for _, name := range []string{"adf-slsa-v1.statement.json", "adf-test-result.statement.json", "in-toto-spec-test-result.statement.json", "sigstore-go-provenance-sigstorejs1.3.0.statement.json"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseStatement(data, 64<<10)
		if err != nil {
			if s != nil {
				t.Fatal("non-nil statement with error")
			}
			return
		}
		if len(s.Subject) == 0 || s.PredicateType == "" {
			t.Fatalf("accepted invalid statement %+v", s)
		}
		for _, rd := range s.Subject {
			if len(rd.Digest) == 0 {
				t.Fatal("subject without digest accepted")
			}
		}
		_, _ = s.SubjectSHA256()
		_, _ = s.MaterialSHA256()
		_, _ = s.MaterialGitCommits()
		b, err := s.Marshal()
		if err != nil {
			t.Fatalf("Marshal of parsed statement: %v", err)
		}
		s2, err := ParseStatement(b, 1<<20)
		if err != nil {
			t.Fatalf("Parse(Marshal(s)): %v\n%s", err, b)
		}
		b2, err := s2.Marshal()
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("Marshal not canonical: %v\n%s\n%s", err, b, b2)
		}
	})
}
