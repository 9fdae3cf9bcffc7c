package types

import (
	"cosmossdk.io/collections"

	"github.com/adf-consortium/adf/pkg/policy"
)

const (
	// ModuleName is the name of the identity module.
	ModuleName = "identity"

	// StoreKey is the KV store key of the identity module.
	StoreKey = ModuleName
)

// Store prefixes. Each collection owns one prefix; never reuse a number.
var (
	ParamsKey           = collections.NewPrefix(0)
	PrincipalsKey       = collections.NewPrefix(1)
	PrincipalsByOrgKey  = collections.NewPrefix(2)
	KeysKey             = collections.NewPrefix(3)
	KeysByPrincipalKey  = collections.NewPrefix(4)
	KeyExpiryQueueKey   = collections.NewPrefix(5)
	PoliciesKey         = collections.NewPrefix(6)
	PoliciesByActionKey = collections.NewPrefix(7)
	ApprovalsKey        = collections.NewPrefix(8)
)

// Actions checked by the ante chain and the modules (pkg/policy's names,
// shared with the Fabric chaincode). A policy names one of these (or any
// other valid action name) in its action field.
const (
	// Admin actions: org admins may perform them without a policy.
	ActionGovernance     = policy.ActionGovernance
	ActionManageIdentity = policy.ActionManageIdentity
	// ActionIssueKey registers a key for the principal named by the scope.
	// Besides org admins, keys of the same organisation's issuer principals
	// may perform it (the handler then applies the issuer limits).
	ActionIssueKey = policy.ActionIssueKey
	// ActionRevokeKey revokes the key whose address is the scope. Besides
	// org admins, any usable key of the same principal may perform it.
	ActionRevokeKey = policy.ActionRevokeKey

	// ActionApprove is what MsgApprove requires on the approved scope.
	ActionApprove = policy.ActionApprove

	ActionAnchor           = policy.ActionAnchor
	ActionAnchorDirect     = policy.ActionAnchorDirect
	ActionPublishIndicator = policy.ActionPublishIndicator
	ActionRevokeIndicator  = policy.ActionRevokeIndicator
	ActionSight            = policy.ActionSight
	ActionGateException    = policy.ActionGateException
	ActionReportAnomaly    = policy.ActionReportAnomaly
	ActionRegisterDevice   = policy.ActionRegisterDevice
	ActionApproveRelease   = policy.ActionApproveRelease
	// ActionHandleIncident acknowledges and resolves x/telemetry incidents
	// (scope: the device id).
	ActionHandleIncident = policy.ActionHandleIncident
)

// RoleIssuer is the role whose keys may register short-lived keys for other
// principals of the same organisation (within issuer_max_ttl).
const RoleIssuer = policy.RoleIssuer

// AdminActions are the actions an admin of an active organisation may
// perform as such (no principal, no policy), in sorted order.
var AdminActions = policy.AdminActions

// IsAdminAction reports whether action is one of AdminActions.
func IsAdminAction(action string) bool { return policy.IsAdminAction(action) }
