package keeper_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/identity/types"
)

// TestConformance runs pkg/conformance's key-window and authorisation
// tables against the keeper; the Fabric chaincode's tests run them too.
func TestConformance(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/ci", "ci")
	for _, p := range conformance.Policies() {
		f.setPolicy(p.ID, p.Role, p.Action, p.ScopePattern, p.ApprovalsRequired)
	}
	var signer string
	for i, c := range conformance.KeyWindows() {
		now := f.ctx.BlockTime()
		msg := f.keyMsg("acme/ci", sigscheme.Ed25519, fmt.Sprintf("conformance-%d", i), 0)
		msg.NotBefore, msg.NotAfter = now.Add(c.NotBefore), now.Add(c.NotAfter)
		if c.ZeroStart {
			msg.NotBefore = time.Time{}
		}
		if c.Want != "" {
			f.requireRejected(c.Want, func() error {
				_, err := f.msgs.RegisterKey(f.ctx, msg)
				return err
			})
			continue
		}
		res, err := f.msgs.RegisterKey(f.ctx, msg)
		require.NoError(t, err, c.Name)
		if signer == "" {
			signer = res.Address
		}
	}
	for _, c := range conformance.AuthCases {
		d := f.authorize(signer, c.Action, c.Scope)
		require.Equal(t, c.Allowed, d.Allowed, "%s on %s: %s", c.Action, c.Scope, d.Reason)
		if c.Allowed {
			require.Equal(t, c.Rule, d.PolicyId)
		}
	}
	// Suspending the principal denies at once.
	_, err := f.msgs.UpdatePrincipal(f.ctx, &types.MsgUpdatePrincipal{Admin: f.admins["acme"], Id: "acme/ci",
		Kind: types.PRINCIPAL_KIND_CI_RUNNER, Roles: []string{"ci"}, Status: types.PRINCIPAL_STATUS_SUSPENDED})
	require.NoError(t, err)
	require.False(t, f.authorize(signer, conformance.AuthCases[0].Action, conformance.AuthCases[0].Scope).Allowed)
}
