package app

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/mldsa65"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/cosmos/cosmos-sdk/crypto/types/multisig"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/app/crypto/composite"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// SigByteGas is charged per byte of every signature, on top of the
// verification cost of its key type. Signatures differ in size by a factor
// of fifty (Ed25519 and secp256k1: 64 bytes; ML-DSA-65: 3309 bytes; composite
// ML-DSA-65+Ed25519: 3373 bytes) and every byte is hashed, gossiped and kept
// in blocks forever, so the size is priced explicitly and not only through
// x/auth's per-byte cost of the whole tx.
const SigByteGas uint64 = 10

// Nominal signature sizes of the account key types. Verification rejects any
// other size; the gas consumer charges at least this many bytes so that a
// simulated tx (which carries empty signatures) is priced like the real one.
const sigSizeSecp256k1 = 64

var (
	sigSizeEd25519   = sigscheme.Ed25519.SignatureSize()
	sigSizeMlDsa65   = sigscheme.MLDSA65.SignatureSize()
	sigSizeComposite = sigscheme.Composite.SignatureSize()
)

// SigVerificationGasConsumer replaces ante.DefaultSigVerificationGasConsumer
// for the account key types of ADF:
//
//   - secp256k1: params.SigVerifyCostSecp256k1
//   - Ed25519: params.SigVerifyCostED25519
//   - ML-DSA-65: params.SigVerifyCostMlDsa65
//   - composite ML-DSA-65+Ed25519: SigVerifyCostMlDsa65 + SigVerifyCostED25519
//   - multisig: the sum over the signatures present, each priced by this
//     function (so a multisig may hold any of the key types above)
//
// plus SigByteGas per signature byte (at least the nominal size of the key
// type). Any other key type is rejected.
func SigVerificationGasConsumer(meter storetypes.GasMeter, sig signing.SignatureV2, params authtypes.Params) error {
	switch pubkey := sig.PubKey.(type) {
	case *secp256k1.PubKey:
		meter.ConsumeGas(params.SigVerifyCostSecp256k1, "ante verify: secp256k1")
		return consumeSigBytes(meter, sig.Data, sigSizeSecp256k1)
	case *ed25519.PubKey:
		meter.ConsumeGas(params.SigVerifyCostED25519, "ante verify: ed25519")
		return consumeSigBytes(meter, sig.Data, sigSizeEd25519)
	case *mldsa65.PubKey:
		meter.ConsumeGas(params.SigVerifyCostMlDsa65, "ante verify: ml_dsa_65")
		return consumeSigBytes(meter, sig.Data, sigSizeMlDsa65)
	case *composite.CompositePubKey:
		meter.ConsumeGas(params.SigVerifyCostMlDsa65, "ante verify: composite (ml_dsa_65 part)")
		meter.ConsumeGas(params.SigVerifyCostED25519, "ante verify: composite (ed25519 part)")
		return consumeSigBytes(meter, sig.Data, sigSizeComposite)
	case multisig.PubKey:
		multiSig, ok := sig.Data.(*signing.MultiSignatureData)
		if !ok {
			return errorsmod.Wrapf(sdkerrors.ErrInvalidType, "multisig key needs %T, got %T", &signing.MultiSignatureData{}, sig.Data)
		}
		return consumeMultisigGas(meter, multiSig, pubkey, params, sig.Sequence)
	case nil:
		return errorsmod.Wrap(sdkerrors.ErrInvalidPubKey, "signer has no public key")
	default:
		return errorsmod.Wrapf(sdkerrors.ErrInvalidPubKey,
			"account key type %T (%s) is not accepted: ADF accounts use secp256k1, ed25519, ml_dsa_65 or composite ML-DSA-65+Ed25519 keys",
			pubkey, pubkey.Type())
	}
}

// consumeSigBytes charges SigByteGas for each byte of a single signature,
// counting at least nominal bytes.
func consumeSigBytes(meter storetypes.GasMeter, data signing.SignatureData, nominal int) error {
	single, ok := data.(*signing.SingleSignatureData)
	if !ok {
		return errorsmod.Wrapf(sdkerrors.ErrInvalidType, "single key needs %T, got %T", &signing.SingleSignatureData{}, data)
	}
	n := max(len(single.Signature), nominal)
	meter.ConsumeGas(uint64(n)*SigByteGas, "ante verify: signature bytes")
	return nil
}

// consumeMultisigGas is ante.ConsumeMultisignatureVerificationGas with its
// bounds checks, recursing into SigVerificationGasConsumer instead of the
// SDK's default consumer (which would refuse composite sub-keys and charge no
// signature bytes).
func consumeMultisigGas(meter storetypes.GasMeter, sig *signing.MultiSignatureData, pubkey multisig.PubKey, params authtypes.Params, accSeq uint64) error {
	if sig.BitArray == nil {
		return errorsmod.Wrap(sdkerrors.ErrInvalidType, "multisig signature has no bit array")
	}
	size := sig.BitArray.Count()
	pubKeys := pubkey.GetPubKeys()
	// The bit array is attacker-controlled and reaches this consumer before
	// VerifyMultisignature runs its own checks: bound it by the key set.
	if len(pubKeys) != size {
		return fmt.Errorf("bit array size is incorrect, expecting: %d", len(pubKeys))
	}
	sigIndex := 0
	for i := range size {
		if !sig.BitArray.GetIndex(i) {
			continue
		}
		if sigIndex >= len(sig.Signatures) {
			return fmt.Errorf("signature size is incorrect %d", len(sig.Signatures))
		}
		sub := signing.SignatureV2{PubKey: pubKeys[i], Data: sig.Signatures[sigIndex], Sequence: accSeq}
		if err := SigVerificationGasConsumer(meter, sub, params); err != nil {
			return err
		}
		sigIndex++
	}
	return nil
}
