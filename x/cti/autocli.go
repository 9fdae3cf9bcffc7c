package cti

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/adf-consortium/adf/x/cti/types"
)

// AutoCLIOptions implements autocli.HasAutoCLIConfig: `adfd q cti …` and
// `adfd tx cti …`. Publishing and sightings carry structured batches: they
// are sent by `adf cti import` and `adf cti sight`, not from flags.
func (am AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Query the CTI params (scoring and gate thresholds) and the authority"},
				{RpcMethod: "Policy", Use: "policy", Short: "Query the gate policy in force: thresholds, overrides, exceptions and its version"},
				{
					RpcMethod:      "Indicator",
					Use:            "indicator [id]",
					Short:          "Query an indicator, its registry state and its effective score now",
					Example:        "adfd q cti indicator ind-0f3c…",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "Indicators",
					Use:       "indicators",
					Short:     "List indicators, optionally of one publisher (--publisher org-id)",
				},
				{
					RpcMethod:      "History",
					Use:            "history [id]",
					Short:          "List every revision of an indicator with its height (publication, updates, revocation)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod:      "Sightings",
					Use:            "sightings [id]",
					Short:          "List the organisations' sightings of an indicator",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod:      "Reputation",
					Use:            "reputation [org-id]",
					Short:          "Query a publisher's reputation: sightings of its indicators and the reputation factor",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "org_id"}},
				},
				{
					RpcMethod:      "MatchPackages",
					Use:            "match-packages [purl]...",
					Short:          "Match package URLs (with versions) against the registry and the gate policy",
					Example:        "adfd q cti match-packages pkg:npm/lodash@4.17.21 pkg:pypi/requests@2.31.0",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "purls", Varargs: true}},
				},
				{
					RpcMethod:      "MatchValues",
					Use:            "match-values [kind] [value]...",
					Short:          "Match observables of one kind (file-sha256, domain, ip, url, attack-technique)",
					Example:        "adfd q cti match-values domain a.evil.example",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "kind"}, {ProtoField: "values", Varargs: true}},
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "PublishIndicators", Skip: true},
				{RpcMethod: "SubmitSightings", Skip: true},
				{
					RpcMethod:      "RevokeIndicators",
					Use:            "revoke [reason] [id]...",
					Short:          "Revoke indicators your organisation published; effective from the next block",
					Example:        `adfd tx cti revoke "false positive: benign fork" ind-0f3c… --from analyst-key`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "reason"}, {ProtoField: "ids", Varargs: true}},
				},
				{
					RpcMethod:      "SetException",
					Use:            "set-exception [id] [target] [reason] [expires-unix]",
					Short:          "Set a time-boxed gate exception for a purl (with or without version) or an indicator id",
					Example:        `adfd tx cti set-exception EX-42 pkg:npm/left-pad "vendored, reviewed" 1767225600 --max-decision hold --from approver-key`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}, {ProtoField: "target"}, {ProtoField: "reason"}, {ProtoField: "expires"}},
				},
				{
					RpcMethod:      "RemoveException",
					Use:            "remove-exception [id] [target]",
					Short:          "End a gate exception before it expires",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}, {ProtoField: "target"}},
				},
				// MsgUpdateParams runs only inside an approved consortium
				// proposal (adfd tx consortium submit-proposal).
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
