//go:build unix

package cti

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/purl"
)

// The benchmark corpus: what a registry holding every OSV malicious-package
// advisory plus a decade of vulnerability feeds looks like.
//
//   - 1,000,000 package indicators over npm (55%), PyPI (30%) and five
//     smaller ecosystems;
//   - one-off names (92%): 70% MAL-style, introduced "0" and nothing
//     else; 20% list one to three exact versions; 10% are
//     introduced/fixed vulnerability ranges;
//   - 2,000 popular names carry 40 indicators each, two thirds exact
//     versions (compromised releases) and a third vulnerability ranges;
//     a popular package is never malicious in every version;
//   - each has a source id, a summary, one reference, one label, a publisher
//     and a validity start, as imported indicators do.
const (
	benchIndicators = 1_000_000
	benchPopular    = 2_000
	benchPerPopular = 40
	benchQueries    = 5_000
)

var benchEcos = []struct {
	eco, typ string
	share    int // per mille
}{
	{"npm", "npm", 550}, {"PyPI", "pypi", 300}, {"crates.io", "cargo", 30}, {"RubyGems", "gem", 30},
	{"Go", "golang", 30}, {"Maven", "maven", 30}, {"NuGet", "nuget", 30},
}

func benchEco(r *rand.Rand) int {
	n := r.IntN(1000)
	for i, e := range benchEcos {
		if n < e.share {
			return i
		}
		n -= e.share
	}
	return 0
}

func benchName(eco string, i int) string {
	switch eco {
	case "Go":
		return fmt.Sprintf("github.com/u%d/mod-%d", i%9973, i)
	case "Maven":
		return fmt.Sprintf("com.example%d:artifact-%d", i%997, i)
	case "npm":
		if i%5 == 0 {
			return fmt.Sprintf("@scope%d/pkg-%d", i%4999, i)
		}
	}
	return fmt.Sprintf("pkg-%d-%x", i, i*2654435761%65536)
}

func benchVersion(eco string, r *rand.Rand) string {
	v := fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(30))
	if eco == "Go" {
		v = "v" + v
	}
	return v
}

// benchIndicator returns the i-th corpus indicator; the same i always gives
// the same indicator.
func benchIndicator(i int) *Indicator {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	ei := benchEco(r)
	eco := benchEcos[ei].eco
	name := benchName(eco, i)
	popular := i < benchPopular*benchPerPopular
	if popular {
		// The same 2,000 names again and again.
		eco = benchEcos[(i%benchPopular)%len(benchEcos)].eco
		name = benchName(eco, i%benchPopular)
	}
	src := fmt.Sprintf("MAL-%d-%d", 2018+i%8, i)
	p := &PackageMatch{Ecosystem: eco, Name: name}
	k := r.IntN(100)
	if popular {
		// A popular package is not malicious as a whole: its indicators
		// are compromised releases (exact versions) and vulnerable ranges.
		k = 70 + k*30/100
	}
	switch {
	case k < 70:
		p.Ranges = []Range{{Type: RangeEcosystem, Events: []Event{{Introduced: "0"}}}}
	case k < 90:
		for range 1 + r.IntN(3) {
			v := benchVersion(eco, r)
			if !contains(p.Versions, v) {
				p.Versions = append(p.Versions, v)
			}
		}
	default:
		src = fmt.Sprintf("GHSA-%d", i)
		p.Ranges = []Range{{Type: RangeEcosystem, Events: []Event{{Introduced: benchVersion(eco, r)}, {Fixed: benchVersion(eco, r)}}}}
		if eco == "npm" || eco == "crates.io" {
			p.Ranges[0].Type = RangeSemver
		}
	}
	return &Indicator{
		ID: IDFor(src), SourceID: src, Kind: KindPackage, Package: p,
		Confidence: 90, Severity: SeverityCritical,
		ValidFrom:  1_600_000_000 + int64(i)*60,
		Labels:     []string{LabelMalicious},
		References: []string{"https://osv.dev/vulnerability/" + src},
		Summary:    "Malicious code in " + name + " (" + eco + ")",
		Publisher:  "adf1openssf0000000000000000000000000000000",
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

type benchQuery struct{ eco, name, version string }

// benchPurls is an SBOM-sized query: 5,000 purls, of which 10% name
// malicious one-off packages, 30% popular names (some at a listed
// version), and the rest packages the index has never heard of.
func benchPurls() []string {
	r := rand.New(rand.NewPCG(99, 1))
	out := make([]string, 0, benchQueries)
	for len(out) < benchQueries {
		var in *Indicator
		switch k := r.IntN(10); {
		case k == 0:
			in = benchIndicator(benchPopular*benchPerPopular + r.IntN(benchIndicators-benchPopular*benchPerPopular))
		case k < 4:
			in = benchIndicator(r.IntN(benchPopular * benchPerPopular))
		default:
			ei := benchEco(r)
			in = &Indicator{Package: &PackageMatch{Ecosystem: benchEcos[ei].eco, Name: benchName(benchEcos[ei].eco, benchIndicators+r.IntN(1<<30))}}
		}
		v := benchVersion(in.Package.Ecosystem, r)
		if len(in.Package.Versions) > 0 && r.IntN(2) == 0 {
			v = in.Package.Versions[0]
		}
		p, err := purl.FromEcosystem(in.Package.Ecosystem, in.Package.Name, v)
		if err != nil {
			panic(err)
		}
		out = append(out, p.String())
	}
	return out
}

func parseQueries(tb testing.TB, purls []string) []benchQuery {
	qs := make([]benchQuery, len(purls))
	for i, s := range purls {
		p, err := purl.Parse(s)
		if err != nil {
			tb.Fatal(err)
		}
		eco, name, err := p.Ecosystem()
		if err != nil {
			tb.Fatal(err)
		}
		qs[i] = benchQuery{eco, name, p.Version}
	}
	return qs
}

// cpuTime is the process's user+system CPU time. The benchmark reports it
// next to wall time because a shared build machine can leave a benchmark
// waiting for a CPU for longer than it computes.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// peakSampler records the largest HeapInuse seen while it runs; ReadMemStats
// every 20 ms is cheap next to a multi-second build.
type peakSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
}

func startPeak() *peakSampler {
	p := &peakSampler{stop: make(chan struct{})}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			p.peak = max(p.peak, m.HeapInuse)
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakSampler) end() uint64 {
	close(p.stop)
	p.done.Wait()
	return p.peak
}

// BenchmarkMatch5000Against1M: ns/op is the decision for 5,000 parsed purls
// against 1,000,000 indicators (cpu-ms/op the CPU time it took); heap-MB is the live heap the index adds
// (after GC); build-peak-MB the largest heap seen while building it, from
// a base of base-MB.
func BenchmarkMatch5000Against1M(b *testing.B) {
	skipUnlessLarge(b, "Match5000")
	queries := parseQueries(b, benchPurls())
	base := heapInUse()
	peak := startPeak()
	t0 := time.Now()
	x := NewIndex()
	for i := range benchIndicators {
		x.Add(benchIndicator(i))
	}
	build := time.Since(t0)
	peakHeap := peak.end()
	heap := heapInUse() - base
	matched := 0
	for _, q := range queries {
		if len(x.MatchPackage(q.eco, q.name, q.version)) > 0 {
			matched++
		}
	}
	b.ResetTimer()
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		for _, q := range queries {
			x.MatchPackage(q.eco, q.name, q.version)
		}
		n++
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric(float64(peakHeap)/(1<<20), "build-peak-MB")
	b.ReportMetric(float64(base)/(1<<20), "base-MB")
	b.ReportMetric(build.Seconds(), "build-s")
	b.ReportMetric(float64(matched), "purls-matched")
	runtime.KeepAlive(x)
}

// BenchmarkReadSnapshot1M reads a snapshot of the 1,000,000-indicator corpus
// (written once, outside the timing): ns/op is the whole read, validation
// and index build; heap-MB the index it leaves; read-peak-MB the largest
// heap seen while reading; snapshot-MB the compressed file.
func BenchmarkReadSnapshot1M(b *testing.B) {
	skipUnlessLarge(b, "ReadSnapshot")
	var file bytes.Buffer
	h := SnapshotHeader{ChainID: "adf-bench", Height: 1, Count: benchIndicators}
	err := WriteSnapshot(&file, h, func(yield func(*Indicator) bool) {
		for i := range benchIndicators {
			if !yield(benchIndicator(i)) {
				return
			}
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	var heap, peakHeap uint64
	var cpu time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		base := heapInUse()
		peak := startPeak()
		cpu0 := cpuTime()
		b.StartTimer()
		_, x, err := ReadSnapshot(bytes.NewReader(file.Bytes()))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - cpu0
		peakHeap = max(peakHeap, peak.end()-base)
		heap = heapInUse() - base
		runtime.KeepAlive(x)
		n++
		b.StartTimer()
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric(float64(peakHeap)/(1<<20), "read-peak-MB")
	b.ReportMetric(float64(file.Len())/(1<<20), "snapshot-MB")
	b.ReportMetric(cpu.Seconds()/float64(n), "cpu-s/op")
}

// skipUnlessLarge keeps the million-indicator benchmarks (seconds to build,
// hundreds of MB) out of `make bench` (-bench .): they run with
// ADF_BENCH_LARGE=1 or when -bench names them.
func skipUnlessLarge(b *testing.B, family string) {
	if os.Getenv("ADF_BENCH_LARGE") == "1" {
		return
	}
	if f := flag.Lookup("test.bench"); f != nil && strings.Contains(f.Value.String(), family) {
		return
	}
	b.Skipf("1M-indicator benchmark: set ADF_BENCH_LARGE=1 or name it in -bench")
}
