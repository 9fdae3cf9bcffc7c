package chain

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/adf-consortium/adf/pkg/sigscheme"
	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
)

func testEncoding(t *testing.T) Encoding {
	t.Helper()
	enc, err := MakeEncoding()
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

func schemeSigner(t *testing.T, alg sigscheme.Algorithm) *SchemeSigner {
	t.Helper()
	sk, err := sigscheme.GenerateKey(alg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSchemeSigner(sk)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// verifyTx decodes txBytes and checks what the chain's ante chain checks:
// one signature by want, in SIGN_MODE_DIRECT, valid over the sign bytes for
// (chainID, accNum, seq), no fee, the gas limit.
func verifyTx(t *testing.T, enc Encoding, txBytes []byte, want Signer, chainID string, accNum, seq, gas uint64) {
	t.Helper()
	tx, err := enc.TxConfig.TxDecoder()(txBytes)
	if err != nil {
		t.Fatalf("the app's decoder refuses the tx: %v", err)
	}
	feeTx := tx.(sdk.FeeTx)
	if !feeTx.GetFee().IsZero() || feeTx.GetGas() != gas {
		t.Errorf("fee %s gas %d, want no fee and gas %d", feeTx.GetFee(), feeTx.GetGas(), gas)
	}
	sigTx := tx.(authsigning.SigVerifiableTx)
	sigs, err := sigTx.GetSignaturesV2()
	if err != nil || len(sigs) != 1 {
		t.Fatalf("signatures: %v %d", err, len(sigs))
	}
	sig := sigs[0]
	if !sig.PubKey.Equals(want.PubKey()) || sig.Sequence != seq {
		t.Fatalf("signer info: pubkey %v seq %d", sig.PubKey, sig.Sequence)
	}
	data := sig.Data.(*signing.SingleSignatureData)
	if data.SignMode != signing.SignMode_SIGN_MODE_DIRECT {
		t.Fatalf("sign mode %v", data.SignMode)
	}
	sb, err := authsigning.GetSignBytesAdapter(context.Background(), enc.TxConfig.SignModeHandler(), data.SignMode,
		authsigning.SignerData{Address: want.Address().String(), ChainID: chainID, AccountNumber: accNum, Sequence: seq, PubKey: sig.PubKey}, tx)
	if err != nil {
		t.Fatal(err)
	}
	if !sig.PubKey.VerifySignature(sb, data.Signature) {
		t.Fatalf("%s signature does not verify over the sign bytes", sig.PubKey.Type())
	}
	// The same signature must fail for another chain id or sequence.
	sb2, _ := authsigning.GetSignBytesAdapter(context.Background(), enc.TxConfig.SignModeHandler(), data.SignMode,
		authsigning.SignerData{Address: want.Address().String(), ChainID: chainID + "x", AccountNumber: accNum, Sequence: seq, PubKey: sig.PubKey}, tx)
	if sig.PubKey.VerifySignature(sb2, data.Signature) {
		t.Fatal("signature verifies for another chain id")
	}
}

func voteMsg(s Signer) sdk.Msg {
	return &consortiumtypes.MsgVote{Voter: s.Address().String(), ProposalId: 7, Option: consortiumtypes.VoteOption(1)}
}

func TestSignTxEveryAlgorithm(t *testing.T) {
	enc := testEncoding(t)
	for _, alg := range sigscheme.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			s := schemeSigner(t, alg)
			// The address is the identity module's rule: sha256(raw key)[:20].
			if got, want := s.Address(), sdk.AccAddress(hashAddr(s.sk.Public().Bytes())); !got.Equals(want) {
				t.Fatalf("address %s, want sha256(key)[:20] = %s", got, want)
			}
			bz, err := SignTx(context.Background(), enc, s, []sdk.Msg{voteMsg(s)}, TxOptions{ChainID: "adf-test-1", AccountNumber: 12, Sequence: 3})
			if err != nil {
				t.Fatal(err)
			}
			verifyTx(t, enc, bz, s, "adf-test-1", 12, 3, DefaultGas)
		})
	}
}

func TestSignTxRefusesBadInput(t *testing.T) {
	enc := testEncoding(t)
	s := schemeSigner(t, sigscheme.Ed25519)
	if _, err := SignTx(context.Background(), enc, s, nil, TxOptions{ChainID: "c"}); err == nil {
		t.Error("no messages accepted")
	}
	if _, err := SignTx(context.Background(), enc, s, []sdk.Msg{voteMsg(s)}, TxOptions{}); err == nil {
		t.Error("empty chain id accepted")
	}
	bad := &mismatchSigner{s, schemeSigner(t, sigscheme.Ed25519).Address()}
	if _, err := SignTx(context.Background(), enc, bad, []sdk.Msg{voteMsg(s)}, TxOptions{ChainID: "c"}); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Errorf("address/pubkey mismatch: %v", err)
	}
}

type mismatchSigner struct {
	*SchemeSigner
	addr sdk.AccAddress
}

func (m *mismatchSigner) Address() sdk.AccAddress { return m.addr }

// fakeNode is a CometBFT JSON-RPC endpoint holding one account.
type fakeNode struct {
	t        *testing.T
	enc      Encoding
	acc      sdk.AccAddress
	pk       cryptotypes.PubKey
	mu       sync.Mutex
	txs      map[string][]byte // hash -> tx
	checkTx  uint32            // CheckTx code to answer
	txPolls  int
	polledOK int // answer "found" from this poll on
}

func (f *fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Method string            `json:"method"`
		Params map[string]string `json:"params"`
	}
	var loose struct {
		Method string         `json:"method"`
		Params map[string]any `json:"params"`
	}
	_ = json.Unmarshal(body, &loose)
	req.Method = loose.Method
	req.Params = map[string]string{}
	for k, v := range loose.Params {
		if s, ok := v.(string); ok {
			req.Params[k] = s
		}
	}
	reply := func(result any) {
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": 1, "result": result})
	}
	replyErr := func(msg, data string) {
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": 1, "error": map[string]any{"code": -32603, "message": msg, "data": data}})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch req.Method {
	case "status":
		reply(map[string]any{"node_info": map[string]any{"network": "adf-fake-1"}, "sync_info": map[string]any{"latest_block_height": "5"}})
	case "abci_query":
		if req.Params["path"] != "/cosmos.auth.v1beta1.Query/Account" {
			f.t.Errorf("unexpected query %s", req.Params["path"])
		}
		data, _ := hex.DecodeString(req.Params["data"])
		var q authtypes.QueryAccountRequest
		_ = q.Unmarshal(data)
		if q.Address != f.acc.String() {
			reply(map[string]any{"response": map[string]any{"code": 22, "codespace": "sdk", "log": "account " + q.Address + " not found: key not found"}})
			return
		}
		acc := authtypes.NewBaseAccount(f.acc, nil, 42, 9)
		anyAcc, _ := codectypes.NewAnyWithValue(acc)
		bz, _ := (&authtypes.QueryAccountResponse{Account: anyAcc}).Marshal()
		reply(map[string]any{"response": map[string]any{"code": 0, "value": base64.StdEncoding.EncodeToString(bz)}})
	case "broadcast_tx_sync":
		tx, _ := base64.StdEncoding.DecodeString(req.Params["tx"])
		if f.checkTx != 0 {
			reply(map[string]any{"code": f.checkTx, "codespace": "identity", "log": "key expired", "hash": "AB"})
			return
		}
		hash := strings.ToUpper(hex.EncodeToString(sdkTxHash(tx)))
		f.txs[hash] = tx
		reply(map[string]any{"code": 0, "hash": hash})
	case "tx":
		hb, _ := base64.StdEncoding.DecodeString(req.Params["hash"])
		hash := strings.ToUpper(hex.EncodeToString(hb))
		f.txPolls++
		if _, ok := f.txs[hash]; !ok || f.txPolls < f.polledOK {
			replyErr("Internal error", "tx ("+hash+") not found")
			return
		}
		reply(map[string]any{"hash": hash, "height": "6", "tx_result": map[string]any{"code": 0, "gas_used": "1000", "gas_wanted": "400000",
			"events": []any{map[string]any{"type": "adf.identity.v1.EventKeyRevoked", "attributes": []any{map[string]any{"key": "address", "value": `"adf1x"`}}}}}})
	default:
		f.t.Errorf("unexpected method %s", req.Method)
	}
}

func TestSendAgainstFakeNode(t *testing.T) {
	enc := testEncoding(t)
	s := schemeSigner(t, sigscheme.Composite)
	node := &fakeNode{t: t, enc: enc, acc: s.Address(), txs: map[string][]byte{}, polledOK: 3}
	srv := httptest.NewServer(node)
	defer srv.Close()
	c := NewClient(strings.Replace(srv.URL, "http://", "tcp://", 1), "")

	res, err := c.Send(context.Background(), enc, s, []sdk.Msg{voteMsg(s)}, SendOptions{Wait: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Height != 6 || res.Code != 0 {
		t.Fatalf("result %+v", res)
	}
	if v, ok := res.EventAttr("EventKeyRevoked", "address"); !ok || v != "adf1x" {
		t.Errorf("event attr %q %v", v, ok)
	}
	// The signed tx carries the account's number and sequence and the node's chain id.
	var txBytes []byte
	for _, tx := range node.txs {
		txBytes = tx
	}
	verifyTx(t, enc, txBytes, s, "adf-fake-1", 42, 9, DefaultGas)

	// An unknown account is named as such.
	other := schemeSigner(t, sigscheme.Ed25519)
	if _, err := c.Send(context.Background(), enc, other, []sdk.Msg{voteMsg(other)}, SendOptions{}); !errors.Is(err, ErrAccountNotFound) {
		t.Errorf("unknown account: %v", err)
	}
	// CheckTx refusals carry code and log.
	node.checkTx = 5
	_, err = c.Send(context.Background(), enc, s, []sdk.Msg{voteMsg(s)}, SendOptions{ChainID: "adf-fake-1"})
	var ce *CheckTxError
	if !errors.As(err, &ce) || ce.Code != 5 || ce.Log != "key expired" {
		t.Errorf("CheckTx refusal: %v", err)
	}
}

func TestUnreachableNode(t *testing.T) {
	enc := testEncoding(t)
	s := schemeSigner(t, sigscheme.Ed25519)
	c := NewClient("http://127.0.0.1:1", "http://127.0.0.1:1")
	if _, err := c.Send(context.Background(), enc, s, []sdk.Msg{voteMsg(s)}, SendOptions{}); !errors.Is(err, ErrUnreachable) {
		t.Errorf("unreachable node: %v", err)
	}
	if _, err := c.GetREST(context.Background(), "/x", nil); !errors.Is(err, ErrUnreachable) {
		t.Errorf("unreachable REST: %v", err)
	}
}

func TestNormalizeURL(t *testing.T) {
	for in, want := range map[string]string{
		"tcp://127.0.0.1:26657":   "http://127.0.0.1:26657",
		"http://h:1/":             "http://h:1",
		"127.0.0.1:1317":          "http://127.0.0.1:1317",
		"https://rpc.example.org": "https://rpc.example.org",
	} {
		if got := normalizeURL(in); got != want {
			t.Errorf("normalizeURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeyringSignerRequiresHome(t *testing.T) {
	enc := testEncoding(t)
	if _, err := NewKeyringSigner(enc, "", "test", "admin"); err == nil {
		t.Error("empty home accepted")
	}
	home := t.TempDir()
	if _, err := NewKeyringSigner(enc, home, "test", "nobody"); err == nil || !strings.Contains(err.Error(), "not in the test keyring") {
		t.Errorf("missing key: %v", err)
	}
	// Admin keys of both kinds adfd creates sign transactions the chain verifies.
	kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, enc.Codec)
	if err != nil {
		t.Fatal(err)
	}
	for _, algo := range []keyring.SignatureAlgo{hd.Secp256k1, hd.MlDsa65} {
		name := "admin-" + string(algo.Name())
		if _, _, err := kr.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, algo); err != nil {
			t.Fatal(err)
		}
		s, err := NewKeyringSigner(enc, home, "test", name)
		if err != nil {
			t.Fatal(err)
		}
		bz, err := SignTx(context.Background(), enc, s, []sdk.Msg{voteMsg(s)}, TxOptions{ChainID: "adf-test-1", AccountNumber: 1, Sequence: 0, Gas: 123456})
		if err != nil {
			t.Fatal(err)
		}
		verifyTx(t, enc, bz, s, "adf-test-1", 1, 0, 123456)
		// By address too.
		if _, err := NewKeyringSigner(enc, home, "test", s.Address().String()); err != nil {
			t.Errorf("by address: %v", err)
		}
	}
}

func hashAddr(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:20]
}

func sdkTxHash(tx []byte) []byte {
	sum := sha256.Sum256(tx)
	return sum[:]
}
