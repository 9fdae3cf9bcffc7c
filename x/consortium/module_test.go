package consortium_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectestutil "github.com/cosmos/cosmos-sdk/codec/testutil"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/std"

	"github.com/adf-consortium/adf/x/consortium"
	"github.com/adf-consortium/adf/x/consortium/keeper"
	"github.com/adf-consortium/adf/x/consortium/types"
)

func TestValidateGenesisNamesTheField(t *testing.T) {
	reg := codectestutil.CodecOptions{}.NewInterfaceRegistry()
	std.RegisterInterfaces(reg)
	types.RegisterInterfaces(reg)
	cdc := codec.NewProtoCodec(reg)
	am := consortium.NewAppModule(cdc, keeper.Keeper{}) // as in a BasicManager: no keeper

	// the default genesis is a template without validators
	err := am.ValidateGenesis(cdc, nil, am.DefaultGenesis(cdc))
	require.ErrorContains(t, err, "consortium genesis: validators:")

	gs := types.DefaultGenesis()
	gs.Organizations = []types.Organization{{Id: "acme", Name: "Acme", Admins: []string{"cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du"}, Status: types.ORG_STATUS_ACTIVE}}
	for i, p := range []int64{10, 10, 0} {
		v, err := types.NewValidator("v"+string(rune('a'+i)), "acme", ed25519.GenPrivKeyFromSecret([]byte{byte(i)}).PubKey(), 1)
		require.NoError(t, err)
		v.Power = p
		gs.Validators = append(gs.Validators, v)
	}
	bz, err := cdc.MarshalJSON(gs)
	require.NoError(t, err)
	err = am.ValidateGenesis(cdc, nil, bz)
	require.ErrorContains(t, err, "validators[2].power: 0 is not in 1..1000")

	gs.Validators[2].Power = 1
	bz, err = cdc.MarshalJSON(gs)
	require.NoError(t, err)
	require.NoError(t, am.ValidateGenesis(cdc, nil, bz))

	require.Error(t, am.ValidateGenesis(cdc, nil, json.RawMessage(`{"validators":[{"pub_key":{"@type":"/nope"}}]}`)))
}

func TestAutoCLIOptions(t *testing.T) {
	opts := consortium.AppModule{}.AutoCLIOptions()
	require.Equal(t, "adf.consortium.v1.Query", opts.Query.Service)
	require.Equal(t, "adf.consortium.v1.Msg", opts.Tx.Service)
	queries := map[string]bool{}
	for _, o := range opts.Query.RpcCommandOptions {
		queries[o.RpcMethod] = true
	}
	for _, m := range []string{"Params", "Organization", "Organizations", "Proposal", "Proposals", "Votes", "Validator", "Validators", "Member"} {
		require.True(t, queries[m], m)
	}
	skipped := map[string]bool{}
	for _, o := range opts.Tx.RpcCommandOptions {
		skipped[o.RpcMethod] = o.Skip
	}
	for _, m := range []string{"AddOrganization", "SetOrganizationStatus", "AddValidator", "RemoveValidator", "SetValidatorPower", "RotateConsensusKey", "UpdateParams"} {
		require.True(t, skipped[m], m)
	}
	require.False(t, skipped["Vote"])
	require.False(t, skipped["UpdateOrgAdmins"])
	require.NotNil(t, consortium.AppModule{}.GetTxCmd())
}
