package verify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/crypto/ed25519"
	"github.com/cometbft/cometbft/crypto/mldsa65"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtcrypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmtversion "github.com/cometbft/cometbft/proto/tendermint/version"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cometbft/cometbft/version"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/app"
	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"

	"github.com/adf-consortium/adf/pkg/batchlog"
)

const testChainID = "adf-verify-test"

type fixture struct {
	bundle   *Bundle
	vals     *cmttypes.ValidatorSet
	pvs      []cmttypes.PrivValidator
	envelope *dsse.Envelope
	signerSK sigscheme.PrivateKey
	// failed is block 42's first tx, whose result has code 5.
	failedTx, failedTxProof, failedRes, failedResProof []byte
	// state is the chain state whose versions 41 and 42 are the app
	// hashes of blocks 42 and 43; record the signer's key record in it.
	state  *chainState
	record identitytypes.Key
}

// fixtureOpts vary the fixture's chain state.
type fixtureOpts struct {
	batched bool
	// key alters the signer's key record before it is stored.
	key func(k *identitytypes.Key)
	// registerAt42 stores the record in version 42 only (the key was
	// registered in the anchoring block): the proof is at height 42.
	registerAt42 bool
	// appHash42 replaces block 42's app hash (the header is still signed).
	appHash42 []byte
}

// newFixture builds a real bundle: a composite-signed DSSE envelope in a
// signed SDK transaction, in a block of two transactions whose header is
// committed by nVals validators with keys from genKey.
func newFixture(t testing.TB, nVals int, genKey func() cmttypes.PrivValidator) *fixture {
	t.Helper()
	return newFixtureOpts(t, nVals, genKey, false)
}

// newFixtureOpts with batched builds a batcher entry instead: the block's
// tx anchors a 3-entry log root (MsgAnchorRoot) whose entry 1 is the
// envelope.
func newFixtureOpts(t testing.TB, nVals int, genKey func() cmttypes.PrivValidator, batched bool) *fixture {
	t.Helper()
	return newFixtureWith(t, nVals, genKey, fixtureOpts{batched: batched})
}

func newFixtureWith(t testing.TB, nVals int, genKey func() cmttypes.PrivValidator, o fixtureOpts) *fixture {
	t.Helper()
	batched := o.batched
	app.ConfigureSDK()
	sk, err := sigscheme.GenerateKey(sigscheme.Composite, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := chain.KeyAddress(sk.Public())
	if err != nil {
		t.Fatal(err)
	}
	artifact := sha256.Sum256([]byte("artifact"))
	st, err := intoto.NewStatement([]intoto.ResourceDescriptor{{Name: "app.tar", Digest: map[string]string{"sha256": hex.EncodeToString(artifact[:])}}},
		intoto.PredicateTestResultV01, intoto.TestResult{Result: intoto.TestResultPassed})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := st.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	env := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: payload}
	if err := dsse.Sign(env, addr.String(), sk, testChainID); err != nil {
		t.Fatal(err)
	}
	envBytes, err := env.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	enc, err := chain.MakeEncoding()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := chain.NewSchemeSigner(sk)
	if err != nil {
		t.Fatal(err)
	}
	var msg sdk.Msg = &attestationtypes.MsgAnchorAttestation{Signer: addr.String(), Envelope: envBytes, RiskClass: "release", Scope: "github.com/acme/app"}
	var batch *BatchEntry
	if batched {
		store := merkle.NewMemStore()
		lg := merkle.NewLog(store)
		salt := bytes.Repeat([]byte{7}, 32)
		for i := range 3 {
			leaf := batchlog.LeafHash([]byte{byte(i)}, []byte("other"))
			if i == 1 {
				leaf = batchlog.LeafHash(salt, envBytes)
			}
			if _, err := lg.Append(leaf); err != nil {
				t.Fatal(err)
			}
		}
		root := lg.Root()
		p, err := merkle.InclusionProof(1, 3, store)
		if err != nil {
			t.Fatal(err)
		}
		batch = &BatchEntry{LogID: "acme/batcher-1", Index: 1, Salt: salt, Received: time.Now().Add(-3 * time.Second).UTC(), TreeSize: 3, RootHash: root[:]}
		for _, h := range p {
			batch.InclusionProof = append(batch.InclusionProof, append([]byte(nil), h[:]...))
		}
		msg = &attestationtypes.MsgAnchorRoot{Signer: addr.String(), LogId: batch.LogID, TreeSize: 3, RootHash: root[:]}
	}
	tx, err := chain.SignTx(context.Background(), enc, signer, []sdk.Msg{msg}, chain.TxOptions{ChainID: testChainID, AccountNumber: 7})
	if err != nil {
		t.Fatal(err)
	}
	txs := cmttypes.Txs{cmttypes.Tx("some other tx"), tx}
	proof := txs.Proof(1)

	pvs := make([]cmttypes.PrivValidator, nVals)
	vals := make([]*cmttypes.Validator, nVals)
	for i := range pvs {
		pvs[i] = genKey()
		pk, _ := pvs[i].GetPubKey()
		vals[i] = cmttypes.NewValidator(pk, 10)
	}
	vs := cmttypes.NewValidatorSet(vals)
	// Order the signers as the set orders its validators.
	ordered := make([]cmttypes.PrivValidator, nVals)
	for i, v := range vs.Validators {
		for _, pv := range pvs {
			pk, _ := pv.GetPubKey()
			if bytes.Equal(pk.Address(), v.Address) {
				ordered[i] = pv
			}
		}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	const height = 42
	// The chain state: version 41 is what block 42 executed against (its
	// app hash is in header 42), version 42 the state after block 42
	// (header 43).
	record := identitytypes.Key{
		Address: addr.String(), PrincipalId: "acme/ci", OrgId: "acme", Algorithm: string(sigscheme.Composite), PublicKey: sk.Public().Bytes(),
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), Status: identitytypes.KEY_STATUS_ACTIVE, RegisteredHeight: 5,
	}
	if o.registerAt42 {
		record.RegisteredHeight = 42
	}
	if o.key != nil {
		o.key(&record)
	}
	cs := newChainState(t, height-1)
	cs.filler(t, 1, 10)
	if !o.registerAt42 {
		cs.setKey(t, record)
	}
	appHash41 := cs.commit()
	cs.filler(t, 2, 3)
	if o.registerAt42 {
		cs.setKey(t, record)
	}
	appHash42 := cs.commit()
	proofHeight := int64(height - 1)
	if o.registerAt42 {
		proofHeight = height
	}
	keyProof := cs.prove(t, addr.String(), proofHeight)
	if o.appHash42 != nil {
		appHash41 = o.appHash42
	}
	header := cmttypes.Header{
		Version: cmtversion.Consensus{Block: version.BlockProtocol}, ChainID: testChainID, Height: height, Time: now,
		DataHash: txs.Hash(), ValidatorsHash: vs.Hash(), NextValidatorsHash: vs.Hash(), ProposerAddress: vs.Validators[0].Address,
		AppHash: appHash41,
	}
	sh := commitHeader(t, header, vs, ordered)
	// Block 43 carries the results of block 42's txs.
	results := cmttypes.NewResults([]*abci.ExecTxResult{{Code: 5}, {Code: 0, GasUsed: 123456, GasWanted: 200000, Log: "not hashed"}})
	next := cmttypes.Header{
		Version: cmtversion.Consensus{Block: version.BlockProtocol}, ChainID: testChainID, Height: height + 1, Time: now.Add(time.Second),
		LastBlockID: sh.Commit.BlockID, LastResultsHash: results.Hash(), AppHash: appHash42,
		ValidatorsHash: vs.Hash(), NextValidatorsHash: vs.Hash(), ProposerAddress: vs.Validators[1].Address,
	}
	sh1 := commitHeader(t, next, vs, ordered)
	resBytes, err := results[1].Marshal()
	if err != nil {
		t.Fatal(err)
	}
	resProof := results.ProveResult(1)

	digest := env.Digest()
	b := &Bundle{
		Version: BundleVersion, ChainID: testChainID, Envelope: envBytes, EnvelopeDigest: hex.EncodeToString(digest[:]),
		Signer: addr.String(), Algorithm: string(sigscheme.Composite), PublicKey: sk.Public().Bytes(),
		KeyProof:  keyProof,
		RiskClass: "release", Scope: "github.com/acme/app", AnchorHeight: height, AnchorTime: now,
		Tx: tx, TxHash: strings.ToUpper(hex.EncodeToString(cmttypes.Tx(tx).Hash())),
	}
	proof.Data = nil // as exported
	if b.TxProof, err = EncodeTxProof(proof); err != nil {
		t.Fatal(err)
	}
	if b.Header, err = EncodeSignedHeader(&sh); err != nil {
		t.Fatal(err)
	}
	if b.ValSet, err = EncodeValidators(vs.Validators); err != nil {
		t.Fatal(err)
	}
	b.NextValSet = b.ValSet
	b.Batch = batch
	if batched {
		b.RiskClass, b.Scope = "", ""
	}
	b.TxResult = resBytes
	if b.ResultProof, err = EncodeProof(&resProof); err != nil {
		t.Fatal(err)
	}
	if b.NextHeader, err = EncodeSignedHeader(&sh1); err != nil {
		t.Fatal(err)
	}
	fx := &fixture{bundle: b, vals: vs, pvs: ordered, envelope: env, signerSK: sk, failedTx: txs[0], state: cs, record: record}
	p0 := txs.Proof(0)
	rp0 := results.ProveResult(0)
	p0.Data = nil
	fx.failedTxProof, _ = EncodeTxProof(p0)
	fx.failedRes, _ = results[0].Marshal()
	fx.failedResProof, _ = EncodeProof(&rp0)
	return fx
}

// commitHeader signs header with every validator (pvs in the set's order).
func commitHeader(t testing.TB, header cmttypes.Header, vs *cmttypes.ValidatorSet, pvs []cmttypes.PrivValidator) cmttypes.SignedHeader {
	t.Helper()
	psh := make([]byte, 32)
	_, _ = rand.Read(psh)
	blockID := cmttypes.BlockID{Hash: header.Hash(), PartSetHeader: cmttypes.PartSetHeader{Total: 1, Hash: psh}}
	voteSet := cmttypes.NewVoteSet(testChainID, header.Height, 0, cmtproto.PrecommitType, vs)
	ext, err := cmttypes.MakeExtCommit(blockID, header.Height, 0, voteSet, pvs, header.Time, false)
	if err != nil {
		t.Fatal(err)
	}
	return cmttypes.SignedHeader{Header: &header, Commit: ext.ToCommit()}
}

func mldsaPV() cmttypes.PrivValidator {
	k, err := mldsa65.GenPrivKey()
	if err != nil {
		panic(err)
	}
	return cmttypes.NewMockPVWithParams(k, false, false)
}

func edPV() cmttypes.PrivValidator {
	return cmttypes.NewMockPVWithParams(ed25519.GenPrivKey(), false, false)
}

// roundTrip passes a bundle through its JSON file form.
func roundTrip(t testing.TB, b *Bundle) *Bundle {
	t.Helper()
	raw, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	var out Bundle
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

func TestVerifyBundle(t *testing.T) {
	for name, gen := range map[string]func() cmttypes.PrivValidator{"ml-dsa-65": mldsaPV, "ed25519": edPV} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, 4, gen)
			b := roundTrip(t, f.bundle)
			res, err := VerifyBundle(b, f.vals)
			if err != nil {
				t.Fatalf("VerifyBundle: %v", err)
			}
			if res.SignedPower != 40 || res.TotalPower != 40 || res.Validators != 4 || res.Height != 42 {
				t.Fatalf("result %+v", res)
			}
			if res.EnvelopeDigest != f.bundle.EnvelopeDigest || res.RiskClass != "release" || len(res.Subjects) != 1 {
				t.Fatalf("result %+v", res)
			}
			// The trusted set as a file: the RPC /validators form and a bare list.
			list, _ := cmtjson.Marshal(f.vals.Validators)
			for _, raw := range [][]byte{list, []byte(`{"result":{"validators":` + string(list) + `}}`)} {
				tv, err := ParseTrustedValidators(raw)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := VerifyBundle(roundTrip(t, f.bundle), tv); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestVerifyBundleBatched(t *testing.T) {
	f := newFixtureOpts(t, 4, mldsaPV, true)
	res, err := VerifyBundle(roundTrip(t, f.bundle), f.vals)
	if err != nil {
		t.Fatalf("VerifyBundle: %v", err)
	}
	if res.Height != 42 || len(res.Subjects) != 1 || res.SignedPower != 40 {
		t.Fatalf("result %+v", res)
	}
	mut := func(fn func(b *Bundle)) *Bundle {
		b := roundTrip(t, f.bundle)
		fn(b)
		return b
	}
	// A receive time a moment after the block's (two clocks) is skew.
	skewed := mut(func(b *Bundle) { b.Batch.Received = b.AnchorTime.Add(200 * time.Millisecond) })
	if _, err := VerifyBundle(skewed, f.vals); err != nil {
		t.Fatalf("receive time 200 ms after the anchoring block: %v", err)
	}
	for name, c := range map[string]struct {
		b              *Bundle
		step, contains string
	}{
		"wrong index":           {mut(func(b *Bundle) { b.Batch.Index = 2 }), "batch entry", "not in root"},
		"wrong salt":            {mut(func(b *Bundle) { b.Batch.Salt = []byte("x") }), "batch entry", "not in root"},
		"another log's root":    {mut(func(b *Bundle) { b.Batch.LogID = "evil/log" }), "anchor tx", "does not anchor root"},
		"received after anchor": {mut(func(b *Bundle) { b.Batch.Received = b.AnchorTime.Add(time.Minute) }), "batch entry", "allowed clock skew"},
		"tampered envelope": {mut(func(b *Bundle) {
			b.Envelope = bytes.Replace(b.Envelope, []byte(`"payload":"`), []byte(`"payload":"AA`), 1)
		}), "batch entry", "not in root"},
		"direct bundle claims batch": {func() *Bundle {
			d := roundTrip(t, newFixture(t, 4, edPV).bundle)
			d.Batch = f.bundle.Batch
			return d
		}(), "anchor tx", "does not anchor root"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := VerifyBundle(c.b, nil)
			wantStep(t, err, c.step, c.contains)
		})
	}
}

func wantStep(t *testing.T, err error, step, contains string) {
	t.Helper()
	var ve *Error
	if !errors.As(err, &ve) {
		t.Fatalf("want a verification error at %q, got %v", step, err)
	}
	if ve.Step != step || !strings.Contains(err.Error(), contains) {
		t.Fatalf("want step %q containing %q, got %v", step, contains, err)
	}
}

func TestVerifyBundleRejects(t *testing.T) {
	f := newFixture(t, 4, edPV)
	other := newFixture(t, 4, edPV)
	mut := func(fn func(b *Bundle)) *Bundle {
		b := roundTrip(t, f.bundle)
		fn(b)
		return b
	}
	cases := []struct {
		name     string
		b        *Bundle
		trusted  *cmttypes.ValidatorSet
		step     string
		contains string
	}{
		{"tampered envelope payload", mut(func(b *Bundle) {
			b.Envelope = bytes.Replace(b.Envelope, []byte(`"payload":"`), []byte(`"payload":"AA`), 1)
		}), f.vals, "anchor tx", "do not carry this envelope"},
		{"envelope of another anchor", mut(func(b *Bundle) { b.Envelope = other.bundle.Envelope }), f.vals, "anchor tx", "do not carry"},
		{"untrusted validator set", roundTrip(t, f.bundle), other.vals, "validator set", "did not sign more than 2/3"},
		{"validators swapped for another set", mut(func(b *Bundle) { b.ValSet = other.bundle.ValSet }), other.vals, "validator set", "does not match the header"},
		{"tx of another block", mut(func(b *Bundle) { b.Tx, b.TxProof = other.bundle.Tx, other.bundle.TxProof }), f.vals, "tx proof", "different data hash"},
		{"another tx with this proof", mut(func(b *Bundle) { b.Tx = other.bundle.Tx }), f.vals, "tx proof", "invalid leaf hash"},
		{"wrong public key", mut(func(b *Bundle) { b.PublicKey = other.bundle.PublicKey }), f.vals, "signer key", "address"},
		// Version 1 bundles (unproven record) still get the validity checks.
		{"v1: key revoked before the block", mut(func(b *Bundle) { toV1(b, f.record); b.KeyValidity.Key.RevokedHeight = 41 }), f.vals, "key validity", "revoked at height 41"},
		{"v1: key expired", mut(func(b *Bundle) { toV1(b, f.record); b.KeyValidity.Key.NotAfter = b.AnchorTime }), f.vals, "key validity", "expired"},
		{"v1: chain said invalid", mut(func(b *Bundle) { toV1(b, f.record); b.KeyValidity.Valid, b.KeyValidity.Reason = false, "nope" }), f.vals, "key validity", "nope"},
		{"wrong height", mut(func(b *Bundle) { b.AnchorHeight = 43 }), f.vals, "block header", "height 42"},
		{"other chain", mut(func(b *Bundle) { b.ChainID = "adf-other" }), f.vals, "block header", ""},
		{"anchoring tx failed", mut(func(b *Bundle) {
			b.Tx, b.TxHash, b.TxProof, b.TxResult, b.ResultProof = f.failedTx, "", f.failedTxProof, f.failedRes, f.failedResProof
		}), f.vals, "tx result", "failed with code 5"},
		{"failed tx (result of another tx)", mut(func(b *Bundle) {
			var rp cmtcrypto.Proof
			_ = rp.Unmarshal(b.ResultProof)
			rp.Index = 0
			b.ResultProof, _ = rp.Marshal()
		}), f.vals, "tx result", "result 0 of 2"},
		{"forged tx result", mut(func(b *Bundle) {
			r := abci.ExecTxResult{Code: 0, GasUsed: 1}
			b.TxResult, _ = r.Marshal()
		}), f.vals, "tx result", "last_results_hash"},
		{"next block of another chain of blocks", mut(func(b *Bundle) { b.NextHeader = other.bundle.NextHeader }), f.vals, "tx result", "does not follow"},
		{"forged commit signature", mut(func(b *Bundle) {
			sh, _ := DecodeSignedHeader(b.Header)
			for i := range sh.Commit.Signatures {
				sh.Commit.Signatures[i].Signature[0] ^= 1
			}
			b.Header, _ = EncodeSignedHeader(sh)
		}), f.vals, "commit", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := VerifyBundle(c.b, c.trusted)
			wantStep(t, err, c.step, c.contains)
		})
	}
	// A DSSE signature made for another chain does not verify even in a
	// consistent bundle.
	t.Run("dsse signature for another chain", func(t *testing.T) {
		b := roundTrip(t, f.bundle)
		env := &dsse.Envelope{PayloadType: f.envelope.PayloadType, Payload: f.envelope.Payload}
		if err := dsse.Sign(env, b.Signer, f.signerSK, "adf-other"); err != nil {
			t.Fatal(err)
		}
		if err := dsse.Verify(env, b.Signer, f.signerSK.Public(), testChainID); err == nil {
			t.Fatal("a signature for another chain verified")
		}
	})
}

// toV1 makes b a version 1 bundle: the key record as a KeyValidity
// answer, no proof.
func toV1(b *Bundle, rec identitytypes.Key) {
	b.Version, b.KeyProof = 1, nil
	b.KeyValidity = KeyValidity{Valid: true, Reason: "ok", Key: rec}
}

// BenchmarkVerifyBundle verifies a bundle whose block (and the next one,
// for the tx result) is committed by 4 ML-DSA-65 validators (bar: ≤ 5 ms):
// from_json decodes the bundle file each time, as `adf verify --bundle`
// does; decoded re-verifies an already decoded bundle (every signature,
// proof and hash is checked again; only JSON decoding is skipped).
func BenchmarkVerifyBundle(b *testing.B) {
	f := newFixture(b, 4, mldsaPV)
	raw, err := json.Marshal(f.bundle)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("from_json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			var bd Bundle
			if err := json.Unmarshal(raw, &bd); err != nil {
				b.Fatal(err)
			}
			if _, err := VerifyBundle(&bd, f.vals); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decoded", func(b *testing.B) {
		var bd Bundle
		if err := json.Unmarshal(raw, &bd); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := VerifyBundle(&bd, f.vals); err != nil {
				b.Fatal(err)
			}
		}
	})
}
