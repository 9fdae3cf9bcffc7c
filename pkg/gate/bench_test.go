//go:build unix

package gate_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/gate"
	"github.com/adf-consortium/adf/pkg/manifest"
)

// The offline gate benchmark: `adf gate --snapshot FILE package-lock.json`
// with a 5,000-package lockfile against a 1,000,000-indicator snapshot.
//
// Setup, not timed: a snapshot is written in memory with cti.WriteSnapshot
// (header policy = the gate.SnapshotState adf cti export writes: block
// time, score params, gate policy, sparse sightings, publisher
// reputations) and read back with cti.ReadSnapshot into a cti.Index, as
// adf gate --snapshot does first.
//
// Timed, per iteration: (a) manifest.Parse of the lockfile; (b) the
// decision: gate.PURLs, gate.AnswersFromSnapshot (the function adf gate
// --snapshot runs), then gate.Build.
//
// The corpus has the shape of x/cti/keeper's MatchPackages benchmark (npm
// 55%, PyPI 30%, Go, crates.io, RubyGems 5% each; 75% MAL- all-versions, 20%
// MAL- exact versions, 5% GHSA- ranges; 1,000 popular names with 8
// indicators each). The lockfile is npm: 12% of its packages are one-off
// indicated npm names, 23% popular npm names, 65% unknown: about 35% of
// the packages have indicators.
//
// The 1M benchmark takes about a minute of setup and a GB of transient
// heap, so it runs only when asked for: ADF_BENCH_LARGE=1, or a -bench
// pattern containing "GateOffline". `make bench` (-bench .) runs the 100k
// variant only. With ADF_BENCH_OUT=DIR the 1M setup also writes
// DIR/snapshot.jsonl.gz and DIR/package-lock.json, to measure the real
// binary: /usr/bin/time -v adf gate --snapshot DIR/snapshot.jsonl.gz DIR/package-lock.json.

const (
	popularNames = 1_000
	perPopular   = 8
	nPopular     = popularNames * perPopular
	lockPackages = 5_000
)

var ecos = []struct {
	eco   string
	share int // per cent
}{{"npm", 55}, {"PyPI", 30}, {"Go", 5}, {"crates.io", 5}, {"RubyGems", 5}}

var orgs = []string{"openssf", "acme", "globex", "initech"}

func pickEco(r *rand.Rand) string {
	n := r.IntN(100)
	for _, e := range ecos {
		if n < e.share {
			return e.eco
		}
		n -= e.share
	}
	return "npm"
}

func pkgName(eco string, i int) string {
	switch eco {
	case "npm":
		if i%5 == 0 {
			return fmt.Sprintf("@scope%d/pkg-%d", i%4999, i)
		}
		return fmt.Sprintf("pkg-%d-%x", i, uint32(i)*2654435761%65536)
	case "PyPI":
		return fmt.Sprintf("Py_Pkg-%d.x%x", i, uint32(i)*2654435761%4096)
	case "Go":
		return fmt.Sprintf("github.com/u%d/mod-%d", i%9973, i)
	case "crates.io":
		return fmt.Sprintf("crate_%d", i)
	default:
		return fmt.Sprintf("gem-%d", i)
	}
}

func ver(eco string, r *rand.Rand) string {
	v := fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(30))
	if eco == "Go" {
		v = "v" + v
	}
	return v
}

// indicator is the i-th corpus indicator, as adf cti export writes it.
func indicator(i int) *cti.Indicator {
	r := rand.New(rand.NewPCG(uint64(i), 11))
	eco := pickEco(r)
	name := pkgName(eco, i)
	popular := i < nPopular
	if popular {
		j := i % popularNames
		eco = pickEco(rand.New(rand.NewPCG(uint64(j), 12)))
		name = pkgName(eco, j)
	}
	org := orgs[0]
	if n := r.IntN(100); n >= 85 {
		org = orgs[1+n%3]
	}
	src := fmt.Sprintf("MAL-%d-%d", 2018+i%8, i)
	p := &cti.PackageMatch{Ecosystem: eco, Name: name}
	conf := uint32(100)
	k := r.IntN(100)
	if popular {
		k = 75 + k/4
	}
	switch {
	case k < 75:
		p.AllVersions = true
	case (popular && k < 92) || (!popular && k < 95):
		for range 1 + r.IntN(3) {
			if v := ver(eco, r); !contains(p.Versions, v) {
				p.Versions = append(p.Versions, v)
			}
		}
	default:
		src = fmt.Sprintf("GHSA-%d", i)
		conf = 80
		typ := cti.RangeEcosystem
		if eco == "npm" || eco == "crates.io" || eco == "Go" {
			typ = cti.RangeSemver
		}
		lo, hi := ver(eco, r), ver(eco, r)
		if lo > hi {
			lo, hi = hi, lo
		}
		if lo == hi {
			hi = "9.9.9"
			if eco == "Go" {
				hi = "v9.9.9"
			}
		}
		p.Ranges = []cti.Range{{Type: typ, Events: []cti.Event{{Introduced: lo}, {Fixed: hi}}}}
	}
	return &cti.Indicator{
		ID: cti.IDFor(src), SourceID: src, Kind: cti.KindPackage, Package: p,
		Confidence: conf, Severity: cti.SeverityCritical,
		ValidFrom:  1_600_000_000 + int64(i)*60,
		Labels:     []string{cti.LabelMalicious},
		References: []string{"https://osv.dev/vulnerability/" + src},
		Summary:    "Malicious code in " + name + " (" + eco + ")",
		Publisher:  org,
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

// npmIndicator returns a corpus indicator on npm drawn from [lo, hi).
func npmIndicator(r *rand.Rand, lo, hi int) *cti.Indicator {
	for {
		if in := indicator(lo + r.IntN(hi-lo)); in.Package.Ecosystem == "npm" {
			return in
		}
	}
}

// packageLock is a lockfile v3 of n packages against a corpus of size
// indicators, shaped like what npm writes, and how many of its packages
// have indicators.
func packageLock(n, size int) ([]byte, int) {
	r := rand.New(rand.NewPCG(42, 1))
	var b bytes.Buffer
	b.WriteString("{\n  \"name\": \"bench\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n")
	b.WriteString("    \"\": {\n      \"name\": \"bench\",\n      \"version\": \"1.0.0\"\n    }")
	seen := map[string]bool{}
	hits, count := 0, 0
	for count < n {
		var name, v string
		indicated := false
		switch k := r.IntN(100); {
		case k < 12:
			in := npmIndicator(r, nPopular, size)
			name, v = in.Package.Name, ver("npm", r)
			if len(in.Package.Versions) > 0 && r.IntN(2) == 0 {
				v = in.Package.Versions[0]
			}
			indicated = true
		case k < 35:
			in := npmIndicator(r, 0, nPopular)
			name, v = in.Package.Name, ver("npm", r)
			if len(in.Package.Versions) > 0 && r.IntN(4) == 0 {
				v = in.Package.Versions[0]
			}
			indicated = true
		default:
			name, v = pkgName("npm", 2_000_000_000+r.IntN(1<<30)), ver("npm", r)
		}
		if seen[name+"@"+v] {
			continue
		}
		key := "node_modules/" + name
		if seen[name] {
			// Another version of a name already installed: nested, as npm
			// lays out conflicting versions.
			key = fmt.Sprintf("node_modules/dep-%d/node_modules/%s", len(seen), name)
		}
		seen[name], seen[name+"@"+v] = true, true
		count++
		if indicated {
			hits++
		}
		base := name[strings.LastIndexByte(name, '/')+1:]
		fmt.Fprintf(&b, ",\n    %q: {\n      \"version\": %q,\n      \"resolved\": \"https://registry.npmjs.org/%s/-/%s-%s.tgz\",\n"+
			"      \"integrity\": \"sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\",\n"+
			"      \"dev\": %v,\n      \"license\": \"MIT\",\n      \"dependencies\": {\n        \"left-pad\": \"^1.0.0\"\n      },\n"+
			"      \"engines\": {\n        \"node\": \">=14\"\n      }\n    }",
			key, v, name, base, v, r.IntN(3) == 0)
	}
	b.WriteString("\n  }\n}\n")
	return b.Bytes(), hits
}

const snapshotTime = 1_767_225_600 // 2026-01-01

func writeSnapshot(tb testing.TB, size int) []byte {
	st := gate.SnapshotState{Time: snapshotTime, Params: cti.DefaultScoreParams(), Policy: cti.DefaultGatePolicy(),
		Sightings: map[string]cti.Sightings{}, Reputations: map[string]cti.Reputation{}}
	for i := 0; i < size; i += 997 { // sparse, like real sightings
		st.Sightings[indicator(i).ID] = cti.Sightings{TruePositive: uint32(1 + i%5), FalsePositive: uint32(i % 2)}
	}
	for i, org := range orgs {
		st.Reputations[org] = cti.Reputation{TruePositive: uint64(100 * (4 - i)), FalsePositive: uint64(i)}
	}
	pol, err := json.Marshal(st)
	if err != nil {
		tb.Fatal(err)
	}
	var buf bytes.Buffer
	h := cti.SnapshotHeader{ChainID: "adf-bench", Height: 1000, PolicyVersion: st.Policy.Version, ExportedAt: snapshotTime, Count: int64(size), Policy: pol}
	if err := cti.WriteSnapshot(&buf, h, func(yield func(*cti.Indicator) bool) {
		for i := range size {
			if !yield(indicator(i)) {
				return
			}
		}
	}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// decide is the offline gate's decision after cti.ReadSnapshot:
// gate.AnswersFromSnapshot (what adf gate --snapshot runs), then gate.Build.
func decide(h cti.SnapshotHeader, idx *cti.Index, ins []gate.Input) (gate.Report, error) {
	a, err := gate.AnswersFromSnapshot(h, idx, gate.PURLs(ins))
	if err != nil {
		return gate.Report{}, err
	}
	return gate.Build(ins, a), nil
}

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

// peakSampler records the largest HeapInuse seen while it runs.
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
		t := time.NewTicker(10 * time.Millisecond)
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

func largeBenchAllowed(family string) bool {
	if os.Getenv("ADF_BENCH_LARGE") == "1" {
		return true
	}
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), family)
}

// benchGateOffline: ns/op is parse plus decision; parse-ms and decision-ms
// split it (wall time), cpu-ms the process CPU time per op (the machine is
// shared). heap-MB is the live heap the index, the parsed manifest and the
// report hold above the base (after GC), peak-MB the largest heap in use
// seen from the start of ReadSnapshot to the end of the timed loop, above
// the same base (the in-memory snapshot file is in the base), sys-MB the
// runtime's Sys at the end (an upper bound: it includes the snapshot
// generation's garbage).
func benchGateOffline(b *testing.B, size int) {
	t0 := time.Now()
	lock, hits := packageLock(lockPackages, size)
	snap := writeSnapshot(b, size)
	gen := time.Since(t0)
	if dir := os.Getenv("ADF_BENCH_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "snapshot.jsonl.gz"), snap, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), lock, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	base := heapInUse()
	peak := startPeak()
	t1 := time.Now()
	h, idx, err := cti.ReadSnapshot(bytes.NewReader(snap))
	if err != nil {
		b.Fatal(err)
	}
	read := time.Since(t1)
	indexHeap := heapInUse() - base

	// One untimed run, to check the answers.
	m, err := manifest.Parse("package-lock.json", lock)
	if err != nil {
		b.Fatal(err)
	}
	if len(m.Packages) != lockPackages {
		b.Fatalf("%d packages parsed, want %d", len(m.Packages), lockPackages)
	}
	rep, err := decide(h, idx, []gate.Input{{Manifest: m, Raw: lock}})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d indicators: snapshot %.1f MB gzip generated in %s, read into the index in %s (index heap %.0f MB); "+
		"lockfile %.1f MB, %d packages, %d on an indicated package; decision %s, counts %v, %d indicators matched",
		size, float64(len(snap))/(1<<20), gen.Round(time.Millisecond), read.Round(time.Millisecond), float64(indexHeap)/(1<<20),
		float64(len(lock))/(1<<20), len(m.Packages), hits, rep.Decision, rep.Counts, len(rep.IndicatorIDs))

	var parse, decision time.Duration
	b.ResetTimer()
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		ta := time.Now()
		m, err := manifest.Parse("package-lock.json", lock)
		if err != nil {
			b.Fatal(err)
		}
		tb := time.Now()
		rep, err = decide(h, idx, []gate.Input{{Manifest: m, Raw: lock}})
		if err != nil {
			b.Fatal(err)
		}
		parse += tb.Sub(ta)
		decision += time.Since(tb)
		n++
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	peakHeap := peak.end()
	live := heapInUse() - base
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(parse.Microseconds())/1000/float64(n), "parse-ms")
	b.ReportMetric(float64(decision.Microseconds())/1000/float64(n), "decision-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms")
	b.ReportMetric(float64(live)/(1<<20), "heap-MB")
	b.ReportMetric(float64(peakHeap-min(peakHeap, base))/(1<<20), "peak-MB")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MB")
	b.ReportMetric(read.Seconds(), "read-s")
	runtime.KeepAlive(idx)
	runtime.KeepAlive(rep)
	runtime.KeepAlive(snap)
}

// BenchmarkGateOffline5000Against100k is cheap enough for `make bench`.
func BenchmarkGateOffline5000Against100k(b *testing.B) { benchGateOffline(b, 100_000) }

// BenchmarkGateOffline5000Against1M is the bar: ≤ 100 ms after
// parse and ≤ 256 MB.
func BenchmarkGateOffline5000Against1M(b *testing.B) {
	if !largeBenchAllowed("GateOffline") {
		b.Skip("large: set ADF_BENCH_LARGE=1 or name it in -bench")
	}
	benchGateOffline(b, 1_000_000)
}
