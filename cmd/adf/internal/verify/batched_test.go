package verify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/adf-consortium/adf/app"
	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"

	"github.com/adf-consortium/adf/pkg/batchlog"
)

// fakeNode answers the ABCI queries batched verification makes.
func fakeNode(t *testing.T, roots map[uint64][]byte, key identitytypes.Key, valid bool) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Method string         `json:"method"`
			Params map[string]any `json:"params"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		var value []byte
		code := uint32(0)
		data, _ := hex.DecodeString(fmt.Sprint(req.Params["data"]))
		switch req.Params["path"] {
		case "/adf.attestation.v1.Query/Root":
			var q attestationtypes.QueryRootRequest
			_ = q.Unmarshal(data)
			h, ok := roots[q.TreeSize]
			if !ok {
				code = 5
				break
			}
			value, _ = (&attestationtypes.QueryRootResponse{Root: attestationtypes.AnchoredRoot{LogId: q.LogId, TreeSize: q.TreeSize, RootHash: h, Height: 77, Time: time.Now()}}).Marshal()
		case "/adf.identity.v1.Query/KeyValidity":
			value, _ = (&identitytypes.QueryKeyValidityResponse{Valid: valid, Reason: "test", Key: key}).Marshal()
		default:
			code = 6
		}
		res := map[string]any{"response": map[string]any{"code": code, "log": "not found", "value": base64.StdEncoding.EncodeToString(value)}}
		_ = json.NewEncoder(w).Encode(map[string]any{"jsonrpc": "2.0", "id": 1, "result": res})
	}))
}

func TestBatchedEntries(t *testing.T) {
	app.ConfigureSDK()
	sk, err := sigscheme.GenerateKey(sigscheme.MLDSA65, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := chain.KeyAddress(sk.Public())
	subject := sha256.Sum256([]byte("image"))
	subjHex := hex.EncodeToString(subject[:])
	mkEnv := func(chainID string) []byte {
		st, err := intoto.NewStatement([]intoto.ResourceDescriptor{{Digest: map[string]string{"sha256": subjHex}}}, intoto.PredicateTestResultV01, intoto.TestResult{Result: "PASSED"})
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := st.Marshal()
		e := &dsse.Envelope{PayloadType: dsse.PayloadTypeInToto, Payload: payload}
		if err := dsse.Sign(e, addr.String(), sk, chainID); err != nil {
			t.Fatal(err)
		}
		b, _ := e.Marshal()
		return b
	}
	// A log of 5 entries: #1 good, #3 signed for another chain.
	envs := map[uint64][]byte{1: mkEnv("adf-test"), 3: mkEnv("adf-other")}
	store := merkle.NewMemStore()
	lg := merkle.NewLog(store)
	salts := map[uint64][]byte{}
	for i := uint64(0); i < 5; i++ {
		env := envs[i]
		if env == nil {
			env = []byte(fmt.Sprintf(`{"other":%d}`, i))
		}
		salt := make([]byte, 32)
		_, _ = rand.Read(salt)
		salts[i] = salt
		if _, err := lg.Append(batchlog.LeafHash(salt, env)); err != nil {
			t.Fatal(err)
		}
	}
	root := lg.Root()
	batcher := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var idx uint64
		switch {
		case r.URL.Path == "/v1/search":
			_ = json.NewEncoder(w).Encode(map[string]any{"entries": []map[string]any{{"index": 1}, {"index": 3}}})
			return
		case strings.HasPrefix(r.URL.Path, "/v1/entries/"):
			fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/v1/entries/"), &idx)
			env := envs[idx]
			e, _ := dsse.Parse(env, dsse.DefaultLimits)
			d := e.Digest()
			_ = json.NewEncoder(w).Encode(map[string]any{"log_id": "acme/b1", "index": idx, "leaf_hash": hex.EncodeToString(func() []byte { h := batchlog.LeafHash(salts[idx], env); return h[:] }()),
				"envelope_digest": hex.EncodeToString(d[:]), "received": time.Now(), "salt": hex.EncodeToString(salts[idx]), "envelope": json.RawMessage(env)})
		case strings.HasPrefix(r.URL.Path, "/v1/proof/"):
			fmt.Sscan(strings.TrimPrefix(r.URL.Path, "/v1/proof/"), &idx)
			p, err := merkle.InclusionProof(idx, 5, store)
			if err != nil {
				t.Error(err)
			}
			hs := make([]string, len(p))
			for i, h := range p {
				hs[i] = hex.EncodeToString(h[:])
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"log_id": "acme/b1", "index": idx, "tree_size": 5, "root_hash": hex.EncodeToString(root[:]), "height": 77, "inclusion_proof": hs})
		default:
			http.NotFound(w, r)
		}
	}))
	defer batcher.Close()
	key := identitytypes.Key{Address: addr.String(), Algorithm: string(sigscheme.MLDSA65), PublicKey: sk.Public().Bytes()}

	run := func(roots map[uint64][]byte, valid bool) ([]BatchedResult, []string) {
		node := fakeNode(t, roots, key, valid)
		defer node.Close()
		f, err := NewFetcher(chain.NewClient(node.URL, ""))
		if err != nil {
			t.Fatal(err)
		}
		res, fails, err := f.BatchedEntries(context.Background(), batcher.URL, subjHex, "adf-test")
		if err != nil {
			t.Fatal(err)
		}
		return res, fails
	}
	res, fails := run(map[uint64][]byte{5: root[:]}, true)
	if len(res) != 1 || res[0].Index != 1 || res[0].AnchorHeight != 77 || res[0].Signer != addr.String() {
		t.Fatalf("results %+v", res)
	}
	if len(fails) != 1 || !strings.Contains(fails[0], "batched entry 3") || !strings.Contains(fails[0], "dsse") {
		t.Fatalf("failures %q", fails)
	}
	// A root the chain never anchored.
	other := sha256.Sum256([]byte("forked root"))
	if res, fails := run(map[uint64][]byte{5: other[:]}, true); len(res) != 0 || len(fails) != 2 || !strings.Contains(fails[0], "the chain anchored root") {
		t.Fatalf("forked root: %+v %q", res, fails)
	}
	if res, fails := run(map[uint64][]byte{}, true); len(res) != 0 || !strings.Contains(fails[0], "not anchored on chain") {
		t.Fatalf("unanchored root: %+v %q", res, fails)
	}
	// A key the chain says was not valid then.
	if res, fails := run(map[uint64][]byte{5: root[:]}, false); len(res) != 0 || !strings.Contains(fails[0], "key validity") {
		t.Fatalf("invalid key: %+v %q", res, fails)
	}
}
