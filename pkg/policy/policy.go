// Package policy is ADF's chain-agnostic authorisation core: scope patterns
// and the evaluation of per-action policies. It imports neither the Cosmos
// SDK nor Fabric so that x/identity and the Fabric chaincode decide alike.
//
// A policy rule allows principals holding Role to perform Action on every
// scope its ScopePattern matches. Patterns are
//
//   - an exact scope, e.g. "github.com/acme/app",
//   - "*", which matches any scope (including the empty one),
//   - a prefix glob ending in "/*", e.g. "github.com/acme/*", which matches
//     every scope that starts with "github.com/acme/" and has at least one
//     character after it ("github.com/acme/app", "github.com/acme/app/x"),
//     but not "github.com/acme" itself.
//
// No other use of '*' is valid. Evaluation is deterministic: rules are
// considered in the order given, and among matching rules the one needing
// the fewest approvals wins (the first of those in order on a tie).
package policy

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on names and scopes.
const (
	// MaxScopeLength bounds scopes and scope patterns, in bytes.
	MaxScopeLength = 256
	// MaxNameLength bounds roles, actions and rule ids, in bytes.
	MaxNameLength = 64
	// Wildcard is the pattern that matches any scope.
	Wildcard = "*"
	// globSuffix ends a prefix pattern.
	globSuffix = "/*"
)

// Rule is one policy: Role may perform Action on scopes matching
// ScopePattern, once ApprovalsRequired distinct principals approved (0 and 1
// mean no approvals are needed).
type Rule struct {
	ID                string
	Role              string
	Action            string
	ScopePattern      string
	ApprovalsRequired uint32
}

// Decision is the outcome of Evaluate.
type Decision struct {
	Allowed bool
	// Reason is a sentence for logs and error messages.
	Reason string
	// RuleID is the id of the rule that allowed the action.
	RuleID string
	// Role is the role that rule matched.
	Role string
	// ApprovalsRequired is that rule's requirement, normalised: 0 when no
	// approvals are needed (a rule's 1 is reported as 0).
	ApprovalsRequired uint32
}

// ValidateScope checks a concrete scope: at most MaxScopeLength bytes of
// valid UTF-8 without white space, control characters or '*'. The empty
// scope is valid (only "*" matches it).
func ValidateScope(s string) error {
	if len(s) > MaxScopeLength {
		return fmt.Errorf("scope is %d bytes; the limit is %d", len(s), MaxScopeLength)
	}
	if strings.Contains(s, "*") {
		return fmt.Errorf("scope %q contains '*'; only patterns may", s)
	}
	return checkChars(s)
}

// ValidatePattern checks a scope pattern: "*", a prefix glob ending in "/*"
// with a non-empty prefix, or an exact non-empty scope.
func ValidatePattern(p string) error {
	if p == "" {
		return errors.New("empty scope pattern")
	}
	if len(p) > MaxScopeLength {
		return fmt.Errorf("scope pattern is %d bytes; the limit is %d", len(p), MaxScopeLength)
	}
	if p == Wildcard {
		return nil
	}
	body := p
	if strings.HasSuffix(p, globSuffix) {
		body = strings.TrimSuffix(p, "*")
		if body == "/" {
			return fmt.Errorf("scope pattern %q: the prefix before \"/*\" is empty", p)
		}
	}
	if strings.Contains(body, "*") {
		return fmt.Errorf("scope pattern %q: '*' is allowed only as \"*\" or a trailing \"/*\"", p)
	}
	if err := checkChars(body); err != nil {
		return fmt.Errorf("scope pattern %q: %w", p, err)
	}
	return nil
}

func checkChars(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' || r == '\u00a0' {
			return fmt.Errorf("contains white space or a control character (%U)", r)
		}
	}
	return nil
}

// Match reports whether pattern matches scope. An invalid pattern (see
// ValidatePattern) matches nothing.
func Match(pattern, scope string) bool {
	if ValidatePattern(pattern) != nil {
		return false
	}
	switch {
	case pattern == Wildcard:
		return true
	case strings.HasSuffix(pattern, globSuffix):
		prefix := pattern[:len(pattern)-1] // keep the '/'
		return len(scope) > len(prefix) && strings.HasPrefix(scope, prefix)
	default:
		return pattern == scope
	}
}

// MatchAny reports whether any of patterns matches scope.
func MatchAny(patterns []string, scope string) bool {
	for _, p := range patterns {
		if Match(p, scope) {
			return true
		}
	}
	return false
}

// Covers reports whether every scope that inner matches is also matched by
// outer. It is how a key restricted to some scopes may only hand out keys
// within them. Invalid patterns cover nothing and are covered by nothing.
func Covers(outer, inner string) bool {
	if ValidatePattern(outer) != nil || ValidatePattern(inner) != nil {
		return false
	}
	switch {
	case outer == Wildcard:
		return true
	case inner == Wildcard:
		return false
	case strings.HasSuffix(inner, globSuffix):
		if !strings.HasSuffix(outer, globSuffix) {
			return false
		}
		op, ip := outer[:len(outer)-1], inner[:len(inner)-1]
		return strings.HasPrefix(ip, op)
	default:
		return Match(outer, inner)
	}
}

// CoversAll reports whether every pattern of inner is covered by some
// pattern of outer.
func CoversAll(outer, inner []string) bool {
	for _, in := range inner {
		ok := false
		for _, out := range outer {
			if Covers(out, in) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// ValidateRule checks a rule's fields.
func ValidateRule(r Rule) error {
	if err := ValidateName(r.ID); err != nil {
		return fmt.Errorf("id: %w", err)
	}
	if err := ValidateName(r.Role); err != nil {
		return fmt.Errorf("role: %w", err)
	}
	if err := ValidateName(r.Action); err != nil {
		return fmt.Errorf("action: %w", err)
	}
	if err := ValidatePattern(r.ScopePattern); err != nil {
		return fmt.Errorf("scope_pattern: %w", err)
	}
	return nil
}

// ValidateName checks a role, action or rule id: 1..MaxNameLength bytes of
// [a-z0-9], '-', '_', '.' and ':', starting with a letter or digit.
func ValidateName(s string) error {
	if len(s) < 1 || len(s) > MaxNameLength {
		return fmt.Errorf("%q: length %d is not in 1..%d", s, len(s), MaxNameLength)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '-' || c == '_' || c == '.' || c == ':'):
		default:
			return fmt.Errorf("%q does not match ^[a-z0-9][a-z0-9._:-]{0,%d}$", s, MaxNameLength-1)
		}
	}
	return nil
}

// Evaluate decides whether a principal holding roles may perform action on
// scope under rules. It never looks at anything else, so two evaluations of
// the same inputs always agree.
func Evaluate(roles []string, action, scope string, rules []Rule) Decision {
	best := -1
	var bestRole string
	for i, r := range rules {
		if r.Action != action || !Match(r.ScopePattern, scope) || !hasRole(roles, r.Role) {
			continue
		}
		if best < 0 || normApprovals(r.ApprovalsRequired) < normApprovals(rules[best].ApprovalsRequired) {
			best, bestRole = i, r.Role
		}
	}
	if best < 0 {
		return Decision{Reason: fmt.Sprintf("no policy gives roles %s action %s on scope %s", formatRoles(roles), action, formatScope(scope))}
	}
	r := rules[best]
	d := Decision{
		Allowed:           true,
		RuleID:            r.ID,
		Role:              bestRole,
		ApprovalsRequired: normApprovals(r.ApprovalsRequired),
	}
	d.Reason = fmt.Sprintf("policy %s allows role %s action %s on %s", r.ID, r.Role, action, r.ScopePattern)
	if d.ApprovalsRequired > 0 {
		d.Reason += fmt.Sprintf(" with %d approvals", d.ApprovalsRequired)
	}
	return d
}

func normApprovals(n uint32) uint32 {
	if n <= 1 {
		return 0
	}
	return n
}

func hasRole(roles []string, role string) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

func formatRoles(roles []string) string {
	return "[" + strings.Join(roles, " ") + "]"
}

func formatScope(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
