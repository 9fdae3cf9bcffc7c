package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/x/consortium/types"
)

func TestValidateOrgIDAndNames(t *testing.T) {
	for _, ok := range []string{"ab", "acme", "a-1", "0rg", strings.Repeat("a", 32)} {
		require.NoError(t, types.ValidateOrgID(ok), ok)
	}
	for _, bad := range []string{"", "a", "-ab", "Acme", "a_b", "a b", strings.Repeat("a", 33), "ümlaut"} {
		require.Error(t, types.ValidateOrgID(bad), bad)
	}
	for _, ok := range []string{"A", "Acme Corp.", "Société Générale", strings.Repeat("é", 64)} {
		require.NoError(t, types.ValidateOrgName(ok), ok)
	}
	for _, bad := range []string{"", " lead", "trail ", "tab\there", strings.Repeat("x", 65), "\xff"} {
		require.Error(t, types.ValidateOrgName(bad), bad)
	}
	require.Equal(t, types.OrgNameKey("ACME Corp"), types.OrgNameKey("acme corp"))
	for _, ok := range []string{"v", "node-1.acme_eu", strings.Repeat("a", 64)} {
		require.NoError(t, types.ValidateValidatorName(ok), ok)
	}
	for _, bad := range []string{"", ".x", "a b", "a/b", strings.Repeat("a", 65)} {
		require.Error(t, types.ValidateValidatorName(bad), bad)
	}
}

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	p := types.DefaultParams()
	require.EqualValues(t, 2, p.ThresholdNumerator)
	require.EqualValues(t, 3, p.ThresholdDenominator)
	require.EqualValues(t, 1000, p.MaxValidatorPower)
	require.EqualValues(t, 20, p.MaxProposalMessages)
	require.EqualValues(t, 100, p.MaxExpirationsPerBlock)
	p.VotingPeriod = types.MaxVotingPeriod
	require.NoError(t, p.Validate())
	p.VotingPeriod++
	require.ErrorContains(t, p.Validate(), "voting_period")
}

func TestValidateBasic(t *testing.T) {
	auth := testAddr("gov")
	edAny := func(seed string) *codectypes.Any {
		a, err := codectypes.NewAnyWithValue(ed25519.GenPrivKeyFromSecret([]byte(seed)).PubKey())
		require.NoError(t, err)
		return a
	}
	secpAny, err := codectypes.NewAnyWithValue(secp256k1.GenPrivKey().PubKey())
	require.NoError(t, err)
	badMlDsa, err := codectypes.NewAnyWithValue(&mldsa65.PubKey{Key: []byte{1, 2}})
	require.NoError(t, err)
	sub, err := types.NewMsgSubmitProposal(auth, []sdk.Msg{&types.MsgRemoveValidator{Authority: auth, Name: "v"}}, "t", "s")
	require.NoError(t, err)

	good := []sdk.HasValidateBasic{
		sub,
		&types.MsgVote{Voter: auth, ProposalId: 1, Option: types.VOTE_OPTION_NO},
		&types.MsgUpdateOrgAdmins{Admin: auth, OrgId: "acme", Admins: []string{auth}},
		&types.MsgAddOrganization{Authority: auth, OrgId: "acme", Name: "Acme", Admins: []string{auth}},
		&types.MsgSetOrganizationStatus{Authority: auth, OrgId: "acme", Status: types.ORG_STATUS_REMOVED},
		&types.MsgAddValidator{Authority: auth, Name: "v", OrgId: "acme", PubKey: edAny("v"), Power: 1},
		&types.MsgRemoveValidator{Authority: auth, Name: "v"},
		&types.MsgSetValidatorPower{Authority: auth, Name: "v", Power: 1},
		&types.MsgRotateConsensusKey{Authority: auth, Name: "v", NewPubKey: edAny("w")},
		&types.MsgUpdateParams{Authority: auth, Params: types.DefaultParams()},
	}
	for _, m := range good {
		require.NoError(t, m.ValidateBasic(), "%T", m)
	}
	bad := map[string]sdk.HasValidateBasic{
		"no msgs":         &types.MsgSubmitProposal{Proposer: auth},
		"long title":      &types.MsgSubmitProposal{Proposer: auth, Messages: sub.Messages, Title: strings.Repeat("x", 257)},
		"empty any":       &types.MsgSubmitProposal{Proposer: auth, Messages: []*codectypes.Any{{}}},
		"vote option":     &types.MsgVote{Voter: auth, ProposalId: 1},
		"vote id":         &types.MsgVote{Voter: auth, Option: types.VOTE_OPTION_YES},
		"admins org":      &types.MsgUpdateOrgAdmins{Admin: auth, OrgId: "A", Admins: []string{auth}},
		"admins none":     &types.MsgUpdateOrgAdmins{Admin: auth, OrgId: "acme"},
		"add org name":    &types.MsgAddOrganization{Authority: auth, OrgId: "acme", Admins: []string{auth}},
		"status":          &types.MsgSetOrganizationStatus{Authority: auth, OrgId: "acme"},
		"secp key":        &types.MsgAddValidator{Authority: auth, Name: "v", OrgId: "acme", PubKey: secpAny, Power: 1},
		"bad mldsa":       &types.MsgAddValidator{Authority: auth, Name: "v", OrgId: "acme", PubKey: badMlDsa, Power: 1},
		"power 0":         &types.MsgAddValidator{Authority: auth, Name: "v", OrgId: "acme", PubKey: edAny("v"), Power: 0},
		"remove name":     &types.MsgRemoveValidator{Authority: auth, Name: ""},
		"set power 0":     &types.MsgSetValidatorPower{Authority: auth, Name: "v"},
		"rotate no key":   &types.MsgRotateConsensusKey{Authority: auth, Name: "v"},
		"params 0 expiry": &types.MsgUpdateParams{Authority: auth, Params: types.Params{ThresholdNumerator: 1, ThresholdDenominator: 1, VotingPeriod: 1, MaxValidatorPower: 1, MaxProposalMessages: 1}},
	}
	for name, m := range bad {
		require.Error(t, m.ValidateBasic(), name)
	}
}

func TestUnpackMsgsNeverPanics(t *testing.T) {
	_, err := types.UnpackMsgs([]*codectypes.Any{nil})
	require.Error(t, err)
	_, err = types.UnpackMsgs([]*codectypes.Any{{TypeUrl: "/x"}})
	require.Error(t, err)
}
