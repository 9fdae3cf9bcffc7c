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
			Service: types.Msg_serviceDesc.ServiceName,
			// the custom tx command (GetTxCmd) carries submit-proposal;
			// AutoCLI adds vote and update-org-admins to it
			EnhanceCustomCommand: true,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				// submit-proposal is the custom command of client/cli (GetTxCmd):
				// it reads a proposal file whose messages are decoded with the
				// app's interface registry. AutoCLI adds the commands below to it.
				{RpcMethod: "SubmitProposal", Skip: true},
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
