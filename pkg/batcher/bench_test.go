package batcher

import (
	"bytes"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// signMany makes n distinct composite-signed envelopes (in parallel).
func signMany(b *testing.B, sk sigscheme.PrivateKey, keyID string, n int) [][]byte {
	out := make([][]byte, n)
	var wg sync.WaitGroup
	var next atomic.Int64
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				out[i] = envelope(b, dsse.PayloadTypeInToto, statement(i), keyID, sk)
			}
		}()
	}
	wg.Wait()
	return out
}

// cpuTime is the process's user+system CPU time so far (the benchmarks
// report CPU µs per operation next to the wall-clock rates: other work on
// the machine shows in the rates, not in the CPU cost).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIngestComposite: parallel POST /v1/entries through the handler
// with distinct composite-signed envelopes: strict parsing, signature
// verification with the (cached) chain key, per-block authorisation cache,
// group commit with fsync before every receipt. Compare its entries/s with
// BenchmarkVerifyComposite's verifies/s from the same run.
func BenchmarkIngestComposite(b *testing.B) {
	ch := newFakeChain()
	sk := ch.register(b, "adf1ci", sigscheme.Composite)
	envs := signMany(b, sk, "adf1ci", b.N)
	h := newHarness(b, ch, "", Config{})
	defer h.log.Close()
	var next atomic.Int64
	b.SetParallelism(16) // many concurrent clients, as a CI fleet would be
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1) - 1
			req := httptest.NewRequest("POST", "/v1/entries", bytes.NewReader(envs[i]))
			rec := httptest.NewRecorder()
			h.h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Errorf("submit: %d %s", rec.Code, rec.Body.String())
				return
			}
		}
	})
	el, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	if h.log.Size() != uint64(b.N) {
		b.Fatalf("size %d, want %d", h.log.Size(), b.N)
	}
	st := h.log.Stats()
	b.ReportMetric(float64(b.N)/el.Seconds(), "entries/s")
	b.ReportMetric(float64(st.Appended)/float64(max(st.Batches, 1)), "entries/commit")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/entry")
}

// BenchmarkVerifyComposite is the raw dsse.Verify rate of a composite-signed
// envelope (already parsed), with the same parallelism as the ingest
// benchmark: the ceiling for ingest (DESIGN §4: ingest ≥ 70 % of it).
func BenchmarkVerifyComposite(b *testing.B) {
	ch := newFakeChain()
	sk := ch.register(b, "adf1ci", sigscheme.Composite)
	e, err := dsse.Parse(envelope(b, dsse.PayloadTypeInToto, statement(1), "adf1ci", sk), dsse.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	pk := sk.Public()
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := dsse.Verify(e, "adf1ci", pk, testChain); err != nil {
				b.Error(err)
				return
			}
		}
	})
	el, cpu := time.Since(start), cpuTime()-cpu0
	b.ReportMetric(float64(b.N)/el.Seconds(), "verifies/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/verify")
}

// BenchmarkIngestCompositeBatch: the same distinct composite-signed
// envelopes as BenchmarkIngestComposite, submitted through
// POST /v1/entries:batch as JSON arrays of 100 envelopes by 4 concurrent
// clients (a few CI pipelines each submitting a build's attestations). Every
// entry is verified, answered individually and durable before each answer.
func BenchmarkIngestCompositeBatch(b *testing.B) {
	const perBatch, clients = 100, 4
	ch := newFakeChain()
	sk := ch.register(b, "adf1ci", sigscheme.Composite)
	envs := signMany(b, sk, "adf1ci", b.N)
	var bodies [][]byte
	for i := 0; i < len(envs); i += perBatch {
		bodies = append(bodies, append(append([]byte("["), bytes.Join(envs[i:min(i+perBatch, len(envs))], []byte(","))...), ']'))
	}
	h := newHarness(b, ch, "", Config{})
	defer h.log.Close()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(bodies) {
					return
				}
				req := httptest.NewRequest("POST", "/v1/entries:batch", bytes.NewReader(bodies[i]))
				rec := httptest.NewRecorder()
				h.h.ServeHTTP(rec, req)
				if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`"rejected":0}`)) {
					b.Errorf("batch: %d %.300s", rec.Code, rec.Body.String())
					return
				}
			}
		}()
	}
	wg.Wait()
	el, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	if h.log.Size() != uint64(b.N) {
		b.Fatalf("size %d, want %d", h.log.Size(), b.N)
	}
	st := h.log.Stats()
	b.ReportMetric(float64(b.N)/el.Seconds(), "entries/s")
	b.ReportMetric(float64(st.Appended)/float64(max(st.Batches, 1)), "entries/commit")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/entry")
}
