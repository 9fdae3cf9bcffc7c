// Package ledger is the chaincode's view of Fabric world state for one
// transaction: typed JSON records under composite keys, the transaction
// timestamp as the only clock, and reads that see the transaction's own
// writes.
//
// Fabric's GetState returns the committed value, not what this transaction
// already wrote; the registries update one record several times in a
// batch (an index entry, a reputation), so Tx keeps its writes and answers
// reads from them first. Range reads (Keys) see only committed state: the
// contracts never range over keys they wrote in the same transaction.
//
// Keys are composite keys (objectType + attributes), so every index is a
// range of keys and the chaincode needs no rich (CouchDB) queries: it runs
// on LevelDB state.
package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
)

// Tx is one transaction's access to state.
type Tx struct {
	stub    shim.ChaincodeStubInterface
	now     time.Time
	written map[string][]byte // nil value: deleted
}

// New starts a transaction on stub. Its clock is the proposal's timestamp,
// which every endorser sees identically (never the endorser's wall clock).
func New(stub shim.ChaincodeStubInterface) (*Tx, error) {
	// The shim's GetTxTimestamp dereferences the proposal; a transaction
	// sent without one must be an error, not a crash.
	if sp, err := stub.GetSignedProposal(); err != nil || sp == nil {
		return nil, errors.New("transaction has no signed proposal")
	}
	ts, err := stub.GetTxTimestamp()
	if err != nil {
		return nil, fmt.Errorf("transaction timestamp: %w", err)
	}
	if ts == nil || ts.CheckValid() != nil {
		return nil, errors.New("transaction timestamp: missing or invalid in the proposal header")
	}
	// Where the peer offers it, the shim then sends the whole write set in
	// one WRITE_BATCH_STATE when the transaction ends instead of one
	// PUT_STATE round trip per key; elsewhere this does nothing.
	stub.StartWriteBatch()
	return &Tx{stub: stub, now: ts.AsTime().UTC(), written: map[string][]byte{}}, nil
}

// Now is the transaction's time.
func (t *Tx) Now() time.Time { return t.now }

// TxID is the transaction id.
func (t *Tx) TxID() string { return t.stub.GetTxID() }

// ChannelID is the channel the transaction runs on.
func (t *Tx) ChannelID() string { return t.stub.GetChannelID() }

// Key builds a composite key.
func (t *Tx) Key(objectType string, attrs ...string) (string, error) {
	k, err := t.stub.CreateCompositeKey(objectType, attrs)
	if err != nil {
		return "", fmt.Errorf("key %s %q: %w", objectType, attrs, err)
	}
	return k, nil
}

// GetRaw returns the value of key and whether it exists.
func (t *Tx) GetRaw(key string) ([]byte, bool, error) {
	if v, ok := t.written[key]; ok {
		return v, v != nil, nil
	}
	v, err := t.stub.GetState(key)
	if err != nil {
		return nil, false, fmt.Errorf("read state: %w", err)
	}
	return v, len(v) > 0, nil
}

// Get reads the JSON record of (objectType, attrs) into v and reports
// whether it exists.
func (t *Tx) Get(v any, objectType string, attrs ...string) (bool, error) {
	k, err := t.Key(objectType, attrs...)
	if err != nil {
		return false, err
	}
	b, ok, err := t.GetRaw(k)
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("state %s %q is corrupt: %w", objectType, attrs, err)
	}
	return true, nil
}

// Has reports whether (objectType, attrs) exists.
func (t *Tx) Has(objectType string, attrs ...string) (bool, error) {
	k, err := t.Key(objectType, attrs...)
	if err != nil {
		return false, err
	}
	_, ok, err := t.GetRaw(k)
	return ok, err
}

// Put writes v as JSON under (objectType, attrs). encoding/json sorts map
// keys and fields have a fixed order, so every endorser writes the same
// bytes.
func (t *Tx) Put(v any, objectType string, attrs ...string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", objectType, err)
	}
	return t.PutRaw(b, objectType, attrs...)
}

// PutRaw writes b under (objectType, attrs); an index entry has the value
// {0x00} because Fabric treats an empty value as a deletion.
func (t *Tx) PutRaw(b []byte, objectType string, attrs ...string) error {
	k, err := t.Key(objectType, attrs...)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		b = []byte{0}
	}
	if err := t.stub.PutState(k, b); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	t.written[k] = bytes.Clone(b)
	return nil
}

// Mark writes an index entry (a key whose presence is the information).
func (t *Tx) Mark(objectType string, attrs ...string) error {
	return t.PutRaw([]byte{0}, objectType, attrs...)
}

// Delete removes (objectType, attrs).
func (t *Tx) Delete(objectType string, attrs ...string) error {
	k, err := t.Key(objectType, attrs...)
	if err != nil {
		return err
	}
	if err := t.stub.DelState(k); err != nil {
		return fmt.Errorf("delete state: %w", err)
	}
	t.written[k] = nil
	return nil
}

// Entry is one key found by Keys.
type Entry struct {
	Attrs []string
	Value []byte
}

// Keys returns up to limit committed entries under (objectType, prefix
// attrs...) in key order (the peer returns range results sorted), and
// whether there were more. limit <= 0 means no limit.
func (t *Tx) Keys(limit int, objectType string, prefix ...string) ([]Entry, bool, error) {
	it, err := t.stub.GetStateByPartialCompositeKey(objectType, prefix)
	if err != nil {
		return nil, false, fmt.Errorf("range %s %q: %w", objectType, prefix, err)
	}
	defer it.Close()
	var out []Entry
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, false, fmt.Errorf("range %s %q: %w", objectType, prefix, err)
		}
		if limit > 0 && len(out) == limit {
			return out, true, nil
		}
		_, attrs, err := t.stub.SplitCompositeKey(kv.Key)
		if err != nil {
			return nil, false, fmt.Errorf("range %s: key %q: %w", objectType, kv.Key, err)
		}
		out = append(out, Entry{Attrs: attrs, Value: kv.Value})
	}
	return out, false, nil
}

// Emit sets the transaction's chaincode event (Fabric keeps one per
// transaction; the last call wins).
func (t *Tx) Emit(name string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("encode event %s: %w", name, err)
	}
	return t.stub.SetEvent(name, b)
}
