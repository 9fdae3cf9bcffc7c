package merkle

import "math/bits"

// RootAt returns the RFC 6962 root of the first size leaves, computed from at
// most one stored node per set bit of size.
func RootAt(size uint64, s NodeStore) (Hash, error) {
	if size == 0 {
		return emptyRoot, nil
	}
	return rangeHash(s, 0, size)
}

// rangeHash returns the hash of the (possibly imperfect) subtree covering
// leaves [begin, end), where begin is a multiple of the smallest power of two
// that is >= end-begin (true for the tree itself and for every right-border
// subtree). end > begin.
func rangeHash(s NodeStore, begin, end uint64) (Hash, error) {
	rest := end - begin
	// Walk the perfect subtrees right to left (smallest first).
	k := uint8(bits.TrailingZeros64(rest))
	idx := (end >> k) - 1
	r, err := s.GetNode(k, idx)
	if err != nil {
		return Hash{}, nodeError(k, idx, err)
	}
	end -= 1 << k
	for rest &= rest - 1; rest != 0; rest &= rest - 1 {
		k = uint8(bits.TrailingZeros64(rest))
		idx = (end >> k) - 1
		h, err := s.GetNode(k, idx)
		if err != nil {
			return Hash{}, nodeError(k, idx, err)
		}
		r = NodeHash(h, r)
		end -= 1 << k
	}
	return r, nil
}

// subtreeHash returns the hash of node (level, index) in the tree of the given
// size, clipped to size: a stored node if it is complete, otherwise the
// ephemeral right-border hash recomputed from stored nodes.
func subtreeHash(s NodeStore, level uint8, index, size uint64) (Hash, error) {
	begin := index << level
	if size-begin >= 1<<level {
		h, err := s.GetNode(level, index)
		if err != nil {
			return Hash{}, nodeError(level, index, err)
		}
		return h, nil
	}
	return rangeHash(s, begin, size)
}

// proofShape splits the audit path of leaf index in a tree of size into the
// part below the point where the paths to index and size-1 diverge (inner)
// and the left siblings above it (border). Requires index < size.
func proofShape(index, size uint64) (inner, border int) {
	inner = bits.Len64(index ^ (size - 1))
	border = bits.OnesCount64(index >> uint(inner))
	return inner, border
}

// appendPath appends the audit path of leaf index in a tree of size, starting
// at level start, ordered bottom to top.
func appendPath(dst []Hash, s NodeStore, index, size uint64, start, inner int) ([]Hash, error) {
	for i := start; i < inner; i++ {
		h, err := subtreeHash(s, uint8(i), (index>>uint(i))^1, size)
		if err != nil {
			return nil, err
		}
		dst = append(dst, h)
	}
	for i := inner; i < 64; i++ {
		if (index>>uint(i))&1 == 1 {
			idx := (index >> uint(i)) - 1
			h, err := s.GetNode(uint8(i), idx)
			if err != nil {
				return nil, nodeError(uint8(i), idx, err)
			}
			dst = append(dst, h)
		}
	}
	return dst, nil
}

// InclusionProof returns the RFC 6962 / RFC 9162 audit path for leaf index in
// the tree of the first size leaves, ordered from the leaf's sibling upwards.
func InclusionProof(index, size uint64, s NodeStore) ([]Hash, error) {
	if index >= size {
		return nil, indexError(index, size)
	}
	inner, border := proofShape(index, size)
	return appendPath(make([]Hash, 0, inner+border), s, index, size, 0, inner)
}

// ConsistencyProof returns the RFC 6962 consistency proof between the trees
// of the first size1 and size2 leaves. It is empty if size1 == 0 or
// size1 == size2.
func ConsistencyProof(size1, size2 uint64, s NodeStore) ([]Hash, error) {
	if size1 > size2 {
		return nil, sizeOrderError(size1, size2)
	}
	if size1 == 0 || size1 == size2 {
		return []Hash{}, nil
	}
	// The proof is the root of the largest perfect subtree ending at size1
	// (omitted when that subtree is the whole size1 tree, whose root the
	// verifier already has), followed by its audit path in the size2 tree.
	shift := bits.TrailingZeros64(size1)
	last := size1 - 1
	inner, border := proofShape(last, size2)
	n := inner - shift + border
	var proof []Hash
	if size1 != 1<<uint(shift) {
		proof = make([]Hash, 0, n+1)
		idx := last >> uint(shift)
		h, err := s.GetNode(uint8(shift), idx)
		if err != nil {
			return nil, nodeError(uint8(shift), idx, err)
		}
		proof = append(proof, h)
	} else {
		proof = make([]Hash, 0, n)
	}
	return appendPath(proof, s, last, size2, shift, inner)
}
