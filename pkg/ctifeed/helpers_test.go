package ctifeed

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/cti"
)

// sharedDir finds the shared CTI data set (ADF_SHARED_DATA, else
// ../shared/data relative to the repository root) or skips the test.
func sharedDir(t *testing.T, sub string) string {
	t.Helper()
	var roots []string
	if env := os.Getenv("ADF_SHARED_DATA"); env != "" {
		roots = append(roots, filepath.Join(env, "cti"), env)
	}
	roots = append(roots, filepath.Join("..", "..", "..", "shared", "data", "cti"))
	for _, r := range roots {
		d := filepath.Join(r, sub)
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	t.Skipf("shared CTI data %s not found (set ADF_SHARED_DATA)", sub)
	return ""
}

// checkResult asserts the package's guarantees on any result.
func checkResult(t *testing.T, r *Result) {
	t.Helper()
	seen := map[string]bool{}
	for i := range r.Indicators {
		in := &r.Indicators[i]
		if err := in.Validate(); err != nil {
			t.Errorf("indicator %s does not validate: %v", in.SourceID, err)
		}
		if in.Publisher != "" {
			t.Errorf("indicator %s has publisher %q", in.SourceID, in.Publisher)
		}
		if seen[in.SourceID] {
			t.Errorf("source id %s twice", in.SourceID)
		}
		seen[in.SourceID] = true
	}
	if len(r.Revoked) != len(r.RevokedSources) {
		t.Fatalf("Revoked has %d ids, RevokedSources %d", len(r.Revoked), len(r.RevokedSources))
	}
	for i, id := range r.Revoked {
		if id != cti.IDFor(r.RevokedSources[i]) {
			t.Errorf("revoked id %s is not IDFor(%s)", id, r.RevokedSources[i])
		}
	}
	for _, s := range r.Skipped {
		if s.Ref == "" || s.Reason == "" {
			t.Errorf("skipped entry without ref or reason: %+v", s)
		}
	}
}

func byID(r *Result) map[string]*cti.Indicator {
	m := map[string]*cti.Indicator{}
	for i := range r.Indicators {
		m[r.Indicators[i].SourceID] = &r.Indicators[i]
	}
	return m
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantFeedErr asserts err is a feed error mentioning every fragment.
func wantFeedErr(t *testing.T, r *Result, err error, frags ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", frags)
	}
	if r != nil {
		t.Errorf("partial result returned with error %v", err)
	}
	if !errors.Is(err, ErrFeed) {
		t.Errorf("error %v does not wrap ErrFeed", err)
	}
	for _, f := range frags {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func skippedFor(r *Result, ref string) []Skipped {
	var out []Skipped
	for _, s := range r.Skipped {
		if s.Ref == ref {
			out = append(out, s)
		}
	}
	return out
}
