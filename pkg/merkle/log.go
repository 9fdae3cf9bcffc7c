package merkle

import (
	"errors"
	"math"
	"math/bits"
)

// Log appends leaves, writing every completed perfect-subtree node to the
// writer, and keeps the compact range (right border) so Root() is O(log n).
// A Log is not safe for concurrent use.
type Log struct {
	w    NodeWriter
	size uint64
	// rng[k] is the hash of the perfect subtree of height k on the right
	// border; it is meaningful only when bit k of size is set.
	rng [64]Hash
}

// NewLog returns an empty log that writes nodes to w. A nil w is allowed and
// means nodes are not persisted (only Root is available).
func NewLog(w NodeWriter) *Log { return &Log{w: w} }

// ResumeLog rebuilds the compact range of a log of the given size from stored
// nodes after a restart; subsequent appends are written to w. It reads one
// node per set bit of size and fails (wrapping ErrNodeNotFound) if any of them
// is missing, e.g. because an earlier Append was interrupted.
func ResumeLog(size uint64, s NodeStore, w NodeWriter) (*Log, error) {
	l := &Log{w: w, size: size}
	if size == 0 {
		return l, nil
	}
	if s == nil {
		return nil, errors.New("merkle: ResumeLog: nil NodeStore for non-empty log")
	}
	for rest := size; rest != 0; rest &= rest - 1 {
		k := uint8(bits.TrailingZeros64(rest))
		idx := (size >> k) - 1
		h, err := s.GetNode(k, idx)
		if err != nil {
			return nil, nodeError(k, idx, err)
		}
		l.rng[k] = h
	}
	return l, nil
}

// Append adds a leaf hash (see LeafHash) and returns its index. The leaf and
// every perfect subtree it completes are written to the writer, bottom-up. If
// the writer fails, the log is left unchanged and Append may be retried.
func (l *Log) Append(leaf Hash) (uint64, error) {
	n := l.size
	if n == math.MaxUint64 {
		return 0, ErrLogFull
	}
	if l.w != nil {
		if err := l.w.SetNode(0, n, leaf); err != nil {
			return 0, err
		}
	}
	h := leaf
	level := uint8(0)
	for (n>>level)&1 == 1 {
		h = NodeHash(l.rng[level], h)
		level++
		if l.w != nil {
			if err := l.w.SetNode(level, n>>level, h); err != nil {
				return 0, err
			}
		}
	}
	l.rng[level] = h
	l.size = n + 1
	return n, nil
}

// Size returns the number of leaves.
func (l *Log) Size() uint64 { return l.size }

// Root returns the RFC 6962 root of the current tree (EmptyRoot for size 0).
func (l *Log) Root() Hash {
	if l.size == 0 {
		return emptyRoot
	}
	rest := l.size
	k := bits.TrailingZeros64(rest)
	r := l.rng[k]
	for rest &= rest - 1; rest != 0; rest &= rest - 1 {
		k = bits.TrailingZeros64(rest)
		r = NodeHash(l.rng[k], r)
	}
	return r
}
