package merkle

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

type write struct {
	level uint8
	index uint64
	h     Hash
}

// recorder records writes and forwards them to an optional store.
type recorder struct {
	next   NodeWriter
	writes []write
	failAt int // fail the failAt-th write from now (1-based); 0 = never
}

func (r *recorder) SetNode(level uint8, index uint64, h Hash) error {
	if r.failAt > 0 {
		r.failAt--
		if r.failAt == 0 {
			return errors.New("injected write failure")
		}
	}
	r.writes = append(r.writes, write{level, index, h})
	if r.next != nil {
		return r.next.SetNode(level, index, h)
	}
	return nil
}

func TestLogWritesEveryPerfectNode(t *testing.T) {
	// After n appends the store must hold exactly the perfect subtrees of [0,n).
	rec := &recorder{}
	log := NewLog(rec)
	const n = 1000
	for i := uint64(0); i < n; i++ {
		if _, err := log.Append(testLeaf(i)); err != nil {
			t.Fatal(err)
		}
	}
	want := 0
	for k := 0; k < 64; k++ {
		want += int(uint64(n) >> k)
	}
	if len(rec.writes) != want {
		t.Fatalf("%d writes, want %d", len(rec.writes), want)
	}
	seen := map[[2]uint64]bool{}
	for _, w := range rec.writes {
		key := [2]uint64{uint64(w.level), w.index}
		if seen[key] {
			t.Fatalf("node %v written twice", key)
		}
		seen[key] = true
		if (w.index+1)<<w.level > n {
			t.Fatalf("node %v is not complete in a tree of %d", key, n)
		}
		ref := refMTH(leavesRange(w.index<<w.level, (w.index+1)<<w.level))
		if w.h != ref {
			t.Fatalf("node %v hash mismatch", key)
		}
	}
}

func leavesRange(a, b uint64) []Hash {
	out := make([]Hash, 0, b-a)
	for i := a; i < b; i++ {
		out = append(out, testLeaf(i))
	}
	return out
}

func TestResumeLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	sizes := []uint64{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 255, 256, 257, 1000, 1023, 1024, 1025}
	for i := 0; i < 10; i++ {
		sizes = append(sizes, rng.Uint64N(3000))
	}
	for _, n := range sizes {
		store := NewMemStore()
		orig := NewLog(store)
		for i := uint64(0); i < n; i++ {
			if _, err := orig.Append(testLeaf(i)); err != nil {
				t.Fatal(err)
			}
		}
		recOrig := &recorder{next: store}
		orig.w = recOrig
		recRes := &recorder{}
		res, err := ResumeLog(n, store, recRes)
		if err != nil {
			t.Fatalf("ResumeLog(%d): %v", n, err)
		}
		if res.Size() != n || res.Root() != orig.Root() {
			t.Fatalf("ResumeLog(%d): size %d root %x, want %d %x", n, res.Size(), res.Root(), n, orig.Root())
		}
		for i := n; i < n+300; i++ {
			a, err1 := orig.Append(testLeaf(i))
			b, err2 := res.Append(testLeaf(i))
			if err1 != nil || err2 != nil || a != i || b != i {
				t.Fatalf("Append after resume: %d %v, %d %v", a, err1, b, err2)
			}
			if orig.Root() != res.Root() {
				t.Fatalf("resumed at %d: roots diverge at size %d", n, i+1)
			}
		}
		if len(recOrig.writes) != len(recRes.writes) {
			t.Fatalf("resumed at %d: %d writes vs %d", n, len(recRes.writes), len(recOrig.writes))
		}
		for i := range recOrig.writes {
			if recOrig.writes[i] != recRes.writes[i] {
				t.Fatalf("resumed at %d: write %d differs", n, i)
			}
		}
		if got, _ := RootAt(n+300, store); got != res.Root() {
			t.Fatalf("RootAt after resume mismatch")
		}
	}
}

func TestResumeLogErrors(t *testing.T) {
	if _, err := ResumeLog(5, nil, nil); err == nil {
		t.Fatal("nil store accepted")
	}
	if _, err := ResumeLog(5, NewMemStore(), nil); !errors.Is(err, ErrNodeNotFound) {
		t.Fatalf("empty store: %v", err)
	}
	// An append interrupted before its top node is written must make
	// ResumeLog at the new size fail rather than compute a wrong root.
	store := NewMemStore()
	log := NewLog(store)
	for i := uint64(0); i < 7; i++ {
		_, _ = log.Append(testLeaf(i))
	}
	rootBefore := log.Root()
	// Appending leaf 7 writes (0,7), (1,3), (2,1), (3,0); fail the last one.
	log.w = &recorder{next: store, failAt: 4}
	if _, err := log.Append(testLeaf(7)); err == nil {
		t.Fatal("injected failure not reported")
	}
	if log.Size() != 7 || log.Root() != rootBefore {
		t.Fatal("failed Append changed the log")
	}
	if _, err := ResumeLog(8, store, nil); !errors.Is(err, ErrNodeNotFound) {
		t.Fatalf("ResumeLog over interrupted append: %v", err)
	}
	if r, err := ResumeLog(7, store, nil); err != nil || r.Root() != rootBefore {
		t.Fatalf("ResumeLog(7) after interrupted append: %v", err)
	}
	// Retrying succeeds and matches a clean log.
	log.w = store
	if i, err := log.Append(testLeaf(7)); err != nil || i != 7 {
		t.Fatalf("retry: %d %v", i, err)
	}
	clean := NewLog(nil)
	for i := uint64(0); i < 8; i++ {
		_, _ = clean.Append(testLeaf(i))
	}
	if clean.Root() != log.Root() {
		t.Fatal("retried append diverges from clean log")
	}
	if r, err := ResumeLog(8, store, nil); err != nil || r.Root() != clean.Root() {
		t.Fatalf("ResumeLog(8) after retry: %v", err)
	}
}

// constStore returns the same hash for every node.
type constStore struct{}

func (constStore) GetNode(uint8, uint64) (Hash, error) { return Hash{7}, nil }

func TestLogFull(t *testing.T) {
	l, err := ResumeLog(math.MaxUint64-1, constStore{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if i, err := l.Append(Hash{1}); err != nil || i != math.MaxUint64-1 {
		t.Fatalf("Append at 2^64-2: %d %v", i, err)
	}
	if _, err := l.Append(Hash{1}); !errors.Is(err, ErrLogFull) {
		t.Fatalf("Append at 2^64-1: %v", err)
	}
	if l.Size() != math.MaxUint64 {
		t.Fatal("size changed")
	}
	_ = l.Root() // must not panic
}

// TestConcurrentAppendAndProofs mirrors the batcher: one goroutine appends
// while others serve and verify proofs for already-published sizes from the
// same MemStore (run with -race).
func TestConcurrentAppendAndProofs(t *testing.T) {
	store := NewMemStore()
	log := NewLog(store)
	type checkpoint struct {
		size uint64
		root Hash
	}
	published := make(chan checkpoint, 64)
	done := make(chan error, 2)
	for w := 0; w < 2; w++ {
		go func(seed uint64) {
			rng := rand.New(rand.NewPCG(seed, seed))
			var prev checkpoint
			for cp := range published {
				i := rng.Uint64N(cp.size)
				p, err := InclusionProof(i, cp.size, store)
				if err == nil {
					err = VerifyInclusion(i, cp.size, testLeaf(i), p, cp.root)
				}
				if err == nil && prev.size > 0 {
					var c []Hash
					c, err = ConsistencyProof(prev.size, cp.size, store)
					if err == nil {
						err = VerifyConsistency(prev.size, cp.size, c, prev.root, cp.root)
					}
				}
				if err != nil {
					done <- err
					for range published {
					}
					return
				}
				prev = cp
			}
			done <- nil
		}(uint64(w))
	}
	for i := uint64(0); i < 5000; i++ {
		if _, err := log.Append(testLeaf(i)); err != nil {
			t.Fatal(err)
		}
		if i%37 == 0 {
			published <- checkpoint{log.Size(), log.Root()}
		}
	}
	close(published)
	for w := 0; w < 2; w++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
