package ledger_test

import (
	"testing"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"

	"github.com/adf-consortium/adf/chaincode/internal/fabtest"
	"github.com/adf-consortium/adf/chaincode/internal/ledger"
)

// fn adapts a function to shim.Chaincode.
type fn func(stub shim.ChaincodeStubInterface) *peer.Response

func (f fn) Init(stub shim.ChaincodeStubInterface) *peer.Response   { return f(stub) }
func (f fn) Invoke(stub shim.ChaincodeStubInterface) *peer.Response { return f(stub) }

type rec struct{ N int }

// TestReadsOwnWrites: Fabric reads return committed state; Tx answers
// from the transaction's own writes first, deletions included, while range
// reads stay committed-only.
func TestReadsOwnWrites(t *testing.T) {
	w := fabtest.NewWorld("ch")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	creator := fabtest.NewMSP("M").Admin("a").Serialized()
	run := func(body func(tx *ledger.Tx) error) fabtest.Result {
		return w.Invoke(fn(func(stub shim.ChaincodeStubInterface) *peer.Response {
			tx, err := ledger.New(stub)
			if err != nil {
				return shim.Error(err.Error())
			}
			if !tx.Now().Equal(now) {
				return shim.Error("clock is not the proposal's timestamp")
			}
			if err := body(tx); err != nil {
				return shim.Error(err.Error())
			}
			return shim.Success(nil)
		}), creator, now, "f")
	}
	if r := run(func(tx *ledger.Tx) error {
		if err := tx.Put(rec{1}, "t", "a"); err != nil {
			return err
		}
		var got rec
		if ok, err := tx.Get(&got, "t", "a"); err != nil || !ok || got.N != 1 {
			t.Errorf("own write not read: %v %v %+v", ok, err, got)
		}
		es, _, err := tx.Keys(0, "t")
		if err != nil || len(es) != 0 {
			t.Errorf("range saw an uncommitted write: %v %v", es, err)
		}
		return tx.Mark("t", "b")
	}); !r.OK() {
		t.Fatal(r.Response.Message)
	}
	if r := run(func(tx *ledger.Tx) error {
		es, more, err := tx.Keys(1, "t")
		if err != nil || len(es) != 1 || !more || es[0].Attrs[0] != "a" {
			t.Errorf("limited range: %+v %v %v", es, more, err)
		}
		if err := tx.Delete("t", "a"); err != nil {
			return err
		}
		if ok, err := tx.Has("t", "a"); err != nil || ok {
			t.Errorf("deleted key still read: %v %v", ok, err)
		}
		return nil
	}); !r.OK() {
		t.Fatal(r.Response.Message)
	}
	if len(w.State) != 1 {
		t.Fatalf("state: %q", w.State)
	}
	// Key attributes that Fabric refuses are errors, not panics.
	if r := run(func(tx *ledger.Tx) error { return tx.Put(rec{}, "t", "bad\x00attr") }); r.OK() {
		t.Fatal("an attribute with U+0000 was accepted")
	}
}
