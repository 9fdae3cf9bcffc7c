package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/x/identity/types"
)

func TestApprovals(t *testing.T) {
	f := newFixture(t)
	f.registerPrincipal("acme", "acme/rel", "release")
	f.registerPrincipal("acme", "acme/rev-1", "reviewer")
	f.registerPrincipal("acme", "acme/rev-2", "reviewer")
	f.registerPrincipal("acme", "acme/ci", "ci")
	f.setPolicy("direct", "release", types.ActionAnchorDirect, "github.com/acme/*", 2)
	f.setPolicy("review", "reviewer", types.ActionApprove, "github.com/acme/*", 0)
	f.setPolicy("self-review", "release", types.ActionApprove, "github.com/acme/*", 0)
	rel := f.registerKey("acme/rel", "rel", time.Hour)
	rev1 := f.registerKey("acme/rev-1", "rev1", time.Hour)
	rev1b := f.registerKey("acme/rev-1", "rev1b", time.Hour)
	rev2 := f.registerKey("acme/rev-2", "rev2", time.Hour)
	ci := f.registerKey("acme/ci", "ci", time.Hour)
	const scope, subject = "github.com/acme/app", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

	approve := func(signer, action, scope, subject string) (uint32, error) {
		res, err := f.msgs.Approve(f.ctx, &types.MsgApprove{Signer: signer, Action: action, Scope: scope, Subject: subject})
		if err != nil {
			return 0, err
		}
		return res.Approvals, nil
	}
	have := func() types.Decision {
		d, err := f.k.AuthorizeSubject(f.ctx, mustAddr(rel), types.ActionAnchorDirect, scope, subject)
		require.NoError(t, err)
		return d
	}

	d := have()
	require.True(t, d.Allowed)
	require.Equal(t, uint32(2), d.ApprovalsRequired)
	require.Zero(t, d.ApprovalsHave)
	require.False(t, d.ApprovalsMet())

	// refusals
	f.requireRejected("no policy gives roles [ci] action approve", func() error { _, err := approve(ci, types.ActionAnchorDirect, scope, subject); return err })
	f.requireRejected("org admin of acme may perform only", func() error {
		_, err := approve(f.admins["acme"], types.ActionAnchorDirect, scope, subject)
		return err
	})
	f.requireRejected("no policy gives roles [reviewer] action approve on scope github.com/other/x", func() error {
		_, err := approve(rev1, types.ActionAnchorDirect, "github.com/other/x", subject)
		return err
	})
	f.requireRejected("subject", func() error { _, err := approve(rev1, types.ActionAnchorDirect, scope, ""); return err })
	f.requireRejected("subject", func() error { _, err := approve(rev1, types.ActionAnchorDirect, scope, "a b"); return err })
	f.requireRejected("scope", func() error { _, err := approve(rev1, types.ActionAnchorDirect, "", subject); return err })
	f.requireRejected("action", func() error { _, err := approve(rev1, "Bad", scope, subject); return err })

	n, err := approve(rev1, types.ActionAnchorDirect, scope, subject)
	require.NoError(t, err)
	require.Equal(t, uint32(1), n)
	require.NotNil(t, findEvent(f.ctx, "adf.identity.v1.EventApproved"))
	// a second key of the same principal does not count twice
	f.requireRejected(`principal "acme/rev-1" already approved`, func() error {
		_, err := approve(rev1b, types.ActionAnchorDirect, scope, subject)
		return err
	})
	// the requester's own approval is recorded but does not count for it
	n, err = approve(rel, types.ActionAnchorDirect, scope, subject)
	require.NoError(t, err)
	require.Equal(t, uint32(2), n)
	require.Equal(t, uint32(1), have().ApprovalsHave)
	require.False(t, have().ApprovalsMet())
	n, err = approve(rev2, types.ActionAnchorDirect, scope, subject)
	require.NoError(t, err)
	require.Equal(t, uint32(3), n)
	require.Equal(t, uint32(2), have().ApprovalsHave)
	require.True(t, have().ApprovalsMet())

	// another subject has none; Authorize (no subject) counts none
	d, err = f.k.AuthorizeSubject(f.ctx, mustAddr(rel), types.ActionAnchorDirect, scope, "sha256:other")
	require.NoError(t, err)
	require.Zero(t, d.ApprovalsHave)
	require.Zero(t, f.authorize(rel, types.ActionAnchorDirect, scope).ApprovalsHave)

	res, err := f.query.Approvals(f.ctx, &types.QueryApprovalsRequest{Action: types.ActionAnchorDirect, Scope: scope, Subject: subject})
	require.NoError(t, err)
	require.Len(t, res.Approvals, 3)
	require.Equal(t, []string{"acme/rel", "acme/rev-1", "acme/rev-2"},
		[]string{res.Approvals[0].PrincipalId, res.Approvals[1].PrincipalId, res.Approvals[2].PrincipalId})
	require.Equal(t, rev1, res.Approvals[1].Approver)
	q, err := f.query.Authorize(f.ctx, &types.QueryAuthorizeRequest{Signer: rel, Action: types.ActionAnchorDirect, Scope: scope, Subject: subject})
	require.NoError(t, err)
	require.Equal(t, uint32(2), q.Decision.ApprovalsHave)
}
