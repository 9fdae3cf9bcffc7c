package merkle

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/transparency-dev/merkle/proof"
)

func sameShape(index, n1, n2 uint64) bool {
	a, b := proofShapeOK(index, n1), proofShapeOK(index, n2)
	return a == b
}

func proofShapeOK(index, size uint64) [2]int {
	i, b := proofShape(index, size)
	return [2]int{i, b}
}

func wantLength(t *testing.T, err error, expected, got int) {
	t.Helper()
	var ple *ProofLengthError
	if !errors.As(err, &ple) || !errors.Is(err, ErrProofLength) || ple.Expected != expected || ple.Got != got {
		t.Fatalf("got error %v, want ProofLengthError{Expected: %d, Got: %d}", err, expected, got)
	}
}

func TestVerifyInclusionRejects(t *testing.T) {
	tr := getSmallTree(t)
	for n := uint64(1); n <= 64; n++ {
		root := tr.roots[n]
		for i := uint64(0); i < n; i++ {
			leaf := tr.leaves[i]
			p, _ := InclusionProof(i, n, tr.store)
			if err := VerifyInclusion(i, n, leaf, p, root); err != nil {
				t.Fatalf("valid proof (%d,%d) rejected: %v", i, n, err)
			}
			// Tampered element: every bit position class (first/middle/last byte).
			for k := range p {
				for _, bit := range []int{0, 131, 255} {
					q := append([]Hash(nil), p...)
					q[k][bit/8] ^= 1 << (bit % 8)
					err := VerifyInclusion(i, n, leaf, q, root)
					var rme *RootMismatchError
					if !errors.As(err, &rme) || rme.Expected != root || rme.Which != "root" {
						t.Fatalf("(%d,%d) tampered element %d: %v", i, n, k, err)
					}
				}
			}
			// Swapped adjacent elements.
			for k := 0; k+1 < len(p); k++ {
				q := append([]Hash(nil), p...)
				q[k], q[k+1] = q[k+1], q[k]
				if err := VerifyInclusion(i, n, leaf, q, root); !errors.Is(err, ErrRootMismatch) {
					t.Fatalf("(%d,%d) swapped %d: %v", i, n, k, err)
				}
			}
			// Wrong leaf, wrong root.
			bad := leaf
			bad[31] ^= 0x80
			if err := VerifyInclusion(i, n, bad, p, root); !errors.Is(err, ErrRootMismatch) {
				t.Fatalf("(%d,%d) wrong leaf: %v", i, n, err)
			}
			if err := VerifyInclusion(i, n, tr.leaves[(i+1)%2000], p, root); !errors.Is(err, ErrRootMismatch) {
				t.Fatalf("(%d,%d) other leaf: %v", i, n, err)
			}
			badRoot := root
			badRoot[0] ^= 1
			if err := VerifyInclusion(i, n, leaf, p, badRoot); !errors.Is(err, ErrRootMismatch) {
				t.Fatalf("(%d,%d) wrong root: %v", i, n, err)
			}
			// Root of a different size.
			if err := VerifyInclusion(i, n, leaf, p, tr.roots[n+1]); !errors.Is(err, ErrRootMismatch) {
				t.Fatalf("(%d,%d) root of size %d: %v", i, n, n+1, err)
			}
			// Wrong index: every other index, and index >= size.
			for j := uint64(0); j < n+3; j++ {
				if j == i {
					continue
				}
				err := VerifyInclusion(j, n, leaf, p, root)
				if err == nil {
					t.Fatalf("(%d,%d) accepted with index %d", i, n, j)
				}
				if j >= n && !errors.Is(err, ErrIndexOutOfRange) {
					t.Fatalf("(%d,%d) index %d: %v", i, n, j, err)
				}
			}
			// Wrong size. With the root of the claimed size it must always fail.
			// With the original root, RFC 6962 verification (here and in
			// transparency-dev) cannot detect a size that yields the same
			// proof shape; assert that this is the only case that passes.
			for m := uint64(1); m <= 70; m++ {
				if m == n {
					continue
				}
				if err := VerifyInclusion(i, m, leaf, p, tr.roots[m]); err == nil {
					t.Fatalf("(%d,%d) accepted as size %d with that size's root", i, n, m)
				}
				err := VerifyInclusion(i, m, leaf, p, root)
				tdev := proof.VerifyInclusion(th, i, m, leaf[:], toBytes(p), root[:])
				if (err == nil) != (tdev == nil) {
					t.Fatalf("(%d,%d) as size %d: ours %v, transparency-dev %v", i, n, m, err, tdev)
				}
				if accept := i < m && sameShape(i, n, m); (err == nil) != accept {
					t.Fatalf("(%d,%d) as size %d: err %v, expected accept=%v", i, n, m, err, accept)
				}
			}
			// Truncated and extended proofs.
			want := len(p)
			if want > 0 {
				wantLength(t, VerifyInclusion(i, n, leaf, p[:want-1], root), want, want-1)
				wantLength(t, VerifyInclusion(i, n, leaf, nil, root), want, 0)
			}
			ext := append(append([]Hash(nil), p...), root)
			wantLength(t, VerifyInclusion(i, n, leaf, ext, root), want, want+1)
			ext = append(ext, Hash{}, Hash{})
			wantLength(t, VerifyInclusion(i, n, leaf, ext, root), want, want+3)
		}
	}
	if err := VerifyInclusion(0, 0, Hash{}, nil, EmptyRoot()); !errors.Is(err, ErrIndexOutOfRange) {
		t.Fatalf("size 0: %v", err)
	}
}

func TestVerifyConsistencyRejects(t *testing.T) {
	tr := getSmallTree(t)
	for n2 := uint64(0); n2 <= 48; n2++ {
		r2 := smallRoot(tr, n2)
		for n1 := uint64(0); n1 <= n2; n1++ {
			r1 := smallRoot(tr, n1)
			p, _ := ConsistencyProof(n1, n2, tr.store)
			if err := VerifyConsistency(n1, n2, p, r1, r2); err != nil {
				t.Fatalf("valid (%d,%d) rejected: %v", n1, n2, err)
			}
			trivial := n1 == 0 && n2 > 0 // any roots accepted (transparency-dev behaviour)
			for k := range p {
				for _, bit := range []int{0, 100, 255} {
					q := append([]Hash(nil), p...)
					q[k][bit/8] ^= 1 << (bit % 8)
					if err := VerifyConsistency(n1, n2, q, r1, r2); !errors.Is(err, ErrRootMismatch) {
						t.Fatalf("(%d,%d) tampered element %d: %v", n1, n2, k, err)
					}
				}
			}
			for k := 0; k+1 < len(p); k++ {
				if p[k] == p[k+1] {
					continue
				}
				q := append([]Hash(nil), p...)
				q[k], q[k+1] = q[k+1], q[k]
				if err := VerifyConsistency(n1, n2, q, r1, r2); !errors.Is(err, ErrRootMismatch) {
					t.Fatalf("(%d,%d) swapped %d: %v", n1, n2, k, err)
				}
			}
			if !trivial {
				bad1, bad2 := r1, r2
				bad1[5] ^= 4
				bad2[7] ^= 2
				var rme *RootMismatchError
				if err := VerifyConsistency(n1, n2, p, bad1, r2); !errors.As(err, &rme) {
					t.Fatalf("(%d,%d) wrong root1: %v", n1, n2, err)
				}
				// When size1 is a power of two, root1 itself seeds the
				// computation, so a wrong root1 surfaces as a root2 mismatch.
				if n1 != n2 && n1&(n1-1) != 0 && rme.Which != "root1" {
					t.Fatalf("(%d,%d) wrong root1 reported as %q", n1, n2, rme.Which)
				}
				if err := VerifyConsistency(n1, n2, p, r1, bad2); !errors.As(err, &rme) || rme.Which != "root2" {
					t.Fatalf("(%d,%d) wrong root2: %v", n1, n2, err)
				}
				if r1 != r2 {
					if err := VerifyConsistency(n1, n2, p, r2, r1); err == nil {
						t.Fatalf("(%d,%d) swapped roots accepted", n1, n2)
					}
				}
				// A forked log: same size2, different content.
				forked := NodeHash(r2, r2)
				if err := VerifyConsistency(n1, n2, p, r1, forked); err == nil {
					t.Fatalf("(%d,%d) forked root2 accepted", n1, n2)
				}
			}
			// size1 > size2.
			if n1 != n2 {
				if err := VerifyConsistency(n2, n1, p, r2, r1); !errors.Is(err, ErrSizeOrder) {
					t.Fatalf("(%d,%d) reversed sizes: %v", n1, n2, err)
				}
			}
			// Truncated / extended.
			want := len(p)
			if want > 0 {
				wantLength(t, VerifyConsistency(n1, n2, p[:want-1], r1, r2), want, want-1)
				wantLength(t, VerifyConsistency(n1, n2, nil, r1, r2), want, 0)
			}
			ext := append(append([]Hash(nil), p...), r2)
			wantLength(t, VerifyConsistency(n1, n2, ext, r1, r2), want, want+1)
			// Wrong sizes with honest roots for the claimed sizes: accepted
			// only if the proof is the genuine proof for those sizes; and
			// always the same decision as transparency-dev.
			for m1 := uint64(0); m1 <= n2+2; m1++ {
				for _, m2 := range []uint64{n2, n2 + 1, n2 + 2} {
					if m1 == n1 && m2 == n2 {
						continue
					}
					rm1, rm2 := smallRoot(tr, m1), smallRoot(tr, m2)
					err := VerifyConsistency(m1, m2, p, rm1, rm2)
					tdev := proof.VerifyConsistency(th, m1, m2, toBytes(p), rm1[:], rm2[:])
					if (err == nil) != (tdev == nil) {
						t.Fatalf("(%d,%d) as (%d,%d): ours %v, transparency-dev %v", n1, n2, m1, m2, err, tdev)
					}
					if err == nil {
						genuine, gerr := ConsistencyProof(m1, m2, tr.store)
						if gerr != nil || !equalProofs(genuine, p) {
							t.Fatalf("(%d,%d) proof accepted for (%d,%d)", n1, n2, m1, m2)
						}
					}
					// Same claim with the original roots: also differential.
					err = VerifyConsistency(m1, m2, p, r1, r2)
					tdev = proof.VerifyConsistency(th, m1, m2, toBytes(p), r1[:], r2[:])
					if (err == nil) != (tdev == nil) {
						t.Fatalf("(%d,%d) as (%d,%d) orig roots: ours %v, transparency-dev %v", n1, n2, m1, m2, err, tdev)
					}
				}
			}
		}
	}
}

// TestVerifyHugeSizes feeds sizes near 2^64 with random proofs of the right
// and wrong lengths: no panic, and the same decision as transparency-dev.
func TestVerifyHugeSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := []uint64{math.MaxUint64, math.MaxUint64 - 1, 1 << 63, 1<<63 + 1, 1<<63 - 1, 1 << 32, 3}
	randHash := func() Hash {
		var h Hash
		for i := range h {
			h[i] = byte(rng.Uint32())
		}
		return h
	}
	for iter := 0; iter < 3000; iter++ {
		size := sizes[rng.IntN(len(sizes))]
		if rng.IntN(2) == 0 {
			size = rng.Uint64()
		}
		index := rng.Uint64()
		if rng.IntN(4) != 0 && size > 0 {
			index = size - 1 - rng.Uint64N(min(size, 1000))
		}
		n := rng.IntN(140)
		if index < size {
			in, b := proofShape(index, size)
			n = in + b + rng.IntN(3) - 1
			if n < 0 {
				n = 0
			}
		}
		p := make([]Hash, n)
		for i := range p {
			p[i] = randHash()
		}
		leaf, root := randHash(), randHash()
		err := VerifyInclusion(index, size, leaf, p, root)
		tdev := proof.VerifyInclusion(th, index, size, leaf[:], toBytes(p), root[:])
		if err == nil || (err == nil) != (tdev == nil) {
			t.Fatalf("VerifyInclusion(%d,%d,len %d): ours %v tdev %v", index, size, n, err, tdev)
		}
		s1 := index
		s2 := size
		if s1 > s2 && rng.IntN(2) == 0 {
			s1, s2 = s2, s1
		}
		err = VerifyConsistency(s1, s2, p, leaf, root)
		tdev = proof.VerifyConsistency(th, s1, s2, toBytes(p), leaf[:], root[:])
		if (err == nil) != (tdev == nil) {
			t.Fatalf("VerifyConsistency(%d,%d,len %d): ours %v tdev %v", s1, s2, n, err, tdev)
		}
	}
	// A genuine huge-size proof shape: a tree of 2^64-1 leaves that are all
	// the same leaf has computable node hashes at every level.
	var perfect [64]Hash
	perfect[0] = LeafHash([]byte("x"))
	for k := 1; k < 64; k++ {
		perfect[k] = NodeHash(perfect[k-1], perfect[k-1])
	}
	size := uint64(math.MaxUint64)
	index := size - 1
	p := make([]Hash, 0, 64)
	for k := 0; k < 64; k++ {
		if (index>>k)&1 == 1 {
			p = append(p, perfect[k])
		}
	}
	root := chainBorder(perfect[0], p)
	if err := VerifyInclusion(index, size, perfect[0], p, root); err != nil {
		t.Fatalf("huge genuine proof: %v", err)
	}
	if err := proof.VerifyInclusion(th, index, size, perfect[0][:], toBytes(p), root[:]); err != nil {
		t.Fatalf("huge genuine proof (transparency-dev): %v", err)
	}
}

func TestVerifyZeroAlloc(t *testing.T) {
	tr := getSmallTree(t)
	p, _ := InclusionProof(777, 1999, tr.store)
	leaf, root := tr.leaves[777], tr.roots[1999]
	if a := testing.AllocsPerRun(100, func() {
		if VerifyInclusion(777, 1999, leaf, p, root) != nil {
			panic("bad")
		}
	}); a != 0 {
		t.Fatalf("VerifyInclusion allocates %v times", a)
	}
	c, _ := ConsistencyProof(777, 1999, tr.store)
	r1 := tr.roots[777]
	if a := testing.AllocsPerRun(100, func() {
		if VerifyConsistency(777, 1999, c, r1, root) != nil {
			panic("bad")
		}
	}); a != 0 {
		t.Fatalf("VerifyConsistency allocates %v times", a)
	}
}
