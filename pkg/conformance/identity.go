package conformance

import (
	"time"

	"github.com/adf-consortium/adf/pkg/policy"
)

// KeyCase is one registration, by an admin of the principal's org, of a
// fresh Ed25519 key for the principal "acme/ci", with a validity window
// relative to the registration time ("now"); a zero NotBefore means now.
type KeyCase struct {
	Name      string
	NotBefore time.Duration
	NotAfter  time.Duration
	ZeroStart bool
	// Want is "" for success, else text the error must contain.
	Want string
}

// KeyWindows are the key-window cases under the default max TTL (24 h).
func KeyWindows() []KeyCase {
	return []KeyCase{
		{Name: "one hour from now", ZeroStart: true, NotAfter: time.Hour},
		{Name: "the full day", NotBefore: 0, NotAfter: 24 * time.Hour},
		{Name: "starts later today", NotBefore: 2 * time.Hour, NotAfter: 3 * time.Hour},
		{Name: "empty window", NotBefore: time.Hour, NotAfter: time.Hour, Want: "must be after not_before"},
		{Name: "already ended", NotBefore: -2 * time.Hour, NotAfter: -time.Hour, Want: "must be after the block time"},
		{Name: "longer than a day", NotBefore: 0, NotAfter: 24*time.Hour + time.Second, Want: "exceeds the maximum TTL"},
		{Name: "starts more than a day ahead", NotBefore: 25 * time.Hour, NotAfter: 26 * time.Hour, Want: "more than max_key_ttl"},
	}
}

// Policies are the policies of the authorisation cases.
func Policies() []policy.Rule {
	return []policy.Rule{
		{ID: "ci-anchor", Role: "ci", Action: policy.ActionAnchor, ScopePattern: "acme/*"},
		{ID: "release-direct", Role: "release", Action: policy.ActionAnchorDirect, ScopePattern: "github.com/acme/*"},
	}
}

// AuthCase is one authorisation question asked for the principal
// "acme/ci" holding the role "ci".
type AuthCase struct {
	Action, Scope string
	Allowed       bool
	// Rule is the allowing policy's id.
	Rule string
}

// AuthCases are decided while acme/ci is active.
var AuthCases = []AuthCase{
	{Action: policy.ActionAnchor, Scope: "acme/batcher-1", Allowed: true, Rule: "ci-anchor"},
	{Action: policy.ActionAnchor, Scope: "acme/a/b", Allowed: true, Rule: "ci-anchor"},
	{Action: policy.ActionAnchor, Scope: "acme", Allowed: false},
	{Action: policy.ActionAnchor, Scope: "globex/batcher", Allowed: false},
	{Action: policy.ActionAnchorDirect, Scope: "github.com/acme/app", Allowed: false},
	{Action: policy.ActionAnchor, Scope: "acme/has space", Allowed: false},
	{Action: "Not-An-Action!", Scope: "acme/x", Allowed: false},
}
