package merkle

import (
	"encoding/binary"
	"math/bits"
	"sync"
	"testing"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
)

// testLeaf is the leaf hash of leaf i in every test tree.
func testLeaf(i uint64) Hash {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], i)
	return LeafHash(b[:])
}

// testTree is a tree built with Log into a MemStore; every size <= len(leaves)
// can be queried from the same store.
type testTree struct {
	store  *MemStore
	leaves []Hash
	roots  map[uint64]Hash // roots recorded with transparency-dev/merkle/compact
}

func buildTree(tb testing.TB, n uint64, checkpoints map[uint64]bool) *testTree {
	tb.Helper()
	t := &testTree{store: NewMemStore(), leaves: make([]Hash, n), roots: map[uint64]Hash{}}
	log := NewLog(t.store)
	rf := &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}
	cr := rf.NewEmptyRange(0)
	for i := uint64(0); i < n; i++ {
		l := testLeaf(i)
		t.leaves[i] = l
		idx, err := log.Append(l)
		if err != nil || idx != i {
			tb.Fatalf("Append(%d) = %d, %v", i, idx, err)
		}
		if err := cr.Append(l[:], nil); err != nil {
			tb.Fatal(err)
		}
		if checkpoints == nil || checkpoints[i+1] {
			r, err := cr.GetRootHash(nil)
			if err != nil {
				tb.Fatal(err)
			}
			t.roots[i+1] = Hash(r)
		}
	}
	return t
}

var (
	smallOnce sync.Once
	smallTree *testTree // 2000 leaves, compact roots for every size

	largeOnce        sync.Once
	largeTree        *testTree // 1<<20+3 leaves, compact roots at largeCheckpoints
	largeCheckpoints = []uint64{
		1, 2, 3, 7, 8, 9, 1000, 4095, 4096, 4097, 65535, 65536, 65537, 123457,
		524287, 524288, 524289, 999999, 1000000, 1048573, 1<<20 - 1, 1 << 20,
		1<<20 + 1, 1<<20 + 2, 1<<20 + 3,
	}
)

const largeSize = 1<<20 + 3

func getSmallTree(tb testing.TB) *testTree {
	smallOnce.Do(func() { smallTree = buildTree(tb, 2000, nil) })
	return smallTree
}

func getLargeTree(tb testing.TB) *testTree {
	largeOnce.Do(func() {
		cp := map[uint64]bool{}
		for _, c := range largeCheckpoints {
			cp[c] = true
		}
		largeTree = buildTree(tb, largeSize, cp)
	})
	return largeTree
}

func toBytes(p []Hash) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		h := p[i]
		out[i] = h[:]
	}
	return out
}

// ---- Reference implementation: RFC 6962 §2.1, written from the text. ----

func largestPow2Below(n int) int { // largest power of two k with k < n, n > 1
	return 1 << (bits.Len(uint(n-1)) - 1)
}

// refMTH is MTH(D[n]) over leaf hashes.
func refMTH(d []Hash) Hash {
	switch len(d) {
	case 0:
		return EmptyRoot()
	case 1:
		return d[0]
	}
	k := largestPow2Below(len(d))
	return NodeHash(refMTH(d[:k]), refMTH(d[k:]))
}

// refPath is PATH(m, D[n]).
func refPath(m int, d []Hash) []Hash {
	if len(d) == 1 {
		return nil
	}
	k := largestPow2Below(len(d))
	if m < k {
		return append(refPath(m, d[:k]), refMTH(d[k:]))
	}
	return append(refPath(m-k, d[k:]), refMTH(d[:k]))
}

// refProof is PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
func refProof(m int, d []Hash) []Hash { return refSubproof(m, d, true) }

func refSubproof(m int, d []Hash, b bool) []Hash {
	n := len(d)
	if m == n {
		if b {
			return nil
		}
		return []Hash{refMTH(d)}
	}
	k := largestPow2Below(n)
	if m <= k {
		return append(refSubproof(m, d[:k], b), refMTH(d[k:]))
	}
	return append(refSubproof(m-k, d[k:], false), refMTH(d[:k]))
}

func equalProofs(a, b []Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
