//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

// TestBatcher runs a real `adf batcher serve` against a fresh 4-validator
// network: it measures submit-to-anchored latency (POST /v1/entries until
// GET /v1/proof/{index} answers with a proof to an anchored root), then
// SIGKILLs the batcher under concurrent load and checks that every receipt
// it handed out survives the restart, is idempotent on resubmission, and
// ends up with an inclusion proof to a root the chain anchored.
//
// It needs ADFD_BIN and ADF_BIN (build/adfd, build/adf from `make build`).

var (
	batcherPorts  = suitePorts(blockBatcher)
	batcherListen = suiteAddr(blockBatcher, 900)
)

const (
	batcherChainID = "adf-e2e-batcher-1"
	batcherLogID   = "acme/batcher-1"
)

func batcherDef() NetworkDef {
	def := localnetDef()
	def.ChainID = batcherChainID
	def.BasePorts = batcherPorts
	def.PortStride = 100
	return def
}

// batcherReceipt is POST /v1/entries's answer.
type batcherReceipt struct {
	LogID          string `json:"log_id"`
	Index          uint64 `json:"index"`
	LeafHash       string `json:"leaf_hash"`
	EnvelopeDigest string `json:"envelope_digest"`
	Existing       bool   `json:"existing,omitempty"`
	Signer         string `json:"signer"`
}

// batcherProof is GET /v1/proof/{index}'s answer.
type batcherProof struct {
	LogID    string   `json:"log_id"`
	Index    uint64   `json:"index"`
	LeafHash string   `json:"leaf_hash"`
	TreeSize uint64   `json:"tree_size"`
	RootHash string   `json:"root_hash"`
	Height   int64    `json:"height"`
	Proof    []string `json:"inclusion_proof"`
}

// batcherProc is one `adf batcher serve` process.
type batcherProc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// e2eSigner signs in-toto statements as a key of the adf key store.
type e2eSigner struct {
	addr    string
	sk      sigscheme.PrivateKey
	chainID string
}

// loadStoreKey reads a key file written by `adf key new` (the store is
// internal to cmd/adf, so its JSON is read directly).
func loadStoreKey(t *testing.T, keysDir, name, chainID string) *e2eSigner {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(keysDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Algorithm  string `json:"algorithm"`
		PrivateKey []byte `json:"private_key"`
		Address    string `json:"address"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("key file %s: %v", name, err)
	}
	alg, err := sigscheme.ParseAlgorithm(e.Algorithm)
	if err != nil {
		t.Fatal(err)
	}
	sk, err := sigscheme.ParsePrivateKey(alg, e.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return &e2eSigner{addr: e.Address, sk: sk, chainID: chainID}
}

// envelope returns a signed DSSE envelope (canonical JSON) of a statement
// about a subject derived from tag.
func (s *e2eSigner) envelope(tag string) ([]byte, error) {
	sum := sha256.Sum256([]byte(tag))
	st, err := intoto.NewStatement([]intoto.ResourceDescriptor{{Name: tag, Digest: map[string]string{"sha256": hex.EncodeToString(sum[:])}}},
		"https://adf.example/e2e/batcher/v1", map[string]any{"tag": tag})
	if err != nil {
		return nil, err
	}
	payload, err := st.Marshal()
	if err != nil {
		return nil, err
	}
	env := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: payload}
	if err := dsse.Sign(env, s.addr, s.sk, s.chainID); err != nil {
		return nil, err
	}
	return env.Marshal()
}

func TestBatcher(t *testing.T) {
	bin := adfdBin(t)
	abin := adfBin(t)
	start := time.Now()
	nw := NewNetwork(t, bin, batcherDef())
	nw.Authority = consortiumAuthority(t)
	nw.StartAll(t)
	nodes := nw.Nodes
	acmeNode := nodes[0]
	if acmeNode.Info.OrgID != "acme" {
		t.Fatalf("unexpected org order: %s", acmeNode.Info.OrgID)
	}
	nw.WaitAllHeight(t, nodes, 2, 120*time.Second)
	acme := newADFClient(t, abin, acmeNode)
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "batcher-data")
	logPath := filepath.Join(dir, "batcher.log")
	base := "http://" + batcherListen
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	var (
		ci   *e2eSigner
		bat  keyOut
		proc *batcherProc
		mu   sync.Mutex // guards proc
	)
	startBatcher := func(t *testing.T) {
		t.Helper()
		if err := checkPortFree(16020); err != nil {
			t.Fatalf("batcher port: %v", err)
		}
		blog, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(abin, "batcher", "serve", "--data-dir", dataDir, "--log-id", batcherLogID,
			"--key", "bat", "--listen", batcherListen, "--epoch", "1s", "--node", acme.rpc, "--api", acme.api)
		cmd.Env = append(cliEnv(), "ADF_KEYS_DIR="+acme.keysDir)
		cmd.Stdout, cmd.Stderr = blog, blog
		cmd.SysProcAttr = procAttr()
		if err := cmd.Start(); err != nil {
			blog.Close()
			t.Fatal(err)
		}
		p := &batcherProc{cmd: cmd, done: make(chan struct{})}
		go func() { _ = cmd.Wait(); blog.Close(); close(p.done) }()
		mu.Lock()
		proc = p
		mu.Unlock()
		t.Logf("batcher started pid %d", cmd.Process.Pid)
		waitFor(t, 20*time.Second, 200*time.Millisecond, "the batcher to serve /healthz", func() (bool, string) {
			select {
			case <-p.done:
				t.Fatalf("batcher exited:\n%s", batcherLogTail(logPath, 20))
			default:
			}
			var h map[string]any
			err := getJSON(hc, base+"/healthz", &h)
			return err == nil, fmt.Sprint(err)
		})
	}
	killBatcher := func() {
		mu.Lock()
		p := proc
		mu.Unlock()
		if p == nil {
			return
		}
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	t.Cleanup(func() {
		mu.Lock()
		p := proc
		mu.Unlock()
		if p == nil {
			return
		}
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	submit := func(body []byte) (batcherReceipt, int, error) {
		var r batcherReceipt
		resp, err := hc.Post(base+"/v1/entries", "application/json", bytes.NewReader(body))
		if err != nil {
			return r, 0, err
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			return r, resp.StatusCode, err
		}
		if resp.StatusCode != http.StatusOK {
			return r, resp.StatusCode, fmt.Errorf("POST /v1/entries: %d %s", resp.StatusCode, strings.TrimSpace(string(raw)))
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return r, resp.StatusCode, fmt.Errorf("receipt %q: %v", raw, err)
		}
		return r, resp.StatusCode, nil
	}
	// proof returns the proof of index, or ok=false while it is not anchored.
	proof := func(index uint64) (batcherProof, bool, error) {
		var p batcherProof
		resp, err := hc.Get(base + "/v1/proof/" + strconv.FormatUint(index, 10))
		if err != nil {
			return p, false, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		switch resp.StatusCode {
		case http.StatusOK:
			if err := json.Unmarshal(raw, &p); err != nil {
				return p, false, err
			}
			return p, true, nil
		case http.StatusConflict:
			return p, false, nil
		default:
			return p, false, fmt.Errorf("GET /v1/proof/%d: %d %s", index, resp.StatusCode, strings.TrimSpace(string(raw)))
		}
	}
	// chainRoots caches the chain's anchored root hash by tree size.
	chainRoots := map[uint64]string{}
	chainRoot := func(t *testing.T, size uint64) string {
		t.Helper()
		if h, ok := chainRoots[size]; ok {
			return h
		}
		var out struct {
			Root struct {
				LogID    string `json:"log_id"`
				TreeSize string `json:"tree_size"`
				RootHash []byte `json:"root_hash"`
				Height   string `json:"height"`
			} `json:"root"`
		}
		url := fmt.Sprintf("%s/adf/attestation/v1/roots/%d/%s", acme.api, size, batcherLogID)
		if err := getJSON(hc, url, &out); err != nil {
			t.Fatalf("chain root at tree size %d: %v", size, err)
		}
		if out.Root.LogID != batcherLogID || out.Root.TreeSize != strconv.FormatUint(size, 10) || len(out.Root.RootHash) != 32 {
			t.Fatalf("chain root at tree size %d: %+v", size, out.Root)
		}
		h := hex.EncodeToString(out.Root.RootHash)
		chainRoots[size] = h
		return h
	}
	// verifyProof checks p for rc with pkg/merkle against the chain's root.
	verifyProof := func(t *testing.T, rc batcherReceipt, p batcherProof) {
		t.Helper()
		if p.Index != rc.Index || p.LeafHash != rc.LeafHash || p.LogID != batcherLogID {
			t.Fatalf("proof of %d does not match the receipt: %+v vs %+v", rc.Index, p, rc)
		}
		leaf, err := hexHash(rc.LeafHash)
		if err != nil {
			t.Fatal(err)
		}
		root, err := hexHash(p.RootHash)
		if err != nil {
			t.Fatal(err)
		}
		path := make([]merkle.Hash, len(p.Proof))
		for k, s := range p.Proof {
			if path[k], err = hexHash(s); err != nil {
				t.Fatal(err)
			}
		}
		if err := merkle.VerifyInclusion(rc.Index, p.TreeSize, leaf, path, root); err != nil {
			t.Fatalf("inclusion proof of %d in tree size %d: %v", rc.Index, p.TreeSize, err)
		}
		if got := chainRoot(t, p.TreeSize); got != p.RootHash {
			t.Fatalf("root of tree size %d: batcher %s, chain %s", p.TreeSize, p.RootHash, got)
		}
	}

	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"1_policies_principals_keys", func(t *testing.T) {
			proposeAndPass(t, nw, nodes, "batcher anchor policies",
				map[string]any{
					"@type": "/adf.identity.v1.MsgSetPolicy", "authority": nw.Authority,
					"policy": map[string]any{"id": "batcher-anchor", "role": "batcher", "action": "anchor", "scope_pattern": batcherLogID},
				},
				map[string]any{
					"@type": "/adf.identity.v1.MsgSetPolicy", "authority": nw.Authority,
					"policy": map[string]any{"id": "ci-anchor-batcher", "role": "ci", "action": "anchor", "scope_pattern": batcherLogID},
				})
			acme.must(t, append([]string{"principal", "register", "--id", batcherLogID, "--kind", "batcher", "--role", "batcher"}, adminFlags(acmeNode)...)...)
			acme.must(t, append([]string{"principal", "register", "--id", "acme/ci-1", "--kind", "ci-runner", "--role", "ci"}, adminFlags(acmeNode)...)...)
			bat = acme.newKey(t, "--name", "bat", "--algo", "ed25519", "--principal", batcherLogID, "--ttl", "30m",
				"--from", acmeNode.Info.AdminKey, "--home", acmeNode.Home, "--keyring-backend", "test")
			acme.newKey(t, "--name", "ci", "--algo", "composite", "--principal", "acme/ci-1", "--ttl", "30m",
				"--from", acmeNode.Info.AdminKey, "--home", acmeNode.Home, "--keyring-backend", "test")
			ci = loadStoreKey(t, acme.keysDir, "ci", batcherChainID)
		}},
		{"2_submit_to_anchored_latency", func(t *testing.T) {
			startBatcher(t)
			// A first entry, retried until the batcher sees the key.
			var first batcherReceipt
			waitFor(t, 20*time.Second, 500*time.Millisecond, "the batcher to accept an entry", func() (bool, string) {
				body, err := ci.envelope("warm-up " + time.Now().String())
				if err != nil {
					t.Fatal(err)
				}
				r, _, err := submit(body)
				first = r
				return err == nil, fmt.Sprint(err)
			})
			if first.Signer != ci.addr || first.LogID != batcherLogID {
				t.Fatalf("receipt: %+v", first)
			}
			const n = 200
			const interval = 50 * time.Millisecond // 20 entries/s
			nonce := time.Now().UnixNano()
			type pending struct {
				rc   batcherReceipt
				sent time.Time
			}
			var (
				pmu      sync.Mutex
				queue    []pending
				lat      []time.Duration
				proofs   = map[uint64]batcherProof{}
				rcpts    []batcherReceipt
				subErr   error
				doneSend = make(chan struct{})
			)
			go func() {
				defer close(doneSend)
				tick := time.NewTicker(interval)
				defer tick.Stop()
				for i := 0; i < n; i++ {
					<-tick.C
					body, err := ci.envelope(fmt.Sprintf("latency %d %d", nonce, i))
					if err != nil {
						pmu.Lock()
						subErr = err
						pmu.Unlock()
						return
					}
					t0 := time.Now()
					r, _, err := submit(body)
					pmu.Lock()
					if err != nil {
						subErr = err
						pmu.Unlock()
						return
					}
					queue = append(queue, pending{rc: r, sent: t0})
					rcpts = append(rcpts, r)
					pmu.Unlock()
				}
			}()
			// Poll: the oldest pending entry's proof; once it answers, every
			// pending entry below that tree size is asked for its own proof.
			deadline := time.Now().Add(time.Duration(n)*interval + 30*time.Second)
			sendDone := false
			for {
				select {
				case <-doneSend:
					sendDone = true
				default:
				}
				pmu.Lock()
				q := append([]pending(nil), queue...)
				err := subErr
				pmu.Unlock()
				if err != nil {
					t.Fatalf("submission: %v", err)
				}
				if sendDone && len(q) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d entries not anchored within the bound (oldest index %d); batcher log:\n%s", len(q), q[0].rc.Index, batcherLogTail(logPath, 20))
				}
				if len(q) > 0 {
					p, ok, err := proof(q[0].rc.Index)
					if err != nil {
						t.Fatal(err)
					}
					if ok {
						var got []uint64
						for _, e := range q {
							if e.rc.Index >= p.TreeSize {
								continue
							}
							pe, ok, err := proof(e.rc.Index)
							if err != nil {
								t.Fatal(err)
							}
							if !ok {
								t.Fatalf("entry %d has no proof though %d is anchored at tree size %d", e.rc.Index, q[0].rc.Index, p.TreeSize)
							}
							lat = append(lat, time.Since(e.sent))
							proofs[e.rc.Index] = pe
							got = append(got, e.rc.Index)
						}
						pmu.Lock()
						keep := queue[:0]
						for _, e := range queue {
							if _, done := proofs[e.rc.Index]; !done {
								keep = append(keep, e)
							}
						}
						queue = keep
						pmu.Unlock()
						continue
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
			if len(lat) != n || len(rcpts) != n {
				t.Fatalf("measured %d latencies for %d receipts, want %d", len(lat), len(rcpts), n)
			}
			for _, rc := range rcpts {
				verifyProof(t, rc, proofs[rc.Index])
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(q float64) time.Duration {
				k := int(q*float64(len(lat))+0.999999) - 1
				k = max(0, min(k, len(lat)-1))
				return lat[k]
			}
			ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
			t.Logf("batcher submit-to-anchored latency: n=%d p50=%s p95=%s p99=%s max=%s (rate %.0f/s, epoch 1s, 4 validators)",
				len(lat), ms(pct(0.50)), ms(pct(0.95)), ms(pct(0.99)), ms(lat[len(lat)-1]), float64(time.Second)/float64(interval))
			if m := metricLines(hc, base+"/metrics", "adf_batcher_anchor_lag_seconds_sum", "adf_batcher_anchor_lag_seconds_count", "adf_batcher_anchors_total"); m != "" {
				t.Logf("batcher metrics:\n%s", m)
			}
		}},
		{"3_kill9_under_load", func(t *testing.T) {
			const (
				workers  = 8
				maxTotal = 3000
				loadFor  = 20 * time.Second
				pace     = 20 * time.Millisecond // per worker: at most ~400 entries/s in all
			)
			type got struct {
				rc   batcherReceipt
				body []byte
			}
			var (
				gmu      sync.Mutex
				receipts []got
				sent     atomic.Int64
				killed   atomic.Bool
				errs     atomic.Int64
				firstErr atomic.Value
			)
			nonce := time.Now().UnixNano()
			var h0 struct {
				AnchoredTreeSize uint64 `json:"anchored_tree_size"`
			}
			if err := getJSON(hc, base+"/healthz", &h0); err != nil {
				t.Fatal(err)
			}
			loadStart := time.Now()
			stopAt := loadStart.Add(loadFor)
			killedCh := make(chan struct{})
			var killedAfter time.Duration // set before killedCh closes
			// The killer: SIGKILL about a second after the first root of
			// this load was anchored (so the next epoch's anchor may be in
			// flight), or after 8 s at the latest.
			go func() {
				var anchoredAt time.Time
				for {
					time.Sleep(100 * time.Millisecond)
					var h struct {
						AnchoredTreeSize uint64 `json:"anchored_tree_size"`
					}
					if err := getJSON(hc, base+"/healthz", &h); err == nil && h.AnchoredTreeSize > h0.AnchoredTreeSize && anchoredAt.IsZero() {
						anchoredAt = time.Now()
					}
					if (!anchoredAt.IsZero() && time.Since(anchoredAt) > time.Second) || time.Since(loadStart) > 8*time.Second {
						killed.Store(true)
						killedAfter = time.Since(loadStart)
						killBatcher()
						close(killedCh)
						return
					}
				}
			}()
			var wg sync.WaitGroup
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					for time.Now().Before(stopAt) {
						i := sent.Add(1)
						if i > maxTotal {
							return
						}
						body, err := ci.envelope(fmt.Sprintf("kill %d %d %d", nonce, w, i))
						if err != nil {
							firstErr.CompareAndSwap(nil, err.Error())
							errs.Add(1)
							return
						}
						r, _, err := submit(body)
						if err != nil {
							if killed.Load() {
								// The batcher is gone: stop after the first
								// refused connection.
								return
							}
							firstErr.CompareAndSwap(nil, err.Error())
							errs.Add(1)
							continue
						}
						gmu.Lock()
						receipts = append(receipts, got{rc: r, body: body})
						gmu.Unlock()
						time.Sleep(pace)
					}
				}(w)
			}
			wg.Wait()
			select {
			case <-killedCh:
			case <-time.After(10 * time.Second):
				t.Fatalf("the batcher was not killed during the load (%d receipts, %d errors, first %v)", len(receipts), errs.Load(), firstErr.Load())
			}
			if len(receipts) < 300 {
				t.Fatalf("only %d receipts before the kill; the load is too light to mean anything", len(receipts))
			}
			if errs.Load() > 0 {
				t.Fatalf("%d submissions failed before the kill; first: %v", errs.Load(), firstErr.Load())
			}
			t.Logf("SIGKILLed the batcher %s into the load (%d workers): %d receipts returned, %d submissions attempted, anchored tree size before the load %d",
				killedAfter.Round(100*time.Millisecond), workers, len(receipts), min(sent.Load(), maxTotal), h0.AnchoredTreeSize)

			startBatcher(t)
			var h struct {
				TreeSize         uint64 `json:"tree_size"`
				AnchoredTreeSize uint64 `json:"anchored_tree_size"`
			}
			if err := getJSON(hc, base+"/healthz", &h); err != nil {
				t.Fatal(err)
			}
			t.Logf("after restart: tree_size %d, anchored_tree_size %d", h.TreeSize, h.AnchoredTreeSize)
			// Every receipt's entry is there.
			maxIndex := uint64(0)
			seen := map[uint64]bool{}
			for _, g := range receipts {
				if seen[g.rc.Index] {
					t.Fatalf("two receipts for index %d", g.rc.Index)
				}
				seen[g.rc.Index] = true
				maxIndex = max(maxIndex, g.rc.Index)
				var e struct {
					LogID          string          `json:"log_id"`
					Index          uint64          `json:"index"`
					LeafHash       string          `json:"leaf_hash"`
					EnvelopeDigest string          `json:"envelope_digest"`
					Envelope       json.RawMessage `json:"envelope"`
				}
				if err := getJSON(hc, fmt.Sprintf("%s/v1/entries/%d", base, g.rc.Index), &e); err != nil {
					t.Fatalf("receipt %+v lost after SIGKILL: %v", g.rc, err)
				}
				if e.LogID != g.rc.LogID || e.Index != g.rc.Index || e.LeafHash != g.rc.LeafHash || e.EnvelopeDigest != g.rc.EnvelopeDigest {
					t.Fatalf("entry %d after restart %+v does not match its receipt %+v", g.rc.Index, e, g.rc)
				}
				if !bytes.Equal(e.Envelope, g.body) {
					t.Fatalf("entry %d after restart: stored envelope differs from the one submitted", g.rc.Index)
				}
			}
			if h.TreeSize <= maxIndex {
				t.Fatalf("tree size %d after restart, but a receipt has index %d", h.TreeSize, maxIndex)
			}
			// Resubmissions return the identical receipt.
			for k := 0; k < len(receipts); k += len(receipts)/5 + 1 {
				g := receipts[k]
				r, _, err := submit(g.body)
				if err != nil {
					t.Fatalf("resubmitting entry %d: %v", g.rc.Index, err)
				}
				if !r.Existing || r.LogID != g.rc.LogID || r.Index != g.rc.Index || r.LeafHash != g.rc.LeafHash || r.EnvelopeDigest != g.rc.EnvelopeDigest {
					t.Fatalf("resubmission of entry %d: %+v, first receipt %+v", g.rc.Index, r, g.rc)
				}
			}
			// After the next anchor every receipt has a proof to a chain root.
			waitFor(t, 30*time.Second, 250*time.Millisecond, "the batcher to anchor every receipted entry", func() (bool, string) {
				if err := getJSON(hc, base+"/healthz", &h); err != nil {
					return false, err.Error()
				}
				return h.AnchoredTreeSize > maxIndex, fmt.Sprintf("anchored_tree_size %d, need > %d", h.AnchoredTreeSize, maxIndex)
			})
			for _, g := range receipts {
				p, ok, err := proof(g.rc.Index)
				if err != nil || !ok {
					t.Fatalf("proof of %d after the anchor: ok=%v err=%v", g.rc.Index, ok, err)
				}
				verifyProof(t, g.rc, p)
			}
			t.Logf("all %d receipts survived the SIGKILL and verify against chain roots (%d distinct tree sizes checked on chain)", len(receipts), len(chainRoots))
			// Informational: an anchor tx of the killed process can land
			// after the restarted one read the chain's latest root; its first
			// attempt then fails (stale consistency proof) and is retried.
			if m := metricLines(hc, base+"/metrics", "adf_batcher_anchors_total", "adf_batcher_anchor_failures_total"); m != "" {
				t.Logf("batcher metrics after restart:\n%s", m)
			}
		}},
		{"4_forked_or_rewritten_roots_refused_by_chain", func(t *testing.T) {
			var h struct {
				AnchoredTreeSize uint64 `json:"anchored_tree_size"`
			}
			if err := getJSON(hc, base+"/healthz", &h); err != nil {
				t.Fatal(err)
			}
			bogus := func(seed byte) string {
				b := make([]byte, 32)
				for i := range b {
					b[i] = seed + byte(i)
				}
				return base64.StdEncoding.EncodeToString(b)
			}
			dir := t.TempDir()
			send := func(name string, size uint64, proof []string) []string {
				msg := map[string]any{"@type": "/adf.attestation.v1.MsgAnchorRoot", "signer": bat.Address,
					"log_id": batcherLogID, "tree_size": strconv.FormatUint(size, 10), "root_hash": bogus(byte(size)), "consistency_proof": proof}
				path := filepath.Join(dir, name+".json")
				bz, _ := json.Marshal(msg)
				if err := os.WriteFile(path, bz, 0o600); err != nil {
					t.Fatal(err)
				}
				return []string{"tx", path, "--key", "bat"}
			}
			// The batcher principal's own key, so authorisation passes and
			// only the log rules can refuse: a root grown from the anchored
			// one without a valid consistency proof (a fork)...
			r := acme.mustFail(t, []string{"code 6", "consistency"}, send("fork", h.AnchoredTreeSize+7, []string{bogus(1), bogus(2), bogus(3)})...)
			t.Logf("fork refused: %s", strings.TrimSpace(r.Stderr))
			// ...and a different root at a size already anchored (a rewrite).
			r = acme.mustFail(t, []string{"code 7", "differs from the anchored root"}, send("rewrite", h.AnchoredTreeSize, nil)...)
			t.Logf("rewrite refused: %s", strings.TrimSpace(r.Stderr))
		}},
	}
	for _, s := range steps {
		t0 := time.Now()
		ok := t.Run(s.name, s.fn)
		t.Logf("step %s: %s (%s)", s.name, map[bool]string{true: "ok", false: "FAILED"}[ok], time.Since(t0).Round(100*time.Millisecond))
		if !ok {
			t.Logf("batcher log tail:\n%s", batcherLogTail(logPath, 30))
			t.Fatalf("step %s failed; the remaining steps depend on it and were not run", s.name)
		}
	}
	t.Logf("batcher log tail:\n%s", batcherLogTail(logPath, 8))
	t.Logf("TestBatcher: all steps passed in %s", time.Since(start).Round(time.Second))
}

func getJSON(hc *http.Client, url string, out any) error {
	resp, err := hc.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", url, resp.StatusCode, strings.TrimSpace(string(raw)))
	}
	return json.Unmarshal(raw, out)
}

func hexHash(s string) (merkle.Hash, error) {
	var h merkle.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("hash %q: want 64 hex digits (%v)", s, err)
	}
	copy(h[:], b)
	return h, nil
}

func batcherLogTail(path string, lines int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return tail(string(raw), lines)
}

// metricLines returns the lines of a Prometheus text page starting with
// one of names.
func metricLines(hc *http.Client, url string, names ...string) string {
	resp, err := hc.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out []string
	for _, l := range strings.Split(string(raw), "\n") {
		for _, n := range names {
			if strings.HasPrefix(l, n) {
				out = append(out, l)
			}
		}
	}
	return strings.Join(out, "\n")
}
