package app_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	kmultisig "github.com/cosmos/cosmos-sdk/crypto/keys/multisig"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256r1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	"github.com/cosmos/cosmos-sdk/crypto/types/multisig"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/app"
	"github.com/adf-consortium/adf/app/crypto/composite"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

func compositePub(t *testing.T) *composite.CompositePubKey {
	t.Helper()
	sk, err := sigscheme.GenerateKey(sigscheme.Composite, nil)
	require.NoError(t, err)
	pk, err := composite.NewPubKey(sk.Public().Bytes())
	require.NoError(t, err)
	return pk
}

func singleSig(pk cryptotypes.PubKey, n int) signing.SignatureV2 {
	return signing.SignatureV2{PubKey: pk, Data: &signing.SingleSignatureData{SignMode: signing.SignMode_SIGN_MODE_DIRECT, Signature: make([]byte, n)}}
}

func consume(t *testing.T, sig signing.SignatureV2) (uint64, error) {
	t.Helper()
	meter := storetypes.NewInfiniteGasMeter()
	err := app.SigVerificationGasConsumer(meter, sig, authtypes.DefaultParams())
	return meter.GasConsumed(), err
}

func TestSigGasPerKeyType(t *testing.T) {
	p := authtypes.DefaultParams()
	ml, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	cases := []struct {
		name   string
		pk     cryptotypes.PubKey
		sigLen int
		want   uint64
	}{
		{"secp256k1", secp256k1.GenPrivKey().PubKey(), 64, p.SigVerifyCostSecp256k1 + 64*app.SigByteGas},
		{"ed25519", ed25519.GenPrivKey().PubKey(), 64, p.SigVerifyCostED25519 + 64*app.SigByteGas},
		{"ml_dsa_65", ml.PubKey(), 3309, p.SigVerifyCostMlDsa65 + 3309*app.SigByteGas},
		{"composite", compositePub(t), 3373, p.SigVerifyCostMlDsa65 + p.SigVerifyCostED25519 + 3373*app.SigByteGas},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := consume(t, singleSig(tc.pk, tc.sigLen))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			// Simulation carries empty signatures: priced at the nominal size.
			got, err = consume(t, singleSig(tc.pk, 0))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			// An oversized signature pays for every byte (verification refuses it later).
			got, err = consume(t, singleSig(tc.pk, tc.sigLen+100))
			require.NoError(t, err)
			require.Equal(t, tc.want+100*app.SigByteGas, got)
		})
	}
	// ML-DSA-65 signatures are ~50x Ed25519 signatures, and so is their byte gas.
	require.Equal(t, 3309, sigscheme.MLDSA65.SignatureSize())
	require.Equal(t, 3373, sigscheme.Composite.SignatureSize())
}

func TestSigGasMultisig(t *testing.T) {
	p := authtypes.DefaultParams()
	ml, err := mldsa65.GenPrivKey()
	require.NoError(t, err)
	comp := compositePub(t)
	keys := []cryptotypes.PubKey{secp256k1.GenPrivKey().PubKey(), ml.PubKey(), comp}
	multi := kmultisig.NewLegacyAminoPubKey(2, keys)

	// Signatures by keys 1 (ML-DSA-65) and 2 (composite).
	data := multisig.NewMultisig(len(keys))
	data.BitArray.SetIndex(1, true)
	data.BitArray.SetIndex(2, true)
	data.Signatures = []signing.SignatureData{
		&signing.SingleSignatureData{Signature: make([]byte, 3309)},
		&signing.SingleSignatureData{Signature: make([]byte, 3373)},
	}
	got, err := consume(t, signing.SignatureV2{PubKey: multi, Data: data})
	require.NoError(t, err)
	want := p.SigVerifyCostMlDsa65 + 3309*app.SigByteGas + p.SigVerifyCostMlDsa65 + p.SigVerifyCostED25519 + 3373*app.SigByteGas
	require.Equal(t, want, got)

	// A bit array that does not match the key set is refused.
	bad := multisig.NewMultisig(len(keys) + 1)
	_, err = consume(t, signing.SignatureV2{PubKey: multi, Data: bad})
	require.ErrorContains(t, err, "bit array size")
	// More set bits than signatures.
	short := multisig.NewMultisig(len(keys))
	short.BitArray.SetIndex(0, true)
	_, err = consume(t, signing.SignatureV2{PubKey: multi, Data: short})
	require.ErrorContains(t, err, "signature size")
	// A multisig key with single-signature data.
	_, err = consume(t, singleSig(multi, 64))
	require.Error(t, err)
	// A single key with multisig data.
	_, err = consume(t, signing.SignatureV2{PubKey: comp, Data: data})
	require.Error(t, err)
}

func TestSigGasRejectsUnknownKeyTypes(t *testing.T) {
	r1, err := secp256r1.GenPrivKey()
	require.NoError(t, err)
	_, err = consume(t, singleSig(r1.PubKey(), 64))
	require.ErrorContains(t, err, "is not accepted")
	_, err = consume(t, signing.SignatureV2{Data: &signing.SingleSignatureData{}})
	require.ErrorContains(t, err, "no public key")
}
