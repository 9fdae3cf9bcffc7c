package attestation

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

	"github.com/adf-consortium/adf/chaincode/internal/ledger"
	"github.com/adf-consortium/adf/chaincode/internal/wire"
	"github.com/adf-consortium/adf/pkg/anchor"
)

// parseDigest reads a hex SHA-256 digest with an optional "sha256:" prefix.
func parseDigest(field, s string) (string, error) {
	h := strings.ToLower(strings.TrimPrefix(s, "sha256:"))
	if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
		return "", fmt.Errorf("%s: %q is not 64 hex digits (optionally prefixed sha256:): invalid digest", field, s)
	}
	return h, nil
}

// GetLog returns a log and its latest anchored root.
func (c *Contract) GetLog(ctx contractapi.TransactionContextInterface, logID string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	var lg Log
	if found, err := tx.Get(&lg, keyLog, logID); err != nil {
		return "", err
	} else if !found {
		return "", fmt.Errorf("log %q not found", logID)
	}
	return wire.JSON(lg)
}

// GetRoot returns the root anchored for (logID, treeSize): what an
// inclusion proof of a batched entry is checked against.
func (c *Contract) GetRoot(ctx contractapi.TransactionContextInterface, logID string, treeSize uint64) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	var r Root
	if found, err := tx.Get(&r, keyRoot, logID, pad(treeSize)); err != nil {
		return "", err
	} else if !found {
		return "", fmt.Errorf("no root of log %q at tree_size %d", logID, treeSize)
	}
	return wire.JSON(r)
}

// GetAttestation returns a directly anchored attestation by envelope
// digest.
func (c *Contract) GetAttestation(ctx contractapi.TransactionContextInterface, envelopeDigest string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	d, err := parseDigest("envelope_digest", envelopeDigest)
	if err != nil {
		return "", err
	}
	var a Attestation
	if found, err := tx.Get(&a, keyEnv, d); err != nil {
		return "", err
	} else if !found {
		return "", fmt.Errorf("attestation %s not found", d)
	}
	return wire.JSON(a)
}

// HasSubject reports whether some anchored attestation has the subject
// digest (lowercase hex): the telemetry contract's "missing provenance"
// signal.
func HasSubject(tx *ledger.Tx, digestHex string) (bool, error) {
	es, _, err := tx.Keys(1, keySubject, strings.ToLower(digestHex))
	return len(es) > 0, err
}

// MaxSubjectResults bounds BySubject's answer.
const MaxSubjectResults = 256

// BySubject lists the attestations with a subject digest, oldest first.
func (c *Contract) BySubject(ctx contractapi.TransactionContextInterface, subject string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	d, err := parseDigest("subject", subject)
	if err != nil {
		return "", err
	}
	as, truncated, err := attestationsOf(tx, d, MaxSubjectResults)
	if err != nil {
		return "", err
	}
	return wire.JSON(map[string]any{"attestations": as, "truncated": truncated})
}

// attestationsOf returns up to limit attestations with subject d in
// anchoring order (the index key carries the sequence).
func attestationsOf(tx *ledger.Tx, d string, limit int) ([]Attestation, bool, error) {
	es, more, err := tx.Keys(limit, keySubject, d)
	if err != nil {
		return nil, false, err
	}
	out := make([]Attestation, 0, len(es))
	for _, e := range es {
		if len(e.Attrs) != 3 {
			return nil, false, fmt.Errorf("subject index entry %q is corrupt", e.Attrs)
		}
		var a Attestation
		if found, err := tx.Get(&a, keyEnv, e.Attrs[2]); err != nil {
			return nil, false, err
		} else if !found {
			return nil, false, fmt.Errorf("subject index points to missing attestation %s", e.Attrs[2])
		}
		out = append(out, a)
	}
	return out, more, nil
}

// Step is one attestation of a provenance walk.
type Step struct {
	Depth           uint32      `json:"depth"`
	Attestation     Attestation `json:"attestation"`
	LinkedMaterials []string    `json:"linked_materials,omitempty"`
}

// Provenance walks back from subject with pkg/anchor's walk, as
// x/attestation's query does: the attestations with that subject (depth
// 0), then through each one's provenance links to the earlier attestations
// whose subject is the linked material, up to max_provenance_depth levels
// and max_provenance_fan_out attestations per digest; steps come oldest
// first.
func (c *Contract) Provenance(ctx contractapi.TransactionContextInterface, subject string) (string, error) {
	tx, err := ledger.New(ctx.GetStub())
	if err != nil {
		return "", err
	}
	d, err := parseDigest("subject", subject)
	if err != nil {
		return "", err
	}
	raw, _ := hex.DecodeString(d)
	walked, truncated, err := anchor.Provenance[Attestation](source{tx}, raw, uint32(c.Params.MaxProvenanceDepth), c.Params.MaxProvenanceFanOut)
	if err != nil {
		return "", err
	}
	if len(walked) == 0 {
		return "", fmt.Errorf("no attestation has subject %s", d)
	}
	steps := make([]Step, len(walked))
	for i, w := range walked {
		steps[i] = Step{Depth: w.Depth, Attestation: w.Value}
		for _, m := range w.LinkedMaterials {
			steps[i].LinkedMaterials = append(steps[i].LinkedMaterials, hex.EncodeToString(m))
		}
	}
	return wire.JSON(map[string]any{"steps": steps, "truncated": truncated})
}

// source is the chaincode's subject index and links for the walk.
type source struct{ tx *ledger.Tx }

func (s source) WithSubject(d []byte, limit int) ([]anchor.Node[Attestation], bool, error) {
	as, more, err := attestationsOf(s.tx, hex.EncodeToString(d), limit)
	if err != nil {
		return nil, false, err
	}
	out := make([]anchor.Node[Attestation], len(as))
	for i, a := range as {
		digest, _ := hex.DecodeString(a.EnvelopeDigest)
		var mats [][]byte
		for _, m := range a.MaterialDigests {
			b, _ := hex.DecodeString(m)
			mats = append(mats, b)
		}
		out[i] = anchor.Node[Attestation]{Digest: digest, Sequence: a.Sequence, Materials: mats, Value: a}
	}
	return out, more, nil
}

func (s source) Linked(material, digest []byte) (bool, error) {
	return s.tx.Has(keyLink, hex.EncodeToString(material), hex.EncodeToString(digest))
}
