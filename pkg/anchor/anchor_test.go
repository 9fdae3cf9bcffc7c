package anchor

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/pkg/merkle"
)

type testLog struct {
	store *merkle.MemStore
	log   *merkle.Log
}

func newTestLog(prefix string, n int) *testLog {
	s := merkle.NewMemStore()
	l := &testLog{store: s, log: merkle.NewLog(s)}
	l.append(prefix, n)
	return l
}

func (l *testLog) append(prefix string, n int) {
	for i := 0; i < n; i++ {
		if _, err := l.log.Append(merkle.LeafHash([]byte(fmt.Sprintf("%s-%d", prefix, l.log.Size())))); err != nil {
			panic(err)
		}
	}
}

func (l *testLog) root() []byte { r := l.log.Root(); return r[:] }

func (l *testLog) proof(a, b uint64) [][]byte {
	p, err := merkle.ConsistencyProof(a, b, l.store)
	if err != nil {
		panic(err)
	}
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = append([]byte(nil), p[i][:]...)
	}
	return out
}

func TestCheckExtension(t *testing.T) {
	honest := newTestLog("entry", 5)
	head := &Head{TreeSize: 5, RootHash: honest.root(), AnchoredAt: "height 1"}
	root5 := honest.root()
	honest.append("entry", 7)
	fork := newTestLog("entry", 5)
	fork.append("forked", 7)

	cases := []struct {
		name string
		head *Head
		u    RootUpdate
		max  uint64
		want error
		msg  string
	}{
		{"first root", nil, RootUpdate{"acme/log", 5, root5, nil}, 100, nil, ""},
		{"first root with proof", nil, RootUpdate{"acme/log", 5, root5, honest.proof(5, 12)}, 100, ErrInvalidConsistencyProof, "no anchored root yet"},
		{"extension", head, RootUpdate{"acme/log", 12, honest.root(), honest.proof(5, 12)}, 100, nil, ""},
		{"fork", head, RootUpdate{"acme/log", 12, fork.root(), honest.proof(5, 12)}, 100, ErrInvalidConsistencyProof, "cannot be anchored"},
		{"shrunk", head, RootUpdate{"acme/log", 4, root5, nil}, 100, ErrLogShrunk, "smaller than"},
		{"same root", head, RootUpdate{"acme/log", 5, root5, nil}, 100, ErrRootAlreadyAnchored, "anchored at height 1"},
		{"same size other root", head, RootUpdate{"acme/log", 5, fork.root(), nil}, 100, ErrLogForked, "differs"},
		{"quota", head, RootUpdate{"acme/log", 12, honest.root(), honest.proof(5, 12)}, 6, ErrQuotaExceeded, "grows by 7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := ValidateRootUpdate(c.u); err != nil {
				t.Fatalf("ValidateRootUpdate: %v", err)
			}
			_, err := CheckExtension(c.head, c.u, "acme", c.max)
			if c.want == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want %v containing %q", err, c.want, c.msg)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, id := range []string{"", "/x", "a//b", "a/", "a b", strings.Repeat("a", 257)} {
		if err := ValidateLogID(id); !errors.Is(err, ErrInvalidLogID) {
			t.Errorf("log id %q: got %v", id, err)
		}
	}
	if err := ValidateRootUpdate(RootUpdate{LogID: "l", TreeSize: 1, RootHash: make([]byte, 31)}); !errors.Is(err, ErrInvalidRootHash) {
		t.Errorf("short root: %v", err)
	}
	if err := ValidateRootUpdate(RootUpdate{LogID: "l", TreeSize: 0, RootHash: make([]byte, 32)}); !errors.Is(err, ErrInvalidTreeSize) {
		t.Errorf("zero size: %v", err)
	}
	if err := ValidateRiskClass("Release"); !errors.Is(err, ErrInvalidRiskClass) {
		t.Errorf("risk class: %v", err)
	}
	if err := ValidateScope(""); !errors.Is(err, ErrInvalidScope) {
		t.Errorf("scope: %v", err)
	}
}

func TestNextUsage(t *testing.T) {
	u := Usage{}
	var err error
	for i := 0; i < 2; i++ {
		if u, err = NextUsage(u, "acme", 86400*3+5, 2); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := NextUsage(u, "acme", 86400*3+6, 2); !errors.Is(err, ErrQuotaExceeded) {
		t.Fatalf("third anchor of the day: %v", err)
	}
	if u, err = NextUsage(u, "acme", 86400*4, 2); err != nil || u.Count != 1 || u.Day != 4 {
		t.Fatalf("next day: %+v %v", u, err)
	}
	if DayOf(-1) != -1 {
		t.Fatal("DayOf floors")
	}
}

// FuzzParseEnvelope: any bytes give a Statement or an error wrapping one of
// the package's rules, never a panic.
func FuzzParseEnvelope(f *testing.F) {
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	lim := EnvelopeLimits{MaxEnvelopeBytes: 1 << 16, MaxSubjects: 8}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, env, err := ParseEnvelope(lim, data)
		if err == nil {
			if env == nil {
				t.Fatal("nil envelope without error")
			}
			return
		}
		if !errors.Is(err, ErrInvalidEnvelope) && !errors.Is(err, ErrEnvelopeTooLarge) && !errors.Is(err, ErrInvalidStatement) {
			t.Fatalf("error wraps no rule: %v", err)
		}
	})
}
