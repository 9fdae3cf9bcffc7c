package chain

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
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client talks to one ADF node: CometBFT RPC for status, ABCI queries,
// broadcast and transaction lookup; the REST gateway for module queries.
type Client struct {
	RPC  string // e.g. http://127.0.0.1:26657
	API  string // e.g. http://127.0.0.1:1317
	HTTP *http.Client
}

// NewClient normalises the endpoints (tcp:// becomes http://, no trailing /).
func NewClient(rpc, api string) *Client {
	return &Client{RPC: normalizeURL(rpc), API: normalizeURL(api), HTTP: &http.Client{Timeout: 10 * time.Second}}
}

func normalizeURL(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if strings.HasPrefix(s, "tcp://") {
		s = "http://" + strings.TrimPrefix(s, "tcp://")
	}
	if s != "" && !strings.Contains(s, "://") {
		s = "http://" + s
	}
	return s
}

// ErrUnreachable wraps transport failures so callers can tell "node down"
// from "node said no".
var ErrUnreachable = errors.New("node unreachable")

// RPCError is an error object of a CometBFT JSON-RPC response.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data"`
}

func (e *RPCError) Error() string {
	return fmt.Sprintf("RPC error %d %s: %s", e.Code, e.Message, e.Data)
}

// call performs a JSON-RPC POST of method with params and decodes "result".
func (c *Client) call(ctx context.Context, method string, params map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.RPC, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("RPC address %q: %w", c.RPC, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUnreachable, c.RPC, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return fmt.Errorf("%w: %s: reading %s response: %v", ErrUnreachable, c.RPC, method, err)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *RPCError       `json:"error"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("%s %s: HTTP %d, not CometBFT JSON-RPC: %.200s", c.RPC, method, resp.StatusCode, raw)
	}
	if env.Error != nil {
		return env.Error
	}
	if len(env.Result) == 0 {
		return fmt.Errorf("%s %s: HTTP %d, no result: %.200s", c.RPC, method, resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("%s %s: undecodable result: %w", c.RPC, method, err)
	}
	return nil
}

// NodeStatus is the part of /status the client uses.
type NodeStatus struct {
	NodeInfo struct {
		Network string `json:"network"`
		Moniker string `json:"moniker"`
	} `json:"node_info"`
	SyncInfo struct {
		Height     jint      `json:"latest_block_height"`
		Time       time.Time `json:"latest_block_time"`
		CatchingUp bool      `json:"catching_up"`
	} `json:"sync_info"`
}

// Status queries /status.
func (c *Client) Status(ctx context.Context) (*NodeStatus, error) {
	var st NodeStatus
	if err := c.call(ctx, "status", map[string]any{}, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// ChainID is the node's network name.
func (c *Client) ChainID(ctx context.Context) (string, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return "", fmt.Errorf("reading the chain id from the node (or pass --chain-id): %w", err)
	}
	if st.NodeInfo.Network == "" {
		return "", errors.New("the node reported an empty chain id: pass --chain-id")
	}
	return st.NodeInfo.Network, nil
}

// ABCIQueryError is a non-zero code from an ABCI query.
type ABCIQueryError struct {
	Path      string
	Code      uint32
	Codespace string
	Log       string
}

func (e *ABCIQueryError) Error() string {
	return fmt.Sprintf("query %s: code %d (%s): %s", e.Path, e.Code, e.Codespace, e.Log)
}

// ABCIQuery runs an ABCI query (a gRPC method path such as
// /cosmos.auth.v1beta1.Query/Account with a protobuf request) and returns
// the response bytes.
func (c *Client) ABCIQuery(ctx context.Context, path string, data []byte) ([]byte, error) {
	v, _, err := c.ABCIQueryAt(ctx, path, data, 0)
	return v, err
}

// ABCIQueryAt is ABCIQuery at a height (0: the latest); it also returns the
// height the node answered at, so a client can pin later queries to it.
func (c *Client) ABCIQueryAt(ctx context.Context, path string, data []byte, height int64) ([]byte, int64, error) {
	var r struct {
		Response struct {
			Code      uint32 `json:"code"`
			Log       string `json:"log"`
			Codespace string `json:"codespace"`
			Value     []byte `json:"value"`
			Height    jint   `json:"height"`
		} `json:"response"`
	}
	params := map[string]any{"path": path, "data": hex.EncodeToString(data), "height": strconv.FormatInt(height, 10), "prove": false}
	if err := c.call(ctx, "abci_query", params, &r); err != nil {
		return nil, 0, err
	}
	if r.Response.Code != 0 {
		return nil, 0, &ABCIQueryError{Path: path, Code: r.Response.Code, Codespace: r.Response.Codespace, Log: r.Response.Log}
	}
	return r.Response.Value, int64(r.Response.Height), nil
}

// BroadcastResult is what CheckTx said.
type BroadcastResult struct {
	Code      uint32 `json:"code"`
	Log       string `json:"log"`
	Codespace string `json:"codespace"`
	Hash      string `json:"hash"`
}

// BroadcastSync sends a signed transaction with broadcast_tx_sync.
func (c *Client) BroadcastSync(ctx context.Context, tx []byte) (*BroadcastResult, error) {
	var r BroadcastResult
	if err := c.call(ctx, "broadcast_tx_sync", map[string]any{"tx": base64.StdEncoding.EncodeToString(tx)}, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// TxEvent is one ABCI event of a transaction result.
type TxEvent struct {
	Type       string `json:"type"`
	Attributes []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"attributes"`
}

// TxResult is a transaction as a block included it.
type TxResult struct {
	Hash      string    `json:"txhash"`
	Height    int64     `json:"height"`
	Code      uint32    `json:"code"`
	Codespace string    `json:"codespace,omitempty"`
	Log       string    `json:"raw_log,omitempty"`
	GasUsed   int64     `json:"gas_used"`
	GasWanted int64     `json:"gas_wanted"`
	Events    []TxEvent `json:"events,omitempty"`
}

// EventAttr returns the first value of key in an event whose type ends with
// typeSuffix, without the JSON quotes of typed events.
func (r *TxResult) EventAttr(typeSuffix, key string) (string, bool) {
	for _, e := range r.Events {
		if !strings.HasSuffix(e.Type, typeSuffix) {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				return strings.Trim(a.Value, `"`), true
			}
		}
	}
	return "", false
}

// Tx looks a transaction up by hash (hex). found is false while it is not
// in a block.
func (c *Client) Tx(ctx context.Context, hash string) (res *TxResult, found bool, err error) {
	hb, err := hex.DecodeString(strings.TrimPrefix(strings.ToLower(hash), "0x"))
	if err != nil {
		return nil, false, fmt.Errorf("tx hash %q: %w", hash, err)
	}
	var r struct {
		Hash     string `json:"hash"`
		Height   jint   `json:"height"`
		TxResult struct {
			Code      uint32    `json:"code"`
			Log       string    `json:"log"`
			Codespace string    `json:"codespace"`
			GasWanted jint      `json:"gas_wanted"`
			GasUsed   jint      `json:"gas_used"`
			Events    []TxEvent `json:"events"`
		} `json:"tx_result"`
	}
	err = c.call(ctx, "tx", map[string]any{"hash": base64.StdEncoding.EncodeToString(hb), "prove": false}, &r)
	var rpcErr *RPCError
	if errors.As(err, &rpcErr) && strings.Contains(rpcErr.Data, "not found") {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return &TxResult{
		Hash: strings.ToUpper(hash), Height: int64(r.Height), Code: r.TxResult.Code, Codespace: r.TxResult.Codespace,
		Log: r.TxResult.Log, GasUsed: int64(r.TxResult.GasUsed), GasWanted: int64(r.TxResult.GasWanted), Events: r.TxResult.Events,
	}, true, nil
}

// WaitTx polls until the transaction is in a block or timeout passes.
func (c *Client) WaitTx(ctx context.Context, hash string, timeout time.Duration) (*TxResult, error) {
	deadline := time.Now().Add(timeout)
	for {
		res, found, err := c.Tx(ctx, hash)
		if err != nil && !errors.Is(err, ErrUnreachable) {
			return nil, err
		}
		if found {
			return res, nil
		}
		if time.Now().After(deadline) {
			if err != nil {
				return nil, fmt.Errorf("tx %s: not seen in a block within %s (last error: %v)", hash, timeout, err)
			}
			return nil, fmt.Errorf("tx %s: accepted by CheckTx but not in a block within %s", hash, timeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// RESTError is a non-200 answer of the REST gateway.
type RESTError struct {
	URL    string
	Status int
	Body   string
}

func (e *RESTError) Error() string {
	return fmt.Sprintf("GET %s: HTTP %d: %s", e.URL, e.Status, strings.TrimSpace(e.Body))
}

// NotFound tells whether the gateway answered 404 or a gRPC NotFound.
func (e *RESTError) NotFound() bool {
	return e.Status == http.StatusNotFound || strings.Contains(e.Body, `"code":5`) || strings.Contains(e.Body, "not found")
}

// GetREST GETs a REST gateway path (with query values) and returns the body.
func (c *Client) GetREST(ctx context.Context, path string, query url.Values) ([]byte, error) {
	if c.API == "" {
		return nil, errors.New("no REST address: pass --api")
	}
	u := c.API + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: REST %s: %v (is the API server enabled in app.toml?)", ErrUnreachable, c.API, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("%w: REST %s: %v", ErrUnreachable, u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &RESTError{URL: u, Status: resp.StatusCode, Body: string(body)}
	}
	return body, nil
}

// jint is an int64 that CometBFT encodes as a JSON string.
type jint int64

func (j *jint) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*j = 0
		return nil
	}
	var v int64
	if _, err := fmt.Sscan(s, &v); err != nil {
		return fmt.Errorf("not an integer: %q", s)
	}
	*j = jint(v)
	return nil
}

// AppHashAfter returns the app hash of the state after block height: it is
// in the header of block height+1, so it waits (up to wait) for that block.
func (c *Client) AppHashAfter(ctx context.Context, height int64, wait time.Duration) (string, error) {
	deadline := time.Now().Add(wait)
	for {
		var r struct {
			SignedHeader struct {
				Header struct {
					AppHash string `json:"app_hash"`
				} `json:"header"`
			} `json:"signed_header"`
		}
		err := c.call(ctx, "commit", map[string]any{"height": strconv.FormatInt(height+1, 10)}, &r)
		if err == nil && r.SignedHeader.Header.AppHash != "" {
			return strings.ToLower(r.SignedHeader.Header.AppHash), nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = errors.New("empty app hash")
			}
			return "", fmt.Errorf("app hash after height %d (header of block %d): %w", height, height+1, err)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
