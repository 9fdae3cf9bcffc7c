package keeper_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/identity/types"
)

// busyFixture runs a little history over two organisations: principals,
// keys of all algorithms, a revocation, an expiry, policies and approvals.
func busyFixture(t testing.TB) *fixture {
	f := newFixture(t)
	f.nextBlock(time.Second)
	_, err := f.msgs.RegisterPrincipal(f.ctx, &types.MsgRegisterPrincipal{
		Admin: f.admins["acme"], Id: "acme/ci-1", Kind: types.PRINCIPAL_KIND_CI_RUNNER, Roles: []string{"ci", "issuer"},
		Attributes: []types.Attribute{{Key: "repository_id", Value: "1"}, {Key: "ref", Value: "refs/heads/main"}},
	})
	require.NoError(t, err)
	f.registerPrincipal("acme", "acme/rev", "reviewer")
	f.registerPrincipal("acme", "acme/rel", "release")
	f.registerPrincipal("globex", "globex/dev-1", "device")
	f.setPolicy("anchor", "ci", types.ActionAnchor, "github.com/acme/*", 0)
	f.setPolicy("direct", "release", types.ActionAnchorDirect, "*", 2)
	f.setPolicy("review", "reviewer", types.ActionApprove, "*", 0)
	f.setPolicy("telemetry", "device", types.ActionReportAnomaly, "devices/globex/*", 0)
	for _, alg := range sigscheme.Algorithms() {
		_, err := f.msgs.RegisterKey(f.ctx, f.keyMsg("acme/ci-1", alg, "busy-"+alg.String(), 2*time.Hour, "github.com/acme/*"))
		require.NoError(t, err)
	}
	rev := f.registerKey("acme/rev", "rev", 20*time.Hour)
	f.registerKey("acme/rel", "rel", 20*time.Hour)
	short := f.registerKey("globex/dev-1", "dev", time.Minute)
	f.registerKey("globex/dev-1", "dev-long", 10*time.Hour)
	gone := f.registerKey("acme/rel", "gone", time.Hour)
	f.nextBlock(time.Minute)
	_, err = f.msgs.RevokeKey(f.ctx, &types.MsgRevokeKey{Signer: f.admins["acme"], Address: gone, Reason: "lost laptop"})
	require.NoError(t, err)
	_, err = f.msgs.Approve(f.ctx, &types.MsgApprove{Signer: rev, Action: types.ActionAnchorDirect, Scope: "github.com/acme/app", Subject: "sha256:abc"})
	require.NoError(t, err)
	require.NoError(t, f.k.EndBlocker(f.ctx))
	require.Equal(t, types.KEY_STATUS_EXPIRED, f.getKey(short).Status)
	return f
}

func TestExportImportRoundTrip(t *testing.T) {
	src := busyFixture(t)
	exported, err := src.k.ExportGenesis(src.ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	require.Len(t, exported.Principals, 4)
	require.Len(t, exported.Keys, 8)
	require.Len(t, exported.Policies, 4)
	require.Len(t, exported.Approvals, 1)

	// through JSON, as a real export/import does
	bz, err := src.enc.Codec.MarshalJSON(exported)
	require.NoError(t, err)
	var imported types.GenesisState
	require.NoError(t, src.enc.Codec.UnmarshalJSON(bz, &imported))

	dst := newFixture(t)
	dst.ctx = dst.ctx.WithBlockHeight(src.ctx.BlockHeight()).WithBlockTime(src.ctx.BlockTime())
	require.NoError(t, dst.k.InitGenesis(dst.ctx, &imported))
	again, err := dst.k.ExportGenesis(dst.ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)
	// indexes and the expiry queue are rebuilt byte for byte
	require.Equal(t, dumpStore(src), dumpStore(dst))
	// and every active key has its account
	for _, k := range again.Keys {
		if k.Status == types.KEY_STATUS_ACTIVE {
			require.True(t, dst.ak.HasAccount(dst.ctx, mustAddr(k.Address)), k.Address)
		}
	}
	// decisions agree
	for _, k := range again.Keys {
		a := src.authorize(k.Address, types.ActionAnchor, "github.com/acme/app")
		b := dst.authorize(k.Address, types.ActionAnchor, "github.com/acme/app")
		require.Equal(t, a, b)
	}
}

func TestGenesisValidateNamesTheField(t *testing.T) {
	f := busyFixture(t)
	good, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	cases := []struct {
		want string
		edit func(gs *types.GenesisState)
	}{
		{"params.max_key_ttl", func(gs *types.GenesisState) { gs.Params.MaxKeyTtl = 0 }},
		{"params.max_expirations_per_block", func(gs *types.GenesisState) { gs.Params.MaxExpirationsPerBlock = 0 }},
		{"principals[0].id", func(gs *types.GenesisState) { gs.Principals[0].Id = "bad" }},
		{"principals[0].org_id", func(gs *types.GenesisState) { gs.Principals[0].OrgId = "globex" }},
		{"principals[1].id: duplicate principal", func(gs *types.GenesisState) { gs.Principals[1] = gs.Principals[0] }},
		{"principals[0].roles: must be sorted", func(gs *types.GenesisState) { gs.Principals[0].Roles = []string{"issuer", "ci"} }},
		{"principals[0].attributes: must be sorted", func(gs *types.GenesisState) {
			gs.Principals[0].Attributes = []types.Attribute{{Key: "z"}, {Key: "a"}}
		}},
		{"principals[0].status", func(gs *types.GenesisState) { gs.Principals[0].Status = 0 }},
		{"keys[0].address", func(gs *types.GenesisState) { gs.Keys[0].Address = "nope" }},
		{"keys[0].address: " + good.Keys[1].Address + " does not match public_key", func(gs *types.GenesisState) {
			gs.Keys[0].Address = good.Keys[1].Address
			gs.Keys[1].Address = good.Keys[0].Address
		}},
		{"keys[1].address: duplicate key", func(gs *types.GenesisState) { gs.Keys[1] = gs.Keys[0] }},
		{"keys[0].principal_id: unknown principal", func(gs *types.GenesisState) { gs.Keys[0].PrincipalId = "acme/nope" }},
		{"keys[0].org_id", func(gs *types.GenesisState) { gs.Keys[0].OrgId = "other" }},
		{"keys[0].algorithm", func(gs *types.GenesisState) { gs.Keys[0].Algorithm = "rsa" }},
		{"keys[0].public_key", func(gs *types.GenesisState) { gs.Keys[0].PublicKey = gs.Keys[0].PublicKey[1:] }},
		{"keys[0].not_after", func(gs *types.GenesisState) { gs.Keys[0].NotAfter = gs.Keys[0].NotBefore }},
		{"keys[0].scopes", func(gs *types.GenesisState) { gs.Keys[0].Scopes = []string{"b", "a"} }},
		{"keys[0].status", func(gs *types.GenesisState) { gs.Keys[0].Status = 0 }},
		{"keys[0].revoked_height: a revoked key needs", func(gs *types.GenesisState) { gs.Keys[0].Status = types.KEY_STATUS_REVOKED }},
		{"keys[0].revoked_height: a KEY_STATUS_ACTIVE key has no revocation", func(gs *types.GenesisState) {
			gs.Keys[0].Status = types.KEY_STATUS_ACTIVE
			gs.Keys[0].RevokedHeight = 3
		}},
		{"policies[0]: ", func(gs *types.GenesisState) { gs.Policies[0].ScopePattern = "a*" }},
		{"policies[1].id: duplicate policy", func(gs *types.GenesisState) { gs.Policies[1].Id = gs.Policies[0].Id }},
		{"approvals[0].principal_id", func(gs *types.GenesisState) { gs.Approvals[0].PrincipalId = "acme/ghost" }},
		{"approvals[0].approver", func(gs *types.GenesisState) { gs.Approvals[0].Approver = "x" }},
		{"approvals[1]: principal", func(gs *types.GenesisState) { gs.Approvals = append(gs.Approvals, gs.Approvals[0]) }},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {
			gs := cloneGenesis(t, f, good)
			c.edit(gs)
			err := gs.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
			// InitGenesis refuses it as well and names the field
			dst := newFixture(t)
			err = dst.k.InitGenesis(dst.ctx, gs)
			require.ErrorContains(t, err, "identity genesis: ")
		})
	}
	require.NoError(t, types.DefaultGenesis().Validate())
}

func cloneGenesis(t *testing.T, f *fixture, gs *types.GenesisState) *types.GenesisState {
	bz, err := f.enc.Codec.MarshalJSON(gs)
	require.NoError(t, err)
	var out types.GenesisState
	require.NoError(t, f.enc.Codec.UnmarshalJSON(bz, &out))
	return &out
}

// TestDeterminism runs the same history twice and requires identical state
// and identical events.
func TestDeterminism(t *testing.T) {
	a, b := busyFixture(t), busyFixture(t)
	require.Equal(t, dumpStore(a), dumpStore(b))
	require.Equal(t, a.ctx.EventManager().Events(), b.ctx.EventManager().Events())
	ga, err := a.k.ExportGenesis(a.ctx)
	require.NoError(t, err)
	gb, err := b.k.ExportGenesis(b.ctx)
	require.NoError(t, err)
	require.Equal(t, ga, gb)
}
