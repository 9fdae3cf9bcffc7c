package types

import (
	"fmt"

	"cosmossdk.io/core/address"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
)

var _ codectypes.UnpackInterfacesMessage = (*GenesisState)(nil)

// DefaultGenesis returns the default genesis: default params, no members,
// no validators and proposal ids starting at 1. It is a template: a chain
// cannot start from it because Validate requires at least one active
// validator (the consortium module is the chain's only validator-set source).
func DefaultGenesis() *GenesisState {
	return &GenesisState{
		Params:         DefaultParams(),
		NextProposalId: 1,
	}
}

// UnpackInterfaces implements codectypes.UnpackInterfacesMessage.
func (gs *GenesisState) UnpackInterfaces(unpacker codectypes.AnyUnpacker) error {
	for i := range gs.Validators {
		if err := gs.Validators[i].UnpackInterfaces(unpacker); err != nil {
			return fmt.Errorf("validators[%d].pub_key: %w", i, err)
		}
	}
	for i := range gs.Proposals {
		if err := gs.Proposals[i].UnpackInterfaces(unpacker); err != nil {
			return fmt.Errorf("proposals[%d].messages: %w", i, err)
		}
	}
	return nil
}

// Validate checks the genesis state. Every error names the offending field,
// e.g. "validators[2].power: 0 is not in 1..1000". Addresses are checked as
// bech32 of any prefix; the keeper re-checks them with the chain's codec.
func (gs GenesisState) Validate() error {
	return gs.ValidateWithAddressCodec(nil)
}

// ValidateWithAddressCodec is Validate with addresses checked by ac (any
// bech32 prefix when ac is nil).
func (gs GenesisState) ValidateWithAddressCodec(ac address.Codec) error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params.%w", err)
	}

	// organisations
	orgs := make(map[string]OrgStatus, len(gs.Organizations))
	names := make(map[string]int, len(gs.Organizations))
	admins := make(map[string]string)
	for i, org := range gs.Organizations {
		f := fmt.Sprintf("organizations[%d]", i)
		if err := ValidateOrgID(org.Id); err != nil {
			return fmt.Errorf("%s.id: %w", f, err)
		}
		if _, dup := orgs[org.Id]; dup {
			return fmt.Errorf("%s.id: duplicate organization id %q", f, org.Id)
		}
		if err := ValidateOrgName(org.Name); err != nil {
			return fmt.Errorf("%s.name: %w", f, err)
		}
		if j, dup := names[OrgNameKey(org.Name)]; dup {
			return fmt.Errorf("%s.name: %q is already used by organizations[%d] (names are case-insensitive)", f, org.Name, j)
		}
		if err := ValidateOrgStatus(org.Status); err != nil {
			return fmt.Errorf("%s.status: %s is not ACTIVE, SUSPENDED or REMOVED", f, org.Status)
		}
		if org.JoinedHeight < 0 {
			return fmt.Errorf("%s.joined_height: %d must be >= 0", f, org.JoinedHeight)
		}
		bzs, _, err := ValidateAdmins(ac, org.Admins, "")
		if err != nil {
			return fmt.Errorf("%s.%w", f, err)
		}
		if org.Status != ORG_STATUS_REMOVED {
			for j, bz := range bzs {
				if other, taken := admins[string(bz)]; taken {
					return fmt.Errorf("%s.admins[%d]: %s is already an admin of organization %q", f, j, org.Admins[j], other)
				}
				admins[string(bz)] = org.Id
			}
		}
		orgs[org.Id] = org.Status
		names[OrgNameKey(org.Name)] = i
	}

	// validators
	valNames := make(map[string]struct{}, len(gs.Validators))
	consAddrs := make(map[string]string, len(gs.Validators))
	var total, activeOrgPower int64
	for i, v := range gs.Validators {
		f := fmt.Sprintf("validators[%d]", i)
		if err := ValidateValidatorName(v.Name); err != nil {
			return fmt.Errorf("%s.name: %w", f, err)
		}
		if _, dup := valNames[v.Name]; dup {
			return fmt.Errorf("%s.name: duplicate validator name %q", f, v.Name)
		}
		st, ok := orgs[v.OrgId]
		if !ok {
			return fmt.Errorf("%s.org_id: unknown organization %q", f, v.OrgId)
		}
		if st == ORG_STATUS_REMOVED {
			return fmt.Errorf("%s.org_id: organization %q was removed", f, v.OrgId)
		}
		pk, _, cons, err := ConsensusPubKeyFromAny(v.PubKey)
		if err != nil {
			return fmt.Errorf("%s.pub_key: %w", f, err)
		}
		_ = pk
		if v.ConsAddress != cons {
			return fmt.Errorf("%s.cons_address: %q does not match pub_key (%s)", f, v.ConsAddress, cons)
		}
		if other, dup := consAddrs[cons]; dup {
			return fmt.Errorf("%s.pub_key: consensus key %s is already used by validator %q", f, cons, other)
		}
		if err := gs.Params.ValidatePower(v.Power); err != nil {
			return fmt.Errorf("%s.power: %w", f, err)
		}
		if v.Status != VALIDATOR_STATUS_ACTIVE && v.Status != VALIDATOR_STATUS_JAILED {
			return fmt.Errorf("%s.status: %s is not ACTIVE or JAILED", f, v.Status)
		}
		total += v.EffectivePower()
		if st == ORG_STATUS_ACTIVE {
			activeOrgPower += v.EffectivePower()
		}
		valNames[v.Name] = struct{}{}
		consAddrs[cons] = v.Name
	}
	if total <= 0 {
		return fmt.Errorf("validators: at least one ACTIVE validator with power > 0 is required")
	}
	if activeOrgPower*3 <= total*2 {
		return fmt.Errorf("validators: validators of active organizations hold %d of %d power; more than 2/3 is required", activeOrgPower, total)
	}

	// proposals
	if gs.NextProposalId < 1 {
		return fmt.Errorf("next_proposal_id: %d must be >= 1", gs.NextProposalId)
	}
	props := make(map[uint64]struct{}, len(gs.Proposals))
	for i, p := range gs.Proposals {
		f := fmt.Sprintf("proposals[%d]", i)
		if p.Id < 1 {
			return fmt.Errorf("%s.id: must be >= 1", f)
		}
		if p.Id >= gs.NextProposalId {
			return fmt.Errorf("%s.id: %d must be < next_proposal_id %d", f, p.Id, gs.NextProposalId)
		}
		if _, dup := props[p.Id]; dup {
			return fmt.Errorf("%s.id: duplicate proposal id %d", f, p.Id)
		}
		if _, _, err := ParseAddress(ac, p.Proposer); err != nil {
			return fmt.Errorf("%s.proposer: %w", f, err)
		}
		if _, ok := orgs[p.ProposerOrg]; !ok {
			return fmt.Errorf("%s.proposer_org: unknown organization %q", f, p.ProposerOrg)
		}
		if n := len(p.Messages); n < 1 || n > int(MaxProposalMessagesLimit) {
			return fmt.Errorf("%s.messages: count %d is not in 1..%d", f, n, MaxProposalMessagesLimit)
		}
		if _, err := p.GetMsgs(); err != nil {
			return fmt.Errorf("%s.%w", f, err)
		}
		if err := ValidateProposalText(p.Title, p.Summary); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		switch p.Status {
		case PROPOSAL_STATUS_VOTING, PROPOSAL_STATUS_PASSED, PROPOSAL_STATUS_REJECTED,
			PROPOSAL_STATUS_FAILED, PROPOSAL_STATUS_EXPIRED:
		default:
			return fmt.Errorf("%s.status: %s is not a valid proposal status", f, p.Status)
		}
		if p.VotingEndTime.Before(p.SubmitTime) {
			return fmt.Errorf("%s.voting_end_time: %s is before submit_time %s", f, p.VotingEndTime, p.SubmitTime)
		}
		if p.SubmitHeight < 0 || p.FinalHeight < 0 {
			return fmt.Errorf("%s.submit_height/final_height: must be >= 0", f)
		}
		props[p.Id] = struct{}{}
	}

	// votes
	seenVotes := make(map[string]struct{}, len(gs.Votes))
	for i, v := range gs.Votes {
		f := fmt.Sprintf("votes[%d]", i)
		if _, ok := props[v.ProposalId]; !ok {
			return fmt.Errorf("%s.proposal_id: unknown proposal %d", f, v.ProposalId)
		}
		if _, ok := orgs[v.OrgId]; !ok {
			return fmt.Errorf("%s.org_id: unknown organization %q", f, v.OrgId)
		}
		if _, _, err := ParseAddress(ac, v.Voter); err != nil {
			return fmt.Errorf("%s.voter: %w", f, err)
		}
		if err := ValidateVoteOption(v.Option); err != nil {
			return fmt.Errorf("%s.option: %s is not YES or NO", f, v.Option)
		}
		key := fmt.Sprintf("%d/%s", v.ProposalId, v.OrgId)
		if _, dup := seenVotes[key]; dup {
			return fmt.Errorf("%s: organization %q already voted on proposal %d", f, v.OrgId, v.ProposalId)
		}
		seenVotes[key] = struct{}{}
	}
	return nil
}
