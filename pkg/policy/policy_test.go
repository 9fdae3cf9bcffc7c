package policy_test

import (
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/policy"
)

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, scope string
		want           bool
	}{
		{"*", "", true},
		{"*", "github.com/acme/app", true},
		{"github.com/acme/app", "github.com/acme/app", true},
		{"github.com/acme/app", "github.com/acme/app2", false},
		{"github.com/acme/app", "github.com/acme", false},
		{"github.com/acme/*", "github.com/acme/app", true},
		{"github.com/acme/*", "github.com/acme/app/sub", true},
		{"github.com/acme/*", "github.com/acme/", false},
		{"github.com/acme/*", "github.com/acme", false},
		{"github.com/acme/*", "github.com/acmex/app", false},
		{"github.com/acme/*", "gitlab.com/acme/app", false},
		{"github.com/acme/*", "", false},
		{"", "", false},
		{"", "x", false},
		{"/*", "/x", false},                             // empty prefix is invalid
		{"github.com/*/app", "github.com/x/app", false}, // '*' in the middle is invalid
		{"github.com/acme*", "github.com/acmex", false}, // only "/*" globs
		{"**", "x", false},
		{"github.com/acme/**", "github.com/acme/*x", false},
		{"a/*", "a/*", true}, // a scope with '*' is invalid, but Match only compares bytes
	}
	for _, c := range cases {
		if got := policy.Match(c.pattern, c.scope); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.scope, got, c.want)
		}
	}
}

func TestValidatePattern(t *testing.T) {
	good := []string{"*", "x", "github.com/acme/*", "github.com/acme/app", "pkg:npm/left-pad", "a/*", "device:plc-7"}
	for _, p := range good {
		if err := policy.ValidatePattern(p); err != nil {
			t.Errorf("ValidatePattern(%q) = %v, want nil", p, err)
		}
	}
	bad := map[string]string{
		"":                       "empty",
		"/*":                     "prefix before",
		"**":                     "'*' is allowed only",
		"a*":                     "'*' is allowed only",
		"a/*/b":                  "'*' is allowed only",
		"a/**":                   "'*' is allowed only",
		"*/a":                    "'*' is allowed only",
		"a b":                    "white space",
		"a\tb/*":                 "white space",
		"a\x00":                  "control",
		"\xff":                   "UTF-8",
		strings.Repeat("a", 257): "bytes",
	}
	for p, want := range bad {
		err := policy.ValidatePattern(p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidatePattern(%q) = %v, want error containing %q", p, err, want)
		}
	}
}

func TestValidateScope(t *testing.T) {
	for _, s := range []string{"", "github.com/acme/app", "sha256:abc"} {
		if err := policy.ValidateScope(s); err != nil {
			t.Errorf("ValidateScope(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"*", "a/*", "a b", "a\nb", strings.Repeat("x", 257), "\xc3"} {
		if err := policy.ValidateScope(s); err == nil {
			t.Errorf("ValidateScope(%q) = nil, want error", s)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, s := range []string{"ci", "approve-release", "a", "role:x", "v1.2_x", strings.Repeat("a", 64)} {
		if err := policy.ValidateName(s); err != nil {
			t.Errorf("ValidateName(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", "-x", "CI", "a b", "a/b", "é", strings.Repeat("a", 65)} {
		if err := policy.ValidateName(s); err == nil {
			t.Errorf("ValidateName(%q) = nil, want error", s)
		}
	}
}

func TestCovers(t *testing.T) {
	cases := []struct {
		outer, inner string
		want         bool
	}{
		{"*", "*", true},
		{"*", "a/*", true},
		{"*", "a", true},
		{"a/*", "*", false},
		{"a", "*", false},
		{"a/*", "a/*", true},
		{"a/*", "a/b/*", true},
		{"a/*", "a/b", true},
		{"a/*", "ab/*", false},
		{"a/*", "a", false},
		{"a/b/*", "a/*", false},
		{"a", "a", true},
		{"a", "a/*", false},
		{"a", "b", false},
	}
	for _, c := range cases {
		if got := policy.Covers(c.outer, c.inner); got != c.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", c.outer, c.inner, got, c.want)
		}
	}
	if !policy.CoversAll([]string{"a/*", "b"}, []string{"a/x", "b"}) || policy.CoversAll([]string{"a/*"}, []string{"a/x", "b"}) {
		t.Error("CoversAll")
	}
	if !policy.CoversAll([]string{"a/*"}, nil) {
		t.Error("CoversAll of nothing must be true")
	}
}

func TestEvaluate(t *testing.T) {
	rules := []policy.Rule{
		{ID: "anchor-acme", Role: "ci", Action: "anchor", ScopePattern: "github.com/acme/*"},
		{ID: "anchor-any-2", Role: "ci", Action: "anchor", ScopePattern: "*", ApprovalsRequired: 2},
		{ID: "direct-prod", Role: "release", Action: "anchor-direct", ScopePattern: "github.com/acme/prod", ApprovalsRequired: 3},
		{ID: "direct-prod-1", Role: "release", Action: "anchor-direct", ScopePattern: "github.com/acme/*", ApprovalsRequired: 1},
		{ID: "cti", Role: "cti", Action: "publish-indicator", ScopePattern: "*"},
	}
	cases := []struct {
		name      string
		roles     []string
		action    string
		scope     string
		allowed   bool
		rule      string
		approvals uint32
		reason    string
	}{
		{"prefix match", []string{"ci"}, "anchor", "github.com/acme/app", true, "anchor-acme", 0, "policy anchor-acme allows role ci action anchor on github.com/acme/*"},
		{"fewest approvals wins", []string{"ci"}, "anchor", "github.com/acme/app/sub", true, "anchor-acme", 0, ""},
		{"wildcard with approvals", []string{"ci"}, "anchor", "github.com/other/x", true, "anchor-any-2", 2, "with 2 approvals"},
		{"approvals 1 means none", []string{"release"}, "anchor-direct", "github.com/acme/prod", true, "direct-prod-1", 0, ""},
		{"second role matches", []string{"auditor", "cti"}, "publish-indicator", "", true, "cti", 0, ""},
		{"no role", nil, "anchor", "github.com/acme/app", false, "", 0, "no policy gives roles [] action anchor on scope github.com/acme/app"},
		{"wrong role", []string{"cti"}, "anchor", "github.com/acme/app", false, "", 0, "no policy gives roles [cti] action anchor"},
		{"wrong action", []string{"ci"}, "sight", "github.com/acme/app", false, "", 0, "action sight"},
		{"scope mismatch", []string{"release"}, "anchor-direct", "github.com/x/y", false, "", 0, "on scope github.com/x/y"},
		{"empty scope", []string{"release"}, "anchor-direct", "", false, "", 0, `on scope ""`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := policy.Evaluate(c.roles, c.action, c.scope, rules)
			if d.Allowed != c.allowed || d.RuleID != c.rule || d.ApprovalsRequired != c.approvals {
				t.Fatalf("got %+v", d)
			}
			if !strings.Contains(d.Reason, c.reason) {
				t.Fatalf("reason %q does not contain %q", d.Reason, c.reason)
			}
		})
	}
	// no rules at all
	if d := policy.Evaluate([]string{"ci"}, "anchor", "x", nil); d.Allowed {
		t.Fatal("allowed without rules")
	}
}

func TestEvaluateIsOrderDeterministic(t *testing.T) {
	rules := []policy.Rule{
		{ID: "a", Role: "ci", Action: "anchor", ScopePattern: "*", ApprovalsRequired: 2},
		{ID: "b", Role: "ci", Action: "anchor", ScopePattern: "x/*", ApprovalsRequired: 2},
	}
	for i := 0; i < 100; i++ {
		if d := policy.Evaluate([]string{"ci"}, "anchor", "x/y", rules); d.RuleID != "a" {
			t.Fatalf("tie must go to the first rule, got %q", d.RuleID)
		}
	}
}

func TestValidateRule(t *testing.T) {
	ok := policy.Rule{ID: "p1", Role: "ci", Action: "anchor", ScopePattern: "github.com/acme/*"}
	if err := policy.ValidateRule(ok); err != nil {
		t.Fatal(err)
	}
	for field, r := range map[string]policy.Rule{
		"id:":            {Role: "ci", Action: "anchor", ScopePattern: "*"},
		"role:":          {ID: "p", Role: "CI", Action: "anchor", ScopePattern: "*"},
		"action:":        {ID: "p", Role: "ci", Action: "", ScopePattern: "*"},
		"scope_pattern:": {ID: "p", Role: "ci", Action: "anchor", ScopePattern: "a*"},
	} {
		if err := policy.ValidateRule(r); err == nil || !strings.HasPrefix(err.Error(), field) {
			t.Errorf("ValidateRule(%+v) = %v, want error starting with %q", r, err, field)
		}
	}
}
