package consortium

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/adf-consortium/adf/x/consortium/types"
)

// AutoCLIOptions implements autocli.HasAutoCLIConfig: `adfd q consortium …`
// and `adfd tx consortium …`.
func (am AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service:              types.Query_serviceDesc.ServiceName,
			EnhanceCustomCommand: false,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Query the consortium params"},
				{
					RpcMethod:      "Organization",
					Use:            "organization [org-id]",
					Alias:          []string{"org"},
					Short:          "Query one member organization",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "org_id"}},
				},
				{RpcMethod: "Organizations", Use: "organizations", Alias: []string{"orgs"}, Short: "List member organizations"},
				{
					RpcMethod:      "Proposal",
					Use:            "proposal [proposal-id]",
					Short:          "Query one proposal",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "proposal_id"}},
				},
				{
					RpcMethod: "Proposals",
					Use:       "proposals",
					Short:     "List proposals, optionally filtered by --status (voting, passed, rejected, failed, expired)",
				},
				{
					RpcMethod:      "Votes",
					Use:            "votes [proposal-id]",
					Short:          "List the organizations' votes on a proposal",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "proposal_id"}},
				},
				{
					RpcMethod:      "Validator",
					Use:            "validator [name]",
					Short:          "Query one validator",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "name"}},
				},
				{RpcMethod: "Validators", Use: "validators", Short: "List validators and the total power CometBFT sees"},
				{
					RpcMethod:      "Member",
					Use:            "member [address]",
					Short:          "Tell whether an account administers an active organization",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "address"}},
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service:              types.Msg_serviceDesc.ServiceName,
			EnhanceCustomCommand: false,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "SubmitProposal",
					Use:       "submit-proposal --messages <json-or-file> [--messages ...]",
					Short:     "Submit a proposal of authority messages (each a JSON Any, inline or a .json file)",
					Long: "Submit a proposal whose messages run with the consortium authority once enough " +
						"active organizations vote yes. Each --messages value is one JSON object with an " +
						"\"@type\" field, given inline or as the path of a file ending in .json; repeat the " +
						"flag for several messages, which execute in order.",
					Example: "adfd tx consortium submit-proposal --messages proposal-msg.json --title 'Add validator' --summary '...' --from alice",
				},
				{
					RpcMethod:      "Vote",
					Use:            "vote [proposal-id] [option]",
					Short:          "Vote for your organization (option: yes or no)",
					Example:        "adfd tx consortium vote 1 yes --from alice",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "proposal_id"}, {ProtoField: "option"}},
				},
				{
					RpcMethod:      "UpdateOrgAdmins",
					Use:            "update-org-admins [org-id] [admin]...",
					Short:          "Replace your organization's admin accounts",
					Example:        "adfd tx consortium update-org-admins acme adf1... adf1... --from alice",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "org_id"}, {ProtoField: "admins", Varargs: true}},
				},
				// The authority messages below run only inside an approved
				// proposal (submit-proposal); a direct tx would be signed by
				// the authority, which no one holds a key for.
				{RpcMethod: "AddOrganization", Skip: true},
				{RpcMethod: "SetOrganizationStatus", Skip: true},
				{RpcMethod: "AddValidator", Skip: true},
				{RpcMethod: "RemoveValidator", Skip: true},
				{RpcMethod: "SetValidatorPower", Skip: true},
				{RpcMethod: "RotateConsensusKey", Skip: true},
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
