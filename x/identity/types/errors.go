package types

import errorsmod "cosmossdk.io/errors"

// Codespace is the error codespace of the identity module.
const Codespace = ModuleName

// Registered errors of the identity module. Codes are part of the module's
// API: never renumber.
var (
	ErrUnauthorized        = errorsmod.Register(Codespace, 2, "unauthorized")
	ErrInvalidPrincipalID  = errorsmod.Register(Codespace, 3, "invalid principal id")
	ErrPrincipalExists     = errorsmod.Register(Codespace, 4, "principal already exists")
	ErrPrincipalNotFound   = errorsmod.Register(Codespace, 5, "principal not found")
	ErrPrincipalNotActive  = errorsmod.Register(Codespace, 6, "principal is not active")
	ErrInvalidKind         = errorsmod.Register(Codespace, 7, "invalid principal kind")
	ErrInvalidStatus       = errorsmod.Register(Codespace, 8, "invalid status")
	ErrInvalidRoles        = errorsmod.Register(Codespace, 9, "invalid roles")
	ErrInvalidAttributes   = errorsmod.Register(Codespace, 10, "invalid attributes")
	ErrInvalidAlgorithm    = errorsmod.Register(Codespace, 11, "invalid key algorithm")
	ErrAlgorithmNotAllowed = errorsmod.Register(Codespace, 12, "key algorithm not allowed")
	ErrInvalidPubKey       = errorsmod.Register(Codespace, 13, "invalid public key")
	ErrInvalidValidity     = errorsmod.Register(Codespace, 14, "invalid key validity period")
	ErrKeyExists           = errorsmod.Register(Codespace, 15, "key already registered")
	ErrKeyNotFound         = errorsmod.Register(Codespace, 16, "key not found")
	ErrKeyNotActive        = errorsmod.Register(Codespace, 17, "key is not active")
	ErrInvalidScope        = errorsmod.Register(Codespace, 18, "invalid scope")
	ErrInvalidPolicy       = errorsmod.Register(Codespace, 19, "invalid policy")
	ErrPolicyNotFound      = errorsmod.Register(Codespace, 20, "policy not found")
	ErrInvalidApproval     = errorsmod.Register(Codespace, 21, "invalid approval")
	ErrAlreadyApproved     = errorsmod.Register(Codespace, 22, "already approved")
	ErrInvalidParams       = errorsmod.Register(Codespace, 23, "invalid params")
	ErrInvalidGenesis      = errorsmod.Register(Codespace, 24, "invalid genesis")
	ErrOrgNotActive        = errorsmod.Register(Codespace, 25, "organization is not active")
	ErrInvalidReason       = errorsmod.Register(Codespace, 26, "invalid reason")
)
