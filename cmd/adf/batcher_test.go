package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/cmd/adf/internal/keystore"
	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/batcher"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
)

// TestBatcherChainAdapter checks the REST decoding of the adapter against
// grpc-gateway-shaped answers.
func TestBatcherChainAdapter(t *testing.T) {
	newRootCmd() // bech32 prefixes
	sk, err := sigscheme.GenerateKey(sigscheme.Composite, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := chain.KeyAddress(sk.Public())
	if err != nil {
		t.Fatal(err)
	}
	root := make([]byte, 32)
	root[0] = 7
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		switch {
		case r.URL.Path == "/adf/identity/v1/keys/"+addr.String():
			fmt.Fprintf(w, `{"key":{"address":%q,"principal_id":"acme/ci","org_id":"acme","algorithm":"composite","public_key":%q,"status":"KEY_STATUS_ACTIVE","not_after":"2030-01-01T00:00:00Z"}}`,
				addr.String(), base64.StdEncoding.EncodeToString(sk.Public().Bytes()))
		case strings.HasPrefix(r.URL.Path, "/adf/identity/v1/keys/"):
			w.WriteHeader(404)
			fmt.Fprint(w, `{"code":5,"message":"key not found"}`)
		case strings.HasPrefix(r.URL.Path, "/adf/identity/v1/authorize/"):
			fmt.Fprintf(w, `{"decision":{"allowed":%v,"reason":"policy p","principal_id":"acme/ci","approvals_required":0}}`, r.URL.Query().Get("scope") == "acme/batcher-1")
		case strings.HasPrefix(r.URL.Path, "/adf/attestation/v1/risk_classes/"):
			fmt.Fprintf(w, `{"direct":%v,"direct_risk_classes":["release"]}`, strings.HasSuffix(r.URL.Path, "/release"))
		case r.URL.Path == "/adf/attestation/v1/latest_roots/acme/batcher-1":
			fmt.Fprintf(w, `{"root":{"log_id":"acme/batcher-1","tree_size":"42","root_hash":%q,"height":"17","time":"2026-12-04T10:00:00Z"}}`, base64.StdEncoding.EncodeToString(root))
		case strings.HasPrefix(r.URL.Path, "/adf/attestation/v1/latest_roots/"):
			w.WriteHeader(404)
			fmt.Fprint(w, `{"code":5,"message":"log not found"}`)
		default:
			w.WriteHeader(500)
		}
	}))
	defer srv.Close()
	a := &chainAdapter{cl: chain.NewClient("", srv.URL)}
	ctx := context.Background()

	ki, err := a.KeyInfo(ctx, addr.String())
	if err != nil {
		t.Fatal(err)
	}
	if ki.Algorithm != "composite" || string(ki.PublicKey) != string(sk.Public().Bytes()) || ki.Status != "KEY_STATUS_ACTIVE" {
		t.Fatalf("key info %+v", ki)
	}
	other, _ := sigscheme.GenerateKey(sigscheme.Ed25519, rand.Reader)
	oaddr, _ := chain.KeyAddress(other.Public())
	if _, err := a.KeyInfo(ctx, oaddr.String()); !errors.Is(err, batcher.ErrUnknownKey) {
		t.Fatalf("unregistered key: %v", err)
	}
	if _, err := a.KeyInfo(ctx, "not-an-address"); !errors.Is(err, batcher.ErrUnknownKey) {
		t.Fatalf("non-address keyid: %v", err)
	}
	if d, err := a.Authorize(ctx, addr.String(), "anchor", "acme/batcher-1"); err != nil || !d.Allowed {
		t.Fatalf("authorize: %+v %v", d, err)
	}
	if d, err := a.Authorize(ctx, addr.String(), "anchor", "other/log"); err != nil || d.Allowed {
		t.Fatalf("authorize other scope: %+v %v", d, err)
	}
	r, err := a.LatestRoot(ctx, "acme/batcher-1")
	if err != nil || r == nil || r.TreeSize != 42 || r.Height != 17 || r.RootHash[0] != 7 {
		t.Fatalf("latest root %+v %v", r, err)
	}
	if r, err := a.LatestRoot(ctx, "acme/new-log"); err != nil || r != nil {
		t.Fatalf("unknown log: %+v %v", r, err)
	}
	if d, err := a.RiskClassDirect(ctx, "release"); err != nil || !d {
		t.Fatalf("risk class release: %v %v", d, err)
	}
	if d, err := a.RiskClassDirect(ctx, "build"); err != nil || d {
		t.Fatalf("risk class build: %v %v", d, err)
	}
	for _, code := range []uint32{attestationtypes.ErrRootAlreadyAnchored.ABCICode(), attestationtypes.ErrInvalidConsistencyProof.ABCICode()} {
		if !isAttestationError(&chain.CheckTxError{Code: code, Codespace: attestationtypes.Codespace}, code) ||
			!isAttestationError(&chain.DeliverError{Result: &chain.TxResult{Code: code, Codespace: attestationtypes.Codespace}}, code) ||
			isAttestationError(&chain.CheckTxError{Code: code, Codespace: "identity"}, code) ||
			isAttestationError(&chain.CheckTxError{Code: code + 1, Codespace: attestationtypes.Codespace}, code) {
			t.Fatalf("isAttestationError code %d", code)
		}
	}
	if got := escapeLogID("acme/b 1"); got != "acme/b%201" {
		t.Fatalf("escapeLogID %q", got)
	}
}

// fakeNode serves CometBFT JSON-RPC (POST /) and the REST routes the
// batcher uses. broadcast_tx_sync decodes MsgAnchorRoot and applies
// x/attestation's rules (consistency proof from the last root).
type fakeBatcherNode struct {
	t       *testing.T
	enc     chain.Encoding
	mu      sync.Mutex
	anchor  sdk.AccAddress
	ci      sdk.AccAddress
	ciKey   sigscheme.PublicKey
	roots   []batcher.Root
	height  int64
	txs     map[string]bool
	refused []string
}

func (f *fakeBatcherNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method == http.MethodGet {
		switch {
		case r.URL.Path == "/adf/identity/v1/keys/"+f.ci.String():
			fmt.Fprintf(w, `{"key":{"address":%q,"algorithm":"composite","public_key":%q,"status":"KEY_STATUS_ACTIVE"}}`,
				f.ci.String(), base64.StdEncoding.EncodeToString(f.ciKey.Bytes()))
		case strings.HasPrefix(r.URL.Path, "/adf/identity/v1/authorize/"):
			fmt.Fprintf(w, `{"decision":{"allowed":%v,"reason":"test"}}`, strings.HasSuffix(r.URL.Path, f.ci.String()))
		case r.URL.Path == "/adf/attestation/v1/latest_roots/acme/batcher-1" && len(f.roots) > 0:
			last := f.roots[len(f.roots)-1]
			fmt.Fprintf(w, `{"root":{"tree_size":"%d","root_hash":%q,"height":"%d"}}`, last.TreeSize, base64.StdEncoding.EncodeToString(last.RootHash[:]), last.Height)
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, `{"code":5,"message":"not found"}`)
		}
		return
	}
	var req struct {
		Method string         `json:"method"`
		Params map[string]any `json:"params"`
	}
	_ = json.NewDecoder(r.Body).Decode(&req)
	reply := func(result any) {
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": 1, "result": result})
	}
	param := func(k string) string { s, _ := req.Params[k].(string); return s }
	switch req.Method {
	case "status":
		reply(map[string]any{"node_info": map[string]any{"network": "adf-fake-1"}, "sync_info": map[string]any{"latest_block_height": fmt.Sprint(f.height)}})
	case "abci_query":
		acc := authtypes.NewBaseAccount(f.anchor, nil, 7, uint64(len(f.roots)))
		anyAcc, _ := codectypes.NewAnyWithValue(acc)
		bz, _ := (&authtypes.QueryAccountResponse{Account: anyAcc}).Marshal()
		reply(map[string]any{"response": map[string]any{"code": 0, "value": base64.StdEncoding.EncodeToString(bz)}})
	case "broadcast_tx_sync":
		raw, _ := base64.StdEncoding.DecodeString(param("tx"))
		tx, err := f.enc.TxConfig.TxDecoder()(raw)
		if err != nil {
			f.t.Errorf("undecodable tx: %v", err)
			return
		}
		msg := tx.GetMsgs()[0].(*attestationtypes.MsgAnchorRoot)
		var root merkle.Hash
		copy(root[:], msg.RootHash)
		if len(f.roots) > 0 {
			last := f.roots[len(f.roots)-1]
			proof := make([]merkle.Hash, len(msg.ConsistencyProof))
			for i, p := range msg.ConsistencyProof {
				copy(proof[i][:], p)
			}
			if err := merkle.VerifyConsistency(last.TreeSize, msg.TreeSize, proof, last.RootHash, root); err != nil {
				f.refused = append(f.refused, err.Error())
				reply(map[string]any{"code": attestationtypes.ErrInvalidConsistencyProof.ABCICode(), "codespace": "attestation", "log": err.Error()})
				return
			}
		}
		if msg.Signer != f.anchor.String() || msg.LogId != "acme/batcher-1" {
			f.t.Errorf("anchor msg %+v", msg)
		}
		f.height++
		f.roots = append(f.roots, batcher.Root{TreeSize: msg.TreeSize, RootHash: root, Height: f.height})
		sum := sha256.Sum256(raw)
		hash := strings.ToUpper(hex.EncodeToString(sum[:]))
		f.txs[hash] = true
		reply(map[string]any{"code": 0, "hash": hash})
	case "tx":
		hb, _ := base64.StdEncoding.DecodeString(param("hash"))
		reply(map[string]any{"hash": strings.ToUpper(hex.EncodeToString(hb)), "height": fmt.Sprint(f.height), "tx_result": map[string]any{"code": 0}})
	default:
		f.t.Errorf("unexpected RPC %s", req.Method)
	}
}

// TestBatcherServeEndToEnd runs `adf batcher serve` against a fake node:
// entries are accepted over HTTP, the root is anchored with a signed
// MsgAnchorRoot, and the served proof verifies against the anchored root.
func TestBatcherServeEndToEnd(t *testing.T) {
	enc, err := chain.MakeEncoding()
	if err != nil {
		t.Fatal(err)
	}
	newRootCmd()
	keysDir := filepath.Join(t.TempDir(), "keys")
	store := openStore(keysDir)
	anchorSK, _ := sigscheme.GenerateKey(sigscheme.Composite, rand.Reader)
	anchorAddr, _ := chain.KeyAddress(anchorSK.Public())
	if err := store.Save(&keystore.Entry{Name: "batcher", Algorithm: "composite", PrivateKey: anchorSK.Bytes(),
		PublicKey: sigscheme.FormatPublicKey(anchorSK.Public()), Address: anchorAddr.String(), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ciSK, _ := sigscheme.GenerateKey(sigscheme.Composite, rand.Reader)
	ciAddr, _ := chain.KeyAddress(ciSK.Public())
	node := &fakeBatcherNode{t: t, enc: enc, anchor: anchorAddr, ci: ciAddr, ciKey: ciSK.Public(), height: 10, txs: map[string]bool{}}
	ns := httptest.NewServer(node)
	defer ns.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	listen := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := newRootCmd()
	root.SetArgs([]string{"batcher", "serve", "--data-dir", t.TempDir(), "--log-id", "acme/batcher-1", "--key", "batcher",
		"--keys-dir", keysDir, "--node", ns.URL, "--api", ns.URL, "--listen", listen, "--epoch", "50ms"})
	var logs bytes.Buffer
	root.SetErr(&logs)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	base := "http://" + listen
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("batcher did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var receipts []map[string]any
	for i := range 5 {
		d := sha256.Sum256([]byte(fmt.Sprint("artifact", i)))
		st := fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","digest":{"sha256":"%x"}}],"predicateType":"https://adf.example/t"}`, d)
		env := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: []byte(st)}
		if err := dsse.Sign(env, ciAddr.String(), ciSK, "adf-fake-1"); err != nil {
			t.Fatal(err)
		}
		bz, _ := env.Marshal()
		resp, err := http.Post(base+"/v1/entries", "application/json", bytes.NewReader(bz))
		if err != nil {
			t.Fatal(err)
		}
		var rc map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&rc)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("submit: %d %v", resp.StatusCode, rc)
		}
		receipts = append(receipts, rc)
	}
	var proof map[string]any
	for {
		resp, err := http.Get(base + "/v1/proof/4")
		if err != nil {
			t.Fatal(err)
		}
		proof = map[string]any{}
		_ = json.NewDecoder(resp.Body).Decode(&proof)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never anchored: %v\n%s", proof, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	node.mu.Lock()
	roots := append([]batcher.Root(nil), node.roots...)
	refused := node.refused
	node.mu.Unlock()
	last := roots[len(roots)-1]
	if len(refused) != 0 || uint64(proof["tree_size"].(float64)) != last.TreeSize || proof["root_hash"] != hex.EncodeToString(last.RootHash[:]) {
		t.Fatalf("proof %v, chain roots %+v, refused %v", proof, roots, refused)
	}
	var path []merkle.Hash
	for _, x := range proof["inclusion_proof"].([]any) {
		var h merkle.Hash
		b, _ := hex.DecodeString(x.(string))
		copy(h[:], b)
		path = append(path, h)
	}
	var leaf merkle.Hash
	b, _ := hex.DecodeString(receipts[4]["leaf_hash"].(string))
	copy(leaf[:], b)
	if err := merkle.VerifyInclusion(4, last.TreeSize, leaf, path, last.RootHash); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}
