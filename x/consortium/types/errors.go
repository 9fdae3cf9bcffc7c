package types

import errorsmod "cosmossdk.io/errors"

// Codespace is the error codespace of the consortium module.
const Codespace = ModuleName

// Registered errors of the consortium module. Codes are part of the
// module's API: never renumber.
var (
	ErrUnauthorized         = errorsmod.Register(Codespace, 2, "unauthorized")
	ErrInvalidOrgID         = errorsmod.Register(Codespace, 3, "invalid organization id")
	ErrInvalidOrgName       = errorsmod.Register(Codespace, 4, "invalid organization name")
	ErrDuplicateOrg         = errorsmod.Register(Codespace, 5, "organization already exists")
	ErrDuplicateOrgName     = errorsmod.Register(Codespace, 6, "organization name already taken")
	ErrOrgNotFound          = errorsmod.Register(Codespace, 7, "organization not found")
	ErrOrgNotActive         = errorsmod.Register(Codespace, 8, "organization is not active")
	ErrOrgRemoved           = errorsmod.Register(Codespace, 9, "organization was removed")
	ErrInvalidAdmin         = errorsmod.Register(Codespace, 10, "invalid admin")
	ErrAdminTaken           = errorsmod.Register(Codespace, 11, "admin already belongs to an organization")
	ErrNotMember            = errorsmod.Register(Codespace, 12, "signer is not an admin of an active organization")
	ErrInvalidStatus        = errorsmod.Register(Codespace, 13, "invalid status")
	ErrInvalidValidatorName = errorsmod.Register(Codespace, 14, "invalid validator name")
	ErrDuplicateValidator   = errorsmod.Register(Codespace, 15, "validator already exists")
	ErrValidatorNotFound    = errorsmod.Register(Codespace, 16, "validator not found")
	ErrInvalidPubKey        = errorsmod.Register(Codespace, 17, "invalid consensus public key")
	ErrUnsupportedPubKey    = errorsmod.Register(Codespace, 18, "unsupported consensus key type")
	ErrConsKeyInUse         = errorsmod.Register(Codespace, 19, "consensus key already in use")
	ErrInvalidPower         = errorsmod.Register(Codespace, 20, "invalid validator power")
	ErrEmptyValidatorSet    = errorsmod.Register(Codespace, 21, "validator set would be empty")
	ErrActivePowerTooLow    = errorsmod.Register(Codespace, 22, "active organizations would hold no more than 2/3 of the voting power")
	ErrInvalidProposal      = errorsmod.Register(Codespace, 23, "invalid proposal")
	ErrInvalidProposalMsg   = errorsmod.Register(Codespace, 24, "invalid proposal message")
	ErrProposalNotFound     = errorsmod.Register(Codespace, 25, "proposal not found")
	ErrProposalNotVoting    = errorsmod.Register(Codespace, 26, "proposal is not in voting status")
	ErrVotingClosed         = errorsmod.Register(Codespace, 27, "voting period is over")
	ErrAlreadyVoted         = errorsmod.Register(Codespace, 28, "organization already voted")
	ErrInvalidVoteOption    = errorsmod.Register(Codespace, 29, "invalid vote option")
	ErrInvalidParams        = errorsmod.Register(Codespace, 30, "invalid params")
	ErrInvalidGenesis       = errorsmod.Register(Codespace, 31, "invalid genesis")
)
