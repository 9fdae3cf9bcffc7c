package attestation_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cosmos/gogoproto/proto"
	gwruntime "github.com/grpc-ecosystem/grpc-gateway/runtime"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/reflect/protoreflect"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/cosmos/cosmos-sdk/codec"
	codectestutil "github.com/cosmos/cosmos-sdk/codec/testutil"
	"github.com/cosmos/cosmos-sdk/std"

	"github.com/adf-consortium/adf/x/attestation"
	"github.com/adf-consortium/adf/x/attestation/keeper"
	"github.com/adf-consortium/adf/x/attestation/types"
)

func TestValidateGenesisNamesTheField(t *testing.T) {
	reg := codectestutil.CodecOptions{}.NewInterfaceRegistry()
	std.RegisterInterfaces(reg)
	types.RegisterInterfaces(reg)
	cdc := codec.NewProtoCodec(reg)
	am := attestation.NewAppModule(cdc, keeper.Keeper{}) // as in a BasicManager: no keeper

	require.NoError(t, am.ValidateGenesis(cdc, nil, am.DefaultGenesis(cdc)))

	gs := types.DefaultGenesis()
	gs.Params.MaxProvenanceDepth = 0
	bz, err := cdc.MarshalJSON(gs)
	require.NoError(t, err)
	require.ErrorContains(t, am.ValidateGenesis(cdc, nil, bz), "attestation genesis: params.max_provenance_depth:")
	require.Error(t, am.ValidateGenesis(cdc, nil, json.RawMessage(`{"logs":[{"latest_time":"yesterday"}]}`)))
}

// TestAutoCLIOptions checks every AutoCLI entry against the services: the
// RPC exists, positional arguments name real request fields, every user
// message and query has a command, and MsgUpdateParams is skipped.
func TestAutoCLIOptions(t *testing.T) {
	opts := attestation.AppModule{}.AutoCLIOptions()
	require.Equal(t, "adf.attestation.v1.Query", opts.Query.Service)
	require.Equal(t, "adf.attestation.v1.Msg", opts.Tx.Service)
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
	require.True(t, tx["UpdateParams"].Skip)
	for _, m := range []string{"AnchorRoot", "AnchorAttestation"} {
		require.False(t, tx[m].Skip, m)
		require.True(t, strings.HasPrefix(tx[m].Example, "adfd tx attestation "), m)
	}
}

// recordingQuery answers every REST route with the request it got.
type recordingQuery struct {
	types.UnimplementedQueryServer
	got []string
}

func (q *recordingQuery) Log(_ context.Context, r *types.QueryLogRequest) (*types.QueryLogResponse, error) {
	q.got = append(q.got, "log "+r.LogId)
	return &types.QueryLogResponse{Log: types.Log{LogId: r.LogId}}, nil
}

func (q *recordingQuery) Root(_ context.Context, r *types.QueryRootRequest) (*types.QueryRootResponse, error) {
	q.got = append(q.got, "root "+r.LogId)
	return &types.QueryRootResponse{Root: types.AnchoredRoot{LogId: r.LogId, TreeSize: r.TreeSize}}, nil
}

func (q *recordingQuery) LatestRoot(_ context.Context, r *types.QueryLatestRootRequest) (*types.QueryLatestRootResponse, error) {
	q.got = append(q.got, "latest "+r.LogId)
	return &types.QueryLatestRootResponse{}, nil
}

// TestRESTLogIDsWithSlashes: log ids such as "github.com/acme/log" are the
// tail of the REST paths.
func TestRESTLogIDsWithSlashes(t *testing.T) {
	mux := gwruntime.NewServeMux()
	q := &recordingQuery{}
	require.NoError(t, types.RegisterQueryHandlerServer(context.Background(), mux, q))
	for _, path := range []string{
		"/adf/attestation/v1/logs/github.com/acme/log",
		"/adf/attestation/v1/roots/42/github.com/acme/log",
		"/adf/attestation/v1/latest_roots/github.com/acme/log",
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, http.StatusOK, rec.Code, "%s: %s", path, rec.Body.String())
	}
	require.Equal(t, []string{"log github.com/acme/log", "root github.com/acme/log", "latest github.com/acme/log"}, q.got)
}
