package keeper_test

import (
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/baseapp"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/adf-consortium/adf/x/consortium/types"
)

// busyFixture runs a little history: a passed, a rejected, a failed and an
// open proposal, a new org and validator, a suspension and a jailing.
func busyFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	p := f.pass(
		&types.MsgAddOrganization{Authority: f.authority, OrgId: "org-e", Name: "Org E", Admins: []string{addr("e1")}},
		f.addValidatorMsg("val-e", "org-e", mldsaKey(t, 3).PubKey(), 4),
	)
	require.Equal(t, types.PROPOSAL_STATUS_PASSED, p.Status, p.FailureReason)
	f.admins["org-e"] = []string{addr("e1")}
	f.endBlock()
	f.nextBlock(5 * time.Second)

	rej := f.mustSubmit(f.admin("org-b"), &types.MsgRemoveValidator{Authority: f.authority, Name: "val-a"})
	for _, o := range []string{"org-a", "org-c"} {
		f.mustVote(f.admin(o), rej, types.VOTE_OPTION_NO)
	}
	// 5 active orgs now: 4 yes needed (4*3 >= 2*5); execution fails
	failed := f.pass(&types.MsgRemoveValidator{Authority: f.authority, Name: "nope"})
	require.Equal(t, types.PROPOSAL_STATUS_VOTING, failed.Status)
	require.Equal(t, types.PROPOSAL_STATUS_FAILED, f.mustVote(f.admin("org-e"), failed.Id, types.VOTE_OPTION_YES))
	open := f.mustSubmit(f.admin("org-e"), &types.MsgUpdateParams{Authority: f.authority, Params: types.DefaultParams()})
	f.mustVote(f.admin("org-e"), open, types.VOTE_OPTION_YES)
	_, err := f.msgs.SetOrganizationStatus(f.ctx, &types.MsgSetOrganizationStatus{Authority: f.authority, OrgId: "org-d", Status: types.ORG_STATUS_SUSPENDED})
	require.NoError(t, err)
	f.ctx = f.ctx.WithCometInfo(baseapp.NewBlockInfo([]abci.Misbehavior{{
		Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: f.privs["val-b"].PubKey().Address(), Power: 10}, Height: 2,
	}}, nil, nil, abci.CommitInfo{}))
	require.NoError(t, f.k.BeginBlocker(f.ctx))
	f.ctx = f.ctx.WithCometInfo(nil)
	f.endBlock()
	return f
}

func TestExportImportRoundTrip(t *testing.T) {
	src := busyFixture(t)
	exported, err := src.k.ExportGenesis(src.ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	require.Len(t, exported.Organizations, 5)
	require.Len(t, exported.Proposals, 4)
	require.EqualValues(t, 5, exported.NextProposalId)

	// through JSON, as a genesis file would
	bz, err := src.enc.Codec.MarshalJSON(exported)
	require.NoError(t, err)
	var imported types.GenesisState
	require.NoError(t, src.enc.Codec.UnmarshalJSON(bz, &imported))

	dst := newBareFixture(t)
	dst.ctx = dst.ctx.WithBlockHeight(src.ctx.BlockHeight()).WithBlockTime(src.ctx.BlockTime())
	updates, err := dst.k.InitGenesis(dst.ctx, &imported)
	require.NoError(t, err)
	require.Len(t, updates, 4, "val-a, val-c, val-d, val-e; val-b is jailed")

	require.Equal(t, dumpStore(src), dumpStore(dst), "the imported store must be identical")
	again, err := dst.k.ExportGenesis(dst.ctx)
	require.NoError(t, err)
	bz2, err := dst.enc.Codec.MarshalJSON(again)
	require.NoError(t, err)
	require.JSONEq(t, string(bz), string(bz2))

	// the open proposal still expires after import
	dst.nextBlock(25 * time.Hour)
	dst.endBlock()
	p, err := dst.k.Proposals.Get(dst.ctx, 4)
	require.NoError(t, err)
	require.Equal(t, types.PROPOSAL_STATUS_EXPIRED, p.Status)
}

func TestInitGenesisRejectsBadGenesis(t *testing.T) {
	f := newBareFixture(t)
	gs := fourOrgGenesis(t, f)
	gs.Validators[2].Power = 0
	_, err := f.k.InitGenesis(f.ctx, gs)
	require.ErrorContains(t, err, "validators[2].power: 0 is not in 1..1000")

	f = newBareFixture(t)
	gs = fourOrgGenesis(t, f)
	gs.Organizations[1].Admins = []string{f.authority}
	_, err = f.k.InitGenesis(f.ctx, gs)
	require.ErrorContains(t, err, "organizations[1].admins[0]")

	f = newBareFixture(t)
	_, err = f.k.InitGenesis(f.ctx, types.DefaultGenesis())
	require.ErrorContains(t, err, "validators:")
}

func TestEndBlockerSurvivesOddState(t *testing.T) {
	f := newFixture(t)
	// a validator whose key Any is garbage, one with no key, one jailed-but-
	// never-sent, a last-sent entry with a garbage key, a queue entry for a
	// missing proposal and one for a proposal that is already final
	require.NoError(t, f.k.Validators.Set(f.ctx, "zz-garbage", types.Validator{
		Name: "zz-garbage", OrgId: "org-a", Power: 5, Status: types.VALIDATOR_STATUS_ACTIVE,
		PubKey: &codectypes.Any{TypeUrl: "/cosmos.crypto.ed25519.PubKey", Value: []byte{1, 2, 3}},
	}))
	require.NoError(t, f.k.Validators.Set(f.ctx, "zz-nokey", types.Validator{Name: "zz-nokey", OrgId: "org-a", Power: 5, Status: types.VALIDATOR_STATUS_ACTIVE}))
	require.NoError(t, f.k.Validators.Set(f.ctx, "zz-orphan", types.Validator{Name: "zz-orphan", OrgId: "org-gone", Power: 5, Status: types.VALIDATOR_STATUS_JAILED}))
	require.NoError(t, f.k.LastPowers.Set(f.ctx, "zz-ghost", types.LastValidatorPower{Name: "zz-ghost", PubKey: &codectypes.Any{TypeUrl: "/bogus"}, Power: 3}))
	require.NoError(t, f.k.ExpiryQueue.Set(f.ctx, collJoin(types.Proposal{Id: 77, VotingEndTime: genesisTime})))
	id := f.mustSubmit(f.admin("org-a"), &types.MsgRemoveValidator{Authority: f.authority, Name: "val-d"})
	p := f.proposal(id)
	p.Status = types.PROPOSAL_STATUS_PASSED
	require.NoError(t, f.k.Proposals.Set(f.ctx, id, p))
	f.nextBlock(48 * time.Hour)
	updates := f.endBlock()
	require.Empty(t, updates, "bad entries are skipped, good ones unchanged")
	n := 0
	require.NoError(t, f.k.ExpiryQueue.Walk(f.ctx, nil, func(collPair) (bool, error) { n++; return false, nil }))
	require.Zero(t, n, "stale queue entries are dropped")

	// evidence with odd entries does not panic either
	f.ctx = f.ctx.WithCometInfo(baseapp.NewBlockInfo([]abci.Misbehavior{
		{Type: abci.MisbehaviorType_UNKNOWN, Validator: abci.Validator{Address: f.privs["val-a"].PubKey().Address()}},
		{Type: abci.MisbehaviorType_DUPLICATE_VOTE, Validator: abci.Validator{Address: nil}},
	}, nil, nil, abci.CommitInfo{}))
	require.NotPanics(t, func() { require.NoError(t, f.k.BeginBlocker(f.ctx)) })
	require.Equal(t, types.VALIDATOR_STATUS_ACTIVE, f.validator("val-a").Status)

	// every validator jailed: the set is kept, nothing is sent, no panic
	f2 := newFixture(t)
	for _, n := range []string{"val-a", "val-b", "val-c", "val-d"} {
		v := f2.validator(n)
		v.Status = types.VALIDATOR_STATUS_JAILED
		require.NoError(t, f2.k.Validators.Set(f2.ctx, n, v))
	}
	require.Nil(t, f2.endBlock())
	// and an empty store (no params) does not panic
	f3 := newBareFixture(t)
	require.NotPanics(t, func() {
		u, err := f3.k.EndBlocker(f3.ctx)
		require.NoError(t, err)
		require.Nil(t, u)
		require.NoError(t, f3.k.BeginBlocker(f3.ctx))
	})
}

func TestQueries(t *testing.T) {
	f := busyFixture(t)
	code := func(err error) codes.Code { return status.Code(err) }

	org, err := f.query.Organization(f.ctx, &types.QueryOrganizationRequest{OrgId: "org-e"})
	require.NoError(t, err)
	require.Equal(t, "Org E", org.Organization.Name)
	_, err = f.query.Organization(f.ctx, &types.QueryOrganizationRequest{OrgId: "org-zz"})
	require.Equal(t, codes.NotFound, code(err))
	_, err = f.query.Organization(f.ctx, &types.QueryOrganizationRequest{})
	require.Equal(t, codes.InvalidArgument, code(err))
	_, err = f.query.Organization(f.ctx, &types.QueryOrganizationRequest{OrgId: "BAD ID"})
	require.Equal(t, codes.InvalidArgument, code(err))

	orgs, err := f.query.Organizations(f.ctx, &types.QueryOrganizationsRequest{Pagination: &query.PageRequest{Limit: 2, CountTotal: true}})
	require.NoError(t, err)
	require.Len(t, orgs.Organizations, 2)
	require.EqualValues(t, 5, orgs.Pagination.Total)
	require.Equal(t, "org-a", orgs.Organizations[0].Id)
	orgs, err = f.query.Organizations(f.ctx, &types.QueryOrganizationsRequest{Pagination: &query.PageRequest{Key: orgs.Pagination.NextKey}})
	require.NoError(t, err)
	require.Len(t, orgs.Organizations, 3)
	require.Equal(t, "org-c", orgs.Organizations[0].Id)

	prop, err := f.query.Proposal(f.ctx, &types.QueryProposalRequest{ProposalId: 1})
	require.NoError(t, err)
	require.Equal(t, types.PROPOSAL_STATUS_PASSED, prop.Proposal.Status)
	_, err = f.query.Proposal(f.ctx, &types.QueryProposalRequest{ProposalId: 99})
	require.Equal(t, codes.NotFound, code(err))
	_, err = f.query.Proposal(f.ctx, &types.QueryProposalRequest{})
	require.Equal(t, codes.InvalidArgument, code(err))

	all, err := f.query.Proposals(f.ctx, &types.QueryProposalsRequest{})
	require.NoError(t, err)
	require.Len(t, all.Proposals, 4)
	for st, want := range map[types.ProposalStatus]uint64{
		types.PROPOSAL_STATUS_PASSED: 1, types.PROPOSAL_STATUS_REJECTED: 2, types.PROPOSAL_STATUS_FAILED: 3, types.PROPOSAL_STATUS_VOTING: 4,
	} {
		res, err := f.query.Proposals(f.ctx, &types.QueryProposalsRequest{Status: st})
		require.NoError(t, err)
		require.Len(t, res.Proposals, 1, st.String())
		require.Equal(t, want, res.Proposals[0].Id)
	}
	_, err = f.query.Proposals(f.ctx, &types.QueryProposalsRequest{Status: 42})
	require.Equal(t, codes.InvalidArgument, code(err))

	votes, err := f.query.Votes(f.ctx, &types.QueryVotesRequest{ProposalId: 2})
	require.NoError(t, err)
	require.Len(t, votes.Votes, 2)
	require.Equal(t, "org-a", votes.Votes[0].OrgId)
	_, err = f.query.Votes(f.ctx, &types.QueryVotesRequest{ProposalId: 99})
	require.Equal(t, codes.NotFound, code(err))

	val, err := f.query.Validator(f.ctx, &types.QueryValidatorRequest{Name: "val-b"})
	require.NoError(t, err)
	require.Equal(t, types.VALIDATOR_STATUS_JAILED, val.Validator.Status)
	_, err = f.query.Validator(f.ctx, &types.QueryValidatorRequest{Name: "val-zz"})
	require.Equal(t, codes.NotFound, code(err))
	vals, err := f.query.Validators(f.ctx, &types.QueryValidatorsRequest{})
	require.NoError(t, err)
	require.Len(t, vals.Validators, 5)
	require.EqualValues(t, 10+10+10+4, vals.TotalPower)

	m, err := f.query.Member(f.ctx, &types.QueryMemberRequest{Address: f.admin("org-e")})
	require.NoError(t, err)
	require.True(t, m.Member)
	require.Equal(t, "org-e", m.OrgId)
	m, err = f.query.Member(f.ctx, &types.QueryMemberRequest{Address: f.admin("org-d")}) // suspended
	require.NoError(t, err)
	require.False(t, m.Member)
	_, err = f.query.Member(f.ctx, &types.QueryMemberRequest{Address: "nope"})
	require.Equal(t, codes.InvalidArgument, code(err))
}
