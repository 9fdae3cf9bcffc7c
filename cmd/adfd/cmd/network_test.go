package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cosmossdk.io/log/v2"
	dbm "github.com/cosmos/cosmos-db"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/adf-consortium/adf/app"
)

func TestParseNetworkDefShippedDefinitions(t *testing.T) {
	for _, path := range []string{"../../../networks/local/network.json", "../../../networks/devnet/network.json"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		def, err := ParseNetworkDef(raw)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if def.PortStride != 100 || def.BasePorts.RPC != 26657 {
			t.Fatalf("%s: ports %+v stride %d", path, def.BasePorts, def.PortStride)
		}
	}
}

func TestParseNetworkDefLocalnetMixesKeyTypes(t *testing.T) {
	raw, err := os.ReadFile("../../../networks/local/network.json")
	if err != nil {
		t.Fatal(err)
	}
	def, err := ParseNetworkDef(raw)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, o := range def.Orgs {
		count[o.Validator.KeyType]++
	}
	if len(def.Orgs) != 4 || count["ml_dsa_65"] != 2 || count["ed25519"] != 2 {
		t.Fatalf("localnet must be 4 orgs, 2 ML-DSA-65 + 2 Ed25519 validators; got %v", count)
	}
}

func TestParseNetworkDefRejects(t *testing.T) {
	cases := map[string]string{
		`{"chain_id":"x","orgs":[]}`: "orgs is empty",
		`{"orgs":[]}`:                "chain_id is empty",
		`{"chain_id":"x","orgs":[{"id":"A","validator":{"name":"v","key_type":"ed25519"}}]}`:                                                            "orgs[0].id",
		`{"chain_id":"x","orgs":[{"id":"ab","validator":{"name":"v","key_type":"secp256k1"}}]}`:                                                         "orgs[0].validator.key_type",
		`{"chain_id":"x","orgs":[{"id":"ab","validator":{"name":"v","key_type":"ed25519"}},{"id":"ab","validator":{"name":"w","key_type":"ed25519"}}]}`: "orgs[1].id \"ab\" is repeated",
		`{"chain_id":"x","typo":1}`: "unknown field",
		`{"chain_id":"x","orgs":[{"id":"ab","validator":{"name":"v","key_type":"ed25519"}}]} {}`: "trailing data",
	}
	for in, want := range cases {
		_, err := ParseNetworkDef([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want error containing %q", in, err, want)
		}
	}
}

func FuzzParseNetworkDef(f *testing.F) {
	if raw, err := os.ReadFile("../../../networks/local/network.json"); err == nil {
		f.Add(raw)
	}
	f.Add([]byte(`{"chain_id":"x","orgs":[{"id":"ab","validator":{"name":"v","key_type":"ed25519"}}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		def, err := ParseNetworkDef(raw)
		if err != nil {
			return
		}
		// Whatever parses must be usable: defaults filled, every org sane.
		if def.ChainID == "" || len(def.Orgs) == 0 || def.PortStride == 0 || def.Power == 0 {
			t.Fatalf("accepted an unusable definition: %+v", def)
		}
	})
}

func TestInitNetworkBoundsBlocksAndAcceptsBothKeyTypes(t *testing.T) {
	raw, err := os.ReadFile("../../../networks/local/network.json")
	if err != nil {
		t.Fatal(err)
	}
	def, err := ParseNetworkDef(raw)
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(log.NewNopLogger(), dbm.NewMemDB(), false, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	out := t.TempDir()
	if _, err := InitNetwork(a, def, out); err != nil {
		t.Fatal(err)
	}
	g, err := genutiltypes.AppGenesisFromFile(filepath.Join(out, "node0", "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := g.Consensus.Params
	if p.Block.MaxBytes != BlockMaxBytes {
		t.Fatalf("block max_bytes %d, want %d", p.Block.MaxBytes, BlockMaxBytes)
	}
	if strings.Join(p.Validator.PubKeyTypes, ",") != "ed25519,ml_dsa_65" {
		t.Fatalf("validator key types %v", p.Validator.PubKeyTypes)
	}
}
