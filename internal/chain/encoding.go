// Package chain signs and broadcasts ADF transactions with keys the Cosmos
// SDK keyring cannot hold (Ed25519, ML-DSA-65 and composite keys kept by the
// adf key store) as well as with keyring keys, and talks to a node through
// CometBFT RPC and the REST gateway.
package chain

import (
	"fmt"
	"os"
	"sync"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"

	"github.com/adf-consortium/adf/app"
)

// Encoding is the codec set of the ADF application: exactly the messages and
// key types the node knows.
type Encoding struct {
	Codec             codec.Codec
	InterfaceRegistry codectypes.InterfaceRegistry
	TxConfig          client.TxConfig
}

var (
	encOnce sync.Once
	enc     Encoding
	encErr  error
)

// MakeEncoding returns the app's encoding. It builds a throw-away app on an
// in-memory database, as adfd's CLI does, so that every module's interfaces
// are registered exactly as on the node.
// TODO(lead): replace with app.MakeEncodingConfig() once the app offers one.
func MakeEncoding() (Encoding, error) {
	encOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				encErr = fmt.Errorf("building the app codec: %v", r)
			}
		}()
		dir, err := os.MkdirTemp("", "adf-enc")
		if err != nil {
			encErr = err
			return
		}
		defer os.RemoveAll(dir)
		a := app.New(log.NewNopLogger(), dbm.NewMemDB(), false, simtestutil.NewAppOptionsWithFlagHome(dir))
		enc = Encoding{Codec: a.AppCodec(), InterfaceRegistry: a.InterfaceRegistry(), TxConfig: a.TxConfig()}
	})
	return enc, encErr
}
