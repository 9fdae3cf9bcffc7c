//go:build e2e && load

package e2e

// Chain plumbing of the load test: the app's encoding and transaction
// signing are the client's own (internal/chain, what `adf attest --direct`
// uses); here are CometBFT JSON-RPC calls over a pooled HTTP client and the
// edits the test makes to a freshly initialised network's genesis and config.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/internal/chain"
)

// ---------------------------------------------------------------------------
// Encoding and signing: the client's (internal/chain)

type loadEncoding = chain.Encoding

// newLoadEncoding is the app's encoding, as the client builds it.
func newLoadEncoding() (loadEncoding, error) { return chain.MakeEncoding() }

// newKeyringSigner signs with an org admin key of a node's test keyring.
func newKeyringSigner(enc loadEncoding, home, name string) (chain.Signer, error) {
	return chain.NewKeyringSigner(enc, home, "test", name)
}

// signLoadTx is chain.SignTx with the load test's explicit account state.
func signLoadTx(ctx context.Context, enc loadEncoding, signer chain.Signer, msgs []sdk.Msg, chainID string, accNum, seq, gas uint64) ([]byte, error) {
	return chain.SignTx(ctx, enc, signer, msgs, chain.TxOptions{ChainID: chainID, AccountNumber: accNum, Sequence: seq, Gas: gas})
}

// ---------------------------------------------------------------------------
// CometBFT JSON-RPC

// loadRPC is a JSON-RPC client with a connection pool large enough for the
// load generator's workers.
type loadRPC struct {
	hc *http.Client
}

func newLoadRPC(conns int) *loadRPC {
	tr := &http.Transport{MaxIdleConns: 4 * conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &loadRPC{hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// rpcCallError is a JSON-RPC error object (e.g. "mempool is full").
type rpcCallError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

func (e *rpcCallError) Error() string {
	return fmt.Sprintf("RPC error %d %s: %s", e.Code, e.Message, e.Data)
}

func (c *loadRPC) call(ctx context.Context, port int, method string, params map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d", port), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return err
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcCallError   `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s on port %d: HTTP %d, undecodable: %.200s", method, port, resp.StatusCode, raw)
	}
	if env.Error != nil {
		return env.Error
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(env.Result, out)
}

// broadcastResult is broadcast_tx_sync's answer (CheckTx's result).
type broadcastResult struct {
	Code      uint32 `json:"code"`
	Log       string `json:"log"`
	Codespace string `json:"codespace"`
	Hash      string `json:"hash"`
}

func (c *loadRPC) broadcastSync(ctx context.Context, port int, tx []byte) (*broadcastResult, error) {
	var r broadcastResult
	if err := c.call(ctx, port, "broadcast_tx_sync", map[string]any{"tx": base64.StdEncoding.EncodeToString(tx)}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// abciQuery runs a gRPC-path ABCI query; notFound reports a code-0-less
// answer whose log says "not found".
func (c *loadRPC) abciQuery(ctx context.Context, port int, path string, data []byte) (val []byte, code uint32, logText string, err error) {
	var r struct {
		Response struct {
			Code  uint32 `json:"code"`
			Log   string `json:"log"`
			Value []byte `json:"value"`
		} `json:"response"`
	}
	params := map[string]any{"path": path, "data": hex.EncodeToString(data), "height": "0", "prove": false}
	if err := c.call(ctx, port, "abci_query", params, &r); err != nil {
		return nil, 0, "", err
	}
	return r.Response.Value, r.Response.Code, r.Response.Log, nil
}

// account returns an account's number and sequence.
func (c *loadRPC) account(ctx context.Context, enc loadEncoding, port int, addr sdk.AccAddress) (num, seq uint64, err error) {
	req := &authtypes.QueryAccountRequest{Address: addr.String()}
	bz, err := req.Marshal()
	if err != nil {
		return 0, 0, err
	}
	val, code, lg, err := c.abciQuery(ctx, port, "/cosmos.auth.v1beta1.Query/Account", bz)
	if err != nil {
		return 0, 0, err
	}
	if code != 0 {
		return 0, 0, fmt.Errorf("account %s: code %d: %s", addr, code, lg)
	}
	var resp authtypes.QueryAccountResponse
	if err := resp.Unmarshal(val); err != nil {
		return 0, 0, err
	}
	var acc sdk.AccountI
	if err := enc.InterfaceRegistry.UnpackAny(resp.Account, &acc); err != nil {
		return 0, 0, err
	}
	return acc.GetAccountNumber(), acc.GetSequence(), nil
}

// blockInfo is one committed block as the load test reads it.
type blockInfo struct {
	Height int64
	Time   time.Time
	Txs    [][]byte
	Codes  []uint32
	Bytes  int
}

func (c *loadRPC) block(ctx context.Context, port int, h int64) (*blockInfo, error) {
	var b struct {
		Block struct {
			Header struct {
				Height jint      `json:"height"`
				Time   time.Time `json:"time"`
			} `json:"header"`
			Data struct {
				Txs [][]byte `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	if err := c.call(ctx, port, "block", map[string]any{"height": fmt.Sprint(h)}, &b); err != nil {
		return nil, fmt.Errorf("block %d: %w", h, err)
	}
	var r struct {
		TxsResults []struct {
			Code uint32 `json:"code"`
		} `json:"txs_results"`
	}
	if err := c.call(ctx, port, "block_results", map[string]any{"height": fmt.Sprint(h)}, &r); err != nil {
		return nil, fmt.Errorf("block_results %d: %w", h, err)
	}
	if len(r.TxsResults) != len(b.Block.Data.Txs) {
		return nil, fmt.Errorf("block %d: %d txs but %d results", h, len(b.Block.Data.Txs), len(r.TxsResults))
	}
	bi := &blockInfo{Height: int64(b.Block.Header.Height), Time: b.Block.Header.Time, Txs: b.Block.Data.Txs}
	for i, x := range r.TxsResults {
		bi.Codes = append(bi.Codes, x.Code)
		bi.Bytes += len(b.Block.Data.Txs[i])
	}
	return bi, nil
}

// unconfirmed is the number of transactions in a node's mempool.
func (c *loadRPC) unconfirmed(ctx context.Context, port int) (int, error) {
	var r struct {
		Total jint `json:"total"`
	}
	if err := c.call(ctx, port, "num_unconfirmed_txs", map[string]any{}, &r); err != nil {
		return 0, err
	}
	return int(r.Total), nil
}

// ---------------------------------------------------------------------------
// Network setup edits

// patchGenesis applies edit to the app_state and the consensus params of
// node0's genesis and writes the same bytes to every node. Numbers are kept
// as they are (json.Number).
func patchGenesis(nw *Network, edit func(appState, consensusParams map[string]any) error) error {
	path0 := filepath.Join(nw.Nodes[0].Home, "config", "genesis.json")
	raw, err := os.ReadFile(path0)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var g map[string]any
	if err := dec.Decode(&g); err != nil {
		return err
	}
	st, ok := g["app_state"].(map[string]any)
	if !ok {
		return errors.New("genesis has no app_state object")
	}
	cons, _ := g["consensus"].(map[string]any)
	cp, _ := cons["params"].(map[string]any)
	if cp == nil {
		return errors.New("genesis has no consensus.params object")
	}
	if err := edit(st, cp); err != nil {
		return err
	}
	out, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return err
	}
	for _, n := range nw.Nodes {
		if err := os.WriteFile(filepath.Join(n.Home, "config", "genesis.json"), out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// tomlSet sets key = value (value already TOML-encoded) in [section] of a
// TOML file written by adfd; the key must exist there.
func tomlSet(path, section, key, value string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := strings.Split(string(raw), "\n")
	in, done := false, false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") {
			in = t == "["+section+"]"
			continue
		}
		if in && (strings.HasPrefix(t, key+" =") || strings.HasPrefix(t, key+"=")) {
			lines[i] = key + " = " + value
			done = true
			break
		}
	}
	if !done {
		return fmt.Errorf("%s: no %s in [%s]", path, key, section)
	}
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
}

// ---------------------------------------------------------------------------
// Small helpers

// reasonCounter counts rejection reasons (safe for concurrent use).
type reasonCounter struct {
	mu sync.Mutex
	m  map[string]int
}

func (r *reasonCounter) add(reason string) {
	r.mu.Lock()
	if r.m == nil {
		r.m = map[string]int{}
	}
	r.m[reason]++
	r.mu.Unlock()
}

func (r *reasonCounter) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.m))
	for k, v := range r.m {
		out[k] = v
	}
	return out
}

// reasonOf shortens a CheckTx log or RPC error to a countable reason: the
// text up to the first digit-bearing detail (sequence numbers, sizes).
func reasonOf(s string) string {
	s = strings.TrimSpace(s)
	for _, cut := range []string{": expected", ", expected", ", got", " (", "; "} {
		if i := strings.Index(s, cut); i > 0 {
			s = s[:i]
		}
	}
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}
