package telemetry

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/adf-consortium/adf/x/telemetry/types"
)

// AutoCLIOptions implements autocli.HasAutoCLIConfig: `adfd q telemetry …`
// and `adfd tx telemetry …`. Devices with an SBOM and report batches are
// sent by `adf telemetry` and `adf sentinel serve`.
func (am AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Query the telemetry params (escalation rules, bounds) and the authority"},
				{
					RpcMethod:      "Device",
					Use:            "device [id]",
					Short:          "Query a device: class, deployed artifact, firmware, channels, dependencies",
					Example:        "adfd q telemetry device acme/pump-1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{RpcMethod: "Devices", Use: "devices", Short: "List devices, optionally of one organisation (--org-id)"},
				{
					RpcMethod:      "DeviceState",
					Use:            "device-state [id]",
					Short:          "Query a device's escalation level (normal, alert, confirmed) and its open incident",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod:      "Reports",
					Use:            "reports [device-id]",
					Short:          "List a device's anomaly reports in block-time order",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}},
				},
				{
					RpcMethod:      "Report",
					Use:            "report [id]",
					Short:          "Query one anomaly report",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod:      "Incident",
					Use:            "incident [id]",
					Short:          "Query an incident with its times (detect, acknowledge, resolve)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "Incidents",
					Use:       "incidents",
					Short:     "List incidents, optionally of one device (--device-id) and status (--status alert|confirmed|resolved|expired)",
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "RegisterDevice", Skip: true},
				{RpcMethod: "SubmitReports", Skip: true},
				{
					RpcMethod:      "AcknowledgeIncident",
					Use:            "ack [incident-id] [device-id] [note]",
					Short:          "Acknowledge an incident of one of your organisation's devices",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "incident_id"}, {ProtoField: "device_id"}, {ProtoField: "note"}},
				},
				{
					RpcMethod:      "ResolveIncident",
					Use:            "resolve [incident-id] [device-id] [note]",
					Short:          "Resolve an incident; the device returns to normal",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "incident_id"}, {ProtoField: "device_id"}, {ProtoField: "note"}},
				},
				// MsgUpdateParams runs only inside an approved consortium
				// proposal (adfd tx consortium submit-proposal).
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
