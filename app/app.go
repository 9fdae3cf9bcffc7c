// Package app wires the ADF appchain: x/auth, x/consensus, x/upgrade and the
// ADF modules, with a fee-less ante chain that admits only consortium members.
package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cast"

	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
	reflectionv1 "cosmossdk.io/api/cosmos/reflection/v1"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	nodeservice "github.com/cosmos/cosmos-sdk/client/grpc/node"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	runtimeservices "github.com/cosmos/cosmos-sdk/runtime/services"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/server/api"
	"github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/std"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/version"
	"github.com/cosmos/cosmos-sdk/x/auth"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/consensus"
	consensuskeeper "github.com/cosmos/cosmos-sdk/x/consensus/keeper"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/cosmos/cosmos-sdk/x/tx/signing"
	"github.com/cosmos/cosmos-sdk/x/upgrade"
	upgradekeeper "github.com/cosmos/cosmos-sdk/x/upgrade/keeper"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/adf-consortium/adf/app/crypto/composite"
	"github.com/adf-consortium/adf/x/attestation"
	attestationkeeper "github.com/adf-consortium/adf/x/attestation/keeper"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	"github.com/adf-consortium/adf/x/consortium"
	consortiumkeeper "github.com/adf-consortium/adf/x/consortium/keeper"
	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
	"github.com/adf-consortium/adf/x/cti"
	ctikeeper "github.com/adf-consortium/adf/x/cti/keeper"
	ctitypes "github.com/adf-consortium/adf/x/cti/types"
	"github.com/adf-consortium/adf/x/identity"
	identitykeeper "github.com/adf-consortium/adf/x/identity/keeper"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
	"github.com/adf-consortium/adf/x/telemetry"
	telemetrykeeper "github.com/adf-consortium/adf/x/telemetry/keeper"
	telemetrytypes "github.com/adf-consortium/adf/x/telemetry/types"
)

const (
	// AppName is the name CometBFT and the CLI report.
	AppName = "adf"
	// Bech32Prefix is the account address prefix; validator and consensus
	// prefixes derive from it the way the SDK does.
	Bech32Prefix = "adf"
)

// DefaultNodeHome is where adfd keeps its data unless --home says otherwise.
var DefaultNodeHome = func() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".adfd"
	}
	return filepath.Join(home, ".adfd")
}()

// maccPerms is empty on purpose: without a token there are no module
// accounts that hold or burn anything.
var maccPerms = map[string][]string{}

var (
	_ servertypes.Application = (*App)(nil)
)

// App is the ADF application.
type App struct {
	*baseapp.BaseApp

	legacyAmino       *codec.LegacyAmino
	appCodec          codec.Codec
	txConfig          client.TxConfig
	interfaceRegistry codectypes.InterfaceRegistry

	keys map[string]*storetypes.KVStoreKey

	AccountKeeper         authkeeper.AccountKeeper
	UpgradeKeeper         *upgradekeeper.Keeper
	ConsensusParamsKeeper consensuskeeper.Keeper
	ConsortiumKeeper      consortiumkeeper.Keeper
	IdentityKeeper        identitykeeper.Keeper
	AttestationKeeper     attestationkeeper.Keeper
	CTIKeeper             ctikeeper.Keeper
	TelemetryKeeper       telemetrykeeper.Keeper

	ModuleManager      *module.Manager
	BasicModuleManager module.BasicManager
	configurator       module.Configurator

	closeOnce sync.Once
	closeErr  error
}

// ConfigureSDK sets the global bech32 prefixes. The SDK still reads them from
// the global config in a few client paths, so it must agree with the codecs.
func ConfigureSDK() {
	cfg := sdk.GetConfig()
	cfg.SetBech32PrefixForAccount(Bech32Prefix, Bech32Prefix+sdk.PrefixPublic)
	cfg.SetBech32PrefixForValidator(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator, Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator+sdk.PrefixPublic)
	cfg.SetBech32PrefixForConsensusNode(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixConsensus, Bech32Prefix+sdk.PrefixValidator+sdk.PrefixConsensus+sdk.PrefixPublic)
}

// NewInterfaceRegistry returns a registry whose signing options use the ADF
// address prefixes.
func NewInterfaceRegistry() (codectypes.InterfaceRegistry, error) {
	return codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			AddressCodec:          address.NewBech32Codec(Bech32Prefix),
			ValidatorAddressCodec: address.NewBech32Codec(Bech32Prefix + sdk.PrefixValidator + sdk.PrefixOperator),
		},
	})
}

// New builds the application. It never panics on bad options; it returns
// errors through panics only where the SDK's AppCreator signature leaves no
// other way, and those messages name the failing part.
func New(logger log.Logger, db dbm.DB, loadLatest bool, appOpts servertypes.AppOptions, baseAppOptions ...func(*baseapp.BaseApp)) *App {
	ConfigureSDK()

	interfaceRegistry, err := NewInterfaceRegistry()
	if err != nil {
		panic(fmt.Errorf("interface registry: %w", err))
	}
	appCodec := codec.NewProtoCodec(interfaceRegistry)
	legacyAmino := codec.NewLegacyAmino()
	txConfig := authtx.NewTxConfig(appCodec, authtx.DefaultSignModes)

	std.RegisterLegacyAminoCodec(legacyAmino)
	std.RegisterInterfaces(interfaceRegistry)
	composite.RegisterLegacyAminoCodec(legacyAmino)
	composite.RegisterInterfaces(interfaceRegistry)

	bApp := baseapp.NewBaseApp(AppName, logger, db, txConfig.TxDecoder(), baseAppOptions...)
	bApp.SetVersion(version.Version)
	bApp.SetInterfaceRegistry(interfaceRegistry)
	bApp.SetTxEncoder(txConfig.TxEncoder())

	keys := storetypes.NewKVStoreKeys(
		authtypes.StoreKey, upgradetypes.StoreKey, consensustypes.StoreKey, consortiumtypes.StoreKey,
		identitytypes.StoreKey, attestationtypes.StoreKey, ctitypes.StoreKey,
		telemetrytypes.StoreKey,
	)

	app := &App{
		BaseApp:           bApp,
		legacyAmino:       legacyAmino,
		appCodec:          appCodec,
		txConfig:          txConfig,
		interfaceRegistry: interfaceRegistry,
		keys:              keys,
	}

	// The consortium module account is the one authority of the chain: every
	// params change, upgrade and validator-set change is a consortium proposal.
	authority := authtypes.NewModuleAddress(consortiumtypes.ModuleName).String()
	addrCodec := address.NewBech32Codec(Bech32Prefix)

	app.ConsensusParamsKeeper = consensuskeeper.NewKeeper(appCodec, runtime.NewKVStoreService(keys[consensustypes.StoreKey]), authority, runtime.EventService{})
	bApp.SetParamStore(app.ConsensusParamsKeeper.ParamsStore)

	app.AccountKeeper = authkeeper.NewAccountKeeper(
		appCodec, runtime.NewKVStoreService(keys[authtypes.StoreKey]), authtypes.ProtoBaseAccount,
		maccPerms, addrCodec, Bech32Prefix, authority,
	)

	skipUpgradeHeights := map[int64]bool{}
	for _, h := range cast.ToIntSlice(appOpts.Get(server.FlagUnsafeSkipUpgrades)) {
		skipUpgradeHeights[int64(h)] = true
	}
	homePath := cast.ToString(appOpts.Get("home"))
	app.UpgradeKeeper = upgradekeeper.NewKeeper(skipUpgradeHeights, runtime.NewKVStoreService(keys[upgradetypes.StoreKey]), appCodec, homePath, app.BaseApp, authority)

	app.ConsortiumKeeper = consortiumkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[consortiumtypes.StoreKey]), app.AccountKeeper, app.MsgServiceRouter(), authority,
	)
	app.IdentityKeeper = identitykeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[identitytypes.StoreKey]), app.AccountKeeper, app.ConsortiumKeeper, authority,
	)
	app.AttestationKeeper = attestationkeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[attestationtypes.StoreKey]), app.IdentityKeeper, addrCodec, authority,
	)
	app.CTIKeeper = ctikeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[ctitypes.StoreKey]), app.IdentityKeeper, addrCodec, authority,
	)
	app.TelemetryKeeper = telemetrykeeper.NewKeeper(
		appCodec, runtime.NewKVStoreService(keys[telemetrytypes.StoreKey]), telemetryIdentity{app.IdentityKeeper},
		app.AttestationKeeper, app.CTIKeeper, addrCodec, authority,
	)

	app.ModuleManager = module.NewManager(
		auth.NewAppModule(appCodec, app.AccountKeeper, nil),
		upgrade.NewAppModule(app.UpgradeKeeper, addrCodec),
		consensus.NewAppModule(appCodec, app.ConsensusParamsKeeper),
		consortium.NewAppModule(appCodec, app.ConsortiumKeeper),
		identity.NewAppModule(appCodec, app.IdentityKeeper),
		attestation.NewAppModule(appCodec, app.AttestationKeeper),
		cti.NewAppModule(appCodec, app.CTIKeeper),
		telemetry.NewAppModule(appCodec, app.TelemetryKeeper),
	)

	// genutil is in the basic manager only: the `genesis` CLI needs it, but
	// its gentx flow assumes x/staking, which this chain does not have.
	app.BasicModuleManager = module.NewBasicManagerFromManager(app.ModuleManager, map[string]module.AppModuleBasic{
		genutiltypes.ModuleName: genutil.NewAppModuleBasic(genutiltypes.DefaultMessageValidator),
	})
	app.BasicModuleManager.RegisterLegacyAminoCodec(legacyAmino)
	app.BasicModuleManager.RegisterInterfaces(interfaceRegistry)

	app.ModuleManager.SetOrderPreBlockers(upgradetypes.ModuleName, authtypes.ModuleName)
	app.ModuleManager.SetOrderBeginBlockers(consortiumtypes.ModuleName, ctitypes.ModuleName)
	app.ModuleManager.SetOrderEndBlockers(consortiumtypes.ModuleName, identitytypes.ModuleName, telemetrytypes.ModuleName)
	genesisOrder := []string{consensustypes.ModuleName, authtypes.ModuleName, upgradetypes.ModuleName, consortiumtypes.ModuleName, identitytypes.ModuleName, attestationtypes.ModuleName, ctitypes.ModuleName, telemetrytypes.ModuleName}
	app.ModuleManager.SetOrderInitGenesis(genesisOrder...)
	app.ModuleManager.SetOrderExportGenesis(genesisOrder...)

	app.configurator = module.NewConfigurator(appCodec, app.MsgServiceRouter(), app.GRPCQueryRouter())
	if err := app.ModuleManager.RegisterServices(app.configurator); err != nil {
		panic(fmt.Errorf("register module services: %w", err))
	}

	autocliv1.RegisterQueryServer(app.GRPCQueryRouter(), runtimeservices.NewAutoCLIQueryService(app.ModuleManager.Modules))
	reflectionSvc, err := runtimeservices.NewReflectionService()
	if err != nil {
		panic(fmt.Errorf("reflection service: %w", err))
	}
	reflectionv1.RegisterReflectionServiceServer(app.GRPCQueryRouter(), reflectionSvc)

	app.MountKVStores(keys)

	app.SetInitChainer(app.InitChainer)
	app.SetPreBlocker(app.PreBlocker)
	app.SetBeginBlocker(app.BeginBlocker)
	app.SetEndBlocker(app.EndBlocker)

	anteHandler, err := NewAnteHandler(AnteOptions{
		AccountKeeper:   app.AccountKeeper,
		Authorizer:      IdentityAuthorizer{Keeper: app.IdentityKeeper},
		SignModeHandler: txConfig.SignModeHandler(),
		SigningContext:  interfaceRegistry.SigningContext(),
	})
	if err != nil {
		panic(fmt.Errorf("ante handler: %w", err))
	}
	app.SetAnteHandler(anteHandler)

	app.registerUpgradeHandlers()

	if loadLatest {
		if err := app.LoadLatestVersion(); err != nil {
			panic(fmt.Errorf("load latest version: %w", err))
		}
	}
	return app
}

// PreBlocker runs x/upgrade before anything else in a block.
func (app *App) PreBlocker(ctx sdk.Context, _ *abci.RequestFinalizeBlock) (*sdk.ResponsePreBlock, error) {
	return app.ModuleManager.PreBlock(ctx)
}

// BeginBlocker lets x/consortium act on misbehaviour evidence.
func (app *App) BeginBlocker(ctx sdk.Context) (sdk.BeginBlock, error) {
	return app.ModuleManager.BeginBlock(ctx)
}

// EndBlocker returns x/consortium's validator updates.
func (app *App) EndBlocker(ctx sdk.Context) (sdk.EndBlock, error) {
	return app.ModuleManager.EndBlock(ctx)
}

// InitChainer decodes the app state and runs every module's InitGenesis.
func (app *App) InitChainer(ctx sdk.Context, req *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	var genesisState map[string]json.RawMessage
	if err := json.Unmarshal(req.AppStateBytes, &genesisState); err != nil {
		return nil, fmt.Errorf("app state is not a JSON object: %w", err)
	}
	if err := app.UpgradeKeeper.SetModuleVersionMap(ctx, app.ModuleManager.GetVersionMap()); err != nil {
		return nil, err
	}
	return app.ModuleManager.InitGenesis(ctx, app.appCodec, genesisState)
}

// DefaultGenesis returns every module's default genesis state.
func (app *App) DefaultGenesis() map[string]json.RawMessage {
	return app.BasicModuleManager.DefaultGenesis(app.appCodec)
}

// Name returns the app name.
func (app *App) Name() string { return app.BaseApp.Name() }

// LegacyAmino returns the amino codec.
func (app *App) LegacyAmino() *codec.LegacyAmino { return app.legacyAmino }

// AppCodec returns the app's proto codec.
func (app *App) AppCodec() codec.Codec { return app.appCodec }

// InterfaceRegistry returns the app's interface registry.
func (app *App) InterfaceRegistry() codectypes.InterfaceRegistry { return app.interfaceRegistry }

// TxConfig returns the app's tx config.
func (app *App) TxConfig() client.TxConfig { return app.txConfig }

// Configurator returns the module configurator used for migrations.
func (app *App) Configurator() module.Configurator { return app.configurator }

// GetKey returns the store key of a module, for tests.
func (app *App) GetKey(storeKey string) *storetypes.KVStoreKey { return app.keys[storeKey] }

// LoadHeight loads the state at a height.
func (app *App) LoadHeight(height int64) error { return app.LoadVersion(height) }

// Close releases the stores once. server/start.go closes the app twice and
// pebble panics on a second close.
func (app *App) Close() error {
	app.closeOnce.Do(func() { app.closeErr = app.BaseApp.Close() })
	return app.closeErr
}

// RegisterAPIRoutes registers the REST (grpc-gateway) routes of every module.
func (app *App) RegisterAPIRoutes(apiSvr *api.Server, apiConfig config.APIConfig) {
	clientCtx := apiSvr.ClientCtx
	authtx.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	cmtservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	nodeservice.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
	app.BasicModuleManager.RegisterGRPCGatewayRoutes(clientCtx, apiSvr.GRPCGatewayRouter)
}

// RegisterTxService registers the tx gRPC service.
func (app *App) RegisterTxService(clientCtx client.Context) {
	authtx.RegisterTxService(app.GRPCQueryRouter(), clientCtx, app.Simulate, app.interfaceRegistry)
}

// RegisterTendermintService registers the CometBFT gRPC service.
func (app *App) RegisterTendermintService(clientCtx client.Context) {
	cmtservice.RegisterTendermintService(clientCtx, app.GRPCQueryRouter(), app.interfaceRegistry, app.Query)
}

// RegisterNodeService registers the node gRPC service.
func (app *App) RegisterNodeService(clientCtx client.Context, cfg config.Config) {
	nodeservice.RegisterNodeService(clientCtx, app.GRPCQueryRouter(), cfg, func() int64 {
		return app.CommitMultiStore().EarliestVersion()
	})
}

// AutoCLIOpts returns the AutoCLI options of every module for the client.
func (app *App) ModuleAutoCLIModules() map[string]any {
	return app.ModuleManager.Modules
}

// Authority is the consortium authority address: the signer of every message
// a proposal executes.
func Authority() string {
	ConfigureSDK()
	return authtypes.NewModuleAddress(consortiumtypes.ModuleName).String()
}
