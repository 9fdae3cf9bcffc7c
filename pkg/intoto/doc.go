// Package intoto parses and builds in-toto attestation Statements (v1, and
// v0.1 for reading existing data) and the two predicates ADF follows through
// a provenance chain (commit → build → image → test → deploy): SLSA
// Provenance v1 and in-toto test-result v0.1.
//
// It depends only on the Go standard library and pkg/dsse (for
// [StatementFromEnvelope]); it must never import the Cosmos SDK, CometBFT or
// Fabric. Statements normally travel inside DSSE envelopes; this package does
// not verify signatures (see pkg/dsse).
//
// # Strictness
//
// [ParseStatement] checks the size before decoding, requires valid UTF-8 and
// a single JSON object with no duplicate keys at any depth, matches member
// names exactly (encoding/json would match them case-insensitively), and
// requires: _type = Statement v1 (v0.1 is accepted and reported by
// [Statement.Legacy]); at least one subject; a non-empty digest set on every
// subject; a non-empty predicateType; a predicate, if present, that is a JSON
// object. Digest values of known algorithms must be lowercase hex of the
// algorithm's length (sha256 64, sha512 128, sha1 40, gitCommit 40 or 64 for
// SHA-1 and SHA-256 repositories, …); values of other algorithm names must
// be non-empty but are otherwise not checked (the in-toto spec allows custom
// algorithms). Following the in-toto parsing rules, unrecognised members are
// ignored (they are dropped by [Statement.Marshal]; ADF identifies an
// attestation by its DSSE envelope digest, which covers the original bytes).
// For a v1 statement whose predicateType is SLSA Provenance v1 or test-result
// v0.1 the predicate must also parse with [ParseSLSAProvenance] or
// [ParseTestResult].
//
// Errors name the offending field, e.g. "subject[2].digest.sha256".
package intoto
