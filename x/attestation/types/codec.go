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
	legacy.RegisterAminoMsg(cdc, &MsgAnchorRoot{}, "adf/attestation/MsgAnchorRoot")
	legacy.RegisterAminoMsg(cdc, &MsgAnchorAttestation{}, "adf/attestation/MsgAnchorAttestation")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "adf/attestation/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "adf/x/attestation/Params", nil)
}

// RegisterInterfaces registers every attestation Msg as an sdk.Msg and the
// Msg service descriptor.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgAnchorRoot{},
		&MsgAnchorAttestation{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
