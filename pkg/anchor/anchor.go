// Package anchor holds the attestation registry's rules that do not depend
// on a chain: which log ids, risk classes, scopes and predicate types are
// valid, when a new root of a log may be anchored (append-only, proven by an
// RFC 6962 consistency proof from the last anchored root, within a growth
// quota), how a directly anchored DSSE envelope is read, and the UTC day of
// the direct-anchor quota. x/attestation and the Fabric chaincode both call
// it, so both refuse the same inputs with the same messages.
//
// Errors wrap one of the sentinel errors below, so an adapter can map them
// to its own error codes with errors.Is while keeping the message.
package anchor

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/adf-consortium/adf/pkg/merkle"
	"github.com/adf-consortium/adf/pkg/policy"
)

// Limits on user-provided values.
const (
	// HashSize is the size of a SHA-256 digest and of an RFC 6962 hash.
	HashSize = 32
	// MaxConsistencyProofHashes bounds a consistency proof: an RFC 6962
	// proof between trees of fewer than 2^64 leaves has at most 2·64 hashes.
	MaxConsistencyProofHashes = 128
	// MaxEnvelopeSignatures bounds the signatures of a directly anchored
	// DSSE envelope (only the signer's is verified).
	MaxEnvelopeSignatures = 16
	// MaxLogIDLength bounds a log id, in bytes (the policy scope limit).
	MaxLogIDLength = policy.MaxScopeLength
	// MaxPredicateTypeLength bounds an in-toto predicate type, in bytes.
	MaxPredicateTypeLength = 256
)

// Sentinel errors: every error of this package wraps exactly one.
var (
	ErrInvalidLogID            = errors.New("invalid log id")
	ErrInvalidTreeSize         = errors.New("invalid tree size")
	ErrInvalidRootHash         = errors.New("invalid root hash")
	ErrInvalidConsistencyProof = errors.New("invalid consistency proof")
	ErrLogForked               = errors.New("log forked: same tree size, different root")
	ErrLogShrunk               = errors.New("log is append-only: tree size must grow")
	ErrRootAlreadyAnchored     = errors.New("root already anchored")
	ErrQuotaExceeded           = errors.New("quota exceeded")
	ErrInvalidRiskClass        = errors.New("invalid risk class")
	ErrInvalidScope            = errors.New("invalid scope")
	ErrInvalidEnvelope         = errors.New("invalid DSSE envelope")
	ErrEnvelopeTooLarge        = errors.New("DSSE envelope too large")
	ErrInvalidStatement        = errors.New("invalid in-toto statement")
)

// ruleError carries a precise message and the rule it broke. Its Error is
// the message alone, so adapters that wrap it in their own registered error
// do not repeat the rule's name.
type ruleError struct {
	rule error
	msg  string
}

func (e *ruleError) Error() string { return e.msg }
func (e *ruleError) Unwrap() error { return e.rule }

func fail(rule error, format string, args ...any) error {
	return &ruleError{rule: rule, msg: fmt.Sprintf(format, args...)}
}

var (
	logIDRegexp     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$`)
	riskClassRegexp = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// ValidateLogID checks a log id: it is the scope of the "anchor" action, so
// a valid policy scope, and a REST path tail, so ASCII letters, digits and
// . _ : / @ + - only, starting with a letter or digit, without "//" or a
// trailing '/'. E.g. "acme/batcher-1" or "github.com/acme/log".
func ValidateLogID(id string) error {
	if id == "" {
		return fail(ErrInvalidLogID, "log_id: empty")
	}
	if len(id) > MaxLogIDLength {
		return fail(ErrInvalidLogID, "log_id: %d bytes exceeds %d", len(id), MaxLogIDLength)
	}
	if !logIDRegexp.MatchString(id) || strings.Contains(id, "//") || strings.HasSuffix(id, "/") {
		return fail(ErrInvalidLogID, "log_id: %q must match ^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$ without \"//\" or a trailing '/'", id)
	}
	if err := policy.ValidateScope(id); err != nil {
		return fail(ErrInvalidLogID, "log_id: %s", err)
	}
	return nil
}

// ValidateRiskClass checks a risk class name: ^[a-z0-9][a-z0-9._-]{0,63}$,
// e.g. "release", "production-deploy", "build".
func ValidateRiskClass(c string) error {
	if !riskClassRegexp.MatchString(c) {
		return fail(ErrInvalidRiskClass, "risk_class: %q does not match ^[a-z0-9][a-z0-9._-]{0,63}$", c)
	}
	return nil
}

// ValidateScope checks the scope of a direct anchor: a non-empty policy
// scope (no white space, no '*', at most 256 bytes).
func ValidateScope(s string) error {
	if s == "" {
		return fail(ErrInvalidScope, "scope: empty")
	}
	if err := policy.ValidateScope(s); err != nil {
		return fail(ErrInvalidScope, "scope: %s", err)
	}
	return nil
}

// ValidatePredicateType checks a predicate type: 1..256 bytes of printable
// UTF-8 without white space.
func ValidatePredicateType(t string) error {
	if t == "" || len(t) > MaxPredicateTypeLength {
		return fmt.Errorf("predicate_type: length %d is not in 1..%d", len(t), MaxPredicateTypeLength)
	}
	if !utf8.ValidString(t) {
		return fmt.Errorf("predicate_type: not valid UTF-8")
	}
	for _, r := range t {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return fmt.Errorf("predicate_type: %q contains white space or a non-printable character", t)
		}
	}
	return nil
}

// ValidateHash checks that b is a 32-byte hash; field names it in the error.
func ValidateHash(field string, b []byte) error {
	if len(b) != HashSize {
		return fmt.Errorf("%s: %d bytes, want %d", field, len(b), HashSize)
	}
	return nil
}

// ValidateConsistencyProof checks the shape of a consistency proof: at most
// MaxConsistencyProofHashes hashes of 32 bytes each.
func ValidateConsistencyProof(proof [][]byte) error {
	if len(proof) > MaxConsistencyProofHashes {
		return fail(ErrInvalidConsistencyProof, "consistency_proof: %d hashes exceeds %d", len(proof), MaxConsistencyProofHashes)
	}
	for i, h := range proof {
		if err := ValidateHash(fmt.Sprintf("consistency_proof[%d]", i), h); err != nil {
			return fail(ErrInvalidConsistencyProof, "%s", err)
		}
	}
	return nil
}

// RootUpdate is a request to anchor a new root of a log.
type RootUpdate struct {
	LogID            string
	TreeSize         uint64
	RootHash         []byte
	ConsistencyProof [][]byte
}

// ValidateRootUpdate checks a RootUpdate's fields alone (no state).
func ValidateRootUpdate(u RootUpdate) error {
	if err := ValidateLogID(u.LogID); err != nil {
		return err
	}
	if u.TreeSize == 0 {
		return fail(ErrInvalidTreeSize, "tree_size: must be >= 1")
	}
	if err := ValidateHash("root_hash", u.RootHash); err != nil {
		return fail(ErrInvalidRootHash, "%s", err)
	}
	return ValidateConsistencyProof(u.ConsistencyProof)
}

// Head is the last anchored root of a log. AnchoredAt says where, for
// messages ("height 12" on a Cosmos chain, "transaction 3f2a…" on Fabric).
type Head struct {
	TreeSize   uint64
	RootHash   []byte
	AnchoredAt string
}

// CheckExtension decides whether u may be anchored after head (nil: the
// log has no anchored root yet) for organisation org, whose log may grow by
// at most maxGrowth entries per anchor. It returns the previous tree size.
// The first root takes no proof; every later one must extend the head,
// proven by an RFC 6962 consistency proof, so a rewritten or forked log can
// never be anchored. u must have passed ValidateRootUpdate.
func CheckExtension(head *Head, u RootUpdate, org string, maxGrowth uint64) (uint64, error) {
	var prevSize uint64
	if head != nil {
		switch {
		case u.TreeSize < head.TreeSize:
			return 0, fail(ErrLogShrunk,
				"log %q: tree_size %d is smaller than the last anchored tree_size %d", u.LogID, u.TreeSize, head.TreeSize)
		case u.TreeSize == head.TreeSize:
			if string(u.RootHash) == string(head.RootHash) {
				return 0, fail(ErrRootAlreadyAnchored,
					"log %q: root %X at tree_size %d was anchored at %s", u.LogID, u.RootHash, u.TreeSize, head.AnchoredAt)
			}
			return 0, fail(ErrLogForked,
				"log %q: root %X at tree_size %d differs from the anchored root %X", u.LogID, u.RootHash, u.TreeSize, head.RootHash)
		}
		proof := make([]merkle.Hash, len(u.ConsistencyProof))
		for i, h := range u.ConsistencyProof {
			proof[i] = merkle.Hash(h)
		}
		if err := merkle.VerifyConsistency(head.TreeSize, u.TreeSize, proof, merkle.Hash(head.RootHash), merkle.Hash(u.RootHash)); err != nil {
			return 0, fail(ErrInvalidConsistencyProof,
				"log %q: from (tree_size %d, root %X) to (tree_size %d, root %X): %s; a rewritten or forked log cannot be anchored",
				u.LogID, head.TreeSize, head.RootHash, u.TreeSize, u.RootHash, err)
		}
		prevSize = head.TreeSize
	} else if len(u.ConsistencyProof) != 0 {
		return 0, fail(ErrInvalidConsistencyProof,
			"log %q has no anchored root yet: the first root takes no consistency proof, got %d hashes", u.LogID, len(u.ConsistencyProof))
	}
	if growth := u.TreeSize - prevSize; growth > maxGrowth {
		return 0, fail(ErrQuotaExceeded,
			"log %q of organization %q grows by %d entries (tree_size %d → %d); max_entries_per_epoch_per_org is %d: anchor an intermediate tree size first",
			u.LogID, org, growth, prevSize, u.TreeSize, maxGrowth)
	}
	return prevSize, nil
}

// DayOf returns the UTC day number of a Unix time (floor division): the
// period of the direct-anchor quota.
func DayOf(unix int64) int64 {
	d := unix / 86400
	if unix%86400 < 0 {
		d--
	}
	return d
}

// Usage counts an organisation's direct anchors in one UTC day.
type Usage struct {
	Day   int64
	Count uint64
}

// NextUsage returns the usage after one more direct anchor at unix time now,
// or an error if org already made max anchors that day.
func NextUsage(u Usage, org string, now int64, max uint64) (Usage, error) {
	day := DayOf(now)
	if u.Day != day {
		u.Day, u.Count = day, 0
	}
	if u.Count >= max {
		return u, fail(ErrQuotaExceeded,
			"organization %q made %d direct anchors today (UTC day %d); max_direct_anchors_per_day_per_org is %d",
			org, u.Count, day, max)
	}
	u.Count++
	return u, nil
}
