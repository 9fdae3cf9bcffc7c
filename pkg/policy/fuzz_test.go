package policy_test

import (
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/policy"
)

// FuzzMatch checks the matcher's invariants on arbitrary input: it never
// panics, "*" matches everything, an invalid pattern matches nothing, a
// valid exact pattern matches only itself, a valid prefix glob matches
// exactly the longer scopes with its prefix, and Covers is sound.
func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{
		{"*", ""}, {"github.com/acme/*", "github.com/acme/app"}, {"github.com/acme/*", "github.com/acme/"},
		{"a/*", "a"}, {"a", "a"}, {"/*", "/x"}, {"a*", "ab"}, {"a/*/b", "a/x/b"}, {"\xff/*", "\xff/x"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, scope string) {
		got := policy.Match(pattern, scope)
		if pattern == "*" && !got {
			t.Fatalf("* must match %q", scope)
		}
		if policy.ValidatePattern(pattern) != nil {
			if got {
				t.Fatalf("invalid pattern %q matched %q", pattern, scope)
			}
			return
		}
		switch {
		case pattern == "*":
		case strings.HasSuffix(pattern, "/*"):
			prefix := strings.TrimSuffix(pattern, "*")
			want := len(scope) > len(prefix) && strings.HasPrefix(scope, prefix)
			if got != want {
				t.Fatalf("Match(%q, %q) = %v, want %v", pattern, scope, got, want)
			}
		default:
			if got != (pattern == scope) {
				t.Fatalf("exact Match(%q, %q) = %v", pattern, scope, got)
			}
		}
		// Covers soundness: if pattern covers scope-as-pattern, every scope
		// the latter matches, the former matches.
		if policy.ValidatePattern(scope) == nil && policy.Covers(pattern, scope) {
			probe := scope
			if strings.HasSuffix(scope, "/*") {
				probe = strings.TrimSuffix(scope, "*") + "x"
			}
			if scope != "*" && !policy.Match(pattern, probe) {
				t.Fatalf("Covers(%q, %q) but %q does not match %q", pattern, scope, pattern, probe)
			}
		}
	})
}
