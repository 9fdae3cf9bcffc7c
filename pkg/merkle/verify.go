package merkle

import "math/bits"

// VerifyInclusion checks that proof is a valid RFC 6962 audit path for leaf
// (a leaf hash) at index in the tree of the given size with the given root.
// It never panics and does not allocate on success.
//
// Errors: ErrIndexOutOfRange (index >= size), *ProofLengthError
// (ErrProofLength), *RootMismatchError (ErrRootMismatch).
func VerifyInclusion(index, size uint64, leaf Hash, proof []Hash, root Hash) error {
	if index >= size {
		return indexError(index, size)
	}
	inner, border := proofShape(index, size)
	if want := inner + border; len(proof) != want {
		return &ProofLengthError{Expected: want, Got: len(proof)}
	}
	h := chainInner(leaf, proof[:inner], index)
	h = chainBorder(h, proof[inner:])
	if h != root {
		return &RootMismatchError{Which: "root", Expected: root, Computed: h}
	}
	return nil
}

// VerifyConsistency checks that proof is a valid RFC 6962 consistency proof
// between the tree of size1 with root1 and the tree of size2 with root2.
// Its acceptance behaviour matches transparency-dev/merkle proof.VerifyConsistency
// exactly, including: size1 == size2 requires an empty proof and root1 == root2;
// size1 == 0 < size2 requires an empty proof and accepts any roots.
// It never panics and does not allocate on success.
//
// Errors: ErrSizeOrder (size1 > size2), *ProofLengthError (ErrProofLength),
// *RootMismatchError (ErrRootMismatch; Which is "root1" or "root2").
func VerifyConsistency(size1, size2 uint64, proof []Hash, root1, root2 Hash) error {
	switch {
	case size1 > size2:
		return sizeOrderError(size1, size2)
	case size1 == size2:
		if len(proof) != 0 {
			return &ProofLengthError{Expected: 0, Got: len(proof)}
		}
		if root1 != root2 {
			return &RootMismatchError{Which: "root2", Expected: root2, Computed: root1}
		}
		return nil
	case size1 == 0:
		if len(proof) != 0 {
			return &ProofLengthError{Expected: 0, Got: len(proof)}
		}
		return nil
	}

	// 0 < size1 < size2. The proof is (optionally) the root of the largest
	// perfect subtree ending at size1, then the audit path of that subtree in
	// the size2 tree; see ConsistencyProof.
	shift := bits.TrailingZeros64(size1)
	inner, border := proofShape(size1-1, size2)
	inner -= shift // inner > shift because size1 < size2.
	start := 1
	if size1 == 1<<uint(shift) {
		start = 0
	}
	if want := start + inner + border; len(proof) != want {
		return &ProofLengthError{Expected: want, Got: len(proof)}
	}
	seed := root1
	if start == 1 {
		seed = proof[0]
	}
	path := proof[start:]
	mask := (size1 - 1) >> uint(shift)

	h1 := chainInnerRight(seed, path[:inner], mask)
	h1 = chainBorder(h1, path[inner:])
	if h1 != root1 {
		return &RootMismatchError{Which: "root1", Expected: root1, Computed: h1}
	}
	h2 := chainInner(seed, path[:inner], mask)
	h2 = chainBorder(h2, path[inner:])
	if h2 != root2 {
		return &RootMismatchError{Which: "root2", Expected: root2, Computed: h2}
	}
	return nil
}

// chainInner hashes seed (at position index on its level) with the siblings
// below the divergence point, choosing the side from the index bits.
func chainInner(seed Hash, proof []Hash, index uint64) Hash {
	for i := range proof {
		if (index>>uint(i))&1 == 0 {
			seed = NodeHash(seed, proof[i])
		} else {
			seed = NodeHash(proof[i], seed)
		}
	}
	return seed
}

// chainInnerRight is chainInner restricted to left siblings: it recomputes
// the older (smaller) version of the subtree.
func chainInnerRight(seed Hash, proof []Hash, index uint64) Hash {
	for i := range proof {
		if (index>>uint(i))&1 == 1 {
			seed = NodeHash(proof[i], seed)
		}
	}
	return seed
}

// chainBorder hashes seed with left siblings on the right border.
func chainBorder(seed Hash, proof []Hash) Hash {
	for i := range proof {
		seed = NodeHash(proof[i], seed)
	}
	return seed
}
