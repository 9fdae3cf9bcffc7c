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
	legacy.RegisterAminoMsg(cdc, &MsgSubmitProposal{}, "adf/consortium/MsgSubmitProposal")
	legacy.RegisterAminoMsg(cdc, &MsgVote{}, "adf/consortium/MsgVote")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateOrgAdmins{}, "adf/consortium/MsgUpdateOrgAdmins")
	legacy.RegisterAminoMsg(cdc, &MsgAddOrganization{}, "adf/consortium/MsgAddOrganization")
	legacy.RegisterAminoMsg(cdc, &MsgSetOrganizationStatus{}, "adf/consortium/MsgSetOrganizationStatus")
	legacy.RegisterAminoMsg(cdc, &MsgAddValidator{}, "adf/consortium/MsgAddValidator")
	legacy.RegisterAminoMsg(cdc, &MsgRemoveValidator{}, "adf/consortium/MsgRemoveValidator")
	legacy.RegisterAminoMsg(cdc, &MsgSetValidatorPower{}, "adf/consortium/MsgSetValidatorPower")
	legacy.RegisterAminoMsg(cdc, &MsgRotateConsensusKey{}, "adf/consortium/MsgRotateConsensusKey")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "adf/consortium/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "adf/x/consortium/Params", nil)
}

// RegisterInterfaces registers every consortium Msg as an sdk.Msg and the
// Msg service descriptor.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgSubmitProposal{},
		&MsgVote{},
		&MsgUpdateOrgAdmins{},
		&MsgAddOrganization{},
		&MsgSetOrganizationStatus{},
		&MsgAddValidator{},
		&MsgRemoveValidator{},
		&MsgSetValidatorPower{},
		&MsgRotateConsensusKey{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
