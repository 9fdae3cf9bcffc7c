package cmd

import (
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
)

// BlockInterval is the pause after a commit. CometBFT's own default of exactly
// 1 s is silently replaced by the SDK with 5 s when it writes config.toml, so
// ADF uses a value just under it and gets ~1 s blocks.
const BlockInterval = 950 * time.Millisecond

// NewCometConfig is CometBFT's configuration with ADF's defaults: pebble for
// the block and state stores, ~1 s blocks, and room for ML-DSA-65 commits.
func NewCometConfig() *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	cfg.DBBackend = "pebbledb"
	cfg.Consensus.TimeoutCommit = BlockInterval
	cfg.Consensus.TimeoutPropose = 2 * time.Second
	cfg.Instrumentation.Prometheus = false
	cfg.P2P.AllowDuplicateIP = true
	cfg.TxIndex.Indexer = "kv"
	return cfg
}

// AppConfig is the app.toml content; it embeds the SDK's and adds nothing
// yet, but keeps one place to grow ADF settings.
type AppConfig struct {
	serverconfig.Config `mapstructure:",squash"`
}

// NewAppConfig returns app.toml defaults: zero gas price (ADF has no fees),
// pebble for the application store, API and gRPC on loopback.
func NewAppConfig() (string, any) {
	cfg := serverconfig.DefaultConfig()
	cfg.MinGasPrices = "0uadf"
	cfg.AppDBBackend = "pebbledb"
	cfg.API.Enable = true
	cfg.API.Address = "tcp://127.0.0.1:1317"
	cfg.GRPC.Enable = true
	cfg.GRPC.Address = "127.0.0.1:9090"
	cfg.Telemetry.Enabled = false
	return serverconfig.DefaultConfigTemplate, AppConfig{Config: *cfg}
}
