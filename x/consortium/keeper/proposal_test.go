package keeper_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/x/consortium/types"
)

func TestInitGenesisSetsUpMembersAndAccounts(t *testing.T) {
	f := newFixture(t)
	for org, admins := range f.admins {
		for _, a := range admins {
			bz, err := ac.StringToBytes(a)
			require.NoError(t, err)
			got, ok, err := f.k.IsActiveMember(f.ctx, bz)
			require.NoError(t, err)
			require.True(t, ok, a)
			require.Equal(t, org, got)
			require.True(t, f.ak.HasAccount(f.ctx, bz), "genesis admin %s must get an auth account", a)
		}
	}
	bz, _ := ac.StringToBytes(addr("stranger"))
	_, ok, err := f.k.IsActiveMember(f.ctx, bz)
	require.NoError(t, err)
	require.False(t, ok)
	// nothing changed since genesis: no updates
	require.Nil(t, f.endBlock())
}

func TestThreeOfFourPassesAndMLDSAValidatorJoins(t *testing.T) {
	f := newFixture(t)
	pq := mldsaKey(t, 7)
	id := f.mustSubmit(f.admin("org-b"), f.addValidatorMsg("val-pq", "org-b", pq.PubKey(), 5))
	require.Equal(t, types.PROPOSAL_STATUS_VOTING, f.mustVote(f.admin("org-a"), id, types.VOTE_OPTION_YES))
	require.Equal(t, types.PROPOSAL_STATUS_VOTING, f.mustVote(f.admin("org-b"), id, types.VOTE_OPTION_YES))
	_, err := f.k.Validators.Get(f.ctx, "val-pq")
	require.Error(t, err, "must not execute before the threshold")
	require.Equal(t, types.PROPOSAL_STATUS_PASSED, f.mustVote(f.admin("org-c"), id, types.VOTE_OPTION_YES))

	p := f.proposal(id)
	require.Equal(t, types.PROPOSAL_STATUS_PASSED, p.Status)
	require.EqualValues(t, 3, p.YesOrgs)
	require.Equal(t, f.ctx.BlockHeight(), p.FinalHeight)
	v := f.validator("val-pq")
	require.Equal(t, types.ConsAddress(pq.PubKey()), v.ConsAddress)
	// inner events are propagated
	require.NotNil(t, findEvent(f.ctx, "adf.consortium.v1.EventValidatorAdded"))
	require.NotNil(t, findEvent(f.ctx, "adf.consortium.v1.EventProposalFinalized"))

	updates := f.endBlock()
	require.Len(t, updates, 1)
	require.Equal(t, pq.PubKey().Bytes(), updates[0].PubKey.GetMldsa65())
	require.EqualValues(t, 5, updates[0].Power)
	require.Nil(t, f.endBlock(), "no change → no updates")

	// a finished proposal takes no more votes
	_, err = f.vote(f.admin("org-d"), id, types.VOTE_OPTION_YES)
	require.ErrorIs(t, err, types.ErrProposalNotVoting)
	// and stays queryable with its votes
	votes, err := f.query.Votes(f.ctx, &types.QueryVotesRequest{ProposalId: id})
	require.NoError(t, err)
	require.Len(t, votes.Votes, 3)
}

func TestTwoOfFourStaysVoting(t *testing.T) {
	f := newFixture(t)
	id := f.mustSubmit(f.admin("org-a"), &types.MsgRemoveValidator{Authority: f.authority, Name: "val-d"})
	f.mustVote(f.admin("org-a"), id, types.VOTE_OPTION_YES)
	require.Equal(t, types.PROPOSAL_STATUS_VOTING, f.mustVote(f.admin("org-b"), id, types.VOTE_OPTION_YES))
	p := f.proposal(id)
	require.Equal(t, types.PROPOSAL_STATUS_VOTING, p.Status)
	require.EqualValues(t, 2, p.YesOrgs)
	f.validator("val-d")
}

func TestRejectedOnceThresholdUnreachable(t *testing.T) {
	f := newFixture(t)
	id := f.mustSubmit(f.admin("org-a"), &types.MsgRemoveValidator{Authority: f.authority, Name: "val-d"})
	require.Equal(t, types.PROPOSAL_STATUS_VOTING, f.mustVote(f.admin("org-c"), id, types.VOTE_OPTION_NO))
	// (4-2)*3 = 6 < 2*4 = 8: the threshold can no longer be met
	require.Equal(t, types.PROPOSAL_STATUS_REJECTED, f.mustVote(f.admin("org-d"), id, types.VOTE_OPTION_NO))
	require.Equal(t, types.PROPOSAL_STATUS_REJECTED, f.proposal(id).Status)
	f.validator("val-d")
	has, err := f.k.ExpiryQueue.Has(f.ctx, collJoin(f.proposal(id)))
	require.NoError(t, err)
	require.False(t, has, "finalized proposals leave the expiry queue")
}

func TestFailingInnerMessageLeavesStateUnchanged(t *testing.T) {
	f := newFixture(t)
	before := dumpStore(f)
	id := f.mustSubmit(f.admin("org-a"),
		&types.MsgAddOrganization{Authority: f.authority, OrgId: "org-e", Name: "Org E", Admins: []string{addr("e1")}},
		f.addValidatorMsg("val-x", "org-zzz", edKey("x").PubKey(), 10), // unknown org → fails
	)
	f.mustVote(f.admin("org-a"), id, types.VOTE_OPTION_YES)
	f.mustVote(f.admin("org-b"), id, types.VOTE_OPTION_YES)
	require.Equal(t, types.PROPOSAL_STATUS_FAILED, f.mustVote(f.admin("org-c"), id, types.VOTE_OPTION_YES))
	p := f.proposal(id)
	require.Equal(t, types.PROPOSAL_STATUS_FAILED, p.Status)
	require.Contains(t, p.FailureReason, "messages[1]")
	require.Contains(t, p.FailureReason, types.ErrOrgNotFound.Error())
	_, err := f.k.Organizations.Get(f.ctx, "org-e")
	require.Error(t, err, "the first message must be rolled back")
	bz, _ := ac.StringToBytes(addr("e1"))
	require.False(t, f.ak.HasAccount(f.ctx, bz), "no account for the rolled-back admin")
	require.Nil(t, findEvent(f.ctx, "adf.consortium.v1.EventOrganizationAdded"))

	// only the proposal, its votes and the queue changed
	after := dumpStore(f)
	for k, v := range before {
		if strings.HasPrefix(k, string(types.ProposalsKey)) || strings.HasPrefix(k, string(types.VotesKey)) ||
			strings.HasPrefix(k, string(types.ExpiryQueueKey)) || strings.HasPrefix(k, string(types.NextProposalIDKey)) {
			continue
		}
		require.Equal(t, v, after[k])
	}
}

func TestSubmitProposalRejections(t *testing.T) {
	f := newFixture(t)
	good := &types.MsgRemoveValidator{Authority: f.authority, Name: "val-d"}

	_, err := f.submit(addr("stranger"), good)
	require.ErrorIs(t, err, types.ErrNotMember)

	_, err = f.submit("not-bech32", good)
	require.Error(t, err)

	_, err = f.submit(f.admin("org-a"))
	require.ErrorIs(t, err, types.ErrInvalidProposal, "no messages")

	params := types.DefaultParams()
	many := make([]sdk.Msg, params.MaxProposalMessages+1)
	for i := range many {
		many[i] = good
	}
	_, err = f.submit(f.admin("org-a"), many...)
	require.ErrorIs(t, err, types.ErrInvalidProposal, "too many messages")

	// inner message signed by someone else
	_, err = f.submit(f.admin("org-a"), &types.MsgRemoveValidator{Authority: f.admin("org-b"), Name: "val-d"})
	require.ErrorIs(t, err, types.ErrInvalidProposalMsg)
	// a member message (signer = voter) cannot be smuggled in
	_, err = f.submit(f.admin("org-a"), &types.MsgVote{Voter: f.admin("org-a"), ProposalId: 1, Option: types.VOTE_OPTION_YES})
	require.ErrorIs(t, err, types.ErrInvalidProposalMsg)
	// signer is the authority but no handler is routed
	_, err = f.submit(f.admin("org-a"), &authtypes.MsgUpdateParams{Authority: f.authority, Params: authtypes.DefaultParams()})
	require.ErrorIs(t, err, types.ErrInvalidProposalMsg)
	require.Contains(t, err.Error(), "no handler")
	// stateless check of the inner message (power 0)
	_, err = f.submit(f.admin("org-a"), &types.MsgSetValidatorPower{Authority: f.authority, Name: "val-d", Power: 0})
	require.ErrorIs(t, err, types.ErrInvalidProposalMsg)

	m, err := types.NewMsgSubmitProposal(f.admin("org-a"), []sdk.Msg{good}, strings.Repeat("t", types.MaxTitleLength+1), "")
	require.NoError(t, err)
	_, err = f.msgs.SubmitProposal(f.ctx, m)
	require.ErrorIs(t, err, types.ErrInvalidProposal)
	m, err = types.NewMsgSubmitProposal(f.admin("org-a"), []sdk.Msg{good}, "", strings.Repeat("s", types.MaxSummaryLength+1))
	require.NoError(t, err)
	_, err = f.msgs.SubmitProposal(f.ctx, m)
	require.ErrorIs(t, err, types.ErrInvalidProposal)

	// a suspended organisation's admin cannot propose
	_, err = f.msgs.SetOrganizationStatus(f.ctx, &types.MsgSetOrganizationStatus{Authority: f.authority, OrgId: "org-d", Status: types.ORG_STATUS_SUSPENDED})
	require.NoError(t, err)
	_, err = f.submit(f.admin("org-d"), good)
	require.ErrorIs(t, err, types.ErrNotMember)

	// nothing was stored
	next, err := f.k.NextProposalID.Peek(f.ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, next)

	// and a good one is accepted with id 1 and the voting period from params
	id := f.mustSubmit(f.admin("org-a"), good)
	require.EqualValues(t, 1, id)
	p := f.proposal(id)
	require.Equal(t, f.ctx.BlockTime().Add(24*time.Hour), p.VotingEndTime)
	require.Equal(t, "org-a", p.ProposerOrg)
}

func TestVoteRejections(t *testing.T) {
	f := newFixture(t)
	id := f.mustSubmit(f.admin("org-a"), &types.MsgRemoveValidator{Authority: f.authority, Name: "val-d"})

	_, err := f.vote(addr("stranger"), id, types.VOTE_OPTION_YES)
	require.ErrorIs(t, err, types.ErrNotMember)
	_, err = f.vote(f.admin("org-a"), 99, types.VOTE_OPTION_YES)
	require.ErrorIs(t, err, types.ErrProposalNotFound)
	_, err = f.vote(f.admin("org-a"), id, types.VOTE_OPTION_UNSPECIFIED)
	require.ErrorIs(t, err, types.ErrInvalidVoteOption)

	f.mustVote(f.admin("org-a"), id, types.VOTE_OPTION_YES)
	// same org, same admin
	_, err = f.vote(f.admin("org-a"), id, types.VOTE_OPTION_NO)
	require.ErrorIs(t, err, types.ErrAlreadyVoted)
	// same org through its second admin
	_, err = f.vote(f.admins["org-a"][1], id, types.VOTE_OPTION_YES)
	require.ErrorIs(t, err, types.ErrAlreadyVoted)

	// at the deadline still fine, after it closed
	f.nextBlock(24 * time.Hour)
	f.mustVote(f.admin("org-b"), id, types.VOTE_OPTION_NO)
	f.nextBlock(time.Second)
	_, err = f.vote(f.admin("org-c"), id, types.VOTE_OPTION_YES)
	require.ErrorIs(t, err, types.ErrVotingClosed)
}

func TestVotesOfSuspendedOrgsDoNotCount(t *testing.T) {
	f := newFixture(t)
	id := f.mustSubmit(f.admin("org-a"), &types.MsgUpdateParams{Authority: f.authority, Params: types.DefaultParams()})
	f.mustVote(f.admin("org-d"), id, types.VOTE_OPTION_YES)
	f.mustVote(f.admin("org-a"), id, types.VOTE_OPTION_YES)
	_, err := f.msgs.SetOrganizationStatus(f.ctx, &types.MsgSetOrganizationStatus{Authority: f.authority, OrgId: "org-d", Status: types.ORG_STATUS_SUSPENDED})
	require.NoError(t, err)
	// 3 active orgs; yes from active orgs = a, b → 2*3 = 6 >= 2*3 = 6 passes;
	// org-d's vote did not count: yes_orgs is 2
	require.Equal(t, types.PROPOSAL_STATUS_PASSED, f.mustVote(f.admin("org-b"), id, types.VOTE_OPTION_YES))
	require.EqualValues(t, 2, f.proposal(id).YesOrgs)
}

func TestExpiryWithPerBlockCap(t *testing.T) {
	f := newBareFixture(t)
	gs := fourOrgGenesis(t, f)
	gs.Params.MaxExpirationsPerBlock = 2
	gs.Params.VotingPeriod = time.Hour
	_, err := f.k.InitGenesis(f.ctx, gs)
	require.NoError(t, err)

	var ids []uint64
	for i := 0; i < 5; i++ {
		ids = append(ids, f.mustSubmit(f.admin("org-a"), &types.MsgRemoveValidator{Authority: f.authority, Name: "val-d"}))
	}
	f.nextBlock(59 * time.Minute)
	f.endBlock()
	for _, id := range ids {
		require.Equal(t, types.PROPOSAL_STATUS_VOTING, f.proposal(id).Status)
	}
	count := func() (n int) {
		for _, id := range ids {
			if f.proposal(id).Status == types.PROPOSAL_STATUS_EXPIRED {
				n++
			}
		}
		return n
	}
	f.nextBlock(time.Minute) // end time == block time: expires
	f.endBlock()
	require.Equal(t, 2, count())
	require.Equal(t, types.PROPOSAL_STATUS_EXPIRED, f.proposal(ids[0]).Status, "oldest first")
	require.Equal(t, types.PROPOSAL_STATUS_EXPIRED, f.proposal(ids[1]).Status)
	f.nextBlock(time.Second)
	f.endBlock()
	require.Equal(t, 4, count())
	f.nextBlock(time.Second)
	f.endBlock()
	require.Equal(t, 5, count())
	res, err := f.query.Proposals(f.ctx, &types.QueryProposalsRequest{Status: types.PROPOSAL_STATUS_EXPIRED})
	require.NoError(t, err)
	require.Len(t, res.Proposals, 5)
	n := 0
	require.NoError(t, f.k.ExpiryQueue.Walk(f.ctx, nil, func(_ collPair) (bool, error) { n++; return false, nil }))
	require.Zero(t, n)
}
