package batcher

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
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/adf-consortium/adf/pkg/batchlog"
	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
)

const (
	testChain = "adf-test-1"
	testLog   = "acme/batcher-1"
)

// fakeChain is an in-memory chain: registered keys, an authorisation set,
// a height, and anchored roots checked exactly as x/attestation does
// (consistency proofs with pkg/merkle.VerifyConsistency).
type fakeChain struct {
	mu         sync.Mutex
	keys       map[string]*KeyInfo
	allowed    map[string]bool
	height     int64
	roots      []Root // anchored roots in order
	failAnchor int    // fail this many AnchorRoot calls
	attempts   int
	authCalls  atomic.Int64
	refusals   []string
}

func newFakeChain() *fakeChain {
	return &fakeChain{keys: map[string]*KeyInfo{}, allowed: map[string]bool{}, height: 1}
}

func (f *fakeChain) register(t testing.TB, addr string, alg sigscheme.Algorithm) sigscheme.PrivateKey {
	t.Helper()
	sk, err := sigscheme.GenerateKey(alg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[addr] = &KeyInfo{Address: addr, Algorithm: string(alg), PublicKey: sk.Public().Bytes(), Status: "KEY_STATUS_ACTIVE"}
	f.allowed[addr] = true
	return sk
}

func (f *fakeChain) KeyInfo(_ context.Context, addr string) (*KeyInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.keys[addr]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownKey, addr)
	}
	c := *k
	return &c, nil
}

func (f *fakeChain) Authorize(_ context.Context, signer, action, scope string) (Decision, error) {
	f.authCalls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if action != "anchor" || scope != testLog {
		return Decision{Reason: "no policy for " + action + " on " + scope}, nil
	}
	if !f.allowed[signer] {
		return Decision{Reason: "key " + signer + " revoked"}, nil
	}
	return Decision{Allowed: true, Reason: "policy batcher allows"}, nil
}

func (f *fakeChain) Height(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.height, nil
}

func (f *fakeChain) nextBlock() {
	f.mu.Lock()
	f.height++
	f.mu.Unlock()
}

func (f *fakeChain) revoke(addr string) {
	f.mu.Lock()
	f.allowed[addr] = false
	f.height++
	f.mu.Unlock()
}

func (f *fakeChain) RiskClassDirect(_ context.Context, rc string) (bool, error) {
	return rc == "release" || rc == "production-deploy", nil
}

func (f *fakeChain) LatestRoot(_ context.Context, logID string) (*Root, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.roots) == 0 {
		return nil, nil
	}
	r := f.roots[len(f.roots)-1]
	return &r, nil
}

func (f *fakeChain) AnchorRoot(_ context.Context, logID string, size uint64, root merkle.Hash, proof []merkle.Hash) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts++
	if f.failAnchor > 0 {
		f.failAnchor--
		return 0, errors.New("node unreachable")
	}
	if len(f.roots) == 0 {
		if len(proof) != 0 {
			return 0, errors.New("first root with a proof")
		}
	} else {
		last := f.roots[len(f.roots)-1]
		switch {
		case size < last.TreeSize:
			return 0, errors.New("log is append-only")
		case size == last.TreeSize && root == last.RootHash:
			return 0, ErrRootAlreadyAnchored
		case size == last.TreeSize:
			return 0, errors.New("log forked")
		}
		if err := merkle.VerifyConsistency(last.TreeSize, size, proof, last.RootHash, root); err != nil {
			f.refusals = append(f.refusals, err.Error())
			return 0, fmt.Errorf("%w: %w", ErrStaleAnchorBase, err)
		}
	}
	f.height++
	f.roots = append(f.roots, Root{TreeSize: size, RootHash: root, Height: f.height, Time: time.Now()})
	return f.height, nil
}

func (f *fakeChain) anchored() []Root {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Root(nil), f.roots...)
}

func statement(i int, subjects ...string) []byte {
	if len(subjects) == 0 {
		d := sha256.Sum256([]byte(fmt.Sprint("artifact-", i)))
		subjects = []string{`{"name":"a","digest":{"sha256":"` + hex.EncodeToString(d[:]) + `"}}`}
	}
	return []byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[` + strings.Join(subjects, ",") +
		`],"predicateType":"https://adf.example/test","predicate":{"n":` + fmt.Sprint(i) + `}}`)
}

func envelope(t testing.TB, payloadType string, payload []byte, keyID string, sk sigscheme.PrivateKey) []byte {
	t.Helper()
	e := &dsse.Envelope{PayloadType: payloadType, Payload: payload}
	if err := dsse.Sign(e, keyID, sk, testChain); err != nil {
		t.Fatal(err)
	}
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type harness struct {
	t     testing.TB
	dir   string
	log   *batchlog.Log
	chain *fakeChain
	srv   *Server
	h     http.Handler
}

func newHarness(t testing.TB, ch *fakeChain, dir string, cfg Config) *harness {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	l, err := batchlog.Open(dir, testLog, batchlog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.LogID, cfg.ChainID = testLog, testChain
	if cfg.AdminToken == "" {
		cfg.AdminToken = "s3cret"
	}
	s := New(l, ch, cfg)
	if err := s.PollHeight(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, dir: dir, log: l, chain: ch, srv: s, h: s.Handler()}
}

func (h *harness) do(method, path string, body []byte, hdr ...string) (int, map[string]any) {
	h.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		h.t.Fatalf("%s %s: response is not JSON: %q", method, path, rec.Body.String())
	}
	return rec.Code, out
}

func (h *harness) submit(env []byte) (int, map[string]any) {
	h.t.Helper()
	return h.do("POST", "/v1/entries", env)
}

func TestSubmitCompositeAndIdempotent(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Composite)
	h := newHarness(t, ch, "", Config{})
	defer h.log.Close()
	env := envelope(t, dsse.PayloadTypeInToto, statement(1), "adf1ci", sk)
	code, r := h.submit(env)
	if code != 200 {
		t.Fatalf("submit: %d %v", code, r)
	}
	if r["index"].(float64) != 0 || r["log_id"] != testLog || r["signer"] != "adf1ci" {
		t.Fatalf("receipt %v", r)
	}
	e, _ := dsse.Parse(env, dsse.Limits{})
	d := e.Digest()
	if r["envelope_digest"] != hex.EncodeToString(d[:]) {
		t.Fatalf("digest %v", r["envelope_digest"])
	}
	// The same envelope again, and re-serialised with whitespace: same receipt.
	for _, again := range [][]byte{env, append([]byte("  "), env...)} {
		code, r2 := h.submit(again)
		if code != 200 || r2["index"] != r["index"] || r2["leaf_hash"] != r["leaf_hash"] || r2["existing"] != true {
			t.Fatalf("resubmission: %d %v", code, r2)
		}
	}
	if h.log.Size() != 1 {
		t.Fatalf("size %d", h.log.Size())
	}
	code, ent := h.do("GET", "/v1/entries/0", nil)
	if code != 200 || ent["leaf_hash"] != r["leaf_hash"] {
		t.Fatalf("entry: %d %v", code, ent)
	}
	// A verifier recomputes the leaf from the served envelope and salt.
	// (leaf = H(salt || dsse canonical form), reproducible from any serialisation).
	envRaw, _ := json.Marshal(ent["envelope"])
	served, err := dsse.Parse(envRaw, dsse.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	canonical, _ := served.Marshal()
	salt, _ := hex.DecodeString(ent["salt"].(string))
	leaf := batchlog.LeafHash(salt, canonical)
	if hex.EncodeToString(leaf[:]) != r["leaf_hash"] {
		t.Fatal("leaf does not recompute from the served envelope and salt")
	}
}

func TestBadInputsStoreNothing(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Composite)
	other := ch.register(t, "adf1other", sigscheme.Composite)
	revoked := ch.register(t, "adf1revoked", sigscheme.Ed25519)
	ch.allowed["adf1revoked"] = false
	stranger, _ := sigscheme.GenerateKey(sigscheme.Ed25519, rand.Reader)
	h := newHarness(t, ch, "", Config{MaxEnvelopeBytes: 8192})
	defer h.log.Close()

	good := envelope(t, dsse.PayloadTypeInToto, statement(1), "adf1ci", sk)
	var tampered map[string]any
	_ = json.Unmarshal(good, &tampered)
	tampered["payload"] = base64.StdEncoding.EncodeToString(statement(2))
	tamperedB, _ := json.Marshal(tampered)
	badB64 := bytes.Replace(good, []byte(`"payload":"`), []byte(`"payload":"!!`), 1)

	cases := []struct {
		name string
		body []byte
		code int
		want string
	}{
		{"malformed json", []byte(`{"payloadType":`), 400, "malformed_envelope"},
		{"not an object", []byte(`[]`), 400, "malformed_envelope"},
		{"bad base64", badB64, 400, "malformed_envelope"},
		{"payload type", envelope(t, "text/plain", statement(1), "adf1ci", sk), 400, "payload_type"},
		{"not a statement", envelope(t, dsse.PayloadTypeInToto, []byte(`{"hello":1}`), "adf1ci", sk), 400, "malformed_statement"},
		{"subject without sha256", envelope(t, dsse.PayloadTypeInToto,
			statement(1, `{"name":"x","digest":{"sha512":"`+strings.Repeat("ab", 64)+`"}}`), "adf1ci", sk), 400, "subject_sha256"},
		{"wrong signature", tamperedB, 400, "bad_signature"},
		{"signed by another registered key", envelope(t, dsse.PayloadTypeInToto, statement(3), "adf1ci", other), 400, "bad_signature"},
		{"unknown key", envelope(t, dsse.PayloadTypeInToto, statement(4), "adf1nobody", stranger), 403, "unknown_key"},
		{"unauthorised key", envelope(t, dsse.PayloadTypeInToto, statement(5), "adf1revoked", revoked), 403, "unauthorized"},
		{"no keyid", envelope(t, dsse.PayloadTypeInToto, statement(6), "", sk), 400, "no_keyid"},
		{"oversized", envelope(t, dsse.PayloadTypeInToto, statement(7, `{"name":"`+strings.Repeat("x", 9000)+`","digest":{"sha256":"`+strings.Repeat("0", 64)+`"}}`), "adf1ci", sk), 413, "too_large"},
	}
	for _, c := range []struct{ rc, want string }{{"release", "direct_anchor_required"}, {"Bad Class", "bad_risk_class"}} {
		code, r := h.do("POST", "/v1/entries?risk_class="+url.QueryEscape(c.rc), good)
		if code < 400 || code >= 500 || r["code"] != c.want || h.log.Size() != 0 {
			t.Fatalf("risk class %q: %d %v", c.rc, code, r)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, r := h.submit(c.body)
			if code != c.code || r["code"] != c.want || r["error"] == "" {
				t.Fatalf("got %d %v, want %d %s", code, r, c.code, c.want)
			}
			if h.log.Size() != 0 {
				t.Fatalf("stored something: size %d", h.log.Size())
			}
		})
	}
	// Other routes name their problems too.
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/v1/entries/abc", "bad_index"},
		{"GET", "/v1/entries/0", "not_found"},
		{"GET", "/v1/proof/0", "not_found"},
		{"GET", "/v1/search?subject=md5:00", "bad_subject"},
		{"GET", "/v1/nothing", "not_found"},
		{"GET", "/v1/entries", "method_not_allowed"},
		{"DELETE", "/v1/entries/0", "method_not_allowed"},
	} {
		code, r := h.do(c.method, c.path, nil)
		if code < 400 || code >= 500 || r["code"] != c.want {
			t.Fatalf("%s %s: %d %v", c.method, c.path, code, r)
		}
	}
	if code, _ := h.do("POST", "/v1/entries?risk_class=build", good); code != 200 {
		t.Fatal("the good envelope was refused")
	}
}

func TestRevocationNextBlock(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Ed25519)
	h := newHarness(t, ch, "", Config{})
	defer h.log.Close()
	for i := range 5 {
		if code, r := h.submit(envelope(t, dsse.PayloadTypeInToto, statement(i), "adf1ci", sk)); code != 200 {
			t.Fatalf("%d %v", code, r)
		}
	}
	if n := ch.authCalls.Load(); n != 1 {
		t.Fatalf("%d Authorize calls within one block, want 1 (cached per height)", n)
	}
	ch.revoke("adf1ci") // revoked in the next block
	if err := h.srv.PollHeight(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, r := h.submit(envelope(t, dsse.PayloadTypeInToto, statement(99), "adf1ci", sk))
	if code != 403 || r["code"] != "unauthorized" {
		t.Fatalf("after revocation: %d %v", code, r)
	}
	if h.log.Size() != 5 {
		t.Fatalf("size %d", h.log.Size())
	}
}

func TestAnchoringProofsAndErasure(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Composite)
	h := newHarness(t, ch, "", Config{})
	defer h.log.Close()
	var receipts []map[string]any
	anchorAfter := []int{3, 4, 11, 16}
	n := 0
	for _, upto := range anchorAfter {
		for ; n < upto; n++ {
			code, r := h.submit(envelope(t, dsse.PayloadTypeInToto, statement(n), "adf1ci", sk))
			if code != 200 {
				t.Fatalf("%d %v", code, r)
			}
			receipts = append(receipts, r)
		}
		if code, r := h.do("GET", fmt.Sprintf("/v1/proof/%d", n-1), nil); code != 409 || r["code"] != "not_anchored" {
			t.Fatalf("proof before anchoring: %d %v", code, r)
		}
		if _, err := h.srv.AnchorOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	roots := ch.anchored()
	if len(roots) != len(anchorAfter) || len(ch.refusals) != 0 {
		t.Fatalf("anchored %d roots, refusals %v", len(roots), ch.refusals)
	}
	latest := roots[len(roots)-1]
	checkProof := func(i int) {
		t.Helper()
		code, p := h.do("GET", fmt.Sprintf("/v1/proof/%d", i), nil)
		if code != 200 {
			t.Fatalf("proof %d: %d %v", i, code, p)
		}
		if uint64(p["tree_size"].(float64)) != latest.TreeSize || int64(p["height"].(float64)) != latest.Height {
			t.Fatalf("proof %d is not to the latest anchored root: %v", i, p)
		}
		var proof []merkle.Hash
		for _, x := range p["inclusion_proof"].([]any) {
			var hh merkle.Hash
			b, _ := hex.DecodeString(x.(string))
			copy(hh[:], b)
			proof = append(proof, hh)
		}
		var leaf merkle.Hash
		b, _ := hex.DecodeString(receipts[i]["leaf_hash"].(string))
		copy(leaf[:], b)
		if err := merkle.VerifyInclusion(uint64(i), latest.TreeSize, leaf, proof, latest.RootHash); err != nil {
			t.Fatalf("proof %d: %v", i, err)
		}
	}
	for i := range receipts {
		checkProof(i)
	}
	// Search by subject.
	d := sha256.Sum256([]byte("artifact-7"))
	code, sr := h.do("GET", "/v1/search?subject=sha256:"+hex.EncodeToString(d[:]), nil)
	if code != 200 || len(sr["entries"].([]any)) != 1 || sr["entries"].([]any)[0].(map[string]any)["index"].(float64) != 7 {
		t.Fatalf("search: %d %v", code, sr)
	}
	// Erasure: admin only, needs a reason, keeps the proof valid.
	if code, r := h.do("POST", "/v1/entries/7/erase", []byte(`{"reason":"gdpr"}`)); code != 401 {
		t.Fatalf("erase without token: %d %v", code, r)
	}
	if code, r := h.do("POST", "/v1/entries/7/erase", []byte(`{"reason":"gdpr"}`), "Authorization", "Bearer wrong"); code != 401 {
		t.Fatalf("erase with a wrong token: %d %v", code, r)
	}
	if code, r := h.do("POST", "/v1/entries/7/erase", []byte(`{}`), "Authorization", "Bearer s3cret"); code != 400 || r["code"] != "reason_required" {
		t.Fatalf("erase without reason: %d %v", code, r)
	}
	if code, r := h.do("POST", "/v1/entries/7/erase", []byte(`{"reason":"gdpr art. 17"}`), "Authorization", "Bearer s3cret"); code != 200 || r["erased"] != true {
		t.Fatalf("erase: %d %v", code, r)
	}
	code, ent := h.do("GET", "/v1/entries/7", nil)
	if code != 200 || ent["envelope"] != nil || ent["salt"] != nil || ent["erase_reason"] != "gdpr art. 17" || ent["leaf_hash"] != receipts[7]["leaf_hash"] {
		t.Fatalf("erased entry: %v", ent)
	}
	checkProof(7)
	if code, r := h.do("POST", "/v1/entries/7/erase", []byte(`{"reason":"again"}`), "Authorization", "Bearer s3cret"); code != 409 {
		t.Fatalf("second erase: %d %v", code, r)
	}
	// Metrics expose the counters.
	req := httptest.NewRequest("GET", "/metrics", nil)
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	for _, m := range []string{"adf_batcher_entries_appended_total 16", "adf_batcher_anchors_total 4", "adf_batcher_erased_total 1", "adf_batcher_anchored_tree_size 16"} {
		if !strings.Contains(rec.Body.String(), m) {
			t.Fatalf("metrics lack %q:\n%s", m, rec.Body.String())
		}
	}
	if code, r := h.do("GET", "/healthz", nil); code != 200 || r["anchored_tree_size"].(float64) != 16 {
		t.Fatalf("healthz %d %v", code, r)
	}
}

// TestAnchorLoopOutageCatchUp runs the real loop: roots every epoch with
// consistency proofs the fake chain verifies; during an outage entries pile
// up and, once the chain is back, one root at the current size catches up.
func TestAnchorLoopOutageCatchUp(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Ed25519)
	h := newHarness(t, ch, "", Config{Epoch: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	defer h.log.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.srv.Run(ctx) }()
	waitAnchored := func(size uint64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for h.log.Anchored().TreeSize < size {
			if time.Now().After(deadline) {
				t.Fatalf("not anchored at %d (anchored %d)", size, h.log.Anchored().TreeSize)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	n := 0
	add := func(k int) {
		for range k {
			if code, r := h.submit(envelope(t, dsse.PayloadTypeInToto, statement(n), "adf1ci", sk)); code != 200 {
				t.Fatalf("%d %v", code, r)
			}
			n++
		}
	}
	add(5)
	waitAnchored(5)
	add(3)
	waitAnchored(8)
	// Outage: the chain refuses the next 4 attempts.
	ch.mu.Lock()
	ch.failAnchor = 4
	before := len(ch.roots)
	ch.mu.Unlock()
	add(10)
	deadline := time.Now().Add(5 * time.Second)
	for {
		ch.mu.Lock()
		a := ch.attempts
		f := ch.failAnchor
		ch.mu.Unlock()
		if f == 0 && a > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("outage never ended")
		}
		time.Sleep(2 * time.Millisecond)
	}
	add(7)
	waitAnchored(25)
	roots := ch.anchored()
	after := roots[before:]
	if len(after) > 2 {
		t.Fatalf("%d roots to catch up after the outage, want one (or one plus the entries added after it): %+v", len(after), after)
	}
	if len(ch.refusals) != 0 {
		t.Fatalf("chain refused consistency proofs: %v", ch.refusals)
	}
	for i := 1; i < len(roots); i++ {
		if roots[i].TreeSize <= roots[i-1].TreeSize {
			t.Fatal("roots not increasing")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestRestartResumesAnchoring: after a restart the batcher reads the chain's
// latest root and continues with a consistency proof from it; proofs served
// before the restart still verify.
func TestRestartResumesAnchoring(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Composite)
	dir := t.TempDir()
	h := newHarness(t, ch, dir, Config{})
	for i := range 6 {
		if code, _ := h.submit(envelope(t, dsse.PayloadTypeInToto, statement(i), "adf1ci", sk)); code != 200 {
			t.Fatal("submit")
		}
	}
	if _, err := h.srv.AnchorOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 6; i < 9; i++ {
		h.submit(envelope(t, dsse.PayloadTypeInToto, statement(i), "adf1ci", sk))
	}
	// The anchor lands on chain but the batcher dies before recording it.
	root9, _ := h.log.RootAt(9)
	proof, _ := h.log.ConsistencyProof(6, 9)
	if _, err := ch.AnchorRoot(context.Background(), testLog, 9, root9, proof); err != nil {
		t.Fatal(err)
	}
	h.log.Close()

	h2 := newHarness(t, ch, dir, Config{})
	defer h2.log.Close()
	if h2.log.Anchored().TreeSize != 6 {
		t.Fatalf("local anchored %d", h2.log.Anchored().TreeSize)
	}
	if err := h2.srv.SyncAnchored(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h2.log.Anchored().TreeSize != 9 {
		t.Fatalf("anchored after sync %d", h2.log.Anchored().TreeSize)
	}
	h2.submit(envelope(t, dsse.PayloadTypeInToto, statement(9), "adf1ci", sk))
	if _, err := h2.srv.AnchorOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if roots := ch.anchored(); roots[len(roots)-1].TreeSize != 10 || len(ch.refusals) != 0 {
		t.Fatalf("roots %+v refusals %v", roots, ch.refusals)
	}
	// A chain root the local log cannot have is fatal.
	ch.mu.Lock()
	ch.roots = append(ch.roots, Root{TreeSize: 10, RootHash: merkle.Hash{1}, Height: 99})
	ch.mu.Unlock()
	h3dir := t.TempDir()
	h3 := newHarness(t, ch, h3dir, Config{})
	defer h3.log.Close()
	if err := h3.srv.SyncAnchored(context.Background()); !errors.Is(err, ErrFatal) {
		t.Fatalf("empty log vs chain root at 10: %v", err)
	}
}

// TestAnchorMaxGrowth: a backlog larger than the chain's per-epoch quota is
// anchored in several roots, each proven consistent with the previous one.
func TestAnchorMaxGrowth(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Ed25519)
	h := newHarness(t, ch, "", Config{MaxGrowth: 5})
	defer h.log.Close()
	for i := range 12 {
		if code, r := h.submit(envelope(t, dsse.PayloadTypeInToto, statement(i), "adf1ci", sk)); code != 200 {
			t.Fatalf("%d %v", code, r)
		}
	}
	var sizes []uint64
	for {
		more, err := h.srv.AnchorOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, h.log.Anchored().TreeSize)
		if !more {
			break
		}
	}
	if fmt.Sprint(sizes) != "[5 10 12]" || len(ch.refusals) != 0 {
		t.Fatalf("anchored sizes %v, refusals %v", sizes, ch.refusals)
	}
	if more, err := h.srv.AnchorOnce(context.Background()); more || err != nil || len(ch.anchored()) != 3 {
		t.Fatalf("anchoring an unchanged tree: %v %v %d roots", more, err, len(ch.anchored()))
	}
}

// TestEpochEntriesTriggersAnchor: with a long epoch, --epoch-entries
// anchors as soon as enough entries are unanchored.
func TestEpochEntriesTriggersAnchor(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Ed25519)
	h := newHarness(t, ch, "", Config{Epoch: time.Hour, EpochEntries: 3})
	defer h.log.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.srv.Run(ctx) }()
	for i := range 3 {
		if code, r := h.submit(envelope(t, dsse.PayloadTypeInToto, statement(i), "adf1ci", sk)); code != 200 {
			t.Fatalf("%d %v", code, r)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.log.Anchored().TreeSize < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("not anchored after 3 entries (anchored %d)", h.log.Anchored().TreeSize)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestAnchorBaseMovedByLateAnchor: an anchor of ours that lands after the
// batcher last read the chain (a timed-out tx, or one sent just before a
// restart) makes the next consistency proof start from a stale base. The
// batcher must re-anchor from the chain's new base without reporting a
// failure; a genuinely different root must still be refused.
func TestAnchorBaseMovedByLateAnchor(t *testing.T) {
	ch := newFakeChain()
	sk := ch.register(t, "adf1ci", sigscheme.Ed25519)
	h := newHarness(t, ch, "", Config{})
	defer h.log.Close()
	submit := func(from, to int) {
		for i := from; i < to; i++ {
			if code, r := h.submit(envelope(t, dsse.PayloadTypeInToto, statement(i), "adf1ci", sk)); code != 200 {
				t.Fatalf("%d %v", code, r)
			}
		}
	}
	submit(0, 4)
	if _, err := h.srv.AnchorOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	submit(4, 7)
	// Our own root at 7 lands on chain behind the batcher's back.
	root7, err := h.log.RootAt(7)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := h.log.ConsistencyProof(4, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ch.AnchorRoot(context.Background(), testLog, 7, root7, proof); err != nil {
		t.Fatal(err)
	}
	submit(7, 10)
	more, err := h.srv.AnchorOnce(context.Background())
	if err != nil || !more || h.log.Anchored().TreeSize != 7 {
		t.Fatalf("stale base: more=%v err=%v anchored=%d; want a silent re-sync to 7", more, err, h.log.Anchored().TreeSize)
	}
	if _, err := h.srv.AnchorOnce(context.Background()); err != nil || h.log.Anchored().TreeSize != 10 {
		t.Fatalf("re-anchor from the new base: err=%v anchored=%d", err, h.log.Anchored().TreeSize)
	}

	// A root at 12 that is not ours (a fork) is refused, not adopted.
	submit(10, 13)
	var fork merkle.Hash
	fork[0] = 1
	ch.mu.Lock()
	ch.roots = append(ch.roots, Root{TreeSize: 12, RootHash: fork, Height: ch.height + 1})
	ch.mu.Unlock()
	if _, err := h.srv.AnchorOnce(context.Background()); err == nil {
		t.Fatal("a chain root that is not this log's root at that size must not be adopted")
	}
}
