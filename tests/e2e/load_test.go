//go:build e2e && load

package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// TestLoadDirectAnchors is the direct-anchor throughput benchmark (bar:
// ≥ 1,000 tx/s sustained on the 4-validator localnet, block time
// unchanged). It is not part of `make test`: run it with `make bench-load`
// (build tags e2e and load).
//
// A fresh 4-validator network (2 ML-DSA-65, 2 Ed25519 validators) gets, in
// its genesis, an anchor-direct policy for role "ci" on github.com/* and a
// per-organisation daily direct-anchor quota raised from the default 10,000
// to 10,000,000 (a 60 s run at 1,000 tx/s makes ~15,000 anchors per org).
// Each org admin then registers a CI principal and its short-lived keys in
// one transaction. Every MsgAnchorAttestation is pre-signed before the timed
// window, as `adf attest --direct` signs it: an in-toto SLSA provenance
// statement about a fresh random subject, in a DSSE envelope signed by the
// key (keyid = its address, domain bound to the chain id), in a zero-fee
// SIGN_MODE_DIRECT transaction signed by the same key, with increasing
// sequence numbers per account. One goroutine per account sends its
// pipeline with broadcast_tx_sync at a fixed offered rate, accounts spread
// over the four nodes; nobody waits for inclusion.
//
// Everything is measured from the chain: committed transactions and codes
// per block (block, block_results), block header times; sustained tx/s over
// the blocks after the warm-up and before the end of sending. The test
// asserts correctness, not speed: every transaction it counts as committed
// is in a block with code 0 and its attestation is queryable with the
// anchoring key as signer; no transaction fails in a block. The figures are
// logged in one summary line and written as JSON to $ADF_LOAD_REPORT.
//
// Knobs (environment): ADF_LOAD_DURATION (60s), ADF_LOAD_WARMUP (10s),
// ADF_LOAD_RATE (offered tx/s, 1200), ADF_LOAD_ACCOUNTS (64),
// ADF_LOAD_ALGO (ed25519 or composite: envelope and tx signing keys),
// ADF_LOAD_MEMPOOL_SIZE (3000), ADF_LOAD_BLOCK_MAX_BYTES (2 MiB: genesis
// consensus params, as adfd's own default), ADF_LOAD_RECHECK
// (true),
// ADF_LOAD_PROFILE (a directory: CPU profiles of node0 and node2 during the
// window), ADF_LOAD_REPORT (a file for the JSON report).

var loadPorts = suitePorts(blockLoad)

const (
	loadChainID   = "adf-e2e-load-1"
	loadQuota     = 10_000_000
	loadRisk      = "release"
	loadPolicyID  = "load-ci-anchor-direct"
	loadPrincipal = "load-ci"
)

func loadDef() NetworkDef {
	def := localnetDef()
	def.ChainID = loadChainID
	def.BasePorts = loadPorts
	def.PortStride = 100
	return def
}

// loadConfig are the knobs of one run.
type loadConfig struct {
	Duration    time.Duration `json:"-"`
	Warmup      time.Duration `json:"-"`
	DurationS   float64       `json:"duration_s"`
	WarmupS     float64       `json:"warmup_s"`
	Rate        float64       `json:"offered_rate_tx_s"`
	Accounts    int           `json:"accounts"`
	Algo        string        `json:"key_algorithm"`
	MempoolSize int           `json:"mempool_size"`
	// BlockMaxBytes is consensus.params.block.max_bytes of the genesis.
	BlockMaxBytes int    `json:"block_max_bytes"`
	Recheck       bool   `json:"recheck"`
	ProfileDir    string `json:"-"`
}

func envOr(t *testing.T, name string, def string) string {
	t.Helper()
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v
	}
	return def
}

func readLoadConfig(t *testing.T) loadConfig {
	t.Helper()
	dur := func(name, def string) time.Duration {
		d, err := time.ParseDuration(envOr(t, name, def))
		if err != nil || d <= 0 {
			t.Fatalf("%s: %v", name, err)
		}
		return d
	}
	num := func(name, def string) float64 {
		f, err := strconv.ParseFloat(envOr(t, name, def), 64)
		if err != nil || f <= 0 {
			t.Fatalf("%s: want a positive number (%v)", name, err)
		}
		return f
	}
	c := loadConfig{
		Duration: dur("ADF_LOAD_DURATION", "60s"), Warmup: dur("ADF_LOAD_WARMUP", "10s"),
		Rate: num("ADF_LOAD_RATE", "1200"), Accounts: int(num("ADF_LOAD_ACCOUNTS", "64")),
		Algo: envOr(t, "ADF_LOAD_ALGO", "ed25519"), MempoolSize: int(num("ADF_LOAD_MEMPOOL_SIZE", "3000")),
		BlockMaxBytes: int(num("ADF_LOAD_BLOCK_MAX_BYTES", "2097152")),
		ProfileDir:    os.Getenv("ADF_LOAD_PROFILE"),
	}
	rc, err := strconv.ParseBool(envOr(t, "ADF_LOAD_RECHECK", "true"))
	if err != nil {
		t.Fatalf("ADF_LOAD_RECHECK: %v", err)
	}
	c.Recheck = rc
	if c.Warmup >= c.Duration {
		t.Fatalf("ADF_LOAD_WARMUP %s must be shorter than ADF_LOAD_DURATION %s", c.Warmup, c.Duration)
	}
	if c.Duration > 5*time.Minute {
		t.Fatalf("ADF_LOAD_DURATION %s: at most 5m (the make target has a 15 min budget)", c.Duration)
	}
	switch c.Algo {
	case "ed25519", "composite":
	default:
		t.Fatalf("ADF_LOAD_ALGO %q: want ed25519 or composite", c.Algo)
	}
	c.Accounts = max(4, c.Accounts/4*4)
	c.DurationS, c.WarmupS = c.Duration.Seconds(), c.Warmup.Seconds()
	return c
}

// loadTx is one pre-signed MsgAnchorAttestation transaction.
type loadTx struct {
	raw    []byte
	hash   [32]byte
	digest string // envelope digest, hex
	acct   *loadAccount
	seq    uint64
	sentAt atomic.Int64 // unix nanos of CheckTx acceptance, 0 if never
}

// loadAccount is one short-lived key and its pipeline.
type loadAccount struct {
	idx    int
	org    string
	scope  string
	signer *chain.SchemeSigner
	sk     sigscheme.PrivateKey // signs the DSSE envelopes; signer signs the txs
	accNum uint64
	node   *Node
	txs    []*loadTx
}

// loadReport is the JSON report.
type loadReport struct {
	Config          loadConfig     `json:"config"`
	When            string         `json:"when"`
	LoadAvgBefore   string         `json:"loadavg_before"`
	LoadAvgAfter    string         `json:"loadavg_after"`
	TxBytes         int            `json:"tx_bytes"`
	EnvelopeBytes   int            `json:"envelope_bytes"`
	PresignedTxs    int            `json:"presigned_txs"`
	PresignSeconds  float64        `json:"presign_s"`
	Attempted       int64          `json:"attempted_txs"`
	Accepted        int64          `json:"accepted_by_checktx"`
	OfferedTxS      float64        `json:"accepted_rate_tx_s"`
	Rejections      map[string]int `json:"checktx_rejections"`
	AccountsStopped int64          `json:"accounts_stopped"`
	Committed       int            `json:"committed_ok_txs"`
	DeliverFailures map[string]int `json:"deliver_failures"`
	WindowBlocks    int            `json:"window_blocks"`
	WindowTxs       int            `json:"window_txs"`
	WindowSeconds   float64        `json:"window_s"`
	SustainedTxS    float64        `json:"sustained_tx_s"`
	MaxTxsPerBlock  int            `json:"max_txs_per_block"`
	MeanTxsPerBlock float64        `json:"mean_txs_per_block"`
	MeanBlockBytes  float64        `json:"mean_block_bytes"`
	IdleBlockP50    float64        `json:"idle_block_time_p50_s"`
	IdleBlockP95    float64        `json:"idle_block_time_p95_s"`
	LoadBlockP50    float64        `json:"load_block_time_p50_s"`
	LoadBlockP95    float64        `json:"load_block_time_p95_s"`
	LatencyP50      float64        `json:"inclusion_latency_p50_s"`
	LatencyP95      float64        `json:"inclusion_latency_p95_s"`
	MempoolAtEnd    []int          `json:"mempool_at_end_of_sending"`
	DrainSeconds    float64        `json:"drain_s"`
	Verified        int            `json:"verified_attestations"`
	Stalled         bool           `json:"stalled"`
	MeetsBar        bool           `json:"meets_1000_tx_s"`
}

func TestLoadDirectAnchors(t *testing.T) {
	bin := adfdBin(t)
	_ = adfBin(t) // same prerequisites as the other suites; the client's code path is mirrored in Go
	cfg := readLoadConfig(t)
	start := time.Now()
	rep := &loadReport{Config: cfg, When: start.UTC().Format(time.RFC3339), LoadAvgBefore: loadAvg()}
	t.Logf("load config: %+v", cfg)

	// 1. Network: genesis and node config for the benchmark.
	def := loadDef()
	nw := NewNetwork(t, bin, def)
	nw.Authority = consortiumAuthority(t)
	if err := patchGenesis(nw, func(st, cp map[string]any) error {
		// Bounded blocks: a proposer must not put a whole backlog into one
		// block whose execution outlasts the consensus timeouts.
		blk, _ := cp["block"].(map[string]any)
		if blk == nil {
			return errors.New("no consensus.params.block in genesis")
		}
		blk["max_bytes"] = strconv.Itoa(cfg.BlockMaxBytes)
		att, _ := st["attestation"].(map[string]any)
		params, _ := att["params"].(map[string]any)
		if params == nil {
			return errors.New("no attestation params in genesis")
		}
		params["max_direct_anchors_per_day_per_org"] = strconv.Itoa(loadQuota)
		id, _ := st["identity"].(map[string]any)
		if id == nil {
			return errors.New("no identity genesis")
		}
		pols, _ := id["policies"].([]any)
		id["policies"] = append(pols, map[string]any{
			"id": loadPolicyID, "role": "ci", "action": identitytypes.ActionAnchorDirect, "scope_pattern": "github.com/*",
		})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, n := range nw.Nodes {
		p := filepath.Join(n.Home, "config", "config.toml")
		for _, kv := range [][3]string{
			{"mempool", "size", strconv.Itoa(cfg.MempoolSize)},
			// The cache must outlive a transaction's stay in the mempool
			// and its gossip echoes.
			{"mempool", "cache_size", strconv.Itoa(max(100_000, 4*cfg.MempoolSize))},
			{"mempool", "recheck", strconv.FormatBool(cfg.Recheck)},
		} {
			if err := tomlSet(p, kv[0], kv[1], kv[2]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if dir := os.Getenv("ADF_LOAD_LOGS"); dir != "" {
		// Registered after NewNetwork's cleanup, so it runs first, while
		// the homes still exist.
		t.Cleanup(func() {
			_ = os.MkdirAll(dir, 0o755)
			for _, n := range nw.Nodes {
				if raw, err := os.ReadFile(n.logPath); err == nil {
					_ = os.WriteFile(filepath.Join(dir, n.Name+".log"), raw, 0o644)
				}
			}
		})
	}
	nw.StartAll(t)
	nodes := nw.Nodes
	nw.WaitAllHeight(t, nodes, 2, 120*time.Second)
	t.Logf("network up in %s", time.Since(start).Round(time.Second))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	enc, err := newLoadEncoding()
	if err != nil {
		t.Fatal(err)
	}
	rpc := newLoadRPC(cfg.Accounts + 16)

	// 2. Principals and keys: one transaction per org admin.
	alg := sigscheme.Ed25519
	if cfg.Algo == "composite" {
		alg = sigscheme.Composite
	}
	perOrg := cfg.Accounts / len(nodes)
	accounts := make([]*loadAccount, 0, cfg.Accounts)
	var setupWG sync.WaitGroup
	setupErr := make(chan error, len(nodes))
	var accMu sync.Mutex
	for oi, n := range nodes {
		setupWG.Add(1)
		go func(oi int, n *Node) {
			defer setupWG.Done()
			accs, err := registerLoadKeys(ctx, enc, rpc, nw, n, oi, perOrg, alg)
			if err != nil {
				setupErr <- fmt.Errorf("%s (%s): %w", n.Name, n.Info.OrgID, err)
				return
			}
			accMu.Lock()
			accounts = append(accounts, accs...)
			accMu.Unlock()
		}(oi, n)
	}
	setupWG.Wait()
	close(setupErr)
	for err := range setupErr {
		t.Fatal(err)
	}
	sort.Slice(accounts, func(i, j int) bool { return accounts[i].idx < accounts[j].idx })
	for i, a := range accounts {
		a.node = nodes[(i/len(nodes)+i)%len(nodes)] // each org's keys spread over all four nodes
		num, seq, err := rpc.account(ctx, enc, a.node.RPCPort, a.signer.Address())
		if err != nil {
			t.Fatal(err)
		}
		if seq != 0 {
			t.Fatalf("account %s: sequence %d, want 0", a.signer.Address(), seq)
		}
		a.accNum = num
	}
	t.Logf("%d %s keys registered for %d CI principals", len(accounts), alg, len(nodes))

	// 3. Idle baseline, while the transactions are pre-signed.
	hIdle0 := MaxHeight(t, nodes)
	idleDone := make(chan struct{})
	go func() { defer close(idleDone); time.Sleep(16 * time.Second) }()

	perAcct := int(math.Ceil(cfg.Rate*cfg.Duration.Seconds()*1.05/float64(len(accounts)))) + 2
	t0 := time.Now()
	if err := presign(ctx, enc, accounts, perAcct, nw.ChainID); err != nil {
		t.Fatal(err)
	}
	rep.PresignSeconds = time.Since(t0).Seconds()
	rep.PresignedTxs = perAcct * len(accounts)
	rep.TxBytes = len(accounts[0].txs[0].raw)
	byHash := make(map[[32]byte]*loadTx, rep.PresignedTxs)
	for _, a := range accounts {
		for _, x := range a.txs {
			byHash[x.hash] = x
		}
	}
	{
		var m attestationtypes.MsgAnchorAttestation
		tx, err := enc.TxConfig.TxDecoder()(accounts[0].txs[0].raw)
		if err != nil {
			t.Fatal(err)
		}
		m = *tx.GetMsgs()[0].(*attestationtypes.MsgAnchorAttestation)
		rep.EnvelopeBytes = len(m.Envelope)
	}
	t.Logf("pre-signed %d txs (%d per account, %d bytes each, envelope %d bytes) in %.1f s",
		rep.PresignedTxs, perAcct, rep.TxBytes, rep.EnvelopeBytes, rep.PresignSeconds)
	<-idleDone
	hIdle1 := MaxHeight(t, nodes)
	if hIdle1-hIdle0 < 5 {
		t.Fatalf("only %d blocks in the idle baseline", hIdle1-hIdle0)
	}
	idleBlocks, err := fetchBlocks(ctx, rpc, nodes[0].RPCPort, hIdle0, hIdle1)
	if err != nil {
		t.Fatal(err)
	}
	idleIntervals := blockIntervals(idleBlocks)
	rep.IdleBlockP50, rep.IdleBlockP95 = quantile(idleIntervals, 0.5), quantile(idleIntervals, 0.95)

	// 4. Load: one goroutine per account, paced to the offered rate.
	var rejections reasonCounter
	var attempted, accepted, stopped atomic.Int64
	hLoad0 := MaxHeight(t, nodes)
	loadStart := time.Now()
	loadEnd := loadStart.Add(cfg.Duration)
	interval := time.Duration(float64(time.Second) * float64(len(accounts)) / cfg.Rate)
	var sendWG sync.WaitGroup
	for i, a := range accounts {
		sendWG.Add(1)
		go func(i int, a *loadAccount) {
			defer sendWG.Done()
			next := loadStart.Add(time.Duration(i) * interval / time.Duration(len(accounts)))
			rewinds := 0
			for k := 0; k < len(a.txs); k++ {
				x := a.txs[k]
				now := time.Now()
				if !now.Before(loadEnd) {
					return
				}
				if wait := next.Sub(now); wait > 0 {
					time.Sleep(wait)
				} else if -wait > time.Second {
					next = now // do not burst more than a second's backlog
				}
				next = next.Add(interval)
				for {
					if !time.Now().Before(loadEnd) {
						return
					}
					attempted.Add(1)
					res, err := rpc.broadcastSync(ctx, a.node.RPCPort, x.raw)
					if err != nil {
						var re *rpcCallError
						reason := err.Error()
						if errors.As(err, &re) {
							reason = re.Data
						}
						if strings.Contains(reason, "mempool is full") {
							rejections.add("mempool is full (retried)")
							time.Sleep(100 * time.Millisecond)
							continue
						}
						if strings.Contains(reason, "already exists in cache") && rewinds > 0 {
							// Resent after a rewind, and the node still has it.
							rejections.add("tx already in cache after a resend (skipped)")
							break
						}
						rejections.add("rpc: " + reasonOf(reason))
						stopped.Add(1)
						return
					}
					if res.Code != 0 {
						// The node's check state lost earlier transactions of
						// this account that it had accepted: send again from
						// the sequence it expects (the bytes are the same).
						if exp, ok := expectedSequence(res.Log); ok && exp < x.seq && rewinds < 100 {
							rejections.add("account sequence mismatch, node expects an earlier accepted sequence (resent from there)")
							rewinds++
							k = int(exp) - 1
							break
						}
						rejections.add(fmt.Sprintf("code %d (%s): %s", res.Code, res.Codespace, reasonOf(res.Log)))
						stopped.Add(1) // later sequences cannot pass
						return
					}
					accepted.Add(1)
					x.sentAt.Store(time.Now().UnixNano())
					break
				}
			}
		}(i, a)
	}

	// CPU profiles during the window, if asked for.
	var profWG sync.WaitGroup
	if cfg.ProfileDir != "" {
		secs := int(min(30, (cfg.Duration - cfg.Warmup - 2*time.Second).Seconds()))
		for _, ni := range []int{0, 2} {
			profWG.Add(1)
			go func(ni int) {
				defer profWG.Done()
				time.Sleep(time.Until(loadStart.Add(cfg.Warmup)))
				port := loadPorts.Pprof + ni*def.PortStride
				if err := fetchProfile(port, secs, filepath.Join(cfg.ProfileDir, fmt.Sprintf("node%d.cpu.pprof", ni))); err != nil {
					t.Logf("profile of node%d: %v", ni, err)
				}
			}(ni)
		}
	}
	// Progress every 5 s: height and mempool sizes.
	progressDone := make(chan struct{})
	go func() {
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-progressDone:
				return
			case <-tick.C:
			}
			h, _ := nodes[0].Height()
			var mp []int
			for _, n := range nodes {
				c, err := rpc.unconfirmed(ctx, n.RPCPort)
				if err != nil {
					c = -1
				}
				mp = append(mp, c)
			}
			t.Logf("t+%2.0fs: height %d, accepted %d, mempools %v", time.Since(loadStart).Seconds(), h, accepted.Load(), mp)
		}
	}()
	sendWG.Wait()
	sendEnd := time.Now()
	for _, n := range nodes {
		c, err := rpc.unconfirmed(ctx, n.RPCPort)
		if err != nil {
			c = -1
		}
		rep.MempoolAtEnd = append(rep.MempoolAtEnd, c)
	}
	rep.Attempted, rep.Accepted, rep.AccountsStopped = attempted.Load(), accepted.Load(), stopped.Load()
	rep.OfferedTxS = float64(rep.Accepted) / sendEnd.Sub(loadStart).Seconds()
	rep.Rejections = rejections.snapshot()
	t.Logf("sending stopped after %s: %d attempts, %d accepted by CheckTx (%.0f tx/s), mempools %v, rejections %v",
		sendEnd.Sub(loadStart).Round(time.Millisecond), rep.Attempted, rep.Accepted, rep.OfferedTxS, rep.MempoolAtEnd, rep.Rejections)

	// 5. Drain: wait until every mempool is empty (bounded), then 2 blocks.
	drainDeadline := time.Now().Add(90 * time.Second)
	for {
		total := 0
		for _, n := range nodes {
			c, err := rpc.unconfirmed(ctx, n.RPCPort)
			if err != nil {
				c = 1
			}
			total += c
		}
		if total == 0 || time.Now().After(drainDeadline) {
			if total != 0 {
				t.Logf("mempools still hold %d txs 90 s after sending stopped", total)
			}
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	close(progressDone)
	rep.DrainSeconds = time.Since(sendEnd).Seconds()
	hEnd := MaxHeight(t, nodes) + 2
	nw.WaitAllHeight(t, nodes, hEnd, 60*time.Second)
	profWG.Wait()

	// 6. Read the chain: every block from the start of the load.
	blocks, err := fetchBlocks(ctx, rpc, nodes[1].RPCPort, hLoad0, hEnd)
	if err != nil {
		t.Fatal(err)
	}
	failures := map[string]int{}
	type committed struct {
		x      *loadTx
		height int64
	}
	var oks []committed
	var lat []float64
	for bi, b := range blocks {
		// A block's header time is when the previous block was committed;
		// the next block's header time is when this one was.
		committedAt := b.Time
		if bi+1 < len(blocks) {
			committedAt = blocks[bi+1].Time
		}
		for i, raw := range b.Txs {
			h := sha256.Sum256(raw)
			x, ours := byHash[h]
			if b.Codes[i] != 0 {
				failures[fmt.Sprintf("code %d", b.Codes[i])]++
				continue
			}
			if !ours {
				continue
			}
			oks = append(oks, committed{x, b.Height})
			if s := x.sentAt.Load(); s != 0 {
				lat = append(lat, committedAt.Sub(time.Unix(0, s)).Seconds())
			}
		}
	}
	rep.Committed, rep.DeliverFailures = len(oks), failures
	rep.LatencyP50, rep.LatencyP95 = quantile(lat, 0.5), quantile(lat, 0.95)

	// The window: blocks timed after the warm-up and before sending ended.
	var win []*blockInfo
	for _, b := range blocks {
		if !b.Time.Before(loadStart.Add(cfg.Warmup)) && !b.Time.After(sendEnd) {
			win = append(win, b)
		}
	}
	if len(win) < 3 {
		// The chain (nearly) stalled: count what the blocks of the window
		// committed over the window's wall time instead.
		rep.Stalled = true
		t.Logf("only %d blocks in the measurement window: the chain stalled under this load", len(win))
		wStart := loadStart.Add(cfg.Warmup)
		opener := &blockInfo{Time: wStart}
		for _, b := range blocks {
			if b.Time.Before(wStart) {
				opener = &blockInfo{Height: b.Height, Time: wStart}
			}
		}
		win = append([]*blockInfo{opener}, win...)
		win = append(win, &blockInfo{Time: sendEnd})
	}
	winOK := func(b *blockInfo) (n int) {
		for i, raw := range b.Txs {
			if _, ours := byHash[sha256.Sum256(raw)]; ours && b.Codes[i] == 0 {
				n++
			}
		}
		return n
	}
	var sumTx, sumBytes int
	for i, b := range win {
		c := winOK(b)
		rep.MaxTxsPerBlock = max(rep.MaxTxsPerBlock, c)
		sumBytes += b.Bytes
		if i > 0 { // the first block only opens the window
			sumTx += c
		}
	}
	rep.WindowBlocks = len(win) - 1
	rep.WindowTxs = sumTx
	rep.WindowSeconds = win[len(win)-1].Time.Sub(win[0].Time).Seconds()
	rep.SustainedTxS = float64(sumTx) / rep.WindowSeconds
	rep.MeanTxsPerBlock = float64(sumTx) / float64(rep.WindowBlocks)
	rep.MeanBlockBytes = float64(sumBytes) / float64(len(win))
	loadIntervals := blockIntervals(win)
	rep.LoadBlockP50, rep.LoadBlockP95 = quantile(loadIntervals, 0.5), quantile(loadIntervals, 0.95)
	rep.MeetsBar = rep.SustainedTxS >= 1000

	// 7. Correctness: every committed transaction's attestation is on chain.
	var verified atomic.Int64
	work := make(chan committed)
	errs := make(chan error, 8)
	var vWG sync.WaitGroup
	for w := 0; w < 8; w++ {
		vWG.Add(1)
		go func(w int) {
			defer vWG.Done()
			port := nodes[w%len(nodes)].RPCPort
			for c := range work {
				if err := checkAttestation(ctx, rpc, port, c.x, c.height); err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				verified.Add(1)
			}
		}(w)
	}
	for _, c := range oks {
		work <- c
	}
	close(work)
	vWG.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rep.Verified = int(verified.Load())
	rep.LoadAvgAfter = loadAvg()

	t.Logf("LOAD SUMMARY: sustained %.0f tx/s (%d txs in %d blocks over %.1f s; bar 1,000: %s) | offered %.0f tx/s accepted by CheckTx | "+
		"block time idle p50 %.2f s p95 %.2f s, under load p50 %.2f s p95 %.2f s | txs/block mean %.0f max %d | inclusion latency p50 %.2f s p95 %.2f s | "+
		"committed %d, verified %d, DeliverTx failures %v, CheckTx rejections %v, accounts stopped %d | %d %s accounts, tx %d B, mempool size %d, block max %d B, recheck %v, stalled %v | loadavg before %s after %s",
		rep.SustainedTxS, rep.WindowTxs, rep.WindowBlocks, rep.WindowSeconds, map[bool]string{true: "met", false: "NOT met"}[rep.MeetsBar],
		rep.OfferedTxS, rep.IdleBlockP50, rep.IdleBlockP95, rep.LoadBlockP50, rep.LoadBlockP95, rep.MeanTxsPerBlock, rep.MaxTxsPerBlock,
		rep.LatencyP50, rep.LatencyP95, rep.Committed, rep.Verified, rep.DeliverFailures, rep.Rejections, rep.AccountsStopped,
		len(accounts), cfg.Algo, rep.TxBytes, cfg.MempoolSize, cfg.BlockMaxBytes, cfg.Recheck, rep.Stalled, rep.LoadAvgBefore, rep.LoadAvgAfter)
	if p := os.Getenv("ADF_LOAD_REPORT"); p != "" {
		bz, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(p, append(bz, '\n'), 0o644); err != nil {
			t.Errorf("ADF_LOAD_REPORT: %v", err)
		}
	}

	// Assertions: correctness only.
	if rep.Committed == 0 {
		t.Fatal("no direct anchor was committed")
	}
	if rep.Verified != rep.Committed {
		t.Errorf("%d of %d committed anchors verified on chain", rep.Verified, rep.Committed)
	}
	if len(failures) > 0 {
		t.Errorf("transactions failed in blocks: %v", failures)
	}
	if int64(rep.Committed) > rep.Accepted {
		t.Errorf("%d committed but only %d accepted by CheckTx", rep.Committed, rep.Accepted)
	}
	nw.StopAll(t)
	t.Logf("TestLoadDirectAnchors: done in %s", time.Since(start).Round(time.Second))
}

// expectedSequence reads E from "account sequence mismatch, expected E, got
// G: ...".
func expectedSequence(log string) (uint64, bool) {
	_, rest, ok := strings.Cut(log, "account sequence mismatch, expected ")
	if !ok {
		return 0, false
	}
	num, _, _ := strings.Cut(rest, ",")
	v, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
	return v, err == nil
}

// registerLoadKeys registers, in one transaction of n's org admin, the CI
// principal <org>/load-ci and perOrg fresh keys for it, scoped to
// github.com/<org>/app.
func registerLoadKeys(ctx context.Context, enc loadEncoding, rpc *loadRPC, nw *Network, n *Node, oi, perOrg int, alg sigscheme.Algorithm) ([]*loadAccount, error) {
	admin, err := newKeyringSigner(enc, n.Home, n.Info.AdminKey)
	if err != nil {
		return nil, err
	}
	org := n.Info.OrgID
	pid := org + "/" + loadPrincipal
	scope := "github.com/" + org + "/app"
	msgs := []sdk.Msg{&identitytypes.MsgRegisterPrincipal{
		Admin: admin.Address().String(), Id: pid, Kind: identitytypes.PRINCIPAL_KIND_CI_RUNNER, Roles: []string{"ci"},
	}}
	var accs []*loadAccount
	for k := 0; k < perOrg; k++ {
		sk, err := sigscheme.GenerateKey(alg, rand.Reader)
		if err != nil {
			return nil, err
		}
		s, err := chain.NewSchemeSigner(sk)
		if err != nil {
			return nil, err
		}
		accs = append(accs, &loadAccount{idx: k*4 + oi, org: org, scope: scope, signer: s, sk: sk})
		msgs = append(msgs, &identitytypes.MsgRegisterKey{
			Signer: admin.Address().String(), PrincipalId: pid, Algorithm: string(alg), PublicKey: sk.Public().Bytes(),
			NotAfter: time.Now().Add(2 * time.Hour).UTC(), Scopes: []string{scope},
		})
	}
	num, seq, err := rpc.account(ctx, enc, n.RPCPort, admin.Address())
	if err != nil {
		return nil, err
	}
	raw, err := signLoadTx(ctx, enc, admin, msgs, nw.ChainID, num, seq, 20_000_000)
	if err != nil {
		return nil, err
	}
	res, err := rpc.broadcastSync(ctx, n.RPCPort, raw)
	if err != nil {
		return nil, err
	}
	if res.Code != 0 {
		return nil, fmt.Errorf("registering %d keys: CheckTx code %d (%s): %s", perOrg, res.Code, res.Codespace, res.Log)
	}
	if err := waitTxRPC(ctx, rpc, n.RPCPort, raw, 30*time.Second); err != nil {
		return nil, fmt.Errorf("registering %d keys: %w", perOrg, err)
	}
	return accs, nil
}

// waitTxRPC waits until tx is in a block and checks its code.
func waitTxRPC(ctx context.Context, rpc *loadRPC, port int, raw []byte, timeout time.Duration) error {
	h := sha256.Sum256(raw)
	deadline := time.Now().Add(timeout)
	for {
		var r struct {
			Height   jint `json:"height"`
			TxResult struct {
				Code uint32 `json:"code"`
				Log  string `json:"log"`
			} `json:"tx_result"`
		}
		err := rpc.call(ctx, port, "tx", map[string]any{"hash": base64.StdEncoding.EncodeToString(h[:]), "prove": false}, &r)
		if err == nil {
			if r.TxResult.Code != 0 {
				return fmt.Errorf("tx %X failed in block %d: code %d: %s", h, r.Height, r.TxResult.Code, r.TxResult.Log)
			}
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("tx %X not in a block after %s: %v", h, timeout, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// presign builds every account's pipeline: perAcct anchors with sequences
// 0..perAcct-1, in parallel over the CPUs.
func presign(ctx context.Context, enc loadEncoding, accounts []*loadAccount, perAcct int, chainID string) error {
	work := make(chan *loadAccount)
	errc := make(chan error, len(accounts))
	var wg sync.WaitGroup
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range work {
				a.txs = make([]*loadTx, 0, perAcct)
				for seq := 0; seq < perAcct; seq++ {
					x, err := signAnchor(ctx, enc, a, uint64(seq), chainID)
					if err != nil {
						errc <- err
						return
					}
					a.txs = append(a.txs, x)
				}
			}
		}()
	}
	for _, a := range accounts {
		work <- a
	}
	close(work)
	wg.Wait()
	close(errc)
	return <-errc
}

// signAnchor builds what `adf attest --direct --predicate slsa` sends for a
// fresh random artifact: an SLSA provenance v1 statement (one subject, two
// resolved dependencies), a DSSE envelope signed by the key, and the
// MsgAnchorAttestation transaction signed by the same key.
func signAnchor(ctx context.Context, enc loadEncoding, a *loadAccount, seq uint64, chainID string) (*loadTx, error) {
	var rnd [96]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	rd := func(name string, b []byte) intoto.ResourceDescriptor {
		return intoto.ResourceDescriptor{Name: name, Digest: map[string]string{"sha256": hex.EncodeToString(b)}}
	}
	commit := hex.EncodeToString(rnd[32:52])
	pred := intoto.SLSAProvenance{
		BuildDefinition: intoto.BuildDefinition{
			BuildType: "https://adf-consortium.github.io/adf/buildtypes/generic/v1",
			ExternalParameters: mustMarshal(map[string]any{
				"repository": a.scope, "ref": "refs/heads/main", "sha": commit, "event_name": "push",
			}),
			ResolvedDependencies: []intoto.ResourceDescriptor{rd("src.tar", rnd[32:64]), rd("go.sum", rnd[64:96])},
		},
		RunDetails: intoto.RunDetails{
			Builder:  intoto.Builder{ID: "https://ci." + a.org + ".example/builder"},
			Metadata: &intoto.BuildMetadata{InvocationID: fmt.Sprintf("https://ci.%s.example/runs/%d-%d", a.org, a.idx, seq)},
		},
	}
	st, err := intoto.NewStatement([]intoto.ResourceDescriptor{rd("app", rnd[:32])}, intoto.PredicateSLSAProvenanceV1, pred)
	if err != nil {
		return nil, err
	}
	payload, err := st.Marshal()
	if err != nil {
		return nil, err
	}
	addr := a.signer.Address().String()
	env := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: payload}
	if err := dsse.Sign(env, addr, a.sk, chainID); err != nil {
		return nil, err
	}
	envBytes, err := env.Marshal()
	if err != nil {
		return nil, err
	}
	digest := env.Digest()
	msg := &attestationtypes.MsgAnchorAttestation{Signer: addr, Envelope: envBytes, RiskClass: loadRisk, Scope: a.scope}
	raw, err := signLoadTx(ctx, enc, a.signer, []sdk.Msg{msg}, chainID, a.accNum, seq, 1_000_000+40*uint64(len(envBytes)))
	if err != nil {
		return nil, err
	}
	return &loadTx{raw: raw, hash: sha256.Sum256(raw), digest: hex.EncodeToString(digest[:]), acct: a, seq: seq}, nil
}

func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// checkAttestation queries the attestation of x's envelope and checks that
// the chain recorded it for x's key at the block that included x.
func checkAttestation(ctx context.Context, rpc *loadRPC, port int, x *loadTx, height int64) error {
	req := &attestationtypes.QueryAttestationRequest{Digest: x.digest}
	bz, err := req.Marshal()
	if err != nil {
		return err
	}
	val, code, lg, err := rpc.abciQuery(ctx, port, "/adf.attestation.v1.Query/Attestation", bz)
	if err != nil {
		return fmt.Errorf("attestation %s: %w", x.digest, err)
	}
	if code != 0 {
		return fmt.Errorf("attestation %s (tx %X, block %d): query code %d: %s", x.digest, x.hash, height, code, lg)
	}
	var resp attestationtypes.QueryAttestationResponse
	if err := resp.Unmarshal(val); err != nil {
		return fmt.Errorf("attestation %s: %w", x.digest, err)
	}
	a := resp.Attestation
	if a.Signer != x.acct.signer.Address().String() || a.Height != height || hex.EncodeToString(a.EnvelopeDigest) != x.digest ||
		a.Scope != x.acct.scope || a.RiskClass != loadRisk {
		return fmt.Errorf("attestation %s: signer %s height %d scope %q risk %q, want %s, %d, %q, %q",
			x.digest, a.Signer, a.Height, a.Scope, a.RiskClass, x.acct.signer.Address(), height, x.acct.scope, loadRisk)
	}
	return nil
}

// fetchBlocks reads blocks from..to (inclusive) with their results.
func fetchBlocks(ctx context.Context, rpc *loadRPC, port int, from, to int64) ([]*blockInfo, error) {
	out := make([]*blockInfo, to-from+1)
	var wg sync.WaitGroup
	errc := make(chan error, len(out))
	sem := make(chan struct{}, 4)
	for h := from; h <= to; h++ {
		wg.Add(1)
		go func(h int64) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			b, err := rpc.block(ctx, port, h)
			if err != nil {
				errc <- err
				return
			}
			out[h-from] = b
		}(h)
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return nil, err
	}
	return out, nil
}

// blockIntervals are the differences of consecutive header times, seconds.
func blockIntervals(bs []*blockInfo) []float64 {
	var out []float64
	for i := 1; i < len(bs); i++ {
		out = append(out, bs[i].Time.Sub(bs[i-1].Time).Seconds())
	}
	return out
}

// quantile is the q-quantile (nearest rank) of xs; 0 for none.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// fetchProfile saves a CPU profile of the node whose pprof server listens on
// port.
func fetchProfile(port, secs int, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	hc := &http.Client{Timeout: time.Duration(secs+30) * time.Second}
	resp, err := hc.Get(fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/profile?seconds=%d", port, secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadAvg is /proc/loadavg's first three fields ("" elsewhere).
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
