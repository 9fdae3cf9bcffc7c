// Package principal holds the identity registry's rules that do not depend
// on a chain: organisation and principal ids, role lists, key scopes and
// the validity window of short-lived keys. x/identity and the Fabric
// chaincode both call it, so both accept and refuse the same identities
// and keys with the same messages.
package principal

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/policy"
)

// Limits on user-provided values.
const (
	// MaxKeyScopes bounds the scope patterns of one key.
	MaxKeyScopes = 16
	// MaxSubjectLength bounds an approval subject, in bytes.
	MaxSubjectLength = 256
)

// Sentinel errors; every error of this package wraps one.
var (
	ErrInvalidOrgID       = errors.New("invalid organization id")
	ErrInvalidPrincipalID = errors.New("invalid principal id")
	ErrInvalidRoles       = errors.New("invalid roles")
	ErrInvalidScope       = errors.New("invalid scope")
	ErrInvalidValidity    = errors.New("invalid validity")
	ErrInvalidApproval    = errors.New("invalid approval")
)

type ruleError struct {
	rule error
	msg  string
}

func (e *ruleError) Error() string { return e.msg }
func (e *ruleError) Unwrap() error { return e.rule }

func fail(rule error, format string, args ...any) error {
	return &ruleError{rule: rule, msg: fmt.Sprintf(format, args...)}
}

var (
	orgIDRegexp         = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)
	principalNameRegexp = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// ValidateOrgID checks an organisation id slug: ^[a-z0-9][a-z0-9-]{1,31}$.
func ValidateOrgID(id string) error {
	if !orgIDRegexp.MatchString(id) {
		return fail(ErrInvalidOrgID, "%q does not match ^[a-z0-9][a-z0-9-]{1,31}$", id)
	}
	return nil
}

// SplitID checks a principal id "<org_id>/<name>" and returns its parts.
// name matches ^[a-z0-9][a-z0-9._-]{0,63}$.
func SplitID(id string) (orgID, name string, err error) {
	orgID, name, ok := strings.Cut(id, "/")
	if !ok {
		return "", "", fail(ErrInvalidPrincipalID, "%q is not of the form <org_id>/<name>", id)
	}
	if err := ValidateOrgID(orgID); err != nil {
		return "", "", fail(ErrInvalidPrincipalID, "%q: org part %s", id, err)
	}
	if !principalNameRegexp.MatchString(name) {
		return "", "", fail(ErrInvalidPrincipalID, "%q: name %q does not match ^[a-z0-9][a-z0-9._-]{0,63}$", id, name)
	}
	return orgID, name, nil
}

// NormalizeRoles checks roles (each a valid name, no duplicates, at most
// maxRoles) and returns them sorted.
func NormalizeRoles(roles []string, maxRoles uint32) ([]string, error) {
	if uint32(len(roles)) > maxRoles {
		return nil, fail(ErrInvalidRoles, "roles: count %d exceeds max_roles %d", len(roles), maxRoles)
	}
	out := append([]string(nil), roles...)
	sort.Strings(out)
	for i, r := range out {
		if err := policy.ValidateName(r); err != nil {
			return nil, fail(ErrInvalidRoles, "roles: %s", err)
		}
		if i > 0 && out[i-1] == r {
			return nil, fail(ErrInvalidRoles, "roles: %q is listed twice", r)
		}
	}
	return out, nil
}

// NormalizeKeyScopes checks a key's scope patterns (at most MaxKeyScopes,
// each valid, no duplicates) and returns them sorted (nil for none).
func NormalizeKeyScopes(scopes []string) ([]string, error) {
	if len(scopes) > MaxKeyScopes {
		return nil, fail(ErrInvalidScope, "scopes: count %d exceeds %d", len(scopes), MaxKeyScopes)
	}
	out := append([]string(nil), scopes...)
	sort.Strings(out)
	for i, s := range out {
		if err := policy.ValidatePattern(s); err != nil {
			return nil, fail(ErrInvalidScope, "scopes: %s", err)
		}
		if i > 0 && out[i-1] == s {
			return nil, fail(ErrInvalidScope, "scopes: %q is listed twice", s)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// KeyWindow checks the validity window of a key registered at now: a zero
// notBefore means now; the window must be non-empty, end after now, last at
// most maxTTL (the registrant's limit) and start at most maxKeyTTL (the
// registry's limit) after now. It returns the window in UTC.
func KeyWindow(notBefore, notAfter, now time.Time, maxTTL, maxKeyTTL time.Duration) (time.Time, time.Time, error) {
	if notBefore.IsZero() {
		notBefore = now
	}
	notBefore, notAfter = notBefore.UTC(), notAfter.UTC()
	switch {
	case !notBefore.Before(notAfter):
		return notBefore, notAfter, fail(ErrInvalidValidity, "not_after %s must be after not_before %s", FormatTime(notAfter), FormatTime(notBefore))
	case !notAfter.After(now):
		return notBefore, notAfter, fail(ErrInvalidValidity, "not_after %s must be after the block time %s", FormatTime(notAfter), FormatTime(now))
	case notAfter.Sub(notBefore) > maxTTL:
		return notBefore, notAfter, fail(ErrInvalidValidity, "validity %s exceeds the maximum TTL %s", notAfter.Sub(notBefore), maxTTL)
	case notBefore.After(now.Add(maxKeyTTL)):
		return notBefore, notAfter, fail(ErrInvalidValidity, "not_before %s is more than max_key_ttl %s after the block time", FormatTime(notBefore), maxKeyTTL)
	}
	return notBefore, notAfter, nil
}

// OutsideWindow returns why a key (named addr) cannot sign at now because
// of its window, or "" if now is inside [notBefore, notAfter). It checks
// time itself, so an expired key is refused before any expiry sweep marks
// it so.
func OutsideWindow(addr string, notBefore, notAfter, now time.Time) string {
	if now.Before(notBefore) {
		return fmt.Sprintf("key %s is not valid before %s", addr, FormatTime(notBefore))
	}
	if !now.Before(notAfter) {
		return fmt.Sprintf("key %s expired at %s", addr, FormatTime(notAfter))
	}
	return ""
}

// FormatTime renders a time as RFC 3339 UTC with nanoseconds, as every
// message of the registries does.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// HasRole reports whether roles contains role.
func HasRole(roles []string, role string) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// KeyAddressLength is the length of a key address.
const KeyAddressLength = 20

// KeyAddress is the address of a key: the first 20 bytes of SHA-256 of
// the raw public key, for every algorithm (on the Cosmos chain it is also
// the key's account address).
func KeyAddress(pubKey []byte) []byte {
	sum := sha256.Sum256(pubKey)
	return sum[:KeyAddressLength]
}

// ValidateApprovalTarget checks the (action, scope, subject) of an approval:
// a valid action name, a non-empty valid scope and a non-empty subject of at
// most MaxSubjectLength bytes of printable UTF-8 without white space.
func ValidateApprovalTarget(action, scope, subject string) error {
	if err := policy.ValidateName(action); err != nil {
		return fail(ErrInvalidApproval, "action: %s", err)
	}
	if scope == "" {
		return fail(ErrInvalidApproval, "scope: must not be empty")
	}
	if err := policy.ValidateScope(scope); err != nil {
		return fail(ErrInvalidApproval, "scope: %s", err)
	}
	if subject == "" || len(subject) > MaxSubjectLength {
		return fail(ErrInvalidApproval, "subject: length %d is not in 1..%d", len(subject), MaxSubjectLength)
	}
	if !printable(subject) || strings.ContainsAny(subject, " \t") {
		return fail(ErrInvalidApproval, "subject: %q must be printable without white space", subject)
	}
	return nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
