package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"cosmossdk.io/core/address"
	"cosmossdk.io/log/v2"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/store/v2/rootmulti"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	ics23 "github.com/cosmos/ics23/go"

	"github.com/adf-consortium/adf/app"
	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	identitykeeper "github.com/adf-consortium/adf/x/identity/keeper"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// chainState is an IAVL multistore laid out like the app's (several IAVL
// stores, x/identity's among them), written through x/identity's real
// keeper, committed and queried with proofs through the rootmulti
// store's Query, as baseapp serves /store/<name>/key.
type chainState struct {
	rs     *rootmulti.Store
	keys   map[string]*storetypes.KVStoreKey
	keeper identitykeeper.Keeper
}

type fakeAK struct{ ac address.Codec }

func (a fakeAK) NewAccountWithAddress(context.Context, sdk.AccAddress) sdk.AccountI { return nil }
func (fakeAK) SetAccount(context.Context, sdk.AccountI)                             {}
func (fakeAK) HasAccount(context.Context, sdk.AccAddress) bool                      { return true }
func (a fakeAK) AddressCodec() address.Codec                                        { return a.ac }

type fakeCK struct{}

func (fakeCK) IsActiveMember(context.Context, sdk.AccAddress) (string, bool, error) {
	return "", false, nil
}
func (fakeCK) IsActiveOrg(context.Context, string) (bool, error) { return true, nil }

// newChainState's first commit is version firstVersion.
func newChainState(t testing.TB, firstVersion int64) *chainState {
	t.Helper()
	app.ConfigureSDK()
	rs := rootmulti.NewStore(dbm.NewMemDB(), log.NewNopLogger())
	keys := storetypes.NewKVStoreKeys("acc", "attestation", "consortium", "cti", identitytypes.StoreKey, "upgrade")
	for _, k := range keys {
		rs.MountStoreWithDB(k, storetypes.StoreTypeIAVL, nil)
	}
	if err := rs.LoadLatestVersion(); err != nil {
		t.Fatal(err)
	}
	if err := rs.SetInitialVersion(firstVersion); err != nil {
		t.Fatal(err)
	}
	enc, err := chain.MakeEncoding()
	if err != nil {
		t.Fatal(err)
	}
	ak := fakeAK{ac: addresscodec.NewBech32Codec(app.Bech32Prefix)}
	authority, _ := ak.ac.BytesToString(make([]byte, 20))
	k := identitykeeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(keys[identitytypes.StoreKey]), ak, fakeCK{}, authority)
	cs := &chainState{rs: rs, keys: keys, keeper: k}
	// Some unrelated state, so that the proofs have siblings.
	for name, key := range keys {
		rs.GetKVStore(key).Set([]byte("x/"+name), []byte(name))
	}
	return cs
}

func (cs *chainState) ctx() sdk.Context {
	return sdk.NewContext(cs.rs, cmtproto.Header{}, false, log.NewNopLogger())
}

// setKey writes k under its address through the keeper's Keys map.
func (cs *chainState) setKey(t testing.TB, k identitytypes.Key) {
	t.Helper()
	addr, err := sdk.AccAddressFromBech32(k.Address)
	if err != nil {
		t.Fatal(err)
	}
	if err := cs.keeper.Keys.Set(cs.ctx(), addr, k); err != nil {
		t.Fatal(err)
	}
}

// filler writes n unrelated key records (the identity tree then has
// depth).
func (cs *chainState) filler(t testing.TB, tag byte, n int) {
	t.Helper()
	for i := range n {
		addr := sdk.AccAddress(append([]byte{tag, byte(i)}, make([]byte, 18)...))
		cs.setKey(t, identitytypes.Key{Address: addr.String(), PrincipalId: "other", Algorithm: "ed25519", PublicKey: []byte{tag, byte(i)}, Status: identitytypes.KEY_STATUS_ACTIVE})
	}
}

// commit returns the app hash of the committed version.
func (cs *chainState) commit() []byte { return cs.rs.Commit().Hash }

// query asks the multistore what baseapp's /store/identity/key asks it.
func (cs *chainState) query(t testing.TB, key []byte, height int64) *storetypes.ResponseQuery {
	t.Helper()
	res, err := cs.rs.Query(&storetypes.RequestQuery{Path: "/" + IdentityStoreName + "/key", Data: key, Height: height, Prove: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// prove returns the KeyProof of signer's record at height.
func (cs *chainState) prove(t testing.TB, signer string, height int64) *KeyProof {
	t.Helper()
	key, err := KeyRecordStoreKey(signer)
	if err != nil {
		t.Fatal(err)
	}
	res := cs.query(t, key, height)
	proof, err := res.ProofOps.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return &KeyProof{Height: height, Key: key, Value: res.Value, Proof: proof}
}

// TestKeyRecordProofSDK pins down what the verifier relies on in the
// SDK's store: the Keys map's store key, two ICS23 ops (IAVL, then simple
// merkle of the store root under "identity"), and that they chain to the
// commit hash. The SDK's own proof runtime agrees.
func TestKeyRecordProofSDK(t *testing.T) {
	cs := newChainState(t, 41)
	cs.filler(t, 1, 20)
	sk, addr := testKey(t)
	rec := identitytypes.Key{Address: addr, PrincipalId: "acme/ci", Algorithm: "composite", PublicKey: sk, Status: identitytypes.KEY_STATUS_ACTIVE}
	cs.setKey(t, rec)
	appHash := cs.commit()
	key, _ := KeyRecordStoreKey(addr)
	if key[0] != 3 || len(key) != 1+20 {
		t.Fatalf("store key %X: want prefix 3 and 20 address bytes", key)
	}
	res := cs.query(t, key, 41)
	want, _ := rec.Marshal()
	if string(res.Value) != string(want) {
		t.Fatalf("stored value is not the record's protobuf")
	}
	if len(res.ProofOps.Ops) != 2 || res.ProofOps.Ops[0].Type != storetypes.ProofOpIAVLCommitment || res.ProofOps.Ops[1].Type != storetypes.ProofOpSimpleMerkleCommitment {
		t.Fatalf("proof ops %+v", res.ProofOps.Ops)
	}
	prt := rootmulti.DefaultProofRuntime()
	if err := prt.VerifyValue(res.ProofOps, appHash, "/"+IdentityStoreName+"/x:"+hex.EncodeToString(key), res.Value); err != nil {
		t.Fatalf("SDK proof runtime: %v", err)
	}
	// The ops as ics23 proofs, by hand.
	var sp, rp ics23.CommitmentProof
	if err := sp.Unmarshal(res.ProofOps.Ops[0].Data); err != nil {
		t.Fatal(err)
	}
	if err := rp.Unmarshal(res.ProofOps.Ops[1].Data); err != nil {
		t.Fatal(err)
	}
	root, _ := sp.Calculate()
	if !ics23.VerifyMembership(ics23.IavlSpec, root, &sp, key, res.Value) || !ics23.VerifyMembership(ics23.TendermintSpec, appHash, &rp, []byte("identity"), root) {
		t.Fatal("ics23 membership")
	}
	// The record the keeper reads is the one proven.
	got, err := cs.keeper.Keys.Get(cs.ctx(), sdk.MustAccAddressFromBech32(addr))
	if err != nil || got.PrincipalId != "acme/ci" {
		t.Fatalf("keeper: %v %+v", err, got)
	}
}

func testKey(t testing.TB) (pub []byte, addr string) {
	t.Helper()
	app.ConfigureSDK()
	sk, err := sigscheme.GenerateKey(sigscheme.Composite, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	a, err := chain.KeyAddress(sk.Public())
	if err != nil {
		t.Fatal(err)
	}
	return sk.Public().Bytes(), a.String()
}

// TestFetcherKeyRecordProof runs the exporter's query against a node
// whose abci_query is served by a real multistore.
func TestFetcherKeyRecordProof(t *testing.T) {
	cs := newChainState(t, 40)
	cs.filler(t, 1, 5)
	cs.commit() // 40
	pub, addr := testKey(t)
	rec := identitytypes.Key{Address: addr, PrincipalId: "acme/ci", Algorithm: "composite", PublicKey: pub, Status: identitytypes.KEY_STATUS_ACTIVE, RegisteredHeight: 41}
	cs.setKey(t, rec)
	cs.commit() // 41: registered
	cs.filler(t, 2, 5)
	cs.commit() // 42
	queried := []int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Params map[string]any  `json:"params"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req.Method != "abci_query" {
			http.Error(w, "unexpected "+req.Method, 400)
			return
		}
		data, _ := hex.DecodeString(req.Params["data"].(string))
		h, _ := strconv.ParseInt(req.Params["height"].(string), 10, 64)
		queried = append(queried, h)
		path := strings.TrimPrefix(req.Params["path"].(string), "/store")
		res, err := cs.rs.Query(&storetypes.RequestQuery{Path: path, Data: data, Height: h, Prove: req.Params["prove"].(bool)})
		var out abci.ResponseQuery
		if err != nil {
			out = abci.ResponseQuery{Code: 1, Log: err.Error()}
		} else {
			out = abci.ResponseQuery(*res)
			out.Height = h
		}
		raw, _ := cmtjson.Marshal(&ctypes.ResultABCIQuery{Response: out})
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": json.RawMessage(raw)})
	}))
	defer srv.Close()
	rpc, err := rpchttp.New(srv.URL, "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	f := &Fetcher{RPC: rpc}
	// Anchored at 43: the state after 42.
	b := &Bundle{}
	if err := f.keyRecordProof(context.Background(), b, addr, 43); err != nil {
		t.Fatal(err)
	}
	if b.KeyProof == nil || b.KeyProof.Height != 42 || string(b.PublicKey) != string(pub) || b.Algorithm != "composite" {
		t.Fatalf("bundle %+v", b)
	}
	var ops cmtcrypto.ProofOps
	if err := ops.Unmarshal(b.KeyProof.Proof); err != nil || len(ops.Ops) != 2 {
		t.Fatalf("proof %v %d", err, len(ops.Ops))
	}
	// Anchored at 41, in the block that registered the key: absent at 40,
	// so proven at 41 (against header 42).
	b = &Bundle{}
	queried = nil
	if err := f.keyRecordProof(context.Background(), b, addr, 41); err != nil {
		t.Fatal(err)
	}
	if b.KeyProof.Height != 41 || len(queried) != 2 || queried[0] != 40 {
		t.Fatalf("height %d, queried %v", b.KeyProof.Height, queried)
	}
	// Pruned / unknown state: an error (the exporter then falls back).
	if err := f.keyRecordProof(context.Background(), &Bundle{}, addr, 100); err == nil {
		t.Fatal("no error for heights the store does not have")
	}
}

func TestVerifyBundleKeyProof(t *testing.T) {
	f := newFixture(t, 4, edPV)
	res, err := VerifyBundle(roundTrip(t, f.bundle), f.vals)
	if err != nil {
		t.Fatalf("VerifyBundle: %v", err)
	}
	if !res.KeyRecordProven || len(res.Warnings) != 0 || !strings.Contains(res.KeyRecord, "proven") || !strings.Contains(res.KeyRecord, "height 41") || res.KeyPrincipal != "acme/ci" {
		t.Fatalf("result %+v", res)
	}
	// The bundle file carries the proof, not the unproven answer.
	raw, _ := json.Marshal(f.bundle)
	if !strings.Contains(string(raw), `"key_proof":`) || strings.Contains(string(raw), `"key_validity"`) || !strings.Contains(string(raw), `"version":2`) {
		t.Fatalf("bundle JSON: %s", raw)
	}

	t.Run("batched", func(t *testing.T) {
		fb := newFixtureOpts(t, 4, mldsaPV, true)
		res, err := VerifyBundle(roundTrip(t, fb.bundle), fb.vals)
		if err != nil || !res.KeyRecordProven {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("registered in the anchoring block: proven after it", func(t *testing.T) {
		fr := newFixtureWith(t, 4, edPV, fixtureOpts{registerAt42: true})
		res, err := VerifyBundle(roundTrip(t, fr.bundle), fr.vals)
		if err != nil || !res.KeyRecordProven || !strings.Contains(res.KeyRecord, "of block 43") {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("v1 bundle: verifies with a warning, fails when a proof is required", func(t *testing.T) {
		b := roundTrip(t, f.bundle)
		toV1(b, f.record)
		b = roundTrip(t, b)
		res, err := VerifyBundle(b, f.vals)
		if err != nil {
			t.Fatal(err)
		}
		if res.KeyRecordProven || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "not proven") || !strings.Contains(res.KeyRecord, "UNPROVEN") {
			t.Fatalf("result %+v", res)
		}
		_, err = VerifyBundleWith(b, f.vals, Options{RequireKeyProof: true})
		wantStep(t, err, "key proof", "not proven")
		// A v2 export that fell back says why.
		b.Version, b.KeyProofMissing = BundleVersion, "pruned"
		res, err = VerifyBundle(b, f.vals)
		if err != nil || !strings.Contains(res.Warnings[0], "pruned") {
			t.Fatalf("%v %+v", err, res)
		}
	})

	mut := func(fn func(b *Bundle)) *Bundle {
		b := roundTrip(t, f.bundle)
		fn(b)
		return b
	}
	editOps := func(b *Bundle, fn func(ops *cmtcrypto.ProofOps)) {
		var ops cmtcrypto.ProofOps
		if err := ops.Unmarshal(b.KeyProof.Proof); err != nil {
			t.Fatal(err)
		}
		fn(&ops)
		b.KeyProof.Proof, _ = ops.Marshal()
	}
	editProof := func(b *Bundle, i int, fn func(p *ics23.CommitmentProof)) {
		editOps(b, func(ops *cmtcrypto.ProofOps) {
			var p ics23.CommitmentProof
			if err := p.Unmarshal(ops.Ops[i].Data); err != nil {
				t.Fatal(err)
			}
			fn(&p)
			ops.Ops[i].Data, _ = p.Marshal()
		})
	}
	other := newFixture(t, 4, edPV)
	revoked := newFixtureWith(t, 4, edPV, fixtureOpts{key: func(k *identitytypes.Key) {
		k.Status, k.RevokedHeight = identitytypes.KEY_STATUS_REVOKED, 30
		rt := time.Now().Add(-time.Minute)
		k.RevokedTime = &rt
	}})
	expired := newFixtureWith(t, 4, edPV, fixtureOpts{key: func(k *identitytypes.Key) {
		k.Status, k.NotAfter = identitytypes.KEY_STATUS_EXPIRED, k.NotBefore.Add(time.Minute)
	}})
	notYet := newFixtureWith(t, 4, edPV, fixtureOpts{key: func(k *identitytypes.Key) { k.NotBefore = time.Now().Add(time.Hour) }})
	otherPub := newFixtureWith(t, 4, edPV, fixtureOpts{key: func(k *identitytypes.Key) { k.PublicKey = other.bundle.PublicKey }})
	badStatus := newFixtureWith(t, 4, edPV, fixtureOpts{key: func(k *identitytypes.Key) { k.Status = identitytypes.KEY_STATUS_UNSPECIFIED }})
	forgedAppHash := newFixtureWith(t, 4, edPV, fixtureOpts{appHash42: bytes32(0xab)})
	// A record that says "valid forever", with the genuine proof.
	forever := f.record
	forever.NotAfter = forever.NotAfter.Add(100 * 365 * 24 * time.Hour)
	foreverBytes, _ := forever.Marshal()

	cases := []struct {
		name     string
		b        *Bundle
		vals     *cmttypes.ValidatorSet
		step     string
		contains string
	}{
		{"record value: one byte flipped", mut(func(b *Bundle) { b.KeyProof.Value[len(b.KeyProof.Value)-1] ^= 1 }), f.vals, "key proof", "does not prove this key record value"},
		{"record value: another record", mut(func(b *Bundle) { b.KeyProof.Value = foreverBytes }), f.vals, "key proof", "does not prove this key record value"},
		{"record value: removed", mut(func(b *Bundle) { b.KeyProof.Value = nil }), f.vals, "key proof", "no key record value"},
		{"record of another key", mut(func(b *Bundle) { b.KeyProof = other.bundle.KeyProof }), f.vals, "key proof", "not the signer's key record key"},
		{"store key altered", mut(func(b *Bundle) { b.KeyProof.Key[5] ^= 1 }), f.vals, "key proof", "not the signer's key record key"},
		{"iavl proof: sibling hash altered", mut(func(b *Bundle) {
			editProof(b, 0, func(p *ics23.CommitmentProof) {
				e := p.GetExist()
				for _, step := range e.Path {
					if len(step.Suffix) >= 32 {
						step.Suffix[len(step.Suffix)-1] ^= 1
						return
					}
					if len(step.Prefix) >= 32 {
						step.Prefix[len(step.Prefix)-1] ^= 1
						return
					}
				}
				t.Fatal("no sibling hash in the IAVL path")
			})
		}), f.vals, "key proof", "does not prove the identity store root"},
		{"iavl proof: value in the proof altered too", mut(func(b *Bundle) {
			b.KeyProof.Value = foreverBytes
			editProof(b, 0, func(p *ics23.CommitmentProof) { p.GetExist().Value = foreverBytes })
		}), f.vals, "key proof", "does not prove the identity store root"},
		{"multistore proof: sibling altered", mut(func(b *Bundle) {
			editProof(b, 1, func(p *ics23.CommitmentProof) {
				e := p.GetExist()
				for _, step := range e.Path {
					if len(step.Prefix) > 1 {
						step.Prefix[len(step.Prefix)-1] ^= 1
						return
					}
					if len(step.Suffix) > 0 {
						step.Suffix[0] ^= 1
						return
					}
				}
				t.Fatal("no sibling in the multistore path")
			})
		}), f.vals, "key proof", "app hash"},
		{"multistore proof: another store's", mut(func(b *Bundle) {
			editOps(b, func(ops *cmtcrypto.ProofOps) { ops.Ops[1].Key = []byte("acc") })
		}), f.vals, "key proof", `second proof op`},
		{"proof ops: the multistore op dropped", mut(func(b *Bundle) {
			editOps(b, func(ops *cmtcrypto.ProofOps) { ops.Ops = ops.Ops[:1] })
		}), f.vals, "key proof", "1 proof ops"},
		{"proof: garbage", mut(func(b *Bundle) { b.KeyProof.Proof = []byte("garbage") }), f.vals, "key proof", "undecodable"},
		{"proof claimed for the state after the block", mut(func(b *Bundle) { b.KeyProof.Height = 42 }), f.vals, "key proof", "block 43's header has app hash"},
		{"proof claimed for an older state", mut(func(b *Bundle) { b.KeyProof.Height = 30 }), f.vals, "key proof", "height 30"},
		{"app hash altered in the header", mut(func(b *Bundle) {
			sh, _ := DecodeSignedHeader(b.Header)
			sh.AppHash = bytes32(0xcd)
			b.Header, _ = EncodeSignedHeader(sh)
		}), f.vals, "block header", "commit signs block"},
		{"signed block with another app hash", roundTrip(t, forgedAppHash.bundle), forgedAppHash.vals, "key proof", "block 42's header has app hash ABABAB"},
		{"absent at 41 (nonexistence proof) with a value", func() *Bundle {
			fr := newFixtureWith(t, 4, edPV, fixtureOpts{registerAt42: true})
			b := roundTrip(t, fr.bundle)
			kp := fr.state.prove(t, b.Signer, 41)
			kp.Value = b.KeyProof.Value
			b.KeyProof = kp
			return b
		}(), nil, "key proof", "not an existence proof"},
		{"both key_proof and key_validity", mut(func(b *Bundle) { b.KeyValidity = KeyValidity{Valid: true, Key: f.record} }), f.vals, "bundle", "both key_proof"},
		{"proven: revoked before the block", roundTrip(t, revoked.bundle), revoked.vals, "key validity", "revoked at height 30"},
		{"proven: expired", roundTrip(t, expired.bundle), expired.vals, "key validity", "expired"},
		{"proven: not yet valid", roundTrip(t, notYet.bundle), notYet.vals, "key validity", "not valid before"},
		{"proven: another public key", roundTrip(t, otherPub.bundle), otherPub.vals, "key record", "not the signer's key"},
		{"proven: status unspecified", roundTrip(t, badStatus.bundle), badStatus.vals, "key validity", "status"},
		{"unknown version", mut(func(b *Bundle) { b.Version = 3 }), f.vals, "bundle", "version 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := VerifyBundle(c.b, c.vals)
			wantStep(t, err, c.step, c.contains)
		})
	}
}

func bytes32(b byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = b
	}
	return out
}
