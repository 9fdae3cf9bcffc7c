package merkle

import (
	"math/rand/v2"
	"testing"
)

// go test -run '^$' -bench . -benchmem ./pkg/merkle

func BenchmarkAppend(b *testing.B) {
	leaves := make([]Hash, 1024)
	for i := range leaves {
		leaves[i] = testLeaf(uint64(i))
	}
	log := NewLog(NewMemStore())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := log.Append(leaves[i&1023]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInclusionProof(b *testing.B) {
	tr := getLargeTree(b) // 1<<20+3 leaves
	rng := rand.New(rand.NewPCG(1, 1))
	idx := make([]uint64, 1024)
	for i := range idx {
		idx[i] = rng.Uint64N(largeSize)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := InclusionProof(idx[i&1023], largeSize, tr.store); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConsistencyProof(b *testing.B) {
	tr := getLargeTree(b)
	rng := rand.New(rand.NewPCG(2, 2))
	s1 := make([]uint64, 1024)
	for i := range s1 {
		s1[i] = 1 + rng.Uint64N(largeSize-1)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := ConsistencyProof(s1[i&1023], largeSize, tr.store); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyInclusion(b *testing.B) {
	tr := getLargeTree(b)
	root := tr.roots[largeSize]
	rng := rand.New(rand.NewPCG(3, 3))
	type tc struct {
		i uint64
		p []Hash
	}
	cases := make([]tc, 1024)
	for k := range cases {
		i := rng.Uint64N(largeSize)
		p, err := InclusionProof(i, largeSize, tr.store)
		if err != nil {
			b.Fatal(err)
		}
		cases[k] = tc{i, p}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		c := &cases[n&1023]
		if err := VerifyInclusion(c.i, largeSize, tr.leaves[c.i], c.p, root); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyConsistency(b *testing.B) {
	tr := getLargeTree(b)
	root2 := tr.roots[largeSize]
	rng := rand.New(rand.NewPCG(4, 4))
	type tc struct {
		s1    uint64
		root1 Hash
		p     []Hash
	}
	cases := make([]tc, 256)
	for k := range cases {
		s1 := 1 + rng.Uint64N(largeSize-1)
		r1, err := RootAt(s1, tr.store)
		if err != nil {
			b.Fatal(err)
		}
		p, err := ConsistencyProof(s1, largeSize, tr.store)
		if err != nil {
			b.Fatal(err)
		}
		cases[k] = tc{s1, r1, p}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		c := &cases[n&255]
		if err := VerifyConsistency(c.s1, largeSize, c.p, c.root1, root2); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRootAt(b *testing.B) {
	tr := getLargeTree(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := RootAt(largeSize-uint64(i&1023), tr.store); err != nil {
			b.Fatal(err)
		}
	}
}
