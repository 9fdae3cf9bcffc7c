package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the module's messages under their
// amino names (the same names as the amino.name proto options).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgRegisterDevice{}, "adf/telemetry/MsgRegisterDevice")
	legacy.RegisterAminoMsg(cdc, &MsgSubmitReports{}, "adf/telemetry/MsgSubmitReports")
	legacy.RegisterAminoMsg(cdc, &MsgAcknowledgeIncident{}, "adf/telemetry/MsgAcknowledgeIncident")
	legacy.RegisterAminoMsg(cdc, &MsgResolveIncident{}, "adf/telemetry/MsgResolveIncident")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "adf/telemetry/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "adf/x/telemetry/Params", nil)
}

// RegisterInterfaces registers every telemetry Msg as an sdk.Msg and the
// Msg service descriptor.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRegisterDevice{},
		&MsgSubmitReports{},
		&MsgAcknowledgeIncident{},
		&MsgResolveIncident{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
