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
	legacy.RegisterAminoMsg(cdc, &MsgPublishIndicators{}, "adf/cti/MsgPublishIndicators")
	legacy.RegisterAminoMsg(cdc, &MsgRevokeIndicators{}, "adf/cti/MsgRevokeIndicators")
	legacy.RegisterAminoMsg(cdc, &MsgSubmitSightings{}, "adf/cti/MsgSubmitSightings")
	legacy.RegisterAminoMsg(cdc, &MsgSetException{}, "adf/cti/MsgSetException")
	legacy.RegisterAminoMsg(cdc, &MsgRemoveException{}, "adf/cti/MsgRemoveException")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "adf/cti/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "adf/x/cti/Params", nil)
}

// RegisterInterfaces registers every CTI Msg as an sdk.Msg and the Msg
// service descriptor.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgPublishIndicators{},
		&MsgRevokeIndicators{},
		&MsgSubmitSightings{},
		&MsgSetException{},
		&MsgRemoveException{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
