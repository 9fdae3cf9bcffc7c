package composite_test

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/cometbft/cometbft/crypto/tmhash"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	kmultisig "github.com/cosmos/cosmos-sdk/crypto/keys/multisig"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"

	"github.com/adf-consortium/adf/app/crypto/composite"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// seeded is a deterministic reader for reproducible test keys.
type seeded byte

func (s seeded) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(s) + byte(i)
	}
	return len(p), nil
}

func newKey(t *testing.T, seed byte) (sigscheme.PrivateKey, *composite.CompositePubKey) {
	t.Helper()
	sk, err := sigscheme.GenerateKey(sigscheme.Composite, seeded(seed))
	require.NoError(t, err)
	pk, err := composite.NewPubKey(sk.Public().Bytes())
	require.NoError(t, err)
	return sk, pk
}

func TestSignVerify(t *testing.T) {
	sk, pk := newKey(t, 1)
	msg := []byte("cosmos sign bytes: chain id, account number, sequence, body")
	sig, err := sigscheme.SignRaw(sk, msg)
	require.NoError(t, err)
	require.Len(t, sig, sigscheme.Composite.SignatureSize())
	require.True(t, pk.VerifySignature(msg, sig))

	require.False(t, pk.VerifySignature(append(bytes.Clone(msg), 'x'), sig), "other message")
	bad := bytes.Clone(sig)
	bad[0] ^= 1 // ML-DSA part
	require.False(t, pk.VerifySignature(msg, bad))
	bad = bytes.Clone(sig)
	bad[len(bad)-1] ^= 1 // Ed25519 part
	require.False(t, pk.VerifySignature(msg, bad))
	require.False(t, pk.VerifySignature(msg, sig[:len(sig)-1]), "short signature")
	require.False(t, pk.VerifySignature(msg, append(bytes.Clone(sig), 0)), "long signature")
	require.False(t, pk.VerifySignature(msg, nil))

	// A signature bound to an ADF domain is not a raw signature.
	dsig, err := sk.Sign(sigscheme.Domain{ChainID: "adf-1", Purpose: "tx"}, msg)
	require.NoError(t, err)
	require.False(t, pk.VerifySignature(msg, dsig))

	_, other := newKey(t, 2)
	require.False(t, other.VerifySignature(msg, sig), "other key")

	// A malformed key verifies nothing.
	short := &composite.CompositePubKey{Key: pk.Key[:len(pk.Key)-1]}
	require.False(t, short.VerifySignature(msg, sig))
}

func TestNewPubKeyStrictSize(t *testing.T) {
	_, pk := newKey(t, 1)
	_, err := composite.NewPubKey(pk.Key[:len(pk.Key)-1])
	require.Error(t, err)
	_, err = composite.NewPubKey(append(bytes.Clone(pk.Key), 0))
	require.Error(t, err)
	_, err = composite.NewPubKey(nil)
	require.Error(t, err)
}

func TestAddressRuleMatchesSDK(t *testing.T) {
	_, pk := newKey(t, 3)
	sum := sha256.Sum256(pk.Key)
	require.Equal(t, sum[:20], []byte(pk.Address()))
	// The SDK's ed25519 and mldsa65 keys use tmhash.SumTruncated over the key.
	require.Equal(t, tmhash.SumTruncated(pk.Key), []byte(pk.Address()))
	ed := ed25519.GenPrivKey().PubKey()
	require.Equal(t, tmhash.SumTruncated(ed.Bytes()), []byte(ed.Address()))
	ml, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	require.Equal(t, tmhash.SumTruncated(ml.PubKey().Bytes()), []byte(ml.PubKey().Address()))
}

func TestEqualsAndType(t *testing.T) {
	_, a := newKey(t, 1)
	_, b := newKey(t, 2)
	require.Equal(t, "composite", a.Type())
	require.True(t, a.Equals(&composite.CompositePubKey{Key: bytes.Clone(a.Key)}))
	require.False(t, a.Equals(b))
	// Same bytes, other type: not equal.
	require.False(t, a.Equals(&mldsa65.PubKey{Key: a.Key}))
	require.False(t, a.Equals(nil))
}

func TestInterfaceRegistryAny(t *testing.T) {
	registry := codectypes.NewInterfaceRegistry()
	cryptocodec.RegisterInterfaces(registry)
	composite.RegisterInterfaces(registry)
	cdc := codec.NewProtoCodec(registry)

	_, pk := newKey(t, 4)
	anyPk, err := codectypes.NewAnyWithValue(pk)
	require.NoError(t, err)
	require.Equal(t, "/adf.crypto.v1.CompositePubKey", anyPk.TypeUrl)
	bz, err := cdc.Marshal(anyPk)
	require.NoError(t, err)

	var back codectypes.Any
	require.NoError(t, cdc.Unmarshal(bz, &back))
	var got cryptotypes.PubKey
	require.NoError(t, cdc.UnpackAny(&back, &got))
	require.True(t, pk.Equals(got))

	// JSON through the interface registry too.
	js, err := cdc.MarshalInterfaceJSON(pk)
	require.NoError(t, err)
	var fromJSON cryptotypes.PubKey
	require.NoError(t, cdc.UnmarshalInterfaceJSON(js, &fromJSON))
	require.True(t, pk.Equals(fromJSON))
}

func TestAmino(t *testing.T) {
	_, pk := newKey(t, 5)
	// legacy.Cdc knows the key (registered in init).
	bz, err := legacy.Cdc.Marshal(cryptotypes.PubKey(pk))
	require.NoError(t, err)
	back, err := legacy.PubKeyFromBytes(bz)
	require.NoError(t, err)
	require.True(t, pk.Equals(back))

	// Amino decoding checks the size.
	var bad composite.CompositePubKey
	require.Error(t, bad.UnmarshalAmino(pk.Key[:10]))

	// An app codec registers it through RegisterLegacyAminoCodec.
	amino := codec.NewLegacyAmino()
	cryptocodec.RegisterCrypto(amino)
	composite.RegisterLegacyAminoCodec(amino)
	js, err := amino.MarshalJSON(cryptotypes.PubKey(pk))
	require.NoError(t, err)
	require.Contains(t, string(js), composite.PubKeyName)
	var fromJSON cryptotypes.PubKey
	require.NoError(t, amino.UnmarshalJSON(js, &fromJSON))
	require.True(t, pk.Equals(fromJSON))
}

// A composite key can be a member of an SDK multisig: the multisig's address
// (amino bytes through multisig.AminoCdc) and its verification both work.
func TestMultisigMember(t *testing.T) {
	sk, pk := newKey(t, 6)
	other := secp256k1.GenPrivKey()
	multi := kmultisig.NewLegacyAminoPubKey(1, []cryptotypes.PubKey{pk, other.PubKey()})
	require.Len(t, multi.Address(), 20)
	require.Len(t, multi.GetPubKeys(), 2)
	require.True(t, multi.GetPubKeys()[0].Equals(pk))

	msg := []byte("multisig sign bytes")
	sig, err := sigscheme.SignRaw(sk, msg)
	require.NoError(t, err)
	require.True(t, multi.GetPubKeys()[0].VerifySignature(msg, sig))
}

// The SDK's mldsa65 key verifies with an empty FIPS 204 context, so a
// signature made with sigscheme.SignRaw(MLDSA65) is a valid SDK account
// signature, and the other way round. The same holds for Ed25519.
func TestSDKInterop(t *testing.T) {
	msg := []byte("cosmos sign bytes")

	mlSK, err := sigscheme.GenerateKey(sigscheme.MLDSA65, seeded(7))
	require.NoError(t, err)
	sdkML := &mldsa65.PubKey{Key: mlSK.Public().Bytes()}
	sig, err := sigscheme.SignRaw(mlSK, msg)
	require.NoError(t, err)
	require.True(t, sdkML.VerifySignature(msg, sig), "SDK mldsa65 must accept sigscheme.SignRaw")
	dsig, err := mlSK.Sign(sigscheme.Domain{ChainID: "adf-1", Purpose: "tx"}, msg)
	require.NoError(t, err)
	require.False(t, sdkML.VerifySignature(msg, dsig), "a domain-bound signature must not verify as raw")

	sdkSK, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	sdkSig, err := sdkSK.Sign(msg)
	require.NoError(t, err)
	pk, err := sigscheme.ParsePublicKey(sigscheme.MLDSA65, sdkSK.PubKey().Bytes())
	require.NoError(t, err)
	require.NoError(t, sigscheme.VerifyRaw(pk, msg, sdkSig), "sigscheme must accept the SDK's mldsa65 signatures")

	edSK, err := sigscheme.GenerateKey(sigscheme.Ed25519, seeded(8))
	require.NoError(t, err)
	edSig, err := sigscheme.SignRaw(edSK, msg)
	require.NoError(t, err)
	require.True(t, (&ed25519.PubKey{Key: edSK.Public().Bytes()}).VerifySignature(msg, edSig))
}
