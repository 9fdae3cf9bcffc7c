package merkle

import "crypto/sha256"

// Hash is a SHA-256 Merkle tree hash.
type Hash [32]byte

const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// emptyRoot is SHA-256 of the empty string.
var emptyRoot = Hash(sha256.Sum256(nil))

// LeafHash returns the RFC 6962 leaf hash SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{leafPrefix})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash returns the RFC 6962 interior node hash SHA-256(0x01 || left || right).
// It does not allocate.
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*len(Hash{})]byte
	buf[0] = nodePrefix
	copy(buf[1:], left[:])
	copy(buf[1+len(left):], right[:])
	return sha256.Sum256(buf[:])
}

// EmptyRoot returns the root of the empty tree, SHA-256("").
func EmptyRoot() Hash { return emptyRoot }
