package batchlog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
	tdproof "github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/adf-consortium/adf/pkg/merkle"
)

func sub(i int) Submission {
	env := []byte(fmt.Sprintf(`{"payloadType":"t","payload":"%d","signatures":[]}`, i))
	return Submission{
		Envelope: env,
		Digest:   sha256.Sum256(env),
		Subjects: [][32]byte{sha256.Sum256([]byte(fmt.Sprintf("subject-%d", i%3)))},
	}
}

func appendMany(t *testing.T, l *Log, from, to int) []Receipt {
	t.Helper()
	out := make([]Receipt, to-from)
	var wg sync.WaitGroup
	errs := make(chan error, to-from)
	for i := from; i < to; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := l.Append(context.Background(), sub(i))
			if err != nil {
				errs <- err
				return
			}
			out[i-from] = r
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return out
}

func checkReceipts(t *testing.T, l *Log, from int, rs []Receipt) {
	t.Helper()
	size := l.Size()
	root, err := l.RootAt(size)
	if err != nil {
		t.Fatal(err)
	}
	for k, r := range rs {
		s := sub(from + k)
		e, err := l.Entry(r.Index)
		if err != nil {
			t.Fatalf("receipt %d: %v", r.Index, err)
		}
		if e.EnvelopeDigest != s.Digest || string(e.Envelope) != string(s.Envelope) || e.LeafHash != r.LeafHash {
			t.Fatalf("entry %d does not match its receipt", r.Index)
		}
		if LeafHash(e.Salt, e.Envelope) != e.LeafHash {
			t.Fatalf("entry %d: leaf is not H(salt||envelope)", r.Index)
		}
		p, err := l.InclusionProof(r.Index, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := merkle.VerifyInclusion(r.Index, size, r.LeafHash, p, root); err != nil {
			t.Fatalf("entry %d: %v", r.Index, err)
		}
		// The standard RFC 6962 verifier (Sigstore's) accepts it too.
		raw := make([][]byte, len(p))
		for i := range p {
			raw[i] = p[i][:]
		}
		if err := tdproof.VerifyInclusion(rfc6962.DefaultHasher, r.Index, size, r.LeafHash[:], raw, root[:]); err != nil {
			t.Fatalf("entry %d, transparency-dev verifier: %v", r.Index, err)
		}
	}
}

func TestAppendIdempotentSearch(t *testing.T) {
	l, err := Open(t.TempDir(), "acme/b1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rs := appendMany(t, l, 0, 200)
	if l.Size() != 200 {
		t.Fatalf("size %d", l.Size())
	}
	checkReceipts(t, l, 0, rs)
	// Resubmission returns the same receipt and writes nothing.
	for _, i := range []int{0, 17, 199} {
		r, err := l.Append(context.Background(), sub(i))
		if err != nil {
			t.Fatal(err)
		}
		if !r.Existing || r.Index != rs[i].Index || r.LeafHash != rs[i].LeafHash {
			t.Fatalf("resubmission %d: %+v, want %+v", i, r, rs[i])
		}
	}
	if l.Size() != 200 {
		t.Fatalf("size after resubmission %d", l.Size())
	}
	if st := l.Stats(); st.Appended != 200 || st.Duplicates != 3 || st.Batches == 0 {
		t.Fatalf("stats %+v", st)
	}
	got, err := l.Search(sha256.Sum256([]byte("subject-1")), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 67 {
		t.Fatalf("search found %d, want 67", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatal("search not in index order")
		}
	}
}

func TestDuplicateWithinOneBatch(t *testing.T) {
	l, err := Open(t.TempDir(), "acme/b1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var wg sync.WaitGroup
	rs := make([]Receipt, 50)
	for i := range rs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, err := l.Append(context.Background(), sub(7))
			if err != nil {
				t.Error(err)
			}
			rs[i] = r
		}(i)
	}
	wg.Wait()
	if l.Size() != 1 {
		t.Fatalf("size %d, want 1", l.Size())
	}
	for _, r := range rs {
		if r.Index != 0 || r.LeafHash != rs[0].LeafHash {
			t.Fatalf("receipt %+v", r)
		}
	}
}

func TestReopenResumes(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, "acme/b1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	rs := appendMany(t, l, 0, 100)
	root100, _ := l.RootAt(100)
	if err := l.SetAnchored(Anchored{TreeSize: 100, RootHash: root100, Height: 5}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, "other/log", Options{}); err == nil {
		t.Fatal("opened another log's database")
	}
	l, err = Open(dir, "acme/b1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Size() != 100 || l.Anchored().TreeSize != 100 || l.Anchored().Height != 5 {
		t.Fatalf("size %d anchored %+v", l.Size(), l.Anchored())
	}
	rs2 := appendMany(t, l, 100, 150)
	checkReceipts(t, l, 0, rs)
	checkReceipts(t, l, 100, rs2)
	// Consistency from the anchored root to the new one.
	root150, _ := l.RootAt(150)
	p, err := l.ConsistencyProof(100, 150)
	if err != nil {
		t.Fatal(err)
	}
	if err := merkle.VerifyConsistency(100, 150, p, root100, root150); err != nil {
		t.Fatal(err)
	}
	raw := make([][]byte, len(p))
	for i := range p {
		raw[i] = p[i][:]
	}
	if err := tdproof.VerifyConsistency(rfc6962.DefaultHasher, 100, 150, raw, root100[:], root150[:]); err != nil {
		t.Fatalf("transparency-dev verifier: %v", err)
	}
}

// TestCrashKeepsAcknowledged simulates kill -9: the database is never
// closed, and the file system is cloned keeping only what was synced (or a
// random part of the unsynced data). Every acknowledged entry must be there
// with a valid proof, and the log must keep working.
func TestCrashKeepsAcknowledged(t *testing.T) {
	for seed := int64(0); seed < 4; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			fs := vfs.NewCrashableMem()
			l, err := Open("db", "acme/b1", Options{FS: fs})
			if err != nil {
				t.Fatal(err)
			}
			rs := appendMany(t, l, 0, 300)
			// In-flight submissions racing with the crash: not acknowledged
			// before the clone, so they may or may not survive.
			go func() {
				for i := 300; i < 400; i++ {
					_, _ = l.Append(context.Background(), sub(i))
				}
			}()
			crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: int(seed * 30), RNG: rand.New(rand.NewPCG(uint64(seed), 1))})
			l2, err := Open("db", "acme/b1", Options{FS: crashed})
			if err != nil {
				t.Fatal(err)
			}
			defer l2.Close()
			if l2.Size() < 300 {
				t.Fatalf("size %d after crash, 300 acknowledged", l2.Size())
			}
			checkReceipts(t, l2, 0, rs)
			for i := uint64(300); i < l2.Size(); i++ {
				if _, err := l2.Entry(i); err != nil {
					t.Fatalf("entry %d inside the recovered tree: %v", i, err)
				}
			}
			// Resubmitting acknowledged entries is idempotent after restart.
			r, err := l2.Append(context.Background(), sub(42))
			if err != nil || !r.Existing || r.Index != rs[42].Index {
				t.Fatalf("resubmission after crash: %+v %v", r, err)
			}
			rs3 := appendMany(t, l2, 1000, 1010)
			checkReceipts(t, l2, 1000, rs3)
		})
	}
}

func TestEraseKeepsProofs(t *testing.T) {
	l, err := Open(t.TempDir(), "acme/b1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rs := appendMany(t, l, 0, 10)
	root, _ := l.RootAt(10)
	if err := l.SetAnchored(Anchored{TreeSize: 10, RootHash: root, Height: 3}); err != nil {
		t.Fatal(err)
	}
	if err := l.SetAnchored(Anchored{TreeSize: 5, RootHash: root, Height: 3}); err == nil {
		t.Fatal("SetAnchored accepted a root that is not the log's")
	}
	e, err := l.Erase(rs[4].Index, "GDPR request 17")
	if err != nil {
		t.Fatal(err)
	}
	if !e.Erased || e.Envelope != nil || e.Salt != nil {
		t.Fatalf("erased entry %+v", e)
	}
	if _, err := l.Erase(rs[4].Index, "again"); !errors.Is(err, ErrErased) {
		t.Fatalf("second erase: %v", err)
	}
	got, err := l.Entry(rs[4].Index)
	if err != nil || !got.Erased || got.Envelope != nil || got.EraseReason != "GDPR request 17" || got.LeafHash != rs[4].LeafHash {
		t.Fatalf("entry after erase %+v %v", got, err)
	}
	p, err := l.ProofToAnchored(rs[4].Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := merkle.VerifyInclusion(p.Index, p.Anchored.TreeSize, p.LeafHash, p.Proof, root); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Entry(99); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing entry: %v", err)
	}
	appendMany(t, l, 10, 11)
	if _, err := l.ProofToAnchored(10); !errors.Is(err, ErrNotAnchored) {
		t.Fatalf("unanchored proof: %v", err)
	}
}

// TestEraseRemovesBytesFromDisk: after Erase and a restart, neither the
// envelope nor the salt of the erased entry is anywhere in the database
// directory.
func TestEraseRemovesBytesFromDisk(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, "acme/b1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	rs := appendMany(t, l, 0, 50)
	e, err := l.Entry(rs[20].Index)
	if err != nil {
		t.Fatal(err)
	}
	salt, env := e.Salt, e.Envelope
	if _, err := l.Erase(rs[20].Index, "test"); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Pebble keeps obsolete WAL files for recycling while it runs; a
	// restart deletes them.
	if l, err = Open(dir, "acme/b1", Options{}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, salt) || bytes.Contains(b, env) {
			t.Errorf("%s still holds the erased entry's salt or envelope", f.Name())
		}
	}
}
