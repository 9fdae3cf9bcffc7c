package adfcc

import (
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

type panicking struct{}

func (panicking) Init(shim.ChaincodeStubInterface) *peer.Response   { panic("init bug") }
func (panicking) Invoke(shim.ChaincodeStubInterface) *peer.Response { panic("invoke bug") }

// TestRecovering: a panic in a transaction is an error response; the
// server's goroutine survives.
func TestRecovering(t *testing.T) {
	r := recovering{panicking{}}
	for _, res := range []*peer.Response{r.Invoke(nil), r.Init(nil)} {
		if res == nil || res.Status != shim.ERROR || res.Message == "" {
			t.Fatalf("response %+v", res)
		}
	}
}
