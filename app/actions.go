package app

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
	ctitypes "github.com/adf-consortium/adf/x/cti/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
	telemetrytypes "github.com/adf-consortium/adf/x/telemetry/types"
)

// Actions a signer is authorised for: the action names of x/identity's
// policies. Org admins hold only the first three.
const (
	ActionGovernance     = identitytypes.ActionGovernance
	ActionManageIdentity = identitytypes.ActionManageIdentity
	ActionRevokeKey      = identitytypes.ActionRevokeKey
	ActionApprove        = identitytypes.ActionApprove
)

// ActionRule says which action a message asks its signers to be authorised
// for, and on which scope.
type ActionRule struct {
	Action string
	// Scope returns the scope of the action for this message; nil means the
	// empty scope (the action as a whole).
	Scope func(sdk.Msg) (string, error)
}

// ScopeOf returns the scope of msg under the rule.
func (r ActionRule) ScopeOf(msg sdk.Msg) (string, error) {
	if r.Scope == nil {
		return "", nil
	}
	return r.Scope(msg)
}

var governance = ActionRule{Action: ActionGovernance}

// actionRules maps the type URL of every message the chain routes to its
// rule. A message type missing here is refused by the IdentityDecorator;
// TestEveryRoutedMessageHasAnActionRule fails when a module adds one.
//
// Messages only the authority may sign (params, upgrades, organisations,
// validators) map to governance: their signer is the consortium module
// address, which no key holds, so as top-level messages they are refused
// anyway; they run only inside a passed proposal, which the ante chain does
// not see.
var actionRules = map[string]ActionRule{
	// x/consortium: admins of member organisations.
	sdk.MsgTypeURL(&consortiumtypes.MsgSubmitProposal{}):  governance,
	sdk.MsgTypeURL(&consortiumtypes.MsgVote{}):            governance,
	sdk.MsgTypeURL(&consortiumtypes.MsgUpdateOrgAdmins{}): governance,
	// x/consortium: authority only.
	sdk.MsgTypeURL(&consortiumtypes.MsgAddOrganization{}):       governance,
	sdk.MsgTypeURL(&consortiumtypes.MsgSetOrganizationStatus{}): governance,
	sdk.MsgTypeURL(&consortiumtypes.MsgAddValidator{}):          governance,
	sdk.MsgTypeURL(&consortiumtypes.MsgRemoveValidator{}):       governance,
	sdk.MsgTypeURL(&consortiumtypes.MsgSetValidatorPower{}):     governance,
	sdk.MsgTypeURL(&consortiumtypes.MsgRotateConsensusKey{}):    governance,
	sdk.MsgTypeURL(&consortiumtypes.MsgUpdateParams{}):          governance,

	// x/identity: org admins (and principals a policy gives these actions).
	sdk.MsgTypeURL(&identitytypes.MsgRegisterPrincipal{}): {Action: ActionManageIdentity},
	sdk.MsgTypeURL(&identitytypes.MsgUpdatePrincipal{}):   {Action: ActionManageIdentity},
	sdk.MsgTypeURL(&identitytypes.MsgRegisterKey{}): {
		Action: identitytypes.ActionIssueKey,
		Scope:  scopeField(func(m *identitytypes.MsgRegisterKey) string { return m.PrincipalId }),
	},
	sdk.MsgTypeURL(&identitytypes.MsgRevokeKey{}): {
		Action: ActionRevokeKey,
		Scope:  scopeField(func(m *identitytypes.MsgRevokeKey) string { return m.Address }),
	},
	sdk.MsgTypeURL(&identitytypes.MsgApprove{}): {
		Action: ActionApprove,
		Scope:  scopeField(func(m *identitytypes.MsgApprove) string { return m.Scope }),
	},
	// x/identity: authority only.
	sdk.MsgTypeURL(&identitytypes.MsgSetPolicy{}):    governance,
	sdk.MsgTypeURL(&identitytypes.MsgRemovePolicy{}): governance,
	sdk.MsgTypeURL(&identitytypes.MsgUpdateParams{}): governance,

	// x/attestation: batcher principals anchor log roots (scope: the log id);
	// direct anchors need anchor-direct on the scope the submitter names.
	sdk.MsgTypeURL(&attestationtypes.MsgAnchorRoot{}): {
		Action: identitytypes.ActionAnchor,
		Scope:  scopeField(func(m *attestationtypes.MsgAnchorRoot) string { return m.LogId }),
	},
	sdk.MsgTypeURL(&attestationtypes.MsgAnchorAttestation{}): {
		Action: identitytypes.ActionAnchorDirect,
		Scope:  scopeField(func(m *attestationtypes.MsgAnchorAttestation) string { return m.Scope }),
	},
	sdk.MsgTypeURL(&attestationtypes.MsgUpdateParams{}): governance,

	// x/cti: publishing, revoking and sighting act for the signer's whole
	// organisation (empty scope); exceptions are scoped by their target.
	// A consortium revocation runs inside a proposal as the authority.
	sdk.MsgTypeURL(&ctitypes.MsgPublishIndicators{}): {Action: ctitypes.ActionPublishIndicator},
	sdk.MsgTypeURL(&ctitypes.MsgRevokeIndicators{}):  {Action: ctitypes.ActionRevokeIndicator},
	sdk.MsgTypeURL(&ctitypes.MsgSubmitSightings{}):   {Action: ctitypes.ActionSight},
	sdk.MsgTypeURL(&ctitypes.MsgSetException{}): {
		Action: ctitypes.ActionGateException,
		Scope:  scopeField(func(m *ctitypes.MsgSetException) string { return m.Target }),
	},
	sdk.MsgTypeURL(&ctitypes.MsgRemoveException{}): {
		Action: ctitypes.ActionGateException,
		Scope:  scopeField(func(m *ctitypes.MsgRemoveException) string { return m.Target }),
	},
	sdk.MsgTypeURL(&ctitypes.MsgUpdateParams{}): governance,

	// x/telemetry: devices and incidents are scoped by the device id
	// ("<org>/<name>"); reporting is consortium-wide (empty scope) and the
	// handler also requires a detector principal.
	sdk.MsgTypeURL(&telemetrytypes.MsgRegisterDevice{}): {
		Action: telemetrytypes.ActionRegisterDevice,
		Scope:  scopeField(func(m *telemetrytypes.MsgRegisterDevice) string { return m.Id }),
	},
	sdk.MsgTypeURL(&telemetrytypes.MsgSubmitReports{}): {Action: telemetrytypes.ActionReportAnomaly},
	sdk.MsgTypeURL(&telemetrytypes.MsgAcknowledgeIncident{}): {
		Action: telemetrytypes.ActionHandleIncident,
		Scope:  scopeField(func(m *telemetrytypes.MsgAcknowledgeIncident) string { return m.DeviceId }),
	},
	sdk.MsgTypeURL(&telemetrytypes.MsgResolveIncident{}): {
		Action: telemetrytypes.ActionHandleIncident,
		Scope:  scopeField(func(m *telemetrytypes.MsgResolveIncident) string { return m.DeviceId }),
	},
	sdk.MsgTypeURL(&telemetrytypes.MsgUpdateParams{}): governance,

	// SDK modules: authority only.
	sdk.MsgTypeURL(&authtypes.MsgUpdateParams{}):       governance,
	sdk.MsgTypeURL(&consensustypes.MsgUpdateParams{}):  governance,
	sdk.MsgTypeURL(&upgradetypes.MsgSoftwareUpgrade{}): governance,
	sdk.MsgTypeURL(&upgradetypes.MsgCancelUpgrade{}):   governance,
}

// ActionRuleFor returns the rule of a message type URL.
func ActionRuleFor(typeURL string) (ActionRule, bool) {
	r, ok := actionRules[typeURL]
	return r, ok
}

// ActionRuleTypeURLs returns every type URL that has a rule, for tests.
func ActionRuleTypeURLs() []string {
	out := make([]string, 0, len(actionRules))
	for u := range actionRules {
		out = append(out, u)
	}
	return out
}

// scopeField builds a scope function for a message type T with a scope
// accessor, refusing any other message type.
func scopeField[T sdk.Msg](get func(T) string) func(sdk.Msg) (string, error) {
	return func(msg sdk.Msg) (string, error) {
		m, ok := msg.(T)
		if !ok {
			var want T
			return "", fmt.Errorf("scope rule for %T applied to %T", want, msg)
		}
		return get(m), nil
	}
}
