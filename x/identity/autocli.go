package identity

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/adf-consortium/adf/x/identity/types"
)

// AutoCLIOptions implements autocli.HasAutoCLIConfig: `adfd q identity …`
// and `adfd tx identity …`.
func (am AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Query the identity params and the authority"},
				{
					RpcMethod:      "Principal",
					Use:            "principal [id]",
					Short:          "Query one principal (id <org>/<name>)",
					Example:        "adfd q identity principal acme/ci-1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{
					RpcMethod: "Principals",
					Use:       "principals",
					Short:     "List principals, optionally of one organization (--org-id)",
				},
				{
					RpcMethod:      "Key",
					Use:            "key [address]",
					Short:          "Query one key",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
				},
				{
					RpcMethod: "Keys",
					Use:       "keys",
					Short:     "List keys, optionally of one principal (--principal-id)",
				},
				{
					RpcMethod:      "Policy",
					Use:            "policy [id]",
					Short:          "Query one policy",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}},
				},
				{RpcMethod: "Policies", Use: "policies", Short: "List policies"},
				{
					RpcMethod:      "Approvals",
					Use:            "approvals [action] [scope] [subject]",
					Short:          "List the approvals of (action, scope, subject)",
					Example:        "adfd q identity approvals anchor github.com/acme/app sha256:9f86d0…",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "action"}, {ProtoField: "scope"}, {ProtoField: "subject"}},
				},
				{
					RpcMethod:      "Authorize",
					Use:            "authorize [signer] [action] [scope]",
					Short:          "Ask whether signer may perform action on scope now (--subject counts approvals)",
					Example:        "adfd q identity authorize adf1… anchor github.com/acme/app",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "signer"}, {ProtoField: "action"}, {ProtoField: "scope"}},
				},
				{
					RpcMethod:      "KeyValidity",
					Use:            "key-validity [address]",
					Short:          "Ask whether a key was valid at --at-height (default: now) and, if given, --time (RFC 3339)",
					Example:        "adfd q identity key-validity adf1… --at-height 1200 --time 2026-03-01T12:00:00Z",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
					// --height is the SDK's flag for the state height a query reads.
					FlagOptions: map[string]*autocliv1.FlagOptions{"height": {Name: "at-height"}},
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "RegisterPrincipal",
					Use:            "register-principal [id] [kind]",
					Short:          "Register a principal of your organization (kind: ci-runner, build-agent, operator, device, detector, cti-publisher, auditor, batcher)",
					Example:        "adfd tx identity register-principal acme/ci-1 ci-runner --roles ci --attributes '{\"key\":\"repository_id\",\"value\":\"123\"}' --from alice",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}, {ProtoField: "kind"}},
				},
				{
					RpcMethod:      "UpdatePrincipal",
					Use:            "update-principal [id] [kind] [status]",
					Short:          "Replace a principal's kind, roles, attributes and status (active, suspended, revoked; revoked is final)",
					Example:        "adfd tx identity update-principal acme/ci-1 ci-runner suspended --roles ci --from alice",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "id"}, {ProtoField: "kind"}, {ProtoField: "status"}},
				},
				{
					RpcMethod:      "RegisterKey",
					Use:            "register-key [principal-id] [algorithm] [public-key-base64]",
					Short:          "Register a short-lived key (ed25519, ml_dsa_65, composite) for a principal; --not-after is required",
					Example:        "adfd tx identity register-key acme/ci-1 ed25519 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo= --not-after 2026-03-01T13:00:00Z --scopes 'github.com/acme/*' --from alice",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "principal_id"}, {ProtoField: "algorithm"}, {ProtoField: "public_key"}},
				},
				{
					RpcMethod:      "RevokeKey",
					Use:            "revoke-key [address]",
					Short:          "Revoke a key at once (the key itself, another key of its principal, or an admin of its organization)",
					Example:        "adfd tx identity revoke-key adf1… --reason 'runner compromised' --from alice",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
				},
				{
					RpcMethod:      "Approve",
					Use:            "approve [action] [scope] [subject]",
					Short:          "Record your principal's approval of action on scope for subject",
					Example:        "adfd tx identity approve anchor github.com/acme/app sha256:9f86d0… --from reviewer-key",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "action"}, {ProtoField: "scope"}, {ProtoField: "subject"}},
				},
				// The authority messages below run only inside an approved
				// consortium proposal (adfd tx consortium submit-proposal).
				{RpcMethod: "SetPolicy", Skip: true},
				{RpcMethod: "RemovePolicy", Skip: true},
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
