//go:build e2e

package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// Each suite owns a block of ports (see suitePorts), so suites run one after
// another without waiting for sockets to drain, and next to a developer's
// localnet (26656, 26657, 9090, 1317, 6060).
var e2ePorts = suitePorts(blockLocalnet)

const (
	e2eStride  = 100
	e2eChainID = "adf-e2e-1"
	e2ePower   = 10

	pubKeyTypeMlDsa65 = "cometbft/PubKeyMlDsa65"
	pubKeyTypeEd25519 = "tendermint/PubKeyEd25519"
)

func localnetDef() NetworkDef {
	org := func(id, name, adminKey, val, valKey string) OrgDef {
		return OrgDef{ID: id, Name: name, AdminKeyType: adminKey, Validator: ValidatorDef{Name: val, KeyType: valKey}}
	}
	return NetworkDef{
		ChainID: e2eChainID, Host: "127.0.0.1", PortStride: e2eStride, BasePorts: e2ePorts, Power: e2ePower,
		Orgs: []OrgDef{
			org("acme", "Acme Software", "ml_dsa_65", "acme-val", "ml_dsa_65"),
			org("globex", "Globex Build Services", "secp256k1", "globex-val", "ed25519"),
			org("initech", "Initech Security", "ml_dsa_65", "initech-val", "ml_dsa_65"),
			org("umbrella", "Umbrella Devices", "secp256k1", "umbrella-val", "ed25519"),
		},
	}
}

// consortiumAuthority is the address that signs the messages a proposal
// executes: the module account of x/consortium.
func consortiumAuthority(t *testing.T) string {
	t.Helper()
	addr, err := sdk.Bech32ifyAddressBytes("adf", authtypes.NewModuleAddress("consortium"))
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// TestLocalnet runs a 4-validator network (2 ML-DSA-65, 2 Ed25519) and walks
// it through governance, a crash, and a genesis export/import. The steps
// share the network and run in order; after a failed step the rest are
// skipped, since each builds on the state the previous ones left.
func TestLocalnet(t *testing.T) {
	bin := adfdBin(t)
	start := time.Now()
	def := localnetDef()
	nw := NewNetwork(t, bin, def)

	authority := consortiumAuthority(t)
	if nw.Authority != "" && nw.Authority != authority {
		t.Errorf("network-info.json authority %s, but the consortium module address is %s", nw.Authority, authority)
	}
	nw.Authority = authority

	nw.StartAll(t)
	orig := slices.Clone(nw.Nodes) // the four genesis validators
	var extra *Node                // the validator added by proposal

	steps := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"1_blocks_on_all_nodes_mixed_key_types", func(t *testing.T) { stepBlocks(t, nw, orig) }},
		{"2_two_of_four_yes_does_not_pass", func(t *testing.T) { stepTwoOfFour(t, nw, orig) }},
		{"3_three_of_four_add_mldsa_validator", func(t *testing.T) { extra = stepAddValidator(t, nw, orig) }},
		{"4_kill9_validator_chain_continues", func(t *testing.T) { stepKill9(t, nw, orig[1]) }},
		{"5_app_hashes_equal", func(t *testing.T) { stepAppHashes(t, nw) }},
		{"6_export_import_genesis", func(t *testing.T) { stepExportImport(t, nw, extra) }},
	}
	for _, s := range steps {
		t0 := time.Now()
		ok := t.Run(s.name, s.fn)
		t.Logf("step %s: %s (%s)", s.name, map[bool]string{true: "ok", false: "FAILED"}[ok], time.Since(t0).Round(100*time.Millisecond))
		if !ok {
			t.Fatalf("step %s failed; the remaining steps depend on it and were not run", s.name)
		}
	}
	t.Logf("TestLocalnet: all steps passed in %s", time.Since(start).Round(time.Second))
}

// 1. Every node commits blocks; the validator set has two ML-DSA-65 and two
// Ed25519 keys, each at the definition's power and matching network-info.
func stepBlocks(t *testing.T, nw *Network, orig []*Node) {
	nw.WaitAllHeight(t, orig, 3, 120*time.Second)
	// Each node keeps committing, not just reports an old height.
	for _, n := range orig {
		h, err := n.Height()
		if err != nil {
			t.Fatal(err)
		}
		n.WaitHeight(t, h+2, 20*time.Second)
	}
	t.Logf("heights: %v", nw.Heights())

	vals, err := orig[0].Validators()
	if err != nil {
		t.Fatal(err)
	}
	if len(vals) != 4 {
		t.Fatalf("CometBFT has %d validators, want 4: %+v", len(vals), vals)
	}
	byAddr := map[string]RPCValidator{}
	types := map[string]int{}
	for _, v := range vals {
		byAddr[strings.ToUpper(v.Address)] = v
		types[v.PubKey.Type]++
		if v.VotingPower != e2ePower {
			t.Errorf("validator %s has power %d, want %d", v.Address, v.VotingPower, e2ePower)
		}
	}
	if types[pubKeyTypeMlDsa65] != 2 || types[pubKeyTypeEd25519] != 2 {
		t.Errorf("validator key types %v, want 2 %s and 2 %s", types, pubKeyTypeMlDsa65, pubKeyTypeEd25519)
	}
	for _, n := range orig {
		v, ok := byAddr[strings.ToUpper(n.Info.ConsAddress)]
		if !ok {
			t.Errorf("%s: cons_address %s (network-info.json) is not in CometBFT's validator set", n.Name, n.Info.ConsAddress)
			continue
		}
		want := map[string]string{"ml_dsa_65": pubKeyTypeMlDsa65, "ed25519": pubKeyTypeEd25519}[n.Info.KeyType]
		if v.PubKey.Type != want {
			t.Errorf("%s: key type %s in CometBFT, want %s (%s)", n.Name, v.PubKey.Type, want, n.Info.KeyType)
		}
		st, err := n.Status()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(st.ValidatorInfo.Address, n.Info.ConsAddress) {
			t.Errorf("%s: /status validator address %s, network-info.json says %s", n.Name, st.ValidatorInfo.Address, n.Info.ConsAddress)
		}
		if st.NodeInfo.Network != nw.ChainID {
			t.Errorf("%s: network %q, want %q", n.Name, st.NodeInfo.Network, nw.ChainID)
		}
	}
	// The module agrees with CometBFT.
	cvals := nw.ConsortiumValidators(t, orig[0])
	if len(cvals) != 4 {
		t.Errorf("q consortium validators lists %d validators, want 4", len(cvals))
	}
	for _, v := range cvals {
		if _, ok := byAddr[strings.ToUpper(v.ConsAddress)]; !ok {
			t.Errorf("consortium validator %s (%s) is not in CometBFT's set", v.Name, v.ConsAddress)
		}
	}
}

// validatorSetKey summarises a validator set for comparisons.
func validatorSetKey(vals []RPCValidator) string {
	var parts []string
	for _, v := range vals {
		parts = append(parts, fmt.Sprintf("%s:%d", strings.ToUpper(v.Address), v.VotingPower))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// 2. With YES votes from 2 of 4 organisations (below 2/3) a proposal stays
// in voting and executes nothing.
func stepTwoOfFour(t *testing.T, nw *Network, orig []*Node) {
	before, err := orig[0].Validators()
	if err != nil {
		t.Fatal(err)
	}
	// Were it to pass, it would change globex-val's power: visible in CometBFT.
	msg := map[string]any{
		"@type":     "/adf.consortium.v1.MsgSetValidatorPower",
		"authority": nw.Authority,
		"name":      "globex-val",
		"power":     "20",
	}
	id := nw.SubmitProposal(t, orig[0], "e2e: raise globex-val power", "must not pass with 2 of 4 votes", msg)
	nw.VoteYesUntil(t, orig, id, 2)

	p := nw.GetProposal(t, orig[0], id)
	if p.StatusName() != StatusVoting || p.YesOrgs != 2 {
		t.Fatalf("proposal %d with 2 of 4 YES: status %s yes=%d, want %s yes=2", id, p.StatusName(), p.YesOrgs, StatusVoting)
	}
	// Give a wrongly executed update time to reach CometBFT (H+2).
	h, err := orig[0].Height()
	if err != nil {
		t.Fatal(err)
	}
	orig[0].WaitHeight(t, h+3, 20*time.Second)
	p = nw.GetProposal(t, orig[0], id)
	if p.StatusName() != StatusVoting {
		t.Fatalf("proposal %d: status %s a few blocks later, want %s", id, p.StatusName(), StatusVoting)
	}
	after, err := orig[0].Validators()
	if err != nil {
		t.Fatal(err)
	}
	if validatorSetKey(before) != validatorSetKey(after) {
		t.Fatalf("validator set changed although the proposal did not pass:\nbefore %s\nafter  %s", validatorSetKey(before), validatorSetKey(after))
	}
}

// 3. A proposal approved by 3 of 4 organisations adds a fifth validator with
// an ML-DSA-65 key, which then syncs and signs blocks.
func stepAddValidator(t *testing.T, nw *Network, orig []*Node) *Node {
	extra := newExtraNode(t, nw, len(orig))
	extra.Start(t)

	pkJSON := strings.TrimSpace(mustCLI(t, nw.Bin, "comet", "show-validator", "--home", extra.Home))
	var pk struct {
		Type string `json:"@type"`
		Key  string `json:"key"`
	}
	if err := json.Unmarshal([]byte(pkJSON), &pk); err != nil {
		t.Fatalf("adfd comet show-validator printed %q: %v", pkJSON, err)
	}
	if !strings.Contains(strings.ToLower(pk.Type), "mldsa") {
		t.Fatalf("extra node's key is %s, want an ML-DSA-65 key (init --consensus-key-algo ml_dsa_65)", pk.Type)
	}
	raw, err := base64.StdEncoding.DecodeString(pk.Key)
	if err != nil || len(raw) != 1952 {
		t.Fatalf("extra node's ML-DSA-65 key: %d bytes (%v), want 1952", len(raw), err)
	}
	sum := sha256.Sum256(raw)
	wantAddr := strings.ToUpper(hex.EncodeToString(sum[:20]))

	// The node runs, as a full node for now, and follows the chain.
	h0 := MaxHeight(t, orig)
	extra.WaitHeight(t, h0, 60*time.Second)
	st, err := extra.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(st.ValidatorInfo.Address, wantAddr) {
		t.Fatalf("extra node reports validator address %s, want %s (sha256(pubkey)[:20])", st.ValidatorInfo.Address, wantAddr)
	}

	msg := map[string]any{
		"@type":     "/adf.consortium.v1.MsgAddValidator",
		"authority": nw.Authority,
		"name":      "extra-val",
		"org_id":    "acme",
		"pub_key":   json.RawMessage(pkJSON),
		"power":     fmt.Sprint(e2ePower),
	}
	id := nw.SubmitProposal(t, orig[1], "e2e: add extra-val", "a fifth validator with an ML-DSA-65 key", msg)
	p := nw.GetProposal(t, orig[0], id)
	if p.StatusName() != StatusVoting {
		t.Fatalf("new proposal %d: status %s, want %s", id, p.StatusName(), StatusVoting)
	}
	// Vote from orgs 1, 2, 3 (globex proposed), then acme never votes.
	nw.VoteYesUntil(t, []*Node{orig[1], orig[2], orig[3]}, id, 3)
	p = nw.WaitProposalStatus(t, orig[0], id, StatusPassed, 15*time.Second)
	if p.YesOrgs != 3 {
		t.Errorf("passed proposal %d has yes_orgs %d, want 3", id, p.YesOrgs)
	}

	// CometBFT applies the update two blocks later.
	var vals []RPCValidator
	waitFor(t, 20*time.Second, 500*time.Millisecond, "CometBFT to have 5 validators incl. "+wantAddr, func() (bool, string) {
		var err error
		vals, err = orig[0].Validators()
		if err != nil {
			return false, err.Error()
		}
		for _, v := range vals {
			if strings.EqualFold(v.Address, wantAddr) {
				return len(vals) == 5, validatorSetKey(vals)
			}
		}
		return false, validatorSetKey(vals)
	})
	for _, v := range vals {
		if strings.EqualFold(v.Address, wantAddr) {
			if v.PubKey.Type != pubKeyTypeMlDsa65 || v.VotingPower != e2ePower {
				t.Errorf("new validator in CometBFT: type %s power %d, want %s power %d", v.PubKey.Type, v.VotingPower, pubKeyTypeMlDsa65, e2ePower)
			}
		}
	}
	found := false
	for _, v := range nw.ConsortiumValidators(t, orig[0]) {
		if v.Name == "extra-val" {
			found = true
			if !strings.EqualFold(v.ConsAddress, wantAddr) || v.OrgID != "acme" {
				t.Errorf("q consortium validators: extra-val is %+v, want cons_address %s org acme", v, wantAddr)
			}
		}
	}
	if !found {
		t.Errorf("q consortium validators does not list extra-val")
	}

	// The fifth node is caught up and signs.
	target := MaxHeight(t, orig)
	extra.WaitHeight(t, target, 30*time.Second)
	if st, err := extra.Status(); err != nil || st.SyncInfo.CatchingUp {
		t.Fatalf("extra node: catching_up=%v err=%v", st.SyncInfo.CatchingUp, err)
	}
	var signedAt int64
	waitFor(t, 30*time.Second, time.Second, "extra-val's signature in a commit", func() (bool, string) {
		h, err := orig[0].Height()
		if err != nil {
			return false, err.Error()
		}
		signers, err := orig[0].CommitSigners(h)
		if err != nil {
			return false, err.Error()
		}
		if slices.Contains(signers, wantAddr) {
			signedAt = h
			return true, ""
		}
		return false, fmt.Sprintf("height %d signers %v", h, signers)
	})
	t.Logf("extra-val (%s) signed the commit of height %d", wantAddr, signedAt)
	return extra
}

// newExtraNode makes a fresh home with `adfd init` and node0's genesis, with
// ports after the genesis nodes' and every genesis node as persistent peer.
func newExtraNode(t *testing.T, nw *Network, index int) *Node {
	t.Helper()
	home := filepath.Join(nw.Dir, "extra")
	mustCLI(t, nw.Bin, "init", "extra", "--consensus-key-algo", "ml_dsa_65", "--home", home, "--chain-id", nw.ChainID)
	gen, err := os.ReadFile(filepath.Join(nw.Nodes[0].Home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config", "genesis.json"), gen, 0o644); err != nil {
		t.Fatal(err)
	}
	port := func(base int) int { return base + index*e2eStride }
	info := NodeInfo{
		Index: index, Home: home, Validator: "extra-val", KeyType: "ml_dsa_65",
		P2P:  fmt.Sprintf("tcp://127.0.0.1:%d", port(e2ePorts.P2P)),
		RPC:  fmt.Sprintf("tcp://127.0.0.1:%d", port(e2ePorts.RPC)),
		GRPC: fmt.Sprintf("127.0.0.1:%d", port(e2ePorts.GRPC)),
		API:  fmt.Sprintf("tcp://127.0.0.1:%d", port(e2ePorts.API)),
	}
	n, err := newNode(nw.Bin, "extra", info)
	if err != nil {
		t.Fatal(err)
	}
	var peers []string
	for _, o := range nw.Nodes {
		p2p, err := portOf(o.Info.P2P)
		if err != nil {
			t.Fatal(err)
		}
		peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", o.Info.NodeID, p2p))
	}
	n.StartArgs = []string{
		"--p2p.laddr", info.P2P,
		"--rpc.laddr", info.RPC,
		"--rpc.pprof_laddr", fmt.Sprintf("127.0.0.1:%d", port(e2ePorts.Pprof)),
		"--grpc.address", info.GRPC,
		"--api.address", info.API,
		"--p2p.persistent_peers", strings.Join(peers, ","),
	}
	nw.Nodes = append(nw.Nodes, n) // from now on the network's cleanup kills it too
	return n
}

// 4. A validator killed with SIGKILL does not stop the chain, and after a
// restart it catches up.
func stepKill9(t *testing.T, nw *Network, victim *Node) {
	victim.Kill(t)
	var others []*Node
	for _, n := range nw.Nodes {
		if n != victim {
			others = append(others, n)
		}
	}
	h := MaxHeight(t, others)
	nw.WaitAllHeight(t, others, h+3, 30*time.Second)
	t.Logf("with %s down the others reached %v", victim.Name, nw.Heights())

	victim.Start(t)
	waitFor(t, 90*time.Second, 500*time.Millisecond, victim.Name+" to catch up to within 2 blocks", func() (bool, string) {
		if st := victim.exitStatus(); st != "" {
			t.Fatalf("%s exited after restart: %s\n%s", victim.Name, st, victim.LogTail(logTailLines))
		}
		vh, err := victim.Height()
		if err != nil {
			return false, err.Error()
		}
		oh := MaxHeight(t, others)
		return vh >= oh-2, fmt.Sprintf("%s at %d, others at %d", victim.Name, vh, oh)
	})
	// It is back to committing, not only replaying.
	vh, _ := victim.Height()
	victim.WaitHeight(t, vh+2, 20*time.Second)
}

// 5. All nodes computed the same app hash at the same heights.
func stepAppHashes(t *testing.T, nw *Network) {
	nodes := nw.Running()
	if len(nodes) != len(nw.Nodes) {
		t.Fatalf("%d of %d nodes are running", len(nodes), len(nw.Nodes))
	}
	minH := int64(-1)
	for _, n := range nodes {
		h, err := n.Height()
		if err != nil {
			t.Fatal(err)
		}
		if minH < 0 || h < minH {
			minH = h
		}
	}
	// The header at H+1 carries the app hash after block H: compare it after
	// the first and the last block that changed state (the first proposal,
	// the vote that added extra-val), and at the latest height all nodes have.
	var heights []int64
	if k := len(nw.TxHeights); k > 0 {
		for _, h := range []int64{nw.TxHeights[0] + 1, nw.TxHeights[k-1] + 1} {
			if h < minH-1 && !slices.Contains(heights, h) {
				heights = append(heights, h)
			}
		}
	}
	heights = append(heights, minH-1)
	for _, h := range heights {
		var ref string
		for i, n := range nodes {
			hash, err := n.AppHash(h)
			if err != nil {
				t.Fatal(err)
			}
			if hash == "" {
				t.Fatalf("%s: empty app_hash at height %d", n.Name, h)
			}
			if i == 0 {
				ref = hash
			} else if hash != ref {
				t.Errorf("app_hash at height %d: %s has %s, %s has %s", h, nodes[0].Name, ref, n.Name, hash)
			}
		}
		t.Logf("height %d: app_hash %s on all %d nodes", h, ref, len(nodes))
	}
	if len(heights) < 3 {
		t.Errorf("compared app hashes at heights %v only: the transactions of steps 2-3 left no heights to compare", heights)
	}
}

// 6. State exported from node0 restarts the whole network: blocks resume at
// the exported height and the consortium answers as before.
func stepExportImport(t *testing.T, nw *Network, extra *Node) {
	if extra == nil {
		t.Fatal("no fifth validator (step 3)")
	}
	before := nw.Snapshot(t, nw.Nodes[0])
	valsBefore, err := nw.Nodes[0].Validators()
	if err != nil {
		t.Fatal(err)
	}
	heights := nw.Heights()
	nw.StopAll(t)

	exported := filepath.Join(t.TempDir(), "exported-genesis.json")
	stdout, stderr, err := runCLI(nw.Bin, 2*time.Minute, "export", "--home", nw.Nodes[0].Home, "--output-document", exported)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("adfd export: %d bytes on stdout, %d on stderr", len(stdout), len(stderr))
	genBz, err := os.ReadFile(exported)
	if err != nil {
		t.Fatalf("adfd export --output-document wrote nothing: %v", err)
	}
	var gen struct {
		ChainID       string `json:"chain_id"`
		InitialHeight jint   `json:"initial_height"`
		Consensus     struct {
			Validators []struct {
				Address string `json:"address"`
				Power   jint   `json:"power"`
				Name    string `json:"name"`
			} `json:"validators"`
		} `json:"consensus"`
	}
	if err := json.Unmarshal(genBz, &gen); err != nil {
		t.Fatalf("exported genesis: %v", err)
	}
	if gen.ChainID != nw.ChainID {
		t.Errorf("exported chain_id %q, want %q", gen.ChainID, nw.ChainID)
	}
	if int64(gen.InitialHeight) <= heights[nw.Nodes[0].Name] {
		t.Fatalf("exported initial_height %d, but node0 had committed %d before it stopped", gen.InitialHeight, heights[nw.Nodes[0].Name])
	}
	if len(gen.Consensus.Validators) != len(valsBefore) {
		t.Fatalf("exported genesis lists %d validators, CometBFT had %d", len(gen.Consensus.Validators), len(valsBefore))
	}
	t.Logf("exported at initial_height %d (heights at stop %v), %d validators", gen.InitialHeight, heights, len(gen.Consensus.Validators))

	for _, n := range nw.Nodes {
		keyFile := filepath.Join(n.Home, "config", "priv_validator_key.json")
		keyBefore, err := os.ReadFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		mustCLI(t, nw.Bin, "comet", "unsafe-reset-all", "--home", n.Home)
		keyAfter, err := os.ReadFile(keyFile)
		if err != nil || !bytes.Equal(keyBefore, keyAfter) {
			t.Fatalf("%s: unsafe-reset-all changed or removed %s (%v)", n.Name, keyFile, err)
		}
		if err := os.WriteFile(filepath.Join(n.Home, "config", "genesis.json"), genBz, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	nw.StartAll(t)
	initial := int64(gen.InitialHeight)
	nw.WaitAllHeight(t, nw.Nodes, initial+3, 120*time.Second)
	t.Logf("after import: %v", nw.Heights())

	st, err := nw.Nodes[0].Status()
	if err != nil {
		t.Fatal(err)
	}
	if int64(st.SyncInfo.EarliestBlockHeight) != initial {
		t.Errorf("after import the earliest block is %d, want the exported initial_height %d", st.SyncInfo.EarliestBlockHeight, initial)
	}
	if _, err := nw.Nodes[0].AppHash(initial); err != nil {
		t.Errorf("block %d (initial height): %v", initial, err)
	}
	valsAfter, err := nw.Nodes[0].Validators()
	if err != nil {
		t.Fatal(err)
	}
	if validatorSetKey(valsBefore) != validatorSetKey(valsAfter) {
		t.Errorf("CometBFT validator set changed across export/import:\nbefore %s\nafter  %s", validatorSetKey(valsBefore), validatorSetKey(valsAfter))
	}
	after := nw.Snapshot(t, nw.Nodes[0])
	for _, c := range []struct{ what, a, b string }{
		{"organizations", before.Organizations, after.Organizations},
		{"validators", before.Validators, after.Validators},
		{"proposals", before.Proposals, after.Proposals},
	} {
		if c.a != c.b {
			t.Errorf("q consortium %s differs across export/import:\n--- before ---\n%s\n--- after ---\n%s", c.what, c.a, c.b)
		}
	}
}

// TestBadGenesisValidatorPower: a genesis whose consortium validator has
// power 0 makes `adfd start` exit with an error naming the field, promptly.
func TestBadGenesisValidatorPower(t *testing.T) {
	bin := adfdBin(t)
	def := NetworkDef{
		ChainID: "adf-e2e-bad-1", Host: "127.0.0.1", PortStride: e2eStride,
		BasePorts: suitePorts(blockBadGenesis), Power: e2ePower,
		Orgs: []OrgDef{{ID: "acme", Name: "Acme Software", AdminKeyType: "secp256k1",
			Validator: ValidatorDef{Name: "acme-val", KeyType: "ed25519"}}},
	}
	nw := NewNetwork(t, bin, def)
	n := nw.Nodes[0]
	genPath := filepath.Join(n.Home, "config", "genesis.json")
	bz, err := os.ReadFile(genPath)
	if err != nil {
		t.Fatal(err)
	}
	var gen map[string]any
	if err := json.Unmarshal(bz, &gen); err != nil {
		t.Fatal(err)
	}
	appState, _ := gen["app_state"].(map[string]any)
	cons, _ := appState["consortium"].(map[string]any)
	vals, _ := cons["validators"].([]any)
	if len(vals) != 1 {
		t.Fatalf("genesis app_state.consortium.validators: %d entries, want 1", len(vals))
	}
	vals[0].(map[string]any)["power"] = "0"
	bz, err = json.MarshalIndent(gen, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(genPath, bz, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range n.Ports {
		if err := checkPortFree(p); err != nil {
			t.Fatal(err)
		}
	}

	t0 := time.Now()
	stdout, stderr, err := runCLI(bin, 90*time.Second, "start", "--home", n.Home)
	out := stdout + stderr
	if err == nil {
		t.Fatalf("adfd start with validator power 0 exited with status 0:\n%s", tail(out, 40))
	}
	ce, ok := err.(*CLIError)
	if !ok || ce.ExitCode <= 0 {
		t.Fatalf("adfd start with validator power 0 did not exit with an error status (hung or killed?): %v", err)
	}
	if strings.Contains(out, "panic:") {
		t.Fatalf("adfd start panicked on a bad genesis instead of refusing it with an error:\n%s", tail(out, 40))
	}
	if !strings.Contains(out, "validators[0].power") {
		t.Fatalf("adfd start failed (exit %d) but its output does not name validators[0].power:\n%s", ce.ExitCode, tail(out, 40))
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "validators[0].power") {
			t.Logf("adfd start exited %d after %s: %s", ce.ExitCode, time.Since(t0).Round(100*time.Millisecond), strings.TrimSpace(line))
			break
		}
	}
}
