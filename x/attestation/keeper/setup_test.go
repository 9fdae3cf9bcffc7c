package keeper_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"cosmossdk.io/log/v2"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/store/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	"github.com/adf-consortium/adf/x/attestation/keeper"
	"github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

const chainID = "adf-test"

var (
	genesisTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ac          = addresscodec.NewBech32Codec("cosmos")
)

// principal is what the fake identity keeper knows about one signer.
type principal struct {
	addr    string
	bz      sdk.AccAddress
	sk      sigscheme.PrivateKey
	id, org string
	// actions the principal may perform (on any scope); deny, when set,
	// denies everything with this reason (revoked, expired, …).
	actions map[string]bool
	deny    string
	// noKey makes KeyInfo report no registered key (an org admin, say).
	noKey bool
}

// fakeIdentity stands in for x/identity: decisions and keys we control.
// Maps are only looked up, never iterated.
type fakeIdentity struct {
	byAddr map[string]*principal
	calls  []string
}

func (f *fakeIdentity) Authorize(_ context.Context, signer sdk.AccAddress, action, scope string) (identitytypes.Decision, error) {
	f.calls = append(f.calls, action+" "+scope)
	p, ok := f.byAddr[string(signer)]
	if !ok {
		return identitytypes.Decision{Reason: "unknown signer"}, nil
	}
	d := identitytypes.Decision{PrincipalId: p.id, OrgId: p.org}
	switch {
	case p.deny != "":
		d.Reason = p.deny
	case p.actions[action]:
		d.Allowed = true
		d.Reason = fmt.Sprintf("policy allows %s", action)
	default:
		d.Reason = fmt.Sprintf("no policy gives %s action %s on scope %s", p.id, action, scope)
	}
	return d, nil
}

func (f *fakeIdentity) KeyInfo(_ context.Context, addr sdk.AccAddress) (identitytypes.Key, bool, error) {
	p, ok := f.byAddr[string(addr)]
	if !ok || p.noKey {
		return identitytypes.Key{}, false, nil
	}
	return identitytypes.Key{
		Address: p.addr, PrincipalId: p.id, OrgId: p.org, Algorithm: p.sk.Algorithm().String(),
		PublicKey: p.sk.Public().Bytes(), Status: identitytypes.KEY_STATUS_ACTIVE,
	}, true, nil
}

// fixture is an attestation keeper on a real committing store with a fake
// identity keeper.
type fixture struct {
	t         testing.TB
	ctx       sdk.Context
	cms       storetypes.CommitMultiStore
	k         keeper.Keeper
	id        *fakeIdentity
	msgs      types.MsgServer
	query     types.QueryServer
	key       *storetypes.KVStoreKey
	enc       moduletestutil.TestEncodingConfig
	authority string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	enc := moduletestutil.MakeTestEncodingConfig()
	types.RegisterInterfaces(enc.InterfaceRegistry)

	key := storetypes.NewKVStoreKey(types.StoreKey)
	// The store gets its own prefix of one MemDB so that Commit works.
	cms := store.NewCommitMultiStore(dbm.NewMemDB(), log.NewNopLogger())
	cms.MountStoreWithDB(key, storetypes.StoreTypeIAVL, nil)
	require.NoError(t, cms.LoadLatestVersion())
	ctx := sdk.NewContext(cms, cmtproto.Header{}, false, log.NewNopLogger())
	ctx = ctx.WithBlockHeader(cmtproto.Header{Height: 1, Time: genesisTime, ChainID: chainID}).WithChainID(chainID).
		WithGasMeter(storetypes.NewInfiniteGasMeter())

	authority, err := ac.BytesToString(authtypes.NewModuleAddress("consortium"))
	require.NoError(t, err)
	id := &fakeIdentity{byAddr: map[string]*principal{}}
	k := keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), id, ac, authority)
	require.NoError(t, k.InitGenesis(ctx, types.DefaultGenesis()))
	return &fixture{
		t: t, ctx: ctx, cms: cms, k: k, id: id,
		msgs: keeper.NewMsgServerImpl(k), query: keeper.NewQueryServerImpl(k),
		key: key, enc: enc, authority: authority,
	}
}

// nextBlock advances height by one and time by d.
func (f *fixture) nextBlock(d time.Duration) {
	f.ctx = f.ctx.WithBlockHeight(f.ctx.BlockHeight() + 1).WithBlockTime(f.ctx.BlockTime().Add(d)).
		WithEventManager(sdk.NewEventManager()).WithGasMeter(storetypes.NewInfiniteGasMeter())
}

// genKey derives a reproducible key pair from seed.
func genKey(t testing.TB, alg sigscheme.Algorithm, seed string) sigscheme.PrivateKey {
	t.Helper()
	sum := sha512.Sum512([]byte(seed))
	sk, err := sigscheme.GenerateKey(alg, bytes.NewReader(sum[:]))
	require.NoError(t, err)
	return sk
}

// addPrincipal registers a principal "<org>/<name>" with a key of alg that
// may perform actions.
func (f *fixture) addPrincipal(org, name string, alg sigscheme.Algorithm, actions ...string) *principal {
	f.t.Helper()
	sk := genKey(f.t, alg, org+"/"+name+"/"+alg.String())
	bz := identitytypes.KeyAddress(alg, sk.Public().Bytes())
	addr, err := ac.BytesToString(bz)
	require.NoError(f.t, err)
	p := &principal{addr: addr, bz: bz, sk: sk, id: org + "/" + name, org: org, actions: map[string]bool{}}
	for _, a := range actions {
		p.actions[a] = true
	}
	f.id.byAddr[string(bz)] = p
	return p
}

// dumpStore returns every key/value of the attestation store.
func dumpStore(f *fixture) map[string]string {
	out := map[string]string{}
	it := f.ctx.KVStore(f.key).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		out[string(it.Key())] = string(it.Value())
	}
	return out
}

// requireRejected runs fn, requires it to fail with an error containing
// want, and requires the store and the event list to be unchanged.
func (f *fixture) requireRejected(want string, fn func() error) error {
	f.t.Helper()
	before := dumpStore(f)
	events := len(f.ctx.EventManager().Events())
	err := fn()
	require.Error(f.t, err)
	require.Contains(f.t, err.Error(), want)
	require.Equal(f.t, before, dumpStore(f), "a rejected message changed state")
	require.Equal(f.t, events, len(f.ctx.EventManager().Events()), "a rejected message emitted events")
	return err
}

func findEvent(ctx sdk.Context, name string) *sdk.Event {
	for _, e := range ctx.EventManager().Events() {
		if e.Type == name {
			return &e
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Merkle logs (pkg/merkle)
// ---------------------------------------------------------------------------

// testLog is a batcher's RFC 6962 log in memory.
type testLog struct {
	t     testing.TB
	store *merkle.MemStore
	log   *merkle.Log
}

func newTestLog(t testing.TB) *testLog {
	s := merkle.NewMemStore()
	return &testLog{t: t, store: s, log: merkle.NewLog(s)}
}

// appendN appends n leaves "<prefix>-<index>".
func (l *testLog) appendN(prefix string, n int) {
	l.t.Helper()
	for i := 0; i < n; i++ {
		_, err := l.log.Append(merkle.LeafHash([]byte(fmt.Sprintf("%s-%d", prefix, l.log.Size()))))
		require.NoError(l.t, err)
	}
}

func (l *testLog) size() uint64 { return l.log.Size() }

func (l *testLog) root() []byte {
	r := l.log.Root()
	return r[:]
}

func (l *testLog) proof(size1, size2 uint64) [][]byte {
	l.t.Helper()
	p, err := merkle.ConsistencyProof(size1, size2, l.store)
	require.NoError(l.t, err)
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = append([]byte(nil), p[i][:]...)
	}
	return out
}

func (f *fixture) anchorRoot(p *principal, logID string, size uint64, root []byte, proof [][]byte) (*types.MsgAnchorRootResponse, error) {
	return f.msgs.AnchorRoot(f.ctx, &types.MsgAnchorRoot{
		Signer: p.addr, LogId: logID, TreeSize: size, RootHash: root, ConsistencyProof: proof,
	})
}

// ---------------------------------------------------------------------------
// DSSE envelopes of in-toto statements (pkg/dsse, pkg/intoto)
// ---------------------------------------------------------------------------

func sha(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func rd(name string, digest []byte) intoto.ResourceDescriptor {
	return intoto.ResourceDescriptor{Name: name, Digest: map[string]string{"sha256": hexOf(digest)}}
}

// statement builds an in-toto Statement v1 of subjects with a custom
// predicate type and no materials.
func statement(t testing.TB, predicateType string, subjects ...intoto.ResourceDescriptor) []byte {
	t.Helper()
	st, err := intoto.NewStatement(subjects, predicateType, map[string]any{"note": "test"})
	require.NoError(t, err)
	b, err := st.Marshal()
	require.NoError(t, err)
	return b
}

// slsa builds a SLSA Provenance v1 statement of subjects built from deps.
func slsa(t testing.TB, buildType string, subjects []intoto.ResourceDescriptor, deps ...intoto.ResourceDescriptor) []byte {
	t.Helper()
	pred := intoto.SLSAProvenance{
		BuildDefinition: intoto.BuildDefinition{
			BuildType: buildType, ExternalParameters: []byte(`{"workflow":"ci.yml"}`), ResolvedDependencies: deps,
		},
		RunDetails: intoto.RunDetails{Builder: intoto.Builder{ID: "https://ci.acme.example/runner"}},
	}
	st, err := intoto.NewStatement(subjects, intoto.PredicateSLSAProvenanceV1, pred)
	require.NoError(t, err)
	b, err := st.Marshal()
	require.NoError(t, err)
	return b
}

// envelope wraps payload in a DSSE envelope signed by p (keyid = p's address).
func envelope(t testing.TB, p *principal, payloadType string, payload []byte) []byte {
	t.Helper()
	e := &dsse.Envelope{PayloadType: payloadType, Payload: payload}
	require.NoError(t, dsse.Sign(e, p.addr, p.sk, chainID))
	b, err := e.Marshal()
	require.NoError(t, err)
	return b
}

func (f *fixture) anchorAttestation(p *principal, env []byte, riskClass, scope string) (*types.MsgAnchorAttestationResponse, error) {
	return f.msgs.AnchorAttestation(f.ctx, &types.MsgAnchorAttestation{
		Signer: p.addr, Envelope: env, RiskClass: riskClass, Scope: scope,
	})
}
