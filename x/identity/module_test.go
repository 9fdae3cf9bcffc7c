package identity_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoreflect"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/cosmos/cosmos-sdk/codec"
	codectestutil "github.com/cosmos/cosmos-sdk/codec/testutil"
	"github.com/cosmos/cosmos-sdk/std"

	"github.com/adf-consortium/adf/x/identity"
	"github.com/adf-consortium/adf/x/identity/keeper"
	"github.com/adf-consortium/adf/x/identity/types"
)

func TestValidateGenesisNamesTheField(t *testing.T) {
	reg := codectestutil.CodecOptions{}.NewInterfaceRegistry()
	std.RegisterInterfaces(reg)
	types.RegisterInterfaces(reg)
	cdc := codec.NewProtoCodec(reg)
	am := identity.NewAppModule(cdc, keeper.Keeper{}) // as in a BasicManager: no keeper

	require.NoError(t, am.ValidateGenesis(cdc, nil, am.DefaultGenesis(cdc)))

	gs := types.DefaultGenesis()
	gs.Principals = []types.Principal{{Id: "acme/ci-1", OrgId: "acme", Kind: types.PRINCIPAL_KIND_CI_RUNNER, Status: types.PRINCIPAL_STATUS_ACTIVE, Roles: []string{"ci", "CI"}}}
	bz, err := cdc.MarshalJSON(gs)
	require.NoError(t, err)
	require.ErrorContains(t, am.ValidateGenesis(cdc, nil, bz), "identity genesis: principals[0].roles:")

	gs.Principals[0].Roles = []string{"ci"}
	gs.Policies = []types.Policy{{Id: "p", Role: "ci", Action: "anchor", ScopePattern: "github.com/*/x"}}
	bz, err = cdc.MarshalJSON(gs)
	require.NoError(t, err)
	require.ErrorContains(t, am.ValidateGenesis(cdc, nil, bz), "identity genesis: policies[0]: scope_pattern:")

	require.Error(t, am.ValidateGenesis(cdc, nil, json.RawMessage(`{"keys":[{"not_before":"yesterday"}]}`)))
}

// TestAutoCLIOptions checks every AutoCLI entry against the services: the
// RPC exists, positional arguments name real request fields, every user
// message and query has a command, and the authority messages are skipped.
func TestAutoCLIOptions(t *testing.T) {
	opts := identity.AppModule{}.AutoCLIOptions()
	require.Equal(t, "adf.identity.v1.Query", opts.Query.Service)
	require.Equal(t, "adf.identity.v1.Msg", opts.Tx.Service)
	check := func(svc *autocliv1.ServiceCommandDescriptor) map[string]*autocliv1.RpcCommandOptions {
		d, err := proto.HybridResolver.FindDescriptorByName(protoreflect.FullName(svc.Service))
		require.NoError(t, err)
		sd := d.(protoreflect.ServiceDescriptor)
		seen := map[string]*autocliv1.RpcCommandOptions{}
		for _, o := range svc.RpcCommandOptions {
			m := sd.Methods().ByName(protoreflect.Name(o.RpcMethod))
			require.NotNil(t, m, o.RpcMethod)
			for _, a := range o.PositionalArgs {
				require.NotNil(t, m.Input().Fields().ByName(protoreflect.Name(a.ProtoField)), "%s.%s", o.RpcMethod, a.ProtoField)
			}
			seen[o.RpcMethod] = o
		}
		for i := 0; i < sd.Methods().Len(); i++ {
			name := string(sd.Methods().Get(i).Name())
			require.Contains(t, seen, name, "no AutoCLI entry for %s", name)
		}
		return seen
	}
	check(opts.Query)
	tx := check(opts.Tx)
	for _, m := range []string{"SetPolicy", "RemovePolicy", "UpdateParams"} {
		require.True(t, tx[m].Skip, m)
	}
	for _, m := range []string{"RegisterPrincipal", "UpdatePrincipal", "RegisterKey", "RevokeKey", "Approve"} {
		require.False(t, tx[m].Skip, m)
		require.True(t, strings.HasPrefix(tx[m].Example, "adfd tx identity "), m)
	}
}
