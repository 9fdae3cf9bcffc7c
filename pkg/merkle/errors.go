package merkle

import (
	"errors"
	"fmt"
)

var (
	// ErrNodeNotFound is returned by NodeStore.GetNode when the node is absent.
	ErrNodeNotFound = errors.New("merkle: node not found")
	// ErrIndexOutOfRange means a leaf index is >= the tree size.
	ErrIndexOutOfRange = errors.New("merkle: leaf index out of range")
	// ErrSizeOrder means size1 > size2 for a consistency proof.
	ErrSizeOrder = errors.New("merkle: size1 > size2")
	// ErrProofLength is matched (errors.Is) by every *ProofLengthError.
	ErrProofLength = errors.New("merkle: wrong proof length")
	// ErrRootMismatch is matched (errors.Is) by every *RootMismatchError.
	ErrRootMismatch = errors.New("merkle: root mismatch")
	// ErrLogFull is returned by Log.Append when the log holds 2^64-1 leaves.
	ErrLogFull = errors.New("merkle: log is full")
)

// ProofLengthError reports a proof whose length is wrong for the given
// index/size (or size1/size2).
type ProofLengthError struct {
	Expected int
	Got      int
}

func (e *ProofLengthError) Error() string {
	return fmt.Sprintf("merkle: wrong proof length: expected %d hashes, got %d", e.Expected, e.Got)
}

// Is makes errors.Is(err, ErrProofLength) true.
func (e *ProofLengthError) Is(target error) bool { return target == ErrProofLength }

// RootMismatchError reports that the root recomputed from a proof differs from
// the expected one. Which is "root" for inclusion proofs and "root1" or
// "root2" for consistency proofs. (When size1 is a power of two, root1 is
// itself the starting point of the recomputation, so a wrong root1 is
// reported as a root2 mismatch.)
type RootMismatchError struct {
	Which    string
	Expected Hash
	Computed Hash
}

func (e *RootMismatchError) Error() string {
	return fmt.Sprintf("merkle: %s mismatch: expected %x, computed %x", e.Which, e.Expected[:], e.Computed[:])
}

// Is makes errors.Is(err, ErrRootMismatch) true.
func (e *RootMismatchError) Is(target error) bool { return target == ErrRootMismatch }

func indexError(index, size uint64) error {
	return fmt.Errorf("%w: index %d >= size %d", ErrIndexOutOfRange, index, size)
}

func sizeOrderError(size1, size2 uint64) error {
	return fmt.Errorf("%w: size1 %d > size2 %d", ErrSizeOrder, size1, size2)
}

func nodeError(level uint8, index uint64, err error) error {
	return fmt.Errorf("merkle: reading node (level %d, index %d): %w", level, index, err)
}
