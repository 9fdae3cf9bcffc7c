package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/adf-consortium/adf/app"
	consortiumtypes "github.com/adf-consortium/adf/x/consortium/types"
)

// NetworkDef describes a network of one validator per member organisation,
// all on one host; networks/local/network.json and networks/devnet are two.
type NetworkDef struct {
	ChainID    string   `json:"chain_id"`
	Host       string   `json:"host"`
	PortStride int      `json:"port_stride"`
	BasePorts  Ports    `json:"base_ports"`
	Power      int64    `json:"validator_power"`
	Orgs       []OrgDef `json:"orgs"`
}

// Ports are the listening ports of node 0; node i adds i×PortStride.
type Ports struct {
	P2P   int `json:"p2p"`
	RPC   int `json:"rpc"`
	GRPC  int `json:"grpc"`
	API   int `json:"api"`
	Pprof int `json:"pprof"`
}

// OrgDef is one member organisation and the validator it runs.
type OrgDef struct {
	ID           string       `json:"id"`
	Name         string       `json:"name"`
	AdminKeyType string       `json:"admin_key_type"`
	Validator    ValidatorDef `json:"validator"`
}

// ValidatorDef is the validator an organisation runs.
type ValidatorDef struct {
	Name    string `json:"name"`
	KeyType string `json:"key_type"`
}

// NodeInfo is what `network init` reports per node, in the output's
// network-info.json, for scripts and tests.
type NodeInfo struct {
	Index        int    `json:"index"`
	Home         string `json:"home"`
	OrgID        string `json:"org_id"`
	Validator    string `json:"validator"`
	KeyType      string `json:"consensus_key_type"`
	NodeID       string `json:"node_id"`
	ConsAddress  string `json:"cons_address"`
	AdminKey     string `json:"admin_key"`
	AdminAddress string `json:"admin_address"`
	AdminKeyType string `json:"admin_key_type"`
	P2P          string `json:"p2p"`
	RPC          string `json:"rpc"`
	GRPC         string `json:"grpc"`
	API          string `json:"api"`
}

// NetworkInfo is the whole network-info.json.
type NetworkInfo struct {
	ChainID string `json:"chain_id"`
	// Authority signs every message a consortium proposal executes.
	Authority string     `json:"authority"`
	Nodes     []NodeInfo `json:"nodes"`
}

var slug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

// ParseNetworkDef decodes a definition strictly (unknown fields are errors,
// so a typo does not silently fall back to a default) and validates it.
func ParseNetworkDef(raw []byte) (NetworkDef, error) {
	var def NetworkDef
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&def); err != nil {
		return NetworkDef{}, err
	}
	if dec.More() {
		return NetworkDef{}, errors.New("trailing data after the definition object")
	}
	if err := def.Validate(); err != nil {
		return NetworkDef{}, err
	}
	return def, nil
}

// Validate checks a definition before anything is written.
func (d *NetworkDef) Validate() error {
	if d.ChainID == "" {
		return errors.New("chain_id is empty")
	}
	if d.Host == "" {
		d.Host = "127.0.0.1"
	}
	if d.PortStride == 0 {
		d.PortStride = 100
	}
	if d.Power == 0 {
		d.Power = 10
	}
	if d.BasePorts == (Ports{}) {
		d.BasePorts = Ports{P2P: 26656, RPC: 26657, GRPC: 9090, API: 1317, Pprof: 6060}
	}
	if len(d.Orgs) == 0 {
		return errors.New("orgs is empty: a network needs at least one member")
	}
	seen := map[string]bool{}
	for i, o := range d.Orgs {
		if !slug.MatchString(o.ID) {
			return fmt.Errorf("orgs[%d].id %q must match %s", i, o.ID, slug)
		}
		if seen[o.ID] {
			return fmt.Errorf("orgs[%d].id %q is repeated", i, o.ID)
		}
		seen[o.ID] = true
		switch o.Validator.KeyType {
		case "ed25519", "ml_dsa_65":
		default:
			return fmt.Errorf("orgs[%d].validator.key_type %q: want ed25519 or ml_dsa_65", i, o.Validator.KeyType)
		}
		switch o.AdminKeyType {
		case "", "secp256k1", "ml_dsa_65":
		default:
			return fmt.Errorf("orgs[%d].admin_key_type %q: want secp256k1 or ml_dsa_65", i, o.AdminKeyType)
		}
		if o.Validator.Name == "" {
			return fmt.Errorf("orgs[%d].validator.name is empty", i)
		}
	}
	return nil
}

// NetworkCmd groups commands that lay out whole networks on one machine.
func NetworkCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Lay out a local multi-validator network (devnet, localnet) from a definition file",
	}
	cmd.AddCommand(networkInitCmd(a))
	return cmd
}

func networkInitCmd(a *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init [definition.json]",
		Short: "Create one home per validator, a shared genesis, keys and peer wiring",
		Long: `Creates <output>/node<i> for each organisation in the definition, with its
CometBFT keys (Ed25519 or ML-DSA-65), a test keyring holding the org admin key,
config on the definition's ports, pebble stores, and one genesis for all.
<output>/network-info.json lists what was made.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, _ := cmd.Flags().GetString("output")
			force, _ := cmd.Flags().GetBool("force")
			raw, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			def, err := ParseNetworkDef(raw)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if _, err := os.Stat(out); err == nil && !force {
				return fmt.Errorf("%s exists: remove it or pass --force", out)
			}
			if force {
				if err := os.RemoveAll(out); err != nil {
					return err
				}
			}
			info, err := InitNetwork(a, def, out)
			if err != nil {
				return err
			}
			bz, _ := json.MarshalIndent(info, "", "  ")
			cmd.Println(string(bz))
			return nil
		},
	}
	cmd.Flags().String("output", "build/localnet", "directory for the node homes")
	cmd.Flags().Bool("force", false, "replace an existing output directory")
	return cmd
}

// InitNetwork writes every node home and the shared genesis.
func InitNetwork(a *app.App, def NetworkDef, out string) (*NetworkInfo, error) {
	cdc := a.AppCodec()
	info := &NetworkInfo{ChainID: def.ChainID, Authority: app.Authority()}
	state := a.DefaultGenesis()
	var peers []string
	cfgs := make([]*cmtcfg.Config, len(def.Orgs))

	for i, org := range def.Orgs {
		home, err := filepath.Abs(filepath.Join(out, fmt.Sprintf("node%d", i)))
		if err != nil {
			return nil, err
		}
		port := func(base int) int { return base + i*def.PortStride }
		cfg := NewCometConfig()
		cfg.SetRoot(home)
		cfg.Moniker = org.Validator.Name
		cfg.P2P.ListenAddress = fmt.Sprintf("tcp://%s:%d", def.Host, port(def.BasePorts.P2P))
		cfg.RPC.ListenAddress = fmt.Sprintf("tcp://%s:%d", def.Host, port(def.BasePorts.RPC))
		cfg.RPC.PprofListenAddress = fmt.Sprintf("%s:%d", def.Host, port(def.BasePorts.Pprof))
		cfg.P2P.AddrBookStrict = false
		cfg.P2P.PexReactor = len(def.Orgs) > 1
		if err := os.MkdirAll(filepath.Join(home, "config"), 0o755); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Join(home, "data"), 0o755); err != nil {
			return nil, err
		}
		nodeID, valPub, err := genutil.InitializeNodeValidatorFilesFromMnemonicWithKeyType(cfg, "", org.Validator.KeyType)
		if err != nil {
			return nil, fmt.Errorf("node%d keys: %w", i, err)
		}
		cfgs[i] = cfg
		peers = append(peers, fmt.Sprintf("%s@%s:%d", nodeID, def.Host, port(def.BasePorts.P2P)))

		kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, home, nil, cdc)
		if err != nil {
			return nil, err
		}
		algoName := org.AdminKeyType
		if algoName == "" {
			algoName = string(hd.Secp256k1Type)
		}
		algo, err := keyring.NewSigningAlgoFromString(algoName, keyring.SigningAlgoList{hd.Secp256k1, hd.MlDsa65})
		if err != nil {
			return nil, err
		}
		keyName := org.ID + "-admin"
		rec, mnemonic, err := kr.NewMnemonic(keyName, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, algo)
		if err != nil {
			return nil, fmt.Errorf("node%d admin key: %w", i, err)
		}
		adminAddr, err := rec.GetAddress()
		if err != nil {
			return nil, err
		}
		// The test keyring is for local networks only; keeping the mnemonic
		// next to it lets a developer import the admin into another tool.
		if err := os.WriteFile(filepath.Join(home, keyName+".mnemonic"), []byte(mnemonic+"\n"), 0o600); err != nil {
			return nil, err
		}

		orgName := org.Name
		if orgName == "" {
			orgName = org.ID
		}
		if err := AddOrganization(cdc, state, consortiumtypes.Organization{
			Id: org.ID, Name: orgName, Admins: []string{adminAddr.String()}, Status: consortiumtypes.ORG_STATUS_ACTIVE,
		}); err != nil {
			return nil, err
		}
		v, err := consortiumtypes.NewValidator(org.Validator.Name, org.ID, valPub, def.Power)
		if err != nil {
			return nil, fmt.Errorf("node%d validator: %w", i, err)
		}
		if err := AddValidator(cdc, state, v); err != nil {
			return nil, err
		}

		appTemplate, appCfgAny := NewAppConfig()
		appCfg := appCfgAny.(AppConfig)
		appCfg.GRPC.Address = fmt.Sprintf("%s:%d", def.Host, port(def.BasePorts.GRPC))
		appCfg.API.Address = fmt.Sprintf("tcp://%s:%d", def.Host, port(def.BasePorts.API))
		serverconfig.SetConfigTemplate(appTemplate)
		serverconfig.WriteConfigFile(filepath.Join(home, "config", "app.toml"), appCfg)
		if err := writeClientConfig(home, def.ChainID, cfg.RPC.ListenAddress); err != nil {
			return nil, err
		}

		info.Nodes = append(info.Nodes, NodeInfo{
			Index: i, Home: home, OrgID: org.ID, Validator: org.Validator.Name, KeyType: org.Validator.KeyType,
			NodeID: nodeID, ConsAddress: v.ConsAddress, AdminKey: keyName, AdminAddress: adminAddr.String(),
			AdminKeyType: algoName,
			P2P:          cfg.P2P.ListenAddress, RPC: cfg.RPC.ListenAddress, GRPC: appCfg.GRPC.Address, API: appCfg.API.Address,
		})
	}

	appState, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		return nil, err
	}
	// Fail here, not at `adfd start`, if the assembled genesis is invalid.
	if err := a.BasicModuleManager.ValidateGenesis(cdc, a.TxConfig(), state); err != nil {
		return nil, fmt.Errorf("assembled genesis is invalid: %w", err)
	}
	params := cmttypes.DefaultConsensusParams()
	applyConsensusDefaults(params)
	genesis := &genutiltypes.AppGenesis{
		AppName:       app.AppName,
		ChainID:       def.ChainID,
		GenesisTime:   time.Now().UTC().Truncate(time.Second),
		InitialHeight: 1,
		AppState:      appState,
		Consensus:     &genutiltypes.ConsensusGenesis{Params: params},
	}
	for i, cfg := range cfgs {
		var others []string
		for j, p := range peers {
			if j != i {
				others = append(others, p)
			}
		}
		cfg.P2P.PersistentPeers = strings.Join(others, ",")
		cmtcfg.WriteConfigFile(filepath.Join(cfg.RootDir, "config", "config.toml"), cfg)
		if err := genutil.ExportGenesisFile(genesis, cfg.GenesisFile()); err != nil {
			return nil, err
		}
	}
	bz, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(out, "network-info.json"), bz, 0o644); err != nil {
		return nil, err
	}
	return info, nil
}

func writeClientConfig(home, chainID, rpc string) error {
	f, err := os.Create(filepath.Join(home, "config", "client.toml"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# Written by adfd network init.\nchain-id = %q\nkeyring-backend = \"test\"\nkeyring-default-keyname = \"\"\noutput = \"text\"\nnode = %q\nbroadcast-mode = \"sync\"\n", chainID, rpc)
	return w.Flush()
}
