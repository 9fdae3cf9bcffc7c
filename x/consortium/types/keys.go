package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the consortium module.
	ModuleName = "consortium"

	// StoreKey is the KV store key of the consortium module.
	StoreKey = ModuleName
)

// Store prefixes. Each collection owns one prefix; never reuse a number.
var (
	ParamsKey            = collections.NewPrefix(0)
	OrganizationsKey     = collections.NewPrefix(1)
	OrgNameIndexKey      = collections.NewPrefix(2)
	AdminIndexKey        = collections.NewPrefix(3)
	ActiveMemberIndexKey = collections.NewPrefix(4)
	ValidatorsKey        = collections.NewPrefix(5)
	ConsAddressIndexKey  = collections.NewPrefix(6)
	LastPowersKey        = collections.NewPrefix(7)
	ProposalsKey         = collections.NewPrefix(8)
	VotesKey             = collections.NewPrefix(9)
	ExpiryQueueKey       = collections.NewPrefix(10)
	NextProposalIDKey    = collections.NewPrefix(11)
)
