package types

import (
	"cosmossdk.io/collections"

	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

const (
	// ModuleName is the name of the attestation module.
	ModuleName = "attestation"

	// StoreKey is the KV store key of the attestation module.
	StoreKey = ModuleName
)

// Store prefixes. Each collection owns one prefix; never reuse a number.
var (
	ParamsKey          = collections.NewPrefix(0)
	LogsKey            = collections.NewPrefix(1)
	RootsKey           = collections.NewPrefix(2)
	AttestationsKey    = collections.NewPrefix(3)
	SubjectIndexKey    = collections.NewPrefix(4)
	ProvenanceLinksKey = collections.NewPrefix(5)
	DirectUsageKey     = collections.NewPrefix(6)
	AttestationSeqKey  = collections.NewPrefix(7)
)

// Actions of x/identity that this module's messages require, re-exported
// for app/actions.go: MsgAnchorRoot needs ActionAnchor on its log_id,
// MsgAnchorAttestation ActionAnchorDirect on its scope.
const (
	ActionAnchor       = identitytypes.ActionAnchor
	ActionAnchorDirect = identitytypes.ActionAnchorDirect
)
