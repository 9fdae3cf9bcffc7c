// Package merkle implements the RFC 6962 (Certificate Transparency) Merkle
// tree as used by ADF's off-chain batcher, the x/attestation module and the
// offline `adf verify` command.
//
// The hashing scheme is exactly RFC 6962 §2.1 / RFC 9162 §2.1.1 with SHA-256:
//
//	MTH({})      = SHA-256("")
//	leaf hash    = SHA-256(0x00 || data)
//	interior     = SHA-256(0x01 || left || right)
//
// Proofs produced by InclusionProof and ConsistencyProof are byte-for-byte
// the RFC 6962 audit paths and consistency proofs, and VerifyInclusion and
// VerifyConsistency accept exactly the inputs that
// github.com/transparency-dev/merkle/proof accepts with rfc6962.DefaultHasher.
//
// # Storage model
//
// Only perfect (complete) subtree hashes are ever stored: node (level, index)
// covers leaves [index<<level, (index+1)<<level). A node, once written, never
// changes, so proofs against any earlier tree size can be served from the same
// store while appends continue. Hashes of the ragged right edge of a tree
// whose size is not a power of two are recomputed on demand from stored
// perfect nodes (at most one such hash per proof, O(log n) reads).
//
// Log.Append writes the leaf and then the newly completed parents bottom-up,
// so if a process dies part-way through an append, the top-most node of the
// new compact range is missing and ResumeLog for the new size fails with
// ErrNodeNotFound rather than silently producing a wrong root. Persist the
// log size only after Append has returned (or in the same atomic batch).
//
// # Security notes for verifiers
//
//   - A (size, root) pair must come from a trusted source (an anchored
//     checkpoint). Inclusion verification binds the leaf, its index and the
//     root; as in every RFC 6962 verifier, a size that does not belong to the
//     root is not always detectable (two sizes can share the proof shape).
//   - VerifyConsistency(0, n, ...) with an empty proof succeeds for any roots,
//     matching transparency-dev/merkle: every tree is consistent with the
//     empty tree. Callers that care that root1 is the empty root must compare
//     it with EmptyRoot themselves.
//
// Log is not safe for concurrent use; MemStore is.
package merkle
