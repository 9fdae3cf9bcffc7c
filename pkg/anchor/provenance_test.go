package anchor

import (
	"fmt"
	"testing"
)

// memSource: attestation i has subject "s<i>" and material "s<i-1>"; all
// links exist.
type memSource struct{ n int }

func (m memSource) WithSubject(d []byte, limit int) ([]Node[int], bool, error) {
	var i int
	if _, err := fmt.Sscanf(string(d), "s%d", &i); err != nil || i < 1 || i > m.n {
		return nil, false, nil
	}
	return []Node[int]{{Digest: []byte(fmt.Sprintf("e%d", i)), Sequence: uint64(i), Materials: [][]byte{[]byte(fmt.Sprintf("s%d", i-1))}, Value: i}}, false, nil
}

func (m memSource) Linked(material, digest []byte) (bool, error) { return true, nil }

func TestProvenance(t *testing.T) {
	steps, truncated, err := Provenance[int](memSource{n: 5}, []byte("s5"), 16, 8)
	if err != nil || truncated || len(steps) != 5 {
		t.Fatalf("%d steps, truncated %v, %v", len(steps), truncated, err)
	}
	for i, s := range steps {
		if s.Value != i+1 || s.Depth != uint32(4-i) {
			t.Fatalf("step %d: %+v", i, s)
		}
	}
	steps, truncated, _ = Provenance[int](memSource{n: 5}, []byte("s5"), 2, 8)
	if !truncated || len(steps) != 2 {
		t.Fatalf("depth 2: %d steps, truncated %v", len(steps), truncated)
	}
	if steps, _, _ := Provenance[int](memSource{n: 5}, []byte("nothing"), 16, 8); len(steps) != 0 {
		t.Fatal("unknown subject")
	}
}
