package merkle

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/transparency-dev/merkle/proof"
)

// Fuzz input layout (both targets), zero-padded to 81 bytes:
//
//	[0]      selector: mutation kind for the real-tree part
//	[1:9]    a (index / size1), little endian
//	[9:17]   b (size / size2)
//	[17:49]  hash A (leaf / root1); its first 8 bytes are also the mutation parameter
//	[49:81]  hash B (root / root2)
//	[81:]    proof hashes, 32 bytes each (a trailing partial hash is ignored)
//
// Each input is used twice: (1) verbatim as arbitrary verifier input, which
// must not panic and must get the same accept/reject decision as
// transparency-dev/merkle; (2) to pick a genuine proof from a real tree, which
// must verify, and a mutation of it, whose outcome is asserted exactly.

type fuzzInput struct {
	sel   byte
	a, b  uint64
	hA    Hash
	hB    Hash
	param uint64
	proof []Hash
}

func parseFuzz(data []byte) fuzzInput {
	var buf [81]byte
	copy(buf[:], data)
	in := fuzzInput{
		sel:   buf[0],
		a:     binary.LittleEndian.Uint64(buf[1:9]),
		b:     binary.LittleEndian.Uint64(buf[9:17]),
		param: binary.LittleEndian.Uint64(buf[17:25]),
	}
	copy(in.hA[:], buf[17:49])
	copy(in.hB[:], buf[49:81])
	if len(data) > 81 {
		rest := data[81:]
		for len(rest) >= 32 && len(in.proof) < 200 {
			var h Hash
			copy(h[:], rest)
			in.proof = append(in.proof, h)
			rest = rest[32:]
		}
	}
	return in
}

const fuzzMaxSize = 64

func FuzzVerifyInclusion(f *testing.F) {
	tr := getSmallTree(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		in := parseFuzz(data)

		// (1) Arbitrary input.
		err := VerifyInclusion(in.a, in.b, in.hA, in.proof, in.hB)
		tdev := proof.VerifyInclusion(th, in.a, in.b, in.hA[:], toBytes(in.proof), in.hB[:])
		if (err == nil) != (tdev == nil) {
			t.Fatalf("arbitrary input: ours %v, transparency-dev %v", err, tdev)
		}

		// (2) Real tree.
		n := 1 + in.b%fuzzMaxSize
		i := in.a % n
		leaf, root := tr.leaves[i], tr.roots[n]
		p, perr := InclusionProof(i, n, tr.store)
		if perr != nil {
			t.Fatal(perr)
		}
		if err := VerifyInclusion(i, n, leaf, p, root); err != nil {
			t.Fatalf("genuine proof (%d,%d) rejected: %v", i, n, err)
		}
		q := append([]Hash(nil), p...)
		mi, mn, mleaf, mroot := i, n, leaf, root
		wantAccept := false
		kind := in.sel % 8
		if kind == 0 && len(q) == 0 {
			kind = 1
		}
		switch kind {
		case 0: // flip one bit of one proof element
			bit := in.param % uint64(len(q)*256)
			q[bit/256][(bit%256)/8] ^= 1 << (bit % 8)
		case 1: // flip one bit of the leaf
			mleaf[(in.param/8)%32] ^= 1 << (in.param % 8)
		case 2: // flip one bit of the root
			mroot[(in.param/8)%32] ^= 1 << (in.param % 8)
		case 3: // other index (possibly out of range)
			mi = in.param % (n + 8)
			if mi == i {
				mi = n + 1
			}
		case 4: // other size: undetectable only if the proof shape is identical
			mn = 1 + in.param%(fuzzMaxSize+16)
			if mn == n {
				mn = n + 1
			}
			wantAccept = i < mn && sameShape(i, n, mn)
		case 5: // truncate
			if len(q) == 0 {
				q = append(q, in.hA)
			} else {
				q = q[:in.param%uint64(len(q))]
			}
		case 6: // extend
			q = append(q, in.hA)
			for k := uint64(0); k < in.param%3; k++ {
				q = append(q, in.hB)
			}
		case 7: // replace by arbitrary hashes, keeping the length
			if len(q) == 0 {
				mroot = in.hB
				wantAccept = mroot == root
			}
			for k := range q {
				if k < len(in.proof) {
					q[k] = in.proof[k]
				} else {
					q[k] = in.hB
				}
			}
			if len(q) > 0 {
				wantAccept = equalProofs(q, p)
			}
		}
		err = VerifyInclusion(mi, mn, mleaf, q, mroot)
		if (err == nil) != wantAccept {
			t.Fatalf("mutation %d of (%d,%d): err %v, want accept=%v", kind, i, n, err, wantAccept)
		}
		tdev = proof.VerifyInclusion(th, mi, mn, mleaf[:], toBytes(q), mroot[:])
		if (err == nil) != (tdev == nil) {
			t.Fatalf("mutation %d: ours %v, transparency-dev %v", kind, err, tdev)
		}
	})
}

func FuzzVerifyConsistency(f *testing.F) {
	tr := getSmallTree(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		in := parseFuzz(data)

		// (1) Arbitrary input.
		err := VerifyConsistency(in.a, in.b, in.proof, in.hA, in.hB)
		tdev := proof.VerifyConsistency(th, in.a, in.b, toBytes(in.proof), in.hA[:], in.hB[:])
		if (err == nil) != (tdev == nil) {
			t.Fatalf("arbitrary input: ours %v, transparency-dev %v", err, tdev)
		}

		// (2) Real tree.
		n2 := in.b % (fuzzMaxSize + 1)
		n1 := in.a % (n2 + 1)
		r1, r2 := smallRoot(tr, n1), smallRoot(tr, n2)
		p, perr := ConsistencyProof(n1, n2, tr.store)
		if perr != nil {
			t.Fatal(perr)
		}
		if err := VerifyConsistency(n1, n2, p, r1, r2); err != nil {
			t.Fatalf("genuine proof (%d,%d) rejected: %v", n1, n2, err)
		}
		trivial := n1 == 0 && n2 > 0
		q := append([]Hash(nil), p...)
		m1, m2, mr1, mr2 := n1, n2, r1, r2
		kind := in.sel % 8
		if kind == 0 && len(q) == 0 {
			kind = 1
		}
		genuine := false // accept iff the mutated claim is genuinely valid
		switch kind {
		case 0:
			bit := in.param % uint64(len(q)*256)
			q[bit/256][(bit%256)/8] ^= 1 << (bit % 8)
		case 1:
			mr1[(in.param/8)%32] ^= 1 << (in.param % 8)
			genuine = trivial
		case 2:
			mr2[(in.param/8)%32] ^= 1 << (in.param % 8)
			genuine = trivial
		case 3, 4: // other sizes with honest roots for them
			if kind == 3 {
				m1 = in.param % (fuzzMaxSize + 8)
			} else {
				m2 = in.param % (fuzzMaxSize + 8)
			}
			mr1, mr2 = smallRoot(tr, m1), smallRoot(tr, m2)
			if m1 <= m2 {
				g, gerr := ConsistencyProof(m1, m2, tr.store)
				genuine = gerr == nil && equalProofs(g, q)
			}
		case 5:
			if len(q) == 0 {
				q = append(q, in.hA)
			} else {
				q = q[:in.param%uint64(len(q))]
			}
		case 6:
			q = append(q, in.hA)
			for k := uint64(0); k < in.param%3; k++ {
				q = append(q, in.hB)
			}
		case 7: // replace by arbitrary hashes and roots
			for k := range q {
				if k < len(in.proof) {
					q[k] = in.proof[k]
				} else {
					q[k] = in.hB
				}
			}
			mr1, mr2 = in.hA, in.hB
			switch {
			case trivial:
				genuine = true
			case n1 == n2:
				genuine = mr1 == mr2
			default:
				genuine = equalProofs(q, p) && mr1 == r1 && mr2 == r2
			}
		}
		err = VerifyConsistency(m1, m2, q, mr1, mr2)
		if (err == nil) != genuine {
			t.Fatalf("mutation %d of (%d,%d) -> (%d,%d): err %v, want accept=%v", kind, n1, n2, m1, m2, err, genuine)
		}
		if kind == 3 || kind == 4 {
			if m1 > m2 && !errors.Is(err, ErrSizeOrder) {
				t.Fatalf("size1 %d > size2 %d: %v", m1, m2, err)
			}
		}
		tdev = proof.VerifyConsistency(th, m1, m2, toBytes(q), mr1[:], mr2[:])
		if (err == nil) != (tdev == nil) {
			t.Fatalf("mutation %d: ours %v, transparency-dev %v", kind, err, tdev)
		}
	})
}

// TestFuzzSeedsRawValid makes sure the raw-valid-* seed files really are
// valid proofs, so the seed corpus exercises the accept path.
func TestFuzzSeedsRawValid(t *testing.T) {
	for _, target := range []string{"FuzzVerifyInclusion", "FuzzVerifyConsistency"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "raw-valid-*"))
		if len(files) == 0 {
			t.Fatalf("no raw-valid seeds for %s", target)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(src)), "\n")
			if len(lines) != 2 || lines[0] != "go test fuzz v1" {
				t.Fatalf("%s: bad corpus file", f)
			}
			s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			in := parseFuzz([]byte(s))
			if target == "FuzzVerifyInclusion" {
				err = VerifyInclusion(in.a, in.b, in.hA, in.proof, in.hB)
			} else {
				err = VerifyConsistency(in.a, in.b, in.proof, in.hA, in.hB)
			}
			if err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}
