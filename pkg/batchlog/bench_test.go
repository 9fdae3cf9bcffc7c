package batchlog

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAppendDurable: the storage path alone (group commit, fsync
// before every answer) with 32 concurrent submitters and envelope-sized
// (4.6 KB, a composite-signed envelope) entries.
func BenchmarkAppendDurable(b *testing.B) {
	l, err := Open(b.TempDir(), "acme/b1", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	pad := strings.Repeat("x", 4600)
	subs := make([]Submission, b.N)
	for i := range subs {
		env := []byte(fmt.Sprintf(`{"p":"%d%s"}`, i, pad))
		subs[i] = Submission{Envelope: env, Digest: sha256.Sum256(env), Subjects: [][32]byte{sha256.Sum256(env[:12])}}
	}
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := l.Append(context.Background(), subs[next.Add(1)-1]); err != nil {
				b.Error(err)
				return
			}
		}
	})
	st := l.Stats()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
	b.ReportMetric(float64(st.Appended)/float64(max(st.Batches, 1)), "entries/commit")
}
