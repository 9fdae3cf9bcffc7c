package types

import errorsmod "cosmossdk.io/errors"

// Codespace is the error codespace of the telemetry module.
const Codespace = ModuleName

// Registered errors of the telemetry module. Codes are part of the module's
// API: never renumber.
var (
	ErrUnauthorized        = errorsmod.Register(Codespace, 2, "unauthorized")
	ErrInvalidDevice       = errorsmod.Register(Codespace, 3, "invalid device")
	ErrDeviceNotFound      = errorsmod.Register(Codespace, 4, "device not found")
	ErrInvalidReport       = errorsmod.Register(Codespace, 5, "invalid report")
	ErrNotDetector         = errorsmod.Register(Codespace, 6, "signer is not a detector principal")
	ErrBatchTooLarge       = errorsmod.Register(Codespace, 7, "batch too large")
	ErrEmptyBatch          = errorsmod.Register(Codespace, 8, "empty batch")
	ErrIncidentNotFound    = errorsmod.Register(Codespace, 9, "incident not found")
	ErrInvalidIncidentOp   = errorsmod.Register(Codespace, 10, "invalid incident operation")
	ErrInvalidParams       = errorsmod.Register(Codespace, 11, "invalid params")
	ErrInvalidQuery        = errorsmod.Register(Codespace, 12, "invalid query")
	ErrWrongOrganization   = errorsmod.Register(Codespace, 13, "device belongs to another organisation")
	ErrTooManyDependencies = errorsmod.Register(Codespace, 14, "too many dependencies")
)
