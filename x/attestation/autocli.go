package attestation

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"

	"github.com/adf-consortium/adf/x/attestation/types"
)

// AutoCLIOptions implements autocli.HasAutoCLIConfig: `adfd q attestation …`
// and `adfd tx attestation …`. Bytes arguments (root hash, proof hashes,
// envelope) accept a file path, hex or base64.
func (am AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: types.Query_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{RpcMethod: "Params", Use: "params", Short: "Query the attestation params and the authority"},
				{
					RpcMethod:      "RiskClass",
					Use:            "risk-class [risk-class]",
					Short:          "Ask whether attestations of a risk class must be anchored directly",
					Example:        "adfd q attestation risk-class release",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "risk_class"}},
				},
				{
					RpcMethod:      "Log",
					Use:            "log [log-id]",
					Short:          "Query a batcher log: owner organization and latest anchored root",
					Example:        "adfd q attestation log acme/batcher-1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "log_id"}},
				},
				{
					RpcMethod:      "Root",
					Use:            "root [log-id] [tree-size]",
					Short:          "Query the root anchored for a log at a tree size",
					Example:        "adfd q attestation root acme/batcher-1 1024",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "log_id"}, {ProtoField: "tree_size"}},
				},
				{
					RpcMethod:      "LatestRoot",
					Use:            "latest-root [log-id]",
					Short:          "Query a log's latest anchored root",
					Example:        "adfd q attestation latest-root acme/batcher-1",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "log_id"}},
				},
				{
					RpcMethod:      "Attestation",
					Use:            "attestation [envelope-digest-hex]",
					Short:          "Query a directly anchored attestation by envelope digest",
					Example:        "adfd q attestation attestation 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "digest"}},
				},
				{
					RpcMethod:      "AttestationsBySubject",
					Use:            "by-subject [sha256-hex]",
					Short:          "List the attestations of a subject digest",
					Example:        "adfd q attestation by-subject sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "subject"}},
				},
				{
					RpcMethod:      "Provenance",
					Use:            "provenance [sha256-hex]",
					Short:          "Walk a subject's provenance back through materials (commit → build → image → test → deploy)",
					Example:        "adfd q attestation provenance sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "subject"}},
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: types.Msg_serviceDesc.ServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "AnchorRoot",
					Use:            "anchor-root [log-id] [tree-size] [root-hash]",
					Short:          "Anchor a batcher log root (hex); repeat --consistency-proof once per proof hash (hex), in order, from the last anchored root",
					Example:        "adfd tx attestation anchor-root acme/batcher-1 2048 4f1c…e2 --consistency-proof 9a…01 --consistency-proof 77…3c --from batcher-key",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "log_id"}, {ProtoField: "tree_size"}, {ProtoField: "root_hash"}},
				},
				{
					RpcMethod:      "AnchorAttestation",
					Use:            "anchor-attestation [envelope-file] [risk-class] [scope]",
					Short:          "Anchor a DSSE envelope (file path) of an in-toto statement directly, signed by your key with keyid = your address",
					Example:        "adfd tx attestation anchor-attestation release.dsse.json release github.com/acme/app --from ci-key",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "envelope"}, {ProtoField: "risk_class"}, {ProtoField: "scope"}},
				},
				// MsgUpdateParams runs only inside an approved consortium
				// proposal (adfd tx consortium submit-proposal).
				{RpcMethod: "UpdateParams", Skip: true},
			},
		},
	}
}
