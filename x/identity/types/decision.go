package types

// ApprovalsMet reports whether the decision allows the action and the
// approvals it requires are recorded. Callers that gate on approvals (e.g.
// a release anchored only after N approvals) use this instead of Allowed.
func (d Decision) ApprovalsMet() bool {
	return d.Allowed && d.ApprovalsHave >= d.ApprovalsRequired
}

// IsRevoked reports whether the key was ever revoked.
func (k Key) IsRevoked() bool { return k.RevokedHeight > 0 }
