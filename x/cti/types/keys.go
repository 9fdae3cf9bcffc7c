package types

import (
	"cosmossdk.io/collections"

	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

const (
	// ModuleName is the name of the CTI module.
	ModuleName = "cti"

	// StoreKey is the KV store key of the CTI module.
	StoreKey = ModuleName
)

// Store prefixes. Each collection owns one prefix; never reuse a number.
var (
	ParamsKey        = collections.NewPrefix(0)
	PolicyVersionKey = collections.NewPrefix(1)
	BlockTimeKey     = collections.NewPrefix(2)
	IndicatorsKey    = collections.NewPrefix(3)
	IndexKey         = collections.NewPrefix(4)
	HistoryKey       = collections.NewPrefix(5)
	SightingsKey     = collections.NewPrefix(6)
	ReputationsKey   = collections.NewPrefix(7)
	ExceptionsKey    = collections.NewPrefix(8)
	PublisherKey     = collections.NewPrefix(9)
)

// Actions of x/identity this module's messages require, for app/actions.go.
// Publishing, revoking and sighting are organisation-wide (empty scope: the
// publisher is the signer's organisation); exceptions are scoped by target.
const (
	ActionPublishIndicator = identitytypes.ActionPublishIndicator
	ActionRevokeIndicator  = identitytypes.ActionRevokeIndicator
	ActionSight            = identitytypes.ActionSight
	ActionGateException    = identitytypes.ActionGateException
)
