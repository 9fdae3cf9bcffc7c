package types

import "cosmossdk.io/collections"

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

// Actions checked by the ante chain and the modules. A policy names one of
// these (or any other valid action name) in its action field.
const (
	// Admin actions: org admins may perform them without a policy.
	ActionGovernance     = "governance"
	ActionManageIdentity = "manage-identity"
	// ActionIssueKey registers a key for the principal named by the scope.
	// Besides org admins, keys of the same organisation's issuer principals
	// may perform it (the handler then applies the issuer limits).
	ActionIssueKey = "issue-key"
	// ActionRevokeKey revokes the key whose address is the scope. Besides
	// org admins, any usable key of the same principal may perform it.
	ActionRevokeKey = "revoke-key"

	// ActionApprove is what MsgApprove requires on the approved scope.
	ActionApprove = "approve"

	ActionAnchor           = "anchor"
	ActionAnchorDirect     = "anchor-direct"
	ActionPublishIndicator = "publish-indicator"
	ActionRevokeIndicator  = "revoke-indicator"
	ActionSight            = "sight"
	ActionGateException    = "gate-exception"
	ActionReportAnomaly    = "report-anomaly"
	ActionRegisterDevice   = "register-device"
	ActionApproveRelease   = "approve-release"
	// ActionHandleIncident acknowledges and resolves x/telemetry incidents
	// (scope: the device id).
	ActionHandleIncident = "handle-incident"
)

// RoleIssuer is the role whose keys may register short-lived keys for other
// principals of the same organisation (within issuer_max_ttl).
const RoleIssuer = "issuer"

// AdminActions are the actions an admin of an active organisation may
// perform as such (no principal, no policy), in sorted order.
var AdminActions = []string{ActionGovernance, ActionIssueKey, ActionManageIdentity, ActionRevokeKey}

// IsAdminAction reports whether action is one of AdminActions.
func IsAdminAction(action string) bool {
	for _, a := range AdminActions {
		if a == action {
			return true
		}
	}
	return false
}
