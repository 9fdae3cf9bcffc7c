package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/x/identity/types"
)

func TestAuthorize(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	f.registerPrincipal("acme", "acme/rel", "release", "ci")
	f.registerPrincipal("acme", "acme/sus", "ci")
	f.registerPrincipal("acme", "acme/norole")
	f.registerPrincipal("globex", "globex/ci-1", "ci")
	f.setPolicy("anchor-acme", "ci", types.ActionAnchor, "github.com/acme/*", 0)
	f.setPolicy("direct-prod", "release", types.ActionAnchorDirect, "github.com/acme/prod", 2)
	f.setPolicy("anchor-globex", "ci", types.ActionAnchor, "github.com/globex/*", 0)

	active := f.registerKey("acme/ci-1", "active", 2*time.Hour)
	scoped := f.registerKey("acme/ci-1", "scoped", 2*time.Hour, "github.com/acme/app")
	rel := f.registerKey("acme/rel", "rel", 2*time.Hour)
	sus := f.registerKey("acme/sus", "sus", 2*time.Hour)
	norole := f.registerKey("acme/norole", "norole", 2*time.Hour)
	glob := f.registerKey("globex/ci-1", "globex", 2*time.Hour)
	future := func() string {
		m := f.keyMsg("acme/ci-1", "ed25519", "future", time.Hour)
		m.NotBefore = f.ctx.BlockTime().Add(time.Hour)
		m.NotAfter = m.NotBefore.Add(time.Hour)
		res, err := f.msgs.RegisterKey(f.ctx, m)
		require.NoError(t, err)
		return res.Address
	}()
	short := f.registerKey("acme/ci-1", "short", time.Minute)
	revoked := f.registerKey("acme/ci-1", "revoked", time.Hour)
	_, err := f.msgs.RevokeKey(f.ctx, &types.MsgRevokeKey{Signer: revoked, Address: revoked})
	require.NoError(t, err)
	_, err = f.msgs.UpdatePrincipal(f.ctx, &types.MsgUpdatePrincipal{Admin: f.admins["acme"], Id: "acme/sus", Kind: 1, Roles: []string{"ci"}, Status: types.PRINCIPAL_STATUS_SUSPENDED})
	require.NoError(t, err)
	f.nextBlock(30 * time.Minute) // short expired, not yet pruned
	f.cons.orgs["globex"] = false

	shortNotAfter := f.getKey(short).NotAfter.Format(time.RFC3339Nano)
	futureNotBefore := f.getKey(future).NotBefore.Format(time.RFC3339Nano)
	cases := []struct {
		name      string
		signer    string
		action    string
		scope     string
		allowed   bool
		reason    string
		principal string
		required  uint32
	}{
		{"allowed by prefix policy", active, types.ActionAnchor, "github.com/acme/app", true, "policy anchor-acme allows role ci action anchor on github.com/acme/*", "acme/ci-1", 0},
		{"no policy for scope", active, types.ActionAnchor, "github.com/x/y", false, "no policy gives roles [ci] action anchor on scope github.com/x/y", "acme/ci-1", 0},
		{"no policy for action", active, types.ActionSight, "github.com/acme/app", false, "no policy gives roles [ci] action sight on scope github.com/acme/app", "acme/ci-1", 0},
		{"no roles", norole, types.ActionAnchor, "github.com/acme/app", false, "no policy gives roles [] action anchor", "acme/norole", 0},
		{"key scope allows", scoped, types.ActionAnchor, "github.com/acme/app", true, "policy anchor-acme", "acme/ci-1", 0},
		{"key scope restricts", scoped, types.ActionAnchor, "github.com/acme/other", false, "key " + scoped + " is limited to scopes [github.com/acme/app]; github.com/acme/other is not among them", "acme/ci-1", 0},
		{"approvals required reported", rel, types.ActionAnchorDirect, "github.com/acme/prod", true, "with 2 approvals", "acme/rel", 2},
		{"expired before pruning", short, types.ActionAnchor, "github.com/acme/app", false, "key " + short + " expired at " + shortNotAfter, "acme/ci-1", 0},
		{"not yet valid", future, types.ActionAnchor, "github.com/acme/app", false, "key " + future + " is not valid before " + futureNotBefore, "acme/ci-1", 0},
		{"revoked", revoked, types.ActionAnchor, "github.com/acme/app", false, "key " + revoked + " was revoked at height 1", "acme/ci-1", 0},
		{"suspended principal", sus, types.ActionAnchor, "github.com/acme/app", false, "principal acme/sus is suspended", "acme/sus", 0},
		{"suspended org", glob, types.ActionAnchor, "github.com/globex/app", false, "organization globex is not active", "globex/ci-1", 0},
		{"admin action", f.admins["acme"], types.ActionGovernance, "", true, "org admin of acme", "", 0},
		{"admin manage-identity", f.admins["acme"], types.ActionManageIdentity, "acme/ci-1", true, "org admin of acme", "", 0},
		{"admin revoke-key", f.admins["acme"], types.ActionRevokeKey, "", true, "org admin of acme", "", 0},
		{"admin non-admin action", f.admins["acme"], types.ActionAnchor, "github.com/acme/app", false, "org admin of acme may perform only governance, issue-key, manage-identity, revoke-key, not anchor", "", 0},
		{"admin of suspended org", f.admins["globex"], types.ActionGovernance, "", false, "unknown signer " + f.admins["globex"], "", 0},
		{"unknown signer", acct("stranger"), types.ActionGovernance, "", false, "unknown signer " + acct("stranger") + ": neither a registered key nor an admin of an active organization", "", 0},
		{"invalid action", active, "Anchor", "x", false, "invalid action", "", 0},
		{"invalid scope", active, types.ActionAnchor, "github.com/*", false, "invalid scope", "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			d := f.authorize(c.signer, c.action, c.scope)
			require.Equal(t, c.allowed, d.Allowed, d.Reason)
			require.Contains(t, d.Reason, c.reason)
			require.Equal(t, c.principal, d.PrincipalId)
			require.Equal(t, c.required, d.ApprovalsRequired)
			// the query gives the same answer
			res, err := f.query.Authorize(f.ctx, &types.QueryAuthorizeRequest{Signer: c.signer, Action: c.action, Scope: c.scope})
			require.NoError(t, err)
			require.Equal(t, d, res.Decision)
		})
	}
}

func TestPolicyMessages(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	key := f.registerKey("acme/ci-1", "k", time.Hour)
	good := types.Policy{Id: "p1", Role: "ci", Action: types.ActionAnchor, ScopePattern: "github.com/acme/*"}

	f.requireRejected("invalid authority", func() error {
		_, err := f.msgs.SetPolicy(f.ctx, &types.MsgSetPolicy{Authority: f.admins["acme"], Policy: good})
		return err
	})
	for want, p := range map[string]types.Policy{
		"scope_pattern":                  {Id: "p1", Role: "ci", Action: "anchor", ScopePattern: "github.com/*/x"},
		"role":                           {Id: "p1", Role: "", Action: "anchor", ScopePattern: "*"},
		"action":                         {Id: "p1", Role: "ci", Action: "An chor", ScopePattern: "*"},
		"id":                             {Id: "P 1", Role: "ci", Action: "anchor", ScopePattern: "*"},
		"approvals_required: 65 exceeds": {Id: "p1", Role: "ci", Action: "anchor", ScopePattern: "*", ApprovalsRequired: 65},
	} {
		f.requireRejected(want, func() error {
			_, err := f.msgs.SetPolicy(f.ctx, &types.MsgSetPolicy{Authority: f.authority, Policy: p})
			return err
		})
	}
	_, err := f.msgs.SetPolicy(f.ctx, &types.MsgSetPolicy{Authority: f.authority, Policy: good})
	require.NoError(t, err)
	require.True(t, f.authorize(key, types.ActionAnchor, "github.com/acme/a").Allowed)

	// replacing a policy moves it to its new action
	good.Action = types.ActionSight
	_, err = f.msgs.SetPolicy(f.ctx, &types.MsgSetPolicy{Authority: f.authority, Policy: good})
	require.NoError(t, err)
	require.False(t, f.authorize(key, types.ActionAnchor, "github.com/acme/a").Allowed)
	require.True(t, f.authorize(key, types.ActionSight, "github.com/acme/a").Allowed)
	res, err := f.query.Policies(f.ctx, &types.QueryPoliciesRequest{})
	require.NoError(t, err)
	require.Equal(t, []types.Policy{good}, res.Policies)

	f.requireRejected("invalid authority", func() error {
		_, err := f.msgs.RemovePolicy(f.ctx, &types.MsgRemovePolicy{Authority: key, Id: "p1"})
		return err
	})
	f.requireRejected("policy not found", func() error {
		_, err := f.msgs.RemovePolicy(f.ctx, &types.MsgRemovePolicy{Authority: f.authority, Id: "nope"})
		return err
	})
	_, err = f.msgs.RemovePolicy(f.ctx, &types.MsgRemovePolicy{Authority: f.authority, Id: "p1"})
	require.NoError(t, err)
	require.False(t, f.authorize(key, types.ActionSight, "github.com/acme/a").Allowed)
	n := 0
	require.NoError(t, f.k.PoliciesByAction.Walk(f.ctx, nil, func(_ collPair) (bool, error) { n++; return false, nil }))
	require.Zero(t, n, "the action index is cleaned up")
}

func TestUpdateParams(t *testing.T) {
	f := newFixture(t)
	p := types.DefaultParams()
	p.MaxKeyTtl = time.Hour
	p.IssuerMaxTtl = 10 * time.Minute
	f.requireRejected("invalid authority", func() error {
		_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.admins["acme"], Params: p})
		return err
	})
	bad := p
	bad.IssuerMaxTtl = 2 * time.Hour
	f.requireRejected("params.issuer_max_ttl", func() error {
		_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: bad})
		return err
	})
	bad = p
	bad.AllowedAlgorithms = []string{"rsa"}
	f.requireRejected("params.allowed_algorithms[0]", func() error {
		_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: bad})
		return err
	})
	_, err := f.msgs.UpdateParams(f.ctx, &types.MsgUpdateParams{Authority: f.authority, Params: p})
	require.NoError(t, err)
	res, err := f.query.Params(f.ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, p, res.Params)
	require.Equal(t, f.authority, res.Authority)
}

// TestAuthorizeSelfService: what a principal may always do with its own
// identity, whatever its keys' resource scopes and without a policy.
func TestAuthorizeSelfService(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci-1", "ci")
	f.registerPrincipal("acme", "acme/ci-2", "ci")
	f.registerPrincipal("acme", "acme/issuer", types.RoleIssuer)
	f.registerPrincipal("globex", "globex/ci-1", "ci")

	scoped := f.registerKey("acme/ci-1", "scoped", time.Hour, "github.com/acme/app")
	sibling := f.registerKey("acme/ci-1", "sibling", time.Hour)
	other := f.registerKey("acme/ci-2", "other", time.Hour)
	issuer := f.registerKey("acme/issuer", "issuer", time.Hour, "github.com/acme/*")
	globex := f.registerKey("globex/ci-1", "globex", time.Hour)

	for _, c := range []struct {
		name, signer, action, scope string
		allowed                     bool
		reason                      string
	}{
		{"scoped key revokes itself", scoped, types.ActionRevokeKey, scoped, true, "a key of principal acme/ci-1 may revoke the principal's keys"},
		{"key revokes a sibling", sibling, types.ActionRevokeKey, scoped, true, "may revoke the principal's keys"},
		{"key may not revoke another principal's key", scoped, types.ActionRevokeKey, other, false, "is limited to scopes"},
		{"unscoped key may not revoke another principal's key", sibling, types.ActionRevokeKey, other, false, "no policy gives roles [ci] action revoke-key"},
		{"revoking an unknown address is not self-service", sibling, types.ActionRevokeKey, "not-an-address", false, "no policy"},
		{"issuer issues in its org despite key scopes", issuer, types.ActionIssueKey, "acme/ci-2", true, "issuer acme/issuer of acme"},
		{"issuer may not issue to another org", issuer, types.ActionIssueKey, "globex/ci-1", false, "is limited to scopes"},
		{"issuer may not issue to an unknown principal", issuer, types.ActionIssueKey, "acme/nobody", false, "is limited to scopes"},
		{"non-issuer may not issue", other, types.ActionIssueKey, "acme/ci-1", false, "no policy gives roles [ci] action issue-key"},
		{"admin issues", f.admins["acme"], types.ActionIssueKey, "acme/ci-1", true, "org admin of acme"},
		{"other org's key may not revoke", globex, types.ActionRevokeKey, sibling, false, "no policy"},
	} {
		d := f.authorize(c.signer, c.action, c.scope)
		require.Equal(t, c.allowed, d.Allowed, "%s: %s", c.name, d.Reason)
		require.Contains(t, d.Reason, c.reason, c.name)
	}
}
