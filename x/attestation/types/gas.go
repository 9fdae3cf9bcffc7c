package types

import "github.com/adf-consortium/adf/pkg/sigscheme"

// Gas charged by MsgAnchorAttestation on top of the store's own metering.
// The envelope's bytes are charged before it is parsed and the signature
// verification before it runs, so a transaction that fails either step has
// paid for the work done. The verification prices are deliberately not CPU
// time alone (docs/benchmarks.md measures an ML-DSA-65 verify at about the
// cost of an Ed25519 one): they price the consortium's chosen ratio for
// post-quantum material, whose keys and signatures are 50-60 times larger
// and are loaded, hashed and kept by every validator. The envelope's own
// size is priced per byte on top.
const (
	// GasPerEnvelopeByte is charged per byte of the envelope.
	GasPerEnvelopeByte uint64 = 10
	// GasVerifyEd25519 is charged for one Ed25519 verification.
	GasVerifyEd25519 uint64 = 1_000
	// GasVerifyMLDSA65 is charged for one ML-DSA-65 verification.
	GasVerifyMLDSA65 uint64 = 10_000
	// GasVerifyComposite is charged for one composite ML-DSA-65+Ed25519
	// verification (both components).
	GasVerifyComposite uint64 = GasVerifyMLDSA65 + GasVerifyEd25519
	// GasPerProofHash is charged per consistency-proof hash of MsgAnchorRoot
	// (a few SHA-256 compressions each).
	GasPerProofHash uint64 = 50
)

// VerifyGas returns the gas charged for verifying one signature of alg, or
// false for an unknown algorithm.
func VerifyGas(alg sigscheme.Algorithm) (uint64, bool) {
	switch alg {
	case sigscheme.Ed25519:
		return GasVerifyEd25519, true
	case sigscheme.MLDSA65:
		return GasVerifyMLDSA65, true
	case sigscheme.Composite:
		return GasVerifyComposite, true
	}
	return 0, false
}
