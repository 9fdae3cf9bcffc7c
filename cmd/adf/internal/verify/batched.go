package verify

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/adf-consortium/adf/pkg/dsse"
	"github.com/adf-consortium/adf/pkg/intoto"
	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"

	"github.com/adf-consortium/adf/pkg/batchlog"
)

// BatchedResult is what VerifyBatched established for one batcher entry.
type BatchedResult struct {
	LogID          string    `json:"log_id"`
	Index          uint64    `json:"index"`
	EnvelopeDigest string    `json:"envelope_digest"`
	PredicateType  string    `json:"predicate_type"`
	Signer         string    `json:"signer"`
	Algorithm      string    `json:"algorithm"`
	Received       time.Time `json:"received"`
	TreeSize       uint64    `json:"tree_size"`
	RootHash       string    `json:"root_hash"`
	AnchorHeight   int64     `json:"anchor_height"`
	AnchorTime     time.Time `json:"anchor_time"`
	// KeyRecord and Warnings are the bundle's verification's (with
	// Fetcher.BundleBatched).
	KeyRecord string   `json:"key_record,omitempty"`
	Warnings  []string `json:"warnings,omitempty"`
	// Bundle is the entry's verified offline bundle (with
	// Fetcher.BundleBatched): the root's anchoring block checked as for
	// direct anchors.
	Bundle *Bundle `json:"-"`
}

type batcherSearch struct {
	Entries []struct {
		Index          uint64 `json:"index"`
		EnvelopeDigest string `json:"envelope_digest"`
		Erased         bool   `json:"erased"`
	} `json:"entries"`
	Next *uint64 `json:"next"`
}

type batcherEntry struct {
	LogID          string          `json:"log_id"`
	Index          uint64          `json:"index"`
	LeafHash       string          `json:"leaf_hash"`
	EnvelopeDigest string          `json:"envelope_digest"`
	Received       time.Time       `json:"received"`
	Salt           string          `json:"salt"`
	Envelope       json.RawMessage `json:"envelope"`
	Erased         bool            `json:"erased"`
}

type batcherProof struct {
	LogID    string   `json:"log_id"`
	Index    uint64   `json:"index"`
	LeafHash string   `json:"leaf_hash"`
	TreeSize uint64   `json:"tree_size"`
	RootHash string   `json:"root_hash"`
	Height   int64    `json:"height"`
	Proof    []string `json:"inclusion_proof"`
}

func getBatcher(ctx context.Context, base, path string, out any) error {
	u := strings.TrimRight(base, "/") + path
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("batcher: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("batcher %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("batcher GET %s: HTTP %d: %s", u, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("batcher GET %s: %w", u, err)
	}
	return nil
}

func decodeHash(s string) (merkle.Hash, error) {
	var h merkle.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("%q is not a 32-byte hex hash", s)
	}
	copy(h[:], b)
	return h, nil
}

// BatchedEntries verifies every batcher entry of subject: the entry's leaf
// (salt + envelope), its inclusion proof to a root, that root anchored on
// chain (Root query: same hash at that tree size), the DSSE signature with
// the signer's registered key and the key's validity at the anchor height
// and receipt time. It returns the entries that verified and one message
// per entry that did not.
func (f *Fetcher) BatchedEntries(ctx context.Context, batcher, subject, chainID string) ([]BatchedResult, []string, error) {
	var (
		out   []BatchedResult
		fails []string
		from  uint64
	)
	for range 1000 {
		var s batcherSearch
		if err := getBatcher(ctx, batcher, "/v1/search?"+url.Values{"subject": {"sha256:" + subject}, "from": {fmt.Sprint(from)}, "limit": {"1000"}}.Encode(), &s); err != nil {
			return nil, nil, err
		}
		for _, h := range s.Entries {
			if h.Erased {
				fails = append(fails, fmt.Sprintf("batched entry %d: erased (its envelope is gone; the anchor stays)", h.Index))
				continue
			}
			r, e, p, err := f.verifyBatchedEntry(ctx, batcher, h.Index, subject, chainID)
			if err == nil && f.BundleBatched {
				// The root's anchoring block, light-client verified.
				var b *Bundle
				if b, err = f.BatchedBundle(ctx, *r, e, p, chainID); err == nil {
					var res *Result
					if res, err = VerifyBundleWith(b, f.Trusted, f.Options); err == nil {
						r.Bundle, r.KeyRecord, r.Warnings = b, res.KeyRecord, res.Warnings
					}
				}
			}
			if err != nil {
				fails = append(fails, fmt.Sprintf("batched entry %d (%s): %v", h.Index, h.EnvelopeDigest, err))
				continue
			}
			out = append(out, *r)
		}
		if s.Next == nil {
			return out, fails, nil
		}
		from = *s.Next
	}
	return out, fails, nil
}

func (f *Fetcher) verifyBatchedEntry(ctx context.Context, batcher string, index uint64, subject, chainID string) (*BatchedResult, *batcherEntry, *batcherProof, error) {
	var e batcherEntry
	if err := getBatcher(ctx, batcher, fmt.Sprintf("/v1/entries/%d", index), &e); err != nil {
		return nil, nil, nil, err
	}
	var p batcherProof
	if err := getBatcher(ctx, batcher, fmt.Sprintf("/v1/proof/%d", index), &p); err != nil {
		return nil, nil, nil, fmt.Errorf("inclusion proof (not anchored yet?): %w", err)
	}
	r, err := f.checkBatchedEntry(ctx, index, subject, chainID, &e, &p)
	return r, &e, &p, err
}

func (f *Fetcher) checkBatchedEntry(ctx context.Context, index uint64, subject, chainID string, e *batcherEntry, p *batcherProof) (*BatchedResult, error) {
	salt, err := hex.DecodeString(e.Salt)
	if err != nil {
		return nil, fmt.Errorf("salt: %w", err)
	}
	leaf := batchlog.LeafHash(salt, e.Envelope)
	if want, err := decodeHash(e.LeafHash); err != nil || want != leaf {
		return nil, fmt.Errorf("leaf: SHA-256(salt || envelope) gives %x, the batcher says %s", leaf, e.LeafHash)
	}
	root, err := decodeHash(p.RootHash)
	if err != nil {
		return nil, fmt.Errorf("root: %w", err)
	}
	proof := make([]merkle.Hash, len(p.Proof))
	for i, s := range p.Proof {
		if proof[i], err = decodeHash(s); err != nil {
			return nil, fmt.Errorf("inclusion proof[%d]: %w", i, err)
		}
	}
	if err := merkle.VerifyInclusion(index, p.TreeSize, leaf, proof, root); err != nil {
		return nil, fmt.Errorf("inclusion in root %s at size %d: %w", p.RootHash, p.TreeSize, err)
	}
	// The root is anchored on chain.
	var rr attestationtypes.QueryRootResponse
	if err := f.abci(ctx, "/adf.attestation.v1.Query/Root", &attestationtypes.QueryRootRequest{LogId: e.LogID, TreeSize: p.TreeSize}, &rr); err != nil {
		return nil, fmt.Errorf("root of log %s at size %d is not anchored on chain: %w", e.LogID, p.TreeSize, err)
	}
	if hex.EncodeToString(rr.Root.RootHash) != strings.ToLower(p.RootHash) {
		return nil, fmt.Errorf("the chain anchored root %x for log %s at size %d, the batcher proves to %s", rr.Root.RootHash, e.LogID, p.TreeSize, p.RootHash)
	}
	// The envelope, its statement and its signature.
	env, err := dsse.Parse(e.Envelope, dsse.Limits{MaxEnvelopeBytes: 4 << 20, MaxSignatures: 16})
	if err != nil {
		return nil, fmt.Errorf("envelope: %w", err)
	}
	d := env.Digest()
	if hex.EncodeToString(d[:]) != strings.ToLower(e.EnvelopeDigest) {
		return nil, fmt.Errorf("envelope digest %x, the batcher says %s", d, e.EnvelopeDigest)
	}
	st, err := intoto.StatementFromEnvelope(env, 0)
	if err != nil {
		return nil, fmt.Errorf("statement: %w", err)
	}
	subs, err := st.SubjectSHA256()
	if err != nil {
		return nil, err
	}
	named := false
	for _, s := range subs {
		named = named || hex.EncodeToString(s[:]) == subject
	}
	if !named {
		return nil, fmt.Errorf("its statement does not name sha256:%s", subject)
	}
	var lastErr error
	for _, sig := range env.Signatures {
		var kv identitytypes.QueryKeyValidityResponse
		req := &identitytypes.QueryKeyValidityRequest{Address: sig.KeyID, Height: rr.Root.Height, Time: e.Received.UTC().Format(time.RFC3339Nano)}
		if err := f.abci(ctx, "/adf.identity.v1.Query/KeyValidity", req, &kv); err != nil {
			lastErr = fmt.Errorf("key %s: %w", sig.KeyID, err)
			continue
		}
		alg, err := sigscheme.ParseAlgorithm(kv.Key.Algorithm)
		if err != nil {
			lastErr = err
			continue
		}
		pk, err := sigscheme.ParsePublicKey(alg, kv.Key.PublicKey)
		if err != nil {
			lastErr = err
			continue
		}
		if err := dsse.Verify(env, sig.KeyID, pk, chainID); err != nil {
			lastErr = err
			continue
		}
		if !kv.Valid {
			lastErr = fmt.Errorf("key validity: %s", kv.Reason)
			continue
		}
		return &BatchedResult{
			LogID: e.LogID, Index: index, EnvelopeDigest: e.EnvelopeDigest, PredicateType: st.PredicateType,
			Signer: sig.KeyID, Algorithm: kv.Key.Algorithm, Received: e.Received, TreeSize: p.TreeSize,
			RootHash: p.RootHash, AnchorHeight: rr.Root.Height, AnchorTime: rr.Root.Time,
		}, nil
	}
	if lastErr == nil {
		lastErr = fmt.Errorf("the envelope has no signature")
	}
	return nil, fmt.Errorf("dsse signature: %w", lastErr)
}
