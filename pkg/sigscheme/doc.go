// Package sigscheme is ADF's chain-agnostic signature library. It depends only
// on the Go standard library and github.com/cloudflare/circl (for ML-DSA); it
// must never import the Cosmos SDK, CometBFT or Fabric, so that every ADF
// component (Cosmos modules, Fabric chaincode, CLIs, offline verifiers) signs
// and verifies bytes identically.
//
// # Algorithms
//
//   - [Ed25519]: RFC 8032 Ed25519.
//   - [MLDSA65]: FIPS 204 ML-DSA-65 ("pure" ML-DSA, external interface,
//     Algorithms 2 and 3 of FIPS 204).
//   - [Composite]: id-MLDSA65-Ed25519-SHA512 (OID 1.3.6.1.5.5.7.6.48) from
//     draft-ietf-lamps-pq-composite-sigs-19 (IETF LAMPS, 21 April 2026),
//     Sections 2.1-2.2 (pre-hashing, Prefix/Label/ctx), 3.2 (Sign),
//     3.3 (Verify), 4 (serialization) and 6 (algorithm identifiers and
//     parameters). This is NOT circl's eddilithium scheme, which is a
//     different (pre-standard) construction.
//
// # Domains
//
// Every signature made through [PrivateKey.Sign] is bound to a [Domain]
// (chain id and purpose). The domain is encoded by [Domain.Context] as
//
//	"adf/v1|" || ChainID || "|" || Purpose
//
// (neither field may contain '|', Purpose must be non-empty, total at most
// 255 bytes), and that byte string is used as follows:
//
//   - Ed25519: as the context of Ed25519ctx (RFC 8032 Section 5.1,
//     dom2(0, ctx)). A domain signature therefore can never be confused with a
//     plain Ed25519 signature (e.g. a Cosmos transaction signature) over the
//     same bytes, nor with a signature for another domain.
//   - ML-DSA-65: as the FIPS 204 context string ctx.
//   - Composite: as the draft's application context ctx inside
//     M' = Prefix || Label || len(ctx) || ctx || SHA-512(M).
//
// [SignRaw] and [VerifyRaw] use no ADF domain: pure Ed25519, ML-DSA-65 with the
// empty context, and the composite with the empty ctx. They exist for
// interoperability with external verifiers and for Cosmos transaction
// signatures whose sign bytes already bind the chain id. Because every ADF
// domain context is non-empty, a raw signature never verifies under a domain
// and vice versa.
//
// # Determinism
//
// Signing is deterministic for all algorithms: Ed25519 is deterministic by
// construction, and ML-DSA-65 (alone and inside the composite) uses the
// deterministic variant of FIPS 204 (rnd = 0^32, FIPS 204 Section 3.4,
// Algorithm 2 with the deterministic option). The hedged variant's benefit is
// resistance to fault and some side-channel attacks on the signing device; ADF
// signers are ordinary servers and CLIs, and reproducible signatures give
// known-answer tests and byte-for-byte reproducible release artefacts. The
// composite draft permits either variant for its ML-DSA component; verifiers
// accept both, since ML-DSA verification does not depend on rnd.
//
// # Encodings
//
// Public keys: Ed25519 32 bytes (RFC 8032), ML-DSA-65 1952 bytes (FIPS 204
// pkEncode), composite = ML-DSA-65 pk || Ed25519 pk (1984 bytes, draft
// Section 4.1). Private keys are seeds: Ed25519 32-byte RFC 8032 seed,
// ML-DSA-65 32-byte FIPS 204 KeyGen seed xi, composite = ML-DSA seed ||
// Ed25519 seed (64 bytes, draft Section 4.2). Signatures: 64, 3309 and
// 3309+64 bytes; the composite is ML-DSA-65 sig || Ed25519 sig and is valid
// only if both components verify. All lengths are checked strictly.
//
// The text form of a public key is "<algorithm>:<standard base64 with
// padding>", e.g. "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".
package sigscheme
