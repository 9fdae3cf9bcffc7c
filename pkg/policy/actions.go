package policy

// Actions checked by the registries. They live here, not in one chain's
// module, so x/identity and the Fabric chaincode name them alike. A policy
// names one of these (or any other valid action name) in its action field.
const (
	// Admin actions: org admins may perform them without a policy.
	ActionGovernance     = "governance"
	ActionManageIdentity = "manage-identity"
	// ActionIssueKey registers a key for the principal named by the scope.
	ActionIssueKey = "issue-key"
	// ActionRevokeKey revokes the key whose address is the scope.
	ActionRevokeKey = "revoke-key"
	// ActionApprove is what an approval requires on the approved scope.
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
	// ActionHandleIncident acknowledges and resolves incidents (scope: the
	// device id).
	ActionHandleIncident = "handle-incident"

	// RoleIssuer is the role whose keys may register short-lived keys for
	// other principals of the same organisation.
	RoleIssuer = "issuer"
)

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
