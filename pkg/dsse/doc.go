// Package dsse implements the Dead Simple Signing Envelope (DSSE) v1
// (https://github.com/secure-systems-lab/dsse, protocol.md and envelope.md
// v1.0) as ADF uses it: strict parsing of JSON envelopes, the
// pre-authentication encoding [PAE], a canonical envelope [Envelope.Digest],
// and ADF signatures over the PAE made with pkg/sigscheme.
//
// It depends only on the Go standard library and pkg/sigscheme; it must never
// import the Cosmos SDK, CometBFT or Fabric.
//
// # Parsing
//
// [Parse] is stricter than the DSSE envelope specification in three
// deliberate ways, so that one envelope has exactly one meaning for every ADF
// component (on-chain and off):
//
//   - Unknown and duplicate fields are rejected (in the envelope object and in
//     each signature object). envelope.md says consumers MUST ignore
//     unrecognised fields; an ADF validator would otherwise accept bytes
//     whose extra fields some other tool interprets.
//   - payload and sig must be canonical standard base64 (RFC 4648 Section 4,
//     "+/" alphabet, with padding, zero pad bits, no whitespace or line
//     breaks). envelope.md also allows URL-safe base64. Every envelope and
//     Sigstore bundle in the project's real-data set (17 envelopes from the
//     DSSE spec, Rekor, in-toto-golang, GUAC and sigstore-go) uses canonical
//     standard base64, so nothing real is lost; URL-safe input gets an
//     error saying so.
//   - payloadType must be non-empty (envelope.md only requires it to be
//     present) and every signature's sig non-empty. keyid may be absent; as
//     the spec requires, absent is treated as "".
//
// The input size is checked before any decoding, and the number of
// signatures is checked while reading them ([Limits]).
//
// # ADF signatures
//
// [Sign] and [Verify] sign PAE(payloadType, payload) with a sigscheme key
// under the domain {ChainID: chainID, Purpose: "dsse"} ([Purpose]), so a
// DSSE signature made for one chain never verifies on another and can never
// be confused with any other ADF signature over the same bytes. The keyid of
// an ADF signature is the signer's bech32 chain address; this package treats
// it as an opaque string.
//
// # Sigstore
//
// [ParseSigstoreBundle] extracts the DSSE envelope from a Sigstore bundle
// (media types v0.1 to v0.3) so that its in-toto statement and subjects can be
// indexed. This package does NOT verify Sigstore's signatures (ECDSA/RSA
// keys, Fulcio certificate chains, Rekor inclusion proofs, signed entry
// timestamps or RFC 3161 timestamps): an envelope obtained from a bundle is
// unauthenticated data until verified by other means (e.g. sigstore-go).
package dsse
