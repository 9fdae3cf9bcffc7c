package types

import (
	"fmt"

	"cosmossdk.io/core/address"

	"github.com/adf-consortium/adf/pkg/anchor"
	"github.com/adf-consortium/adf/pkg/sigscheme"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

// MaxPredicateTypeLength bounds a stored predicate type (a URI), in bytes.
const MaxPredicateTypeLength = anchor.MaxPredicateTypeLength

// DefaultGenesis returns the default genesis: default params, nothing else.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams()}
}

// Validate checks the genesis state. Every error names the offending field,
// e.g. "roots[3].root_hash: 31 bytes, want 32". Addresses are checked as
// bech32 of any prefix; the keeper re-checks them with the chain's codec.
func (gs GenesisState) Validate() error {
	return gs.ValidateWithAddressCodec(nil)
}

type rootKey struct {
	log  string
	size uint64
}

// ValidateWithAddressCodec is Validate with addresses checked by ac (any
// bech32 prefix when ac is nil).
func (gs GenesisState) ValidateWithAddressCodec(ac address.Codec) error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params.%w", err)
	}
	p := gs.Params

	logs := make(map[string]Log, len(gs.Logs))
	for i, l := range gs.Logs {
		f := fmt.Sprintf("logs[%d]", i)
		if err := ValidateLogID(l.LogId); err != nil {
			return fmt.Errorf("%s.%w", f, err)
		}
		if _, dup := logs[l.LogId]; dup {
			return fmt.Errorf("%s.log_id: duplicate log %q", f, l.LogId)
		}
		if err := identitytypes.ValidateOrgID(l.OwnerOrg); err != nil {
			return fmt.Errorf("%s.owner_org: %w", f, err)
		}
		if _, _, err := ParseAddress(ac, l.RegisteredBy); err != nil {
			return fmt.Errorf("%s.registered_by: %w", f, err)
		}
		if l.TreeSize == 0 {
			return fmt.Errorf("%s.tree_size: must be >= 1", f)
		}
		if err := ValidateHash(f+".root_hash", l.RootHash); err != nil {
			return err
		}
		if l.Anchors == 0 {
			return fmt.Errorf("%s.anchors: must be >= 1", f)
		}
		if l.RegisteredHeight < 0 || l.LatestHeight < l.RegisteredHeight {
			return fmt.Errorf("%s.latest_height: %d must be >= registered_height %d >= 0", f, l.LatestHeight, l.RegisteredHeight)
		}
		logs[l.LogId] = l
	}

	roots := make(map[rootKey]AnchoredRoot, len(gs.Roots))
	rootCount := make(map[string]uint64, len(gs.Logs))
	for i, r := range gs.Roots {
		f := fmt.Sprintf("roots[%d]", i)
		l, ok := logs[r.LogId]
		if !ok {
			return fmt.Errorf("%s.log_id: unknown log %q", f, r.LogId)
		}
		if r.TreeSize == 0 || r.TreeSize > l.TreeSize {
			return fmt.Errorf("%s.tree_size: %d is not in 1..%d (the log's latest tree_size)", f, r.TreeSize, l.TreeSize)
		}
		k := rootKey{r.LogId, r.TreeSize}
		if _, dup := roots[k]; dup {
			return fmt.Errorf("%s: duplicate root of log %q at tree_size %d", f, r.LogId, r.TreeSize)
		}
		if err := ValidateHash(f+".root_hash", r.RootHash); err != nil {
			return err
		}
		if _, _, err := ParseAddress(ac, r.Signer); err != nil {
			return fmt.Errorf("%s.signer: %w", f, err)
		}
		if r.PrincipalId != "" {
			if _, _, err := identitytypes.SplitPrincipalID(r.PrincipalId); err != nil {
				return fmt.Errorf("%s.principal_id: %w", f, err)
			}
		}
		if r.Height < 0 {
			return fmt.Errorf("%s.height: %d must be >= 0", f, r.Height)
		}
		roots[k] = r
		rootCount[r.LogId]++
	}
	for i, l := range gs.Logs {
		f := fmt.Sprintf("logs[%d]", i)
		latest, ok := roots[rootKey{l.LogId, l.TreeSize}]
		if !ok {
			return fmt.Errorf("%s.tree_size: no root of log %q at tree_size %d", f, l.LogId, l.TreeSize)
		}
		if string(latest.RootHash) != string(l.RootHash) {
			return fmt.Errorf("%s.root_hash: %X differs from the anchored root %X at tree_size %d", f, l.RootHash, latest.RootHash, l.TreeSize)
		}
		if rootCount[l.LogId] != l.Anchors {
			return fmt.Errorf("%s.anchors: %d, but %d roots of the log are listed", f, l.Anchors, rootCount[l.LogId])
		}
	}

	digests := make(map[string]struct{}, len(gs.Attestations))
	seqs := make(map[uint64]struct{}, len(gs.Attestations))
	for i, a := range gs.Attestations {
		f := fmt.Sprintf("attestations[%d]", i)
		if err := ValidateAttestation(p, ac, a); err != nil {
			return fmt.Errorf("%s.%w", f, err)
		}
		if _, dup := digests[string(a.EnvelopeDigest)]; dup {
			return fmt.Errorf("%s.envelope_digest: duplicate attestation %s", f, FormatDigest(a.EnvelopeDigest))
		}
		digests[string(a.EnvelopeDigest)] = struct{}{}
		if _, dup := seqs[a.Sequence]; dup {
			return fmt.Errorf("%s.sequence: duplicate sequence %d", f, a.Sequence)
		}
		seqs[a.Sequence] = struct{}{}
	}

	usage := make(map[string]struct{}, len(gs.DirectUsage))
	for i, u := range gs.DirectUsage {
		f := fmt.Sprintf("direct_usage[%d]", i)
		if err := identitytypes.ValidateOrgID(u.OrgId); err != nil {
			return fmt.Errorf("%s.org_id: %w", f, err)
		}
		if _, dup := usage[u.OrgId]; dup {
			return fmt.Errorf("%s.org_id: duplicate organization %q", f, u.OrgId)
		}
		usage[u.OrgId] = struct{}{}
		if u.Day < 0 {
			return fmt.Errorf("%s.day: %d must be >= 0", f, u.Day)
		}
	}
	return nil
}

// ValidateAttestation checks a stored attestation; the error names the field.
func ValidateAttestation(p Params, ac address.Codec, a Attestation) error {
	if err := ValidateHash("envelope_digest", a.EnvelopeDigest); err != nil {
		return err
	}
	if a.Sequence == 0 {
		return fmt.Errorf("sequence: must be >= 1")
	}
	if len(a.SubjectDigests) == 0 || len(a.SubjectDigests) > int(p.MaxSubjects) {
		return fmt.Errorf("subject_digests: count %d is not in 1..%d (max_subjects)", len(a.SubjectDigests), p.MaxSubjects)
	}
	for i, d := range a.SubjectDigests {
		if err := ValidateHash(fmt.Sprintf("subject_digests[%d]", i), d); err != nil {
			return err
		}
	}
	if len(a.MaterialDigests) > int(p.MaxSubjects) {
		return fmt.Errorf("material_digests: count %d exceeds %d (max_subjects)", len(a.MaterialDigests), p.MaxSubjects)
	}
	for i, d := range a.MaterialDigests {
		if err := ValidateHash(fmt.Sprintf("material_digests[%d]", i), d); err != nil {
			return err
		}
	}
	if err := ValidatePredicateType(a.PredicateType); err != nil {
		return err
	}
	if _, _, err := ParseAddress(ac, a.Signer); err != nil {
		return fmt.Errorf("signer: %w", err)
	}
	if a.PrincipalId != "" {
		if _, _, err := identitytypes.SplitPrincipalID(a.PrincipalId); err != nil {
			return fmt.Errorf("principal_id: %w", err)
		}
	}
	if err := identitytypes.ValidateOrgID(a.OrgId); err != nil {
		return fmt.Errorf("org_id: %w", err)
	}
	if err := ValidateRiskClass(a.RiskClass); err != nil {
		return err
	}
	if err := ValidateScope(a.Scope); err != nil {
		return err
	}
	if _, err := sigscheme.ParseAlgorithm(a.Algorithm); err != nil {
		return fmt.Errorf("algorithm: %w", err)
	}
	if a.Height < 0 {
		return fmt.Errorf("height: %d must be >= 0", a.Height)
	}
	return nil
}

// ValidatePredicateType checks a predicate type (anchor.ValidatePredicateType).
func ValidatePredicateType(t string) error { return anchor.ValidatePredicateType(t) }
