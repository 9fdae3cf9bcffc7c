package batchlog

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"
)

func TestDigestFilterHasNoFalseNegatives(t *testing.T) {
	f := newDigestFilter(1000)
	var fp int
	for i := range 20000 {
		d := sha256.Sum256([]byte{byte(i), byte(i >> 8), 1})
		if i%2 == 0 {
			f.add(&d)
		}
	}
	for i := range 20000 {
		d := sha256.Sum256([]byte{byte(i), byte(i >> 8), 1})
		if i%2 == 0 && !f.mayContain(&d) {
			t.Fatalf("false negative %d", i)
		}
		if i%2 == 1 && f.mayContain(&d) {
			fp++
		}
	}
	if fp > 10 {
		t.Fatalf("%d false positives in 10000", fp)
	}
}

func waitFilterReady(t *testing.T, l *Log) *digestFilter {
	t.Helper()
	for range 500 {
		if f := l.filter.Load(); f != nil && f.ready.Load() {
			return f
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("filter never ready")
	return nil
}

// The filter is rebuilt from the database on Open and grown when full:
// resubmissions are still recognised, new entries still appended.
func TestDigestFilterAcrossReopenAndGrowth(t *testing.T) {
	old := filterMinCapacity
	filterMinCapacity = 8
	defer func() { filterMinCapacity = old }()
	dir := t.TempDir()
	l, err := Open(dir, "acme/b1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	waitFilterReady(t, l)
	first := appendMany(t, l, 0, 40) // grows the filter (capacity 8, then 16, …)
	f := waitFilterReady(t, l)
	if f.capacity <= 8 {
		t.Fatalf("filter did not grow: capacity %d", f.capacity)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err = Open(dir, "acme/b1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	waitFilterReady(t, l)
	for i := 0; i < 40; i++ {
		r, err := l.Append(context.Background(), sub(i))
		if err != nil || !r.Existing || r.Index != first[i].Index {
			t.Fatalf("resubmission %d: %+v %v (first %+v)", i, r, err, first[i])
		}
	}
	r, err := l.Append(context.Background(), sub(40))
	if err != nil || r.Existing || r.Index != 40 {
		t.Fatalf("new entry: %+v %v", r, err)
	}
}
