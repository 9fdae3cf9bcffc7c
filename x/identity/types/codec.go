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
	legacy.RegisterAminoMsg(cdc, &MsgRegisterPrincipal{}, "adf/identity/MsgRegisterPrincipal")
	legacy.RegisterAminoMsg(cdc, &MsgUpdatePrincipal{}, "adf/identity/MsgUpdatePrincipal")
	legacy.RegisterAminoMsg(cdc, &MsgRegisterKey{}, "adf/identity/MsgRegisterKey")
	legacy.RegisterAminoMsg(cdc, &MsgRevokeKey{}, "adf/identity/MsgRevokeKey")
	legacy.RegisterAminoMsg(cdc, &MsgApprove{}, "adf/identity/MsgApprove")
	legacy.RegisterAminoMsg(cdc, &MsgSetPolicy{}, "adf/identity/MsgSetPolicy")
	legacy.RegisterAminoMsg(cdc, &MsgRemovePolicy{}, "adf/identity/MsgRemovePolicy")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "adf/identity/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "adf/x/identity/Params", nil)
}

// RegisterInterfaces registers every identity Msg as an sdk.Msg and the
// Msg service descriptor.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRegisterPrincipal{},
		&MsgUpdatePrincipal{},
		&MsgRegisterKey{},
		&MsgRevokeKey{},
		&MsgApprove{},
		&MsgSetPolicy{},
		&MsgRemovePolicy{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
