package types

import errorsmod "cosmossdk.io/errors"

// Codespace is the error codespace of the attestation module.
const Codespace = ModuleName

// Registered errors of the attestation module. Codes are part of the
// module's API: never renumber.
var (
	ErrUnauthorized            = errorsmod.Register(Codespace, 2, "unauthorized")
	ErrInvalidLogID            = errorsmod.Register(Codespace, 3, "invalid log id")
	ErrInvalidTreeSize         = errorsmod.Register(Codespace, 4, "invalid tree size")
	ErrInvalidRootHash         = errorsmod.Register(Codespace, 5, "invalid root hash")
	ErrInvalidConsistencyProof = errorsmod.Register(Codespace, 6, "invalid consistency proof")
	ErrLogForked               = errorsmod.Register(Codespace, 7, "log forked: same tree size, different root")
	ErrLogShrunk               = errorsmod.Register(Codespace, 8, "log is append-only: tree size must grow")
	ErrRootAlreadyAnchored     = errorsmod.Register(Codespace, 9, "root already anchored")
	ErrQuotaExceeded           = errorsmod.Register(Codespace, 10, "quota exceeded")
	ErrLogNotFound             = errorsmod.Register(Codespace, 11, "log not found")
	ErrRootNotFound            = errorsmod.Register(Codespace, 12, "root not found")
	ErrInvalidEnvelope         = errorsmod.Register(Codespace, 13, "invalid DSSE envelope")
	ErrEnvelopeTooLarge        = errorsmod.Register(Codespace, 14, "DSSE envelope too large")
	ErrInvalidStatement        = errorsmod.Register(Codespace, 15, "invalid in-toto statement")
	ErrInvalidSignature        = errorsmod.Register(Codespace, 16, "invalid envelope signature")
	ErrUnknownKey              = errorsmod.Register(Codespace, 17, "unknown signing key")
	ErrDuplicateAttestation    = errorsmod.Register(Codespace, 18, "attestation already anchored")
	ErrInvalidRiskClass        = errorsmod.Register(Codespace, 19, "invalid risk class")
	ErrInvalidScope            = errorsmod.Register(Codespace, 20, "invalid scope")
	ErrInvalidDigest           = errorsmod.Register(Codespace, 21, "invalid digest")
	ErrAttestationNotFound     = errorsmod.Register(Codespace, 22, "attestation not found")
	ErrInvalidParams           = errorsmod.Register(Codespace, 23, "invalid params")
	ErrInvalidGenesis          = errorsmod.Register(Codespace, 24, "invalid genesis")
)
