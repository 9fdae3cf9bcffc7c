package types

import errorsmod "cosmossdk.io/errors"

// Codespace is the error codespace of the CTI module.
const Codespace = ModuleName

// Registered errors of the CTI module. Codes are part of the module's API:
// never renumber.
var (
	ErrUnauthorized      = errorsmod.Register(Codespace, 2, "unauthorized")
	ErrInvalidIndicator  = errorsmod.Register(Codespace, 3, "invalid indicator")
	ErrDuplicateSourceID = errorsmod.Register(Codespace, 4, "duplicate source id in batch")
	ErrNotPublisher      = errorsmod.Register(Codespace, 5, "indicator belongs to another organisation")
	ErrIndicatorNotFound = errorsmod.Register(Codespace, 6, "indicator not found")
	ErrIndicatorRevoked  = errorsmod.Register(Codespace, 7, "indicator revoked")
	ErrBatchTooLarge     = errorsmod.Register(Codespace, 8, "batch too large")
	ErrEmptyBatch        = errorsmod.Register(Codespace, 9, "empty batch")
	ErrInvalidSighting   = errorsmod.Register(Codespace, 10, "invalid sighting")
	ErrOwnIndicator      = errorsmod.Register(Codespace, 11, "an organisation cannot sight its own indicator")
	ErrInvalidException  = errorsmod.Register(Codespace, 12, "invalid exception")
	ErrExceptionNotFound = errorsmod.Register(Codespace, 13, "exception not found")
	ErrApprovalsRequired = errorsmod.Register(Codespace, 14, "approvals required")
	ErrInvalidParams     = errorsmod.Register(Codespace, 15, "invalid params")
	ErrInvalidQuery      = errorsmod.Register(Codespace, 16, "invalid query")
	ErrInvalidReason     = errorsmod.Register(Codespace, 17, "invalid reason")
)
