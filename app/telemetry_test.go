package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/app"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
	telemetrytypes "github.com/adf-consortium/adf/x/telemetry/types"
)

// The telemetry action rules: devices and incidents scoped by device id,
// reports consortium-wide.
func TestTelemetryActionRules(t *testing.T) {
	tests := []struct {
		msg    sdk.Msg
		action string
		scope  string
	}{
		{&telemetrytypes.MsgRegisterDevice{Id: "acme/pump-1"}, identitytypes.ActionRegisterDevice, "acme/pump-1"},
		{&telemetrytypes.MsgSubmitReports{Reports: []telemetrytypes.ReportInput{{DeviceId: "acme/pump-1"}}}, identitytypes.ActionReportAnomaly, ""},
		{&telemetrytypes.MsgAcknowledgeIncident{IncidentId: 1, DeviceId: "acme/pump-1"}, identitytypes.ActionHandleIncident, "acme/pump-1"},
		{&telemetrytypes.MsgResolveIncident{IncidentId: 1, DeviceId: "acme/pump-1"}, identitytypes.ActionHandleIncident, "acme/pump-1"},
		{&telemetrytypes.MsgUpdateParams{}, identitytypes.ActionGovernance, ""},
	}
	for _, tc := range tests {
		rule, ok := app.ActionRuleFor(sdk.MsgTypeURL(tc.msg))
		require.True(t, ok, "%T", tc.msg)
		require.Equal(t, tc.action, rule.Action, "%T", tc.msg)
		scope, err := rule.ScopeOf(tc.msg)
		require.NoError(t, err)
		require.Equal(t, tc.scope, scope, "%T", tc.msg)
	}
}

// TestTelemetryThroughTheAnteChain runs devices, reports and incidents as
// real signed transactions: the identity decorator, the handlers' own
// checks (detector kind, organisation), the x/attestation and x/cti
// signals of the wired keepers, and EndBlock.
func TestTelemetryThroughTheAnteChain(t *testing.T) {
	c := identityChain(t)
	acme, globex := c.members[0], c.members[1]
	auth := app.Authority()
	c.passProposal(
		&identitytypes.MsgSetPolicy{Authority: auth, Policy: identitytypes.Policy{Id: "ops-devices", Role: "ops", Action: identitytypes.ActionRegisterDevice, ScopePattern: "acme/*"}},
		&identitytypes.MsgSetPolicy{Authority: auth, Policy: identitytypes.Policy{Id: "ops-incidents", Role: "ops", Action: identitytypes.ActionHandleIncident, ScopePattern: "acme/*"}},
		&identitytypes.MsgSetPolicy{Authority: auth, Policy: identitytypes.Policy{Id: "detectors", Role: "detector", Action: identitytypes.ActionReportAnomaly, ScopePattern: "*"}},
	)
	c.mustDeliver(acme.priv,
		&identitytypes.MsgRegisterPrincipal{Admin: acme.addr.String(), Id: "acme/det-1", Kind: identitytypes.PRINCIPAL_KIND_DETECTOR, Roles: []string{"detector"}},
		&identitytypes.MsgRegisterPrincipal{Admin: acme.addr.String(), Id: "acme/manual", Kind: identitytypes.PRINCIPAL_KIND_OPERATOR, Roles: []string{"detector"}},
	)
	c.mustDeliver(globex.priv,
		&identitytypes.MsgRegisterPrincipal{Admin: globex.addr.String(), Id: "globex/det-2", Kind: identitytypes.PRINCIPAL_KIND_DETECTOR, Roles: []string{"detector"}},
	)
	ops, ci, det1, det2, manual := ed25519.GenPrivKey(), ed25519.GenPrivKey(), ed25519.GenPrivKey(), ed25519.GenPrivKey(), ed25519.GenPrivKey()
	opsAddr := c.registerKey(acme, "acme/ops-1", "ed25519", ops, time.Hour)
	ciAddr := c.registerKey(acme, "acme/ci-1", "ed25519", ci, time.Hour)
	det1Addr := c.registerKey(acme, "acme/det-1", "ed25519", det1, time.Hour)
	det2Addr := c.registerKey(globex, "globex/det-2", "ed25519", det2, time.Hour)
	manualAddr := c.registerKey(acme, "acme/manual", "ed25519", manual, time.Hour)

	device := func(signer sdk.AccAddress, id string) *telemetrytypes.MsgRegisterDevice {
		return &telemetrytypes.MsgRegisterDevice{Signer: signer.String(), Id: id, Class: "pump",
			ArtifactDigest: "sha256:" + strings.Repeat("ab", 32), Firmware: "4.2.0", Channels: []string{"flow", "temp"},
			Purls: []string{"pkg:npm/left-pad@1.3.0", "pkg:pypi/requests@2.31.0"}}
	}
	c.mustDeliver(ops, device(opsAddr, "acme/pump-1"))
	c.mustRefuse(ci, fmt.Sprintf("%s may not register-device on \"acme/pump-2\"", ciAddr), device(ciAddr, "acme/pump-2"))
	c.mustRefuse(ops, fmt.Sprintf("%s may not register-device on \"globex/pump\"", opsAddr), device(opsAddr, "globex/pump"))

	report := func(signer sdk.AccAddress, ch string) *telemetrytypes.MsgSubmitReports {
		now := timeAt(c.height + 1).Add(c.skew).Unix()
		return &telemetrytypes.MsgSubmitReports{Signer: signer.String(), Reports: []telemetrytypes.ReportInput{{
			DeviceId: "acme/pump-1", WindowStart: now - 60, WindowEnd: now, Channels: []string{ch}, Score: 5, Threshold: 3,
			Method: "robust-z", ModelDigest: "sha256:" + strings.Repeat("01", 32), EvidenceDigest: "sha256:" + strings.Repeat("02", 32),
		}}}
	}
	c.mustRefuse(ci, fmt.Sprintf("%s may not report-anomaly", ciAddr), report(ciAddr, "flow"))
	c.mustRefuse(manual, "only detector principals report anomalies", report(manualAddr, "flow"))

	// The artifact was never anchored: the first report confirms at once.
	res := c.mustDeliver(det1, report(det1Addr, "flow"))
	t.Logf("first report on a device with 2 dependencies (signals evaluated): gas used %d", res.GasUsed)
	require.True(t, hasEvent(res.Events, "adf.telemetry.v1.EventMitigationRecommended"), "events: %v", res.Events)
	ctx := c.app.NewContext(true)
	st, err := c.app.TelemetryKeeper.States.Get(ctx, "acme/pump-1")
	require.NoError(t, err)
	require.Equal(t, telemetrytypes.LEVEL_CONFIRMED, st.Level)
	inc, err := c.app.TelemetryKeeper.Incidents.Get(ctx, st.IncidentId)
	require.NoError(t, err)
	require.Equal(t, []string{"no-attestation"}, inc.Reasons)
	require.False(t, inc.Attested)
	require.Empty(t, inc.CtiMatches, "x/cti has no indicators: no CTI signal")
	res = c.mustDeliver(det2, report(det2Addr, "temp"))
	t.Logf("report on a confirmed device (no signals): gas used %d", res.GasUsed)

	// Only acme's operators handle acme's incidents.
	c.mustRefuse(det1, fmt.Sprintf("%s may not handle-incident on \"acme/pump-1\"", det1Addr),
		&telemetrytypes.MsgAcknowledgeIncident{Signer: det1Addr.String(), IncidentId: inc.Id, DeviceId: "acme/pump-1"})
	c.mustDeliver(ops, &telemetrytypes.MsgAcknowledgeIncident{Signer: opsAddr.String(), IncidentId: inc.Id, DeviceId: "acme/pump-1", Note: "on it"})
	c.mustDeliver(ops, &telemetrytypes.MsgResolveIncident{Signer: opsAddr.String(), IncidentId: inc.Id, DeviceId: "acme/pump-1", Note: "fixed"})
	inc, err = c.app.TelemetryKeeper.Incidents.Get(c.app.NewContext(true), inc.Id)
	require.NoError(t, err)
	require.Equal(t, telemetrytypes.INCIDENT_STATUS_RESOLVED, inc.Status)
	require.Equal(t, uint32(2), inc.ReportCount)
	require.Equal(t, inc.ResolvedTime-inc.ConfirmedTime, inc.TimeToResolve)
	require.Positive(t, inc.TimeToResolve)
}

func hasEvent(evs []abci.Event, typ string) bool {
	for _, e := range evs {
		if e.Type == typ {
			return true
		}
	}
	return false
}
