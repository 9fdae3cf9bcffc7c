//go:build unix

package keeper_test

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"cosmossdk.io/collections"
	"cosmossdk.io/log/v2"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/store/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/pkg/purl"
	"github.com/adf-consortium/adf/x/cti/keeper"
	"github.com/adf-consortium/adf/x/cti/types"
)

// The MatchPackages benchmarks measure the chain's gate query the way a
// local node answers it: state written through the keeper's collections on
// an IAVL store over an on-disk pebble DB (adfd's default app-db-backend,
// cmd/adfd/cmd/config.go; cosmos-db v1.1.3 compiles pebble in with or
// without the pebbledb tag), committed in chunks of 50,000 indicators, the DB closed
// and reopened (a node restart: empty IAVL node cache, fresh pebble), and
// every query on a fresh cache-wrapped store of the latest version, as
// BaseApp's CreateQueryContext builds it (CacheMultiStoreWithVersion).
// The IAVL node cache is the node's default, 781,250 nodes (app.toml
// iavl-cache-size).
//
// The corpus is shaped like an OSV MAL- import plus vulnerability feeds:
//
//   - npm 55%, PyPI 30%, Go, crates.io and RubyGems 5% each;
//   - one-off names: 75% MAL-style all-versions indicators, 20% MAL-
//     indicators listing one to three exact versions, 5% introduced/fixed
//     ranges (GHSA-);
//   - 1,000 popular names with 8 indicators each (compromised releases as
//     exact versions, two in three; vulnerable ranges, one in three);
//   - four publishing organisations, the OSV importer publishing 85%;
//   - every indicator has its history entry and by-publisher entry, as
//     PublishIndicators writes them.
//
// A query is 5,000 purls: 12% name a one-off indicated package (mostly
// blocked), 23% a popular name (sometimes at a compromised version), 65%
// packages the registry has never heard of: about 35% of the purls hit a
// package key with indicators.
//
// The 1M benchmark builds for a quarter of an hour on the shared 2-core
// development machine (IAVL writes slow down as the tree outgrows the node
// cache) and writes 1.75 GB, the 300k one for about two minutes; they run
// only when asked for: ADF_BENCH_LARGE=1, or a -bench pattern that names
// it (contains "MatchPackages"); `make bench` (-bench .) skips it and runs
// the 100k variant.

const (
	benchPopularNames = 1_000
	benchPerPopular   = 8
	benchPopular      = benchPopularNames * benchPerPopular
	benchQueryPurls   = 5_000
	benchCommitEvery  = 50_000
	benchIAVLCache    = 781_250 // server/config default iavl-cache-size
)

var benchEcos = []struct {
	eco   string
	share int // per cent
}{{"npm", 55}, {"PyPI", 30}, {"Go", 5}, {"crates.io", 5}, {"RubyGems", 5}}

var benchOrgs = []string{"openssf", "acme", "globex", "initech"}

func benchEco(r *rand.Rand) string {
	n := r.IntN(100)
	for _, e := range benchEcos {
		if n < e.share {
			return e.eco
		}
		n -= e.share
	}
	return "npm"
}

func benchPkgName(eco string, i int) string {
	switch eco {
	case "npm":
		if i%5 == 0 {
			return fmt.Sprintf("@scope%d/pkg-%d", i%4999, i)
		}
		return fmt.Sprintf("pkg-%d-%x", i, uint32(i)*2654435761%65536)
	case "PyPI":
		return fmt.Sprintf("Py_Pkg-%d.x%x", i, uint32(i)*2654435761%4096) // folds to py-pkg-N-xH
	case "Go":
		return fmt.Sprintf("github.com/u%d/mod-%d", i%9973, i)
	case "crates.io":
		return fmt.Sprintf("crate_%d", i)
	default:
		return fmt.Sprintf("gem-%d", i)
	}
}

func benchVer(eco string, r *rand.Rand) string {
	v := fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(30))
	if eco == "Go" {
		v = "v" + v
	}
	return v
}

// benchIndicator is the i-th corpus indicator and its publisher; the same
// i always gives the same indicator.
func benchIndicator(i int) (cti.Indicator, string) {
	r := rand.New(rand.NewPCG(uint64(i), 11))
	eco := benchEco(r)
	name := benchPkgName(eco, i)
	popular := i < benchPopular
	if popular {
		j := i % benchPopularNames
		eco = benchEco(rand.New(rand.NewPCG(uint64(j), 12)))
		name = benchPkgName(eco, j)
	}
	org := benchOrgs[0]
	if n := r.IntN(100); n >= 85 {
		org = benchOrgs[1+n%3]
	}
	src := fmt.Sprintf("MAL-%d-%d", 2018+i%8, i)
	p := &cti.PackageMatch{Ecosystem: eco, Name: name}
	conf := uint32(100)
	k := r.IntN(100)
	if popular {
		k = 75 + k/4 // 75..99: exact versions or ranges, never all versions
	}
	switch {
	case k < 75:
		p.AllVersions = true
	case (popular && k < 92) || (!popular && k < 95):
		for range 1 + r.IntN(3) {
			if v := benchVer(eco, r); !contains(p.Versions, v) {
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
		lo, hi := benchVer(eco, r), benchVer(eco, r)
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
	return cti.Indicator{
		ID: cti.IDFor(src), SourceID: src, Kind: cti.KindPackage, Package: p,
		Confidence: conf, Severity: cti.SeverityCritical,
		ValidFrom:  1_600_000_000 + int64(i)*60,
		Labels:     []string{cti.LabelMalicious},
		References: []string{"https://osv.dev/vulnerability/" + src},
		Summary:    "Malicious code in " + name + " (" + eco + ")",
		Publisher:  org,
	}, org
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// benchQuery returns the 5,000 purls of query set seed against a corpus of
// n indicators, and how many of them name a package with indicators.
func benchQuery(n int, seed uint64) ([]string, int) {
	r := rand.New(rand.NewPCG(seed, 3))
	out := make([]string, 0, benchQueryPurls)
	hits := 0
	for len(out) < benchQueryPurls {
		var eco, name, v string
		switch k := r.IntN(100); {
		case k < 12:
			in, _ := benchIndicator(benchPopular + r.IntN(n-benchPopular))
			eco, name = in.Package.Ecosystem, in.Package.Name
			v = benchVer(eco, r)
			if len(in.Package.Versions) > 0 && r.IntN(2) == 0 {
				v = in.Package.Versions[0]
			}
			hits++
		case k < 35:
			in, _ := benchIndicator(r.IntN(benchPopular))
			eco, name = in.Package.Ecosystem, in.Package.Name
			v = benchVer(eco, r)
			if len(in.Package.Versions) > 0 && r.IntN(4) == 0 {
				v = in.Package.Versions[0]
			}
			hits++
		default:
			eco = benchEco(r)
			name = benchPkgName(eco, 2_000_000_000+r.IntN(1<<30))
			v = benchVer(eco, r)
		}
		p, err := purl.FromEcosystem(eco, name, v)
		if err != nil {
			panic(err)
		}
		out = append(out, p.String())
	}
	return out, hits
}

// benchChain is a built registry on disk.
type benchChain struct {
	n         int
	dir       string
	db        dbm.DB
	cms       storetypes.CommitMultiStore
	k         keeper.Keeper
	query     types.QueryServer
	now       time.Time
	build     time.Duration
	reopen    time.Duration
	settle    time.Duration // waiting for pebble's compactions after the build
	cold      time.Duration // the first query after the reopen
	coldDone  bool
	diskBytes int64
	err       error
}

var (
	benchChainsMu sync.Mutex
	benchChains   = map[int]*benchChain{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, c := range benchChains {
		if c.db != nil {
			c.db.Close()
		}
		os.RemoveAll(c.dir)
	}
	os.Exit(code)
}

func benchKeeper(key *storetypes.KVStoreKey) keeper.Keeper {
	enc := moduletestutil.MakeTestEncodingConfig()
	types.RegisterInterfaces(enc.InterfaceRegistry)
	authority, err := ac.BytesToString(authtypes.NewModuleAddress("consortium"))
	if err != nil {
		panic(err)
	}
	return keeper.NewKeeper(enc.Codec, runtime.NewKVStoreService(key), &fakeIdentity{byAddr: map[string]*principal{}}, ac, authority)
}

func openBenchStore(dir string, key *storetypes.KVStoreKey) (dbm.DB, storetypes.CommitMultiStore, error) {
	db, err := dbm.NewDB("application", dbm.PebbleDBBackend, dir)
	if err != nil {
		return nil, nil, err
	}
	cms := store.NewCommitMultiStore(db, log.NewNopLogger())
	cms.SetIAVLCacheSize(benchIAVLCache)
	cms.MountStoreWithDB(key, storetypes.StoreTypeIAVL, nil)
	if err := cms.LoadLatestVersion(); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, cms, nil
}

// getBenchChain builds (once per process and size) n indicators on disk.
func getBenchChain(b *testing.B, n int) *benchChain {
	benchChainsMu.Lock()
	defer benchChainsMu.Unlock()
	if c, ok := benchChains[n]; ok {
		if c.err != nil {
			b.Fatal(c.err)
		}
		return c
	}
	c := &benchChain{n: n}
	benchChains[n] = c
	c.err = c.buildState(b)
	if c.err != nil {
		b.Fatal(c.err)
	}
	return c
}

func (c *benchChain) buildState(b *testing.B) error {
	var err error
	if c.dir, err = os.MkdirTemp("", fmt.Sprintf("adf-cti-bench-%d-", c.n)); err != nil {
		return err
	}
	key := storetypes.NewKVStoreKey(types.StoreKey)
	t0 := time.Now()
	db, cms, err := openBenchStore(c.dir, key)
	if err != nil {
		return err
	}
	k := benchKeeper(key)
	c.now = genesisTime
	height := int64(1)
	ctx := sdk.NewContext(cms, cmtproto.Header{Height: height, Time: c.now}, false, log.NewNopLogger())
	if err := k.InitGenesis(ctx, types.DefaultGenesis()); err != nil {
		return err
	}
	reps := map[string]*types.Reputation{}
	for i := 0; i < c.n; i++ {
		d, org := benchIndicator(i)
		if err := d.Validate(); err != nil {
			return fmt.Errorf("corpus indicator %d: %w", i, err)
		}
		wire := types.IndicatorFromDomain(d)
		rec := types.IndicatorRecord{
			Indicator: wire, Status: types.INDICATOR_STATUS_ACTIVE, Revision: 1,
			PublishedHeight: height, PublishedAt: c.now.Unix(), UpdatedHeight: height, UpdatedAt: c.now.Unix(),
			PrincipalId: org + "/importer",
		}
		if err := k.Indicators.Set(ctx, d.ID, rec); err != nil {
			return err
		}
		if err := keeper.IndexAdd(k, ctx, d.IndexKey(), d.ID, wire.Package); err != nil {
			return err
		}
		if err := k.ByPublisher.Set(ctx, collections.Join(org, d.ID)); err != nil {
			return err
		}
		if err := k.History.Set(ctx, collections.Join(d.ID, uint32(1)), types.HistoryEntry{
			IndicatorId: d.ID, Revision: 1, Action: types.HISTORY_ACTION_PUBLISHED, Height: height, Time: c.now.Unix(),
			Actor: rec.PrincipalId, Indicator: wire,
		}); err != nil {
			return err
		}
		if reps[org] == nil {
			reps[org] = &types.Reputation{OrgId: org}
		}
		reps[org].Published++
		if (i+1)%benchCommitEvery == 0 || i+1 == c.n {
			for org, rep := range reps {
				if err := k.Reputations.Set(ctx, org, *rep); err != nil {
					return err
				}
			}
			if err := k.BlockTime.Set(ctx, c.now.Unix()); err != nil {
				return err
			}
			cms.Commit()
			height++
			c.now = c.now.Add(5 * time.Second)
			ctx = ctx.WithBlockHeight(height).WithBlockTime(c.now)
			if (i+1)%(5*benchCommitEvery) == 0 {
				b.Logf("%d indicators written and committed in %s", i+1, time.Since(t0).Round(time.Second))
			}
		}
	}
	c.build = time.Since(t0)
	// A node restart: flush and close, reopen with a cold IAVL cache.
	if err := db.Close(); err != nil {
		return err
	}
	c.diskBytes = dirSize(c.dir)
	t1 := time.Now()
	key = storetypes.NewKVStoreKey(types.StoreKey)
	if c.db, c.cms, err = openBenchStore(c.dir, key); err != nil {
		return err
	}
	c.reopen = time.Since(t1)
	c.settle = settle()
	c.k = benchKeeper(key)
	c.query = keeper.NewQueryServerImpl(c.k)
	b.Logf("built %d indicators in %s (%d commits of %d), on disk %.0f MB (pebble, %s), reopened in %s, compactions settled after %s",
		c.n, c.build.Round(time.Millisecond), (c.n+benchCommitEvery-1)/benchCommitEvery, benchCommitEvery,
		float64(c.diskBytes)/(1<<20), c.dir, c.reopen.Round(time.Millisecond), c.settle.Round(time.Millisecond))
	return nil
}

// settle waits (at most two minutes) until the process is idle: pebble
// compacts the freshly written levels in the background, and a node that has
// been up for a while is not doing that during every query.
func settle() time.Duration {
	t0 := time.Now()
	for time.Since(t0) < 2*time.Minute {
		c0 := cpuTime()
		time.Sleep(500 * time.Millisecond)
		if cpuTime()-c0 < 25*time.Millisecond {
			break
		}
	}
	return time.Since(t0)
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// queryCtx is a query context at the latest height, as BaseApp builds one.
func (c *benchChain) queryCtx(b *testing.B) context.Context {
	h := c.cms.LatestVersion()
	ms, err := c.cms.CacheMultiStoreWithVersion(h)
	if err != nil {
		b.Fatal(err)
	}
	return sdk.NewContext(ms, cmtproto.Header{Height: h, Time: c.now}, true, log.NewNopLogger())
}

func (c *benchChain) match(b *testing.B, purls []string) *types.QueryMatchPackagesResponse {
	res, err := c.query.MatchPackages(c.queryCtx(b), &types.QueryMatchPackagesRequest{Purls: purls})
	if err != nil {
		b.Fatal(err)
	}
	if len(res.Results) != len(purls) {
		b.Fatalf("%d results for %d purls", len(res.Results), len(purls))
	}
	return res
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// largeBenchAllowed reports whether a benchmark of the 1M class may run:
// ADF_BENCH_LARGE=1, or a -bench pattern containing family (a pattern
// written for it, not `make bench`'s ".").
func largeBenchAllowed(family string) bool {
	if os.Getenv("ADF_BENCH_LARGE") == "1" {
		return true
	}
	f := flag.Lookup("test.bench")
	return f != nil && strings.Contains(f.Value.String(), family)
}

// benchMatchPackages: ns/op (and ms/query) is one MatchPackages query of
// 5,000 purls on a fresh query context, cpu-ms/query the process CPU time
// per query (the machine is shared, and pebble's background work counts);
// cold-ms the first query after the reopen, on an empty IAVL cache (once
// per process and size, repeated by -count). Each iteration uses another query set, so
// repeated iterations are not answered from a warm cache of the same keys
// alone.
func benchMatchPackages(b *testing.B, n int) {
	c := getBenchChain(b, n)
	const sets = 8
	queries := make([][]string, sets)
	hits := 0
	for s := range queries {
		var h int
		queries[s], h = benchQuery(n, uint64(s+1))
		hits += h
	}
	coldStart := time.Now()
	res := c.match(b, queries[0])
	if !c.coldDone {
		c.cold, c.coldDone = time.Since(coldStart), true
	}
	matched, blocked := 0, 0
	for _, r := range res.Results {
		if r.Error != "" {
			b.Fatalf("%s: %s", r.Purl, r.Error)
		}
		if len(r.Matches) > 0 {
			matched++
		}
		if r.Decision == "block" {
			blocked++
		}
	}
	b.Logf("%d indicators: first query after the reopen %s; query set 0: %d of %d purls on an indicated package, %d matched, %d blocked",
		n, c.cold.Round(time.Microsecond), hits/sets, benchQueryPurls, matched, blocked)
	b.ResetTimer()
	cpu0, i := cpuTime(), 0
	for b.Loop() {
		c.match(b, queries[i%sets])
		i++
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(i), "ms/query")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(i)/1e6, "cpu-ms/query")
	b.ReportMetric(float64(c.cold.Microseconds())/1000, "cold-ms")
	b.ReportMetric(c.build.Seconds(), "build-s")
	b.ReportMetric(float64(c.diskBytes)/(1<<20), "disk-MB")
	b.ReportMetric(float64(hits)/sets/benchQueryPurls*100, "%purls-indicated")
}

// BenchmarkMatchPackages5000Against100k is cheap enough for `make bench`
// (10 to 45 s to build, depending on the machine's load).
func BenchmarkMatchPackages5000Against100k(b *testing.B) { benchMatchPackages(b, 100_000) }

// BenchmarkMatchPackages5000Against300k is the trend's middle point; it
// runs under the same rule as the 1M benchmark.
func BenchmarkMatchPackages5000Against300k(b *testing.B) {
	if !largeBenchAllowed("MatchPackages") {
		b.Skip("large: set ADF_BENCH_LARGE=1 or name it in -bench")
	}
	benchMatchPackages(b, 300_000)
}

// BenchmarkMatchPackages5000Against1M is the bar: ≤ 100 ms.
func BenchmarkMatchPackages5000Against1M(b *testing.B) {
	if !largeBenchAllowed("MatchPackages") {
		b.Skip("large: set ADF_BENCH_LARGE=1 or name it in -bench")
	}
	benchMatchPackages(b, 1_000_000)
}
