package types_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectestutil "github.com/cosmos/cosmos-sdk/codec/testutil"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/std"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"

	"github.com/adf-consortium/adf/x/consortium/types"
)

func newCodec() codec.Codec {
	reg := codectestutil.CodecOptions{}.NewInterfaceRegistry()
	std.RegisterInterfaces(reg)
	types.RegisterInterfaces(reg)
	return codec.NewProtoCodec(reg)
}

func testAddr(seed string) string {
	s, err := bech32.ConvertAndEncode("cosmos", ed25519.GenPrivKeyFromSecret([]byte(seed)).PubKey().Address())
	if err != nil {
		panic(err)
	}
	return s
}

func validGenesis(t *testing.T) *types.GenesisState {
	t.Helper()
	gs := types.DefaultGenesis()
	for i, o := range []string{"a", "b", "c"} {
		id := "org-" + o
		gs.Organizations = append(gs.Organizations, types.Organization{
			Id: id, Name: "Org " + o, Admins: []string{testAddr(o)}, Status: types.ORG_STATUS_ACTIVE,
		})
		v, err := types.NewValidator("val-"+o, id, ed25519.GenPrivKeyFromSecret([]byte("v"+o)).PubKey(), int64(10+i))
		require.NoError(t, err)
		gs.Validators = append(gs.Validators, v)
	}
	msg, err := types.NewMsgSubmitProposal(testAddr("a"), []sdk.Msg{&types.MsgRemoveValidator{Authority: testAddr("gov"), Name: "val-c"}}, "t", "s")
	require.NoError(t, err)
	gs.Proposals = []types.Proposal{{
		Id: 1, Proposer: testAddr("a"), ProposerOrg: "org-a", Messages: msg.Messages, Status: types.PROPOSAL_STATUS_VOTING,
		SubmitTime: time.Unix(100, 0).UTC(), VotingEndTime: time.Unix(200, 0).UTC(),
	}}
	gs.Votes = []types.Vote{{ProposalId: 1, OrgId: "org-a", Voter: testAddr("a"), Option: types.VOTE_OPTION_YES}}
	gs.NextProposalId = 2
	return gs
}

func TestGenesisValidate(t *testing.T) {
	require.NoError(t, validGenesis(t).Validate())
	require.ErrorContains(t, types.DefaultGenesis().Validate(), "validators: at least one ACTIVE validator")

	pack := func(pk cryptotypes.PubKey) *codectypes.Any {
		a, err := codectypes.NewAnyWithValue(pk)
		require.NoError(t, err)
		return a
	}

	cases := []struct {
		name string
		mut  func(gs *types.GenesisState)
		want string
	}{
		{"power 0", func(gs *types.GenesisState) { gs.Validators[2].Power = 0 }, "validators[2].power: 0 is not in 1..1000"},
		{"power above cap", func(gs *types.GenesisState) { gs.Validators[1].Power = 1001 }, "validators[1].power: 1001 is not in 1..1000"},
		{"params", func(gs *types.GenesisState) { gs.Params.ThresholdNumerator = 4 }, "params.threshold_numerator: 4 must be <= threshold_denominator 3"},
		{"voting period", func(gs *types.GenesisState) { gs.Params.VotingPeriod = 0 }, "params.voting_period"},
		{"org id", func(gs *types.GenesisState) { gs.Organizations[1].Id = "B" }, "organizations[1].id"},
		{"dup org id", func(gs *types.GenesisState) { gs.Organizations[1].Id = "org-a" }, "organizations[1].id: duplicate"},
		{"dup org name", func(gs *types.GenesisState) { gs.Organizations[2].Name = "ORG A" }, "organizations[2].name: \"ORG A\" is already used by organizations[0]"},
		{"empty name", func(gs *types.GenesisState) { gs.Organizations[0].Name = "" }, "organizations[0].name"},
		{"no admins", func(gs *types.GenesisState) { gs.Organizations[0].Admins = nil }, "organizations[0].admins: count 0"},
		{"bad admin", func(gs *types.GenesisState) { gs.Organizations[0].Admins = []string{"cosmos1xyz"} }, "organizations[0].admins[0]"},
		{"shared admin", func(gs *types.GenesisState) { gs.Organizations[1].Admins = []string{testAddr("a")} }, "organizations[1].admins[0]"},
		{"org status", func(gs *types.GenesisState) { gs.Organizations[0].Status = 0 }, "organizations[0].status"},
		{"val org", func(gs *types.GenesisState) { gs.Validators[0].OrgId = "org-x" }, "validators[0].org_id: unknown organization \"org-x\""},
		{"val removed org", func(gs *types.GenesisState) { gs.Organizations[0].Status = types.ORG_STATUS_REMOVED }, "validators[0].org_id: organization \"org-a\" was removed"},
		{"val name", func(gs *types.GenesisState) { gs.Validators[0].Name = "-x" }, "validators[0].name"},
		{"dup val name", func(gs *types.GenesisState) { gs.Validators[1].Name = "val-a" }, "validators[1].name: duplicate"},
		{"dup key", func(gs *types.GenesisState) {
			gs.Validators[1].PubKey = gs.Validators[0].PubKey
			gs.Validators[1].ConsAddress = gs.Validators[0].ConsAddress
		}, "validators[1].pub_key: consensus key"},
		{"secp key", func(gs *types.GenesisState) { gs.Validators[0].PubKey = pack(secp256k1.GenPrivKey().PubKey()) }, "validators[0].pub_key: unsupported consensus key type"},
		{"short key", func(gs *types.GenesisState) { gs.Validators[0].PubKey = pack(&ed25519.PubKey{Key: []byte{1}}) }, "validators[0].pub_key: invalid consensus public key"},
		{"no key", func(gs *types.GenesisState) { gs.Validators[0].PubKey = nil }, "validators[0].pub_key"},
		{"cons address", func(gs *types.GenesisState) { gs.Validators[0].ConsAddress = "AB" }, "validators[0].cons_address"},
		{"lowercase cons", func(gs *types.GenesisState) {
			gs.Validators[0].ConsAddress = strings.ToLower(gs.Validators[0].ConsAddress)
		}, "validators[0].cons_address"},
		{"val status", func(gs *types.GenesisState) { gs.Validators[0].Status = 0 }, "validators[0].status"},
		{"all jailed", func(gs *types.GenesisState) {
			for i := range gs.Validators {
				gs.Validators[i].Status = types.VALIDATOR_STATUS_JAILED
			}
		}, "validators: at least one ACTIVE validator"},
		{"2/3", func(gs *types.GenesisState) {
			gs.Organizations[2].Status = types.ORG_STATUS_SUSPENDED
			gs.Validators[2].Power = 30
		}, "more than 2/3 is required"},
		{"next id", func(gs *types.GenesisState) { gs.NextProposalId = 1 }, "proposals[0].id: 1 must be < next_proposal_id 1"},
		{"next id 0", func(gs *types.GenesisState) { gs.NextProposalId = 0 }, "next_proposal_id"},
		{"dup proposal", func(gs *types.GenesisState) {
			gs.Proposals = append(gs.Proposals, gs.Proposals[0])
		}, "proposals[1].id: duplicate"},
		{"proposal status", func(gs *types.GenesisState) { gs.Proposals[0].Status = 0 }, "proposals[0].status"},
		{"proposal no msgs", func(gs *types.GenesisState) { gs.Proposals[0].Messages = nil }, "proposals[0].messages: count 0"},
		{"proposal msg not unpacked", func(gs *types.GenesisState) {
			gs.Proposals[0].Messages = []*codectypes.Any{{TypeUrl: "/x.Y"}}
		}, "proposals[0].messages[0]"},
		{"proposal org", func(gs *types.GenesisState) { gs.Proposals[0].ProposerOrg = "zz" }, "proposals[0].proposer_org"},
		{"proposer", func(gs *types.GenesisState) { gs.Proposals[0].Proposer = "x" }, "proposals[0].proposer"},
		{"proposal times", func(gs *types.GenesisState) { gs.Proposals[0].VotingEndTime = time.Unix(1, 0) }, "proposals[0].voting_end_time"},
		{"proposal title", func(gs *types.GenesisState) { gs.Proposals[0].Title = strings.Repeat("x", 257) }, "proposals[0]: title"},
		{"vote proposal", func(gs *types.GenesisState) { gs.Votes[0].ProposalId = 9 }, "votes[0].proposal_id: unknown proposal 9"},
		{"vote org", func(gs *types.GenesisState) { gs.Votes[0].OrgId = "zz" }, "votes[0].org_id"},
		{"vote voter", func(gs *types.GenesisState) { gs.Votes[0].Voter = "" }, "votes[0].voter"},
		{"vote option", func(gs *types.GenesisState) { gs.Votes[0].Option = 0 }, "votes[0].option"},
		{"double vote", func(gs *types.GenesisState) { gs.Votes = append(gs.Votes, gs.Votes[0]) }, "votes[1]: organization \"org-a\" already voted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gs := validGenesis(t)
			tc.mut(gs)
			err := gs.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestGenesisJSONRoundTripUnpacksAnys(t *testing.T) {
	cdc := newCodec()
	gs := validGenesis(t)
	pq, err := mldsa65.GenPrivKeyFromSeed(make([]byte, 32))
	require.NoError(t, err)
	v, err := types.NewValidator("val-pq", "org-a", pq.PubKey(), 1)
	require.NoError(t, err)
	gs.Validators = append(gs.Validators, v)
	bz, err := cdc.MarshalJSON(gs)
	require.NoError(t, err)
	var back types.GenesisState
	require.NoError(t, cdc.UnmarshalJSON(bz, &back))
	require.NoError(t, back.Validate())
	pk, err := back.Validators[3].ConsPubKey()
	require.NoError(t, err)
	require.True(t, pk.Equals(pq.PubKey()))
	msgs, err := back.Proposals[0].GetMsgs()
	require.NoError(t, err)
	require.Equal(t, "val-c", msgs[0].(*types.MsgRemoveValidator).Name)
}

func TestNewValidator(t *testing.T) {
	pk := ed25519.GenPrivKeyFromSecret([]byte("x")).PubKey()
	v, err := types.NewValidator("node-1.acme", "acme", pk, 3)
	require.NoError(t, err)
	require.Equal(t, strings.ToUpper(strings.TrimSpace(pk.Address().String())), v.ConsAddress)
	require.Len(t, v.ConsAddress, 40)
	require.Equal(t, types.VALIDATOR_STATUS_ACTIVE, v.Status)
	_, err = types.NewValidator("node", "acme", secp256k1.GenPrivKey().PubKey(), 3)
	require.ErrorIs(t, err, types.ErrUnsupportedPubKey)
	_, err = types.NewValidator("node", "acme", nil, 3)
	require.ErrorIs(t, err, types.ErrInvalidPubKey)
	_, err = types.NewValidator("node", "acme", pk, 0)
	require.ErrorIs(t, err, types.ErrInvalidPower)
	_, err = types.NewValidator("", "acme", pk, 1)
	require.ErrorIs(t, err, types.ErrInvalidValidatorName)
	_, err = types.NewValidator("n", "ACME", pk, 1)
	require.ErrorIs(t, err, types.ErrInvalidOrgID)
}
