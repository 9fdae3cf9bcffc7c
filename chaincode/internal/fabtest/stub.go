package fabtest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// World is committed state shared by the transactions of a unit test.
// Like a peer, it applies a transaction's writes only if the chaincode
// answered with a success status, and reads see committed state only.
type World struct {
	State   map[string][]byte
	Channel string
	n       int
}

// NewWorld returns an empty world on channel.
func NewWorld(channel string) *World {
	return &World{State: map[string][]byte{}, Channel: channel}
}

// Result is one invocation's outcome.
type Result struct {
	Response *peer.Response
	// Writes are the keys the transaction wrote or deleted (even when it
	// failed: a failed transaction must write nothing).
	Writes []string
	Event  *peer.ChaincodeEvent
}

// OK reports a success status.
func (r Result) OK() bool { return r.Response.Status < shim.ERRORTHRESHOLD }

// Invoke runs fn with args on cc as creator at time now, through an
// in-memory stub, and commits its writes if it succeeded.
func (w *World) Invoke(cc shim.Chaincode, creator []byte, now time.Time, fn string, args ...string) Result {
	w.n++
	s := &Stub{world: w, creator: creator, now: now, txID: fmt.Sprintf("tx%06d", w.n), writes: map[string][]byte{}}
	s.args = append(s.args, []byte(fn))
	for _, a := range args {
		s.args = append(s.args, []byte(a))
	}
	res := cc.Invoke(s)
	out := Result{Response: res, Event: s.event}
	for k := range s.writes {
		out.Writes = append(out.Writes, k)
	}
	sort.Strings(out.Writes)
	if out.OK() {
		for k, v := range s.writes {
			if v == nil {
				delete(w.State, k)
			} else {
				w.State[k] = v
			}
		}
	}
	return out
}

// Stub is an in-memory shim.ChaincodeStubInterface for one transaction.
// Methods the chaincode does not use are left to the embedded nil
// interface: calling one panics, which the chaincode must turn into an
// error response.
type Stub struct {
	shim.ChaincodeStubInterface
	world   *World
	creator []byte
	now     time.Time
	txID    string
	args    [][]byte
	writes  map[string][]byte
	event   *peer.ChaincodeEvent
}

func (s *Stub) GetArgs() [][]byte { return s.args }

func (s *Stub) GetStringArgs() []string {
	out := make([]string, len(s.args))
	for i, a := range s.args {
		out[i] = string(a)
	}
	return out
}

func (s *Stub) GetFunctionAndParameters() (string, []string) {
	a := s.GetStringArgs()
	if len(a) == 0 {
		return "", []string{}
	}
	return a[0], a[1:]
}

func (s *Stub) GetTxID() string                   { return s.txID }
func (s *Stub) GetChannelID() string              { return s.world.Channel }
func (s *Stub) GetCreator() ([]byte, error)       { return s.creator, nil }
func (s *Stub) GetDecorations() map[string][]byte { return nil }
func (s *Stub) GetTransient() (map[string][]byte, error) {
	return nil, nil
}

// GetSignedProposal returns an empty proposal: the stub carries the
// creator and timestamp itself.
func (s *Stub) GetSignedProposal() (*peer.SignedProposal, error) { return &peer.SignedProposal{}, nil }

func (s *Stub) GetTxTimestamp() (*timestamppb.Timestamp, error) {
	if s.now.IsZero() {
		return nil, nil
	}
	return timestamppb.New(s.now), nil
}

// GetState returns committed state, as a peer does during simulation.
func (s *Stub) GetState(key string) ([]byte, error) { return s.world.State[key], nil }

func (s *Stub) PutState(key string, value []byte) error {
	if key == "" {
		return errors.New("key must not be an empty string")
	}
	if len(value) == 0 {
		return s.DelState(key)
	}
	s.writes[key] = append([]byte(nil), value...)
	return nil
}

func (s *Stub) DelState(key string) error {
	s.writes[key] = nil
	return nil
}

func (s *Stub) SetEvent(name string, payload []byte) error {
	if name == "" {
		return errors.New("event name can not be empty string")
	}
	s.event = &peer.ChaincodeEvent{EventName: name, Payload: payload}
	return nil
}

func (s *Stub) CreateCompositeKey(objectType string, attributes []string) (string, error) {
	return shim.CreateCompositeKey(objectType, attributes)
}

func (s *Stub) SplitCompositeKey(key string) (string, []string, error) {
	if !strings.HasPrefix(key, "\x00") || !strings.HasSuffix(key, "\x00") {
		return "", nil, fmt.Errorf("%q is not a composite key", key)
	}
	parts := strings.Split(key[1:len(key)-1], "\x00")
	return parts[0], parts[1:], nil
}

func (s *Stub) GetStateByPartialCompositeKey(objectType string, attrs []string) (shim.StateQueryIteratorInterface, error) {
	prefix, err := shim.CreateCompositeKey(objectType, attrs)
	if err != nil {
		return nil, err
	}
	return s.GetStateByRange(prefix, prefix+string(utf8.MaxRune))
}

// GetStateByRange returns committed keys in [start, end), sorted.
func (s *Stub) GetStateByRange(start, end string) (shim.StateQueryIteratorInterface, error) {
	var keys []string
	for k := range s.world.State {
		if k >= start && (end == "" || k < end) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	it := &iterator{}
	for _, k := range keys {
		it.kvs = append(it.kvs, &queryresult.KV{Namespace: "adf", Key: k, Value: s.world.State[k]})
	}
	return it, nil
}

func (s *Stub) StartWriteBatch()        {}
func (s *Stub) FinishWriteBatch() error { return nil }

type iterator struct {
	kvs []*queryresult.KV
	i   int
}

func (it *iterator) HasNext() bool { return it.i < len(it.kvs) }
func (it *iterator) Close() error  { return nil }
func (it *iterator) Next() (*queryresult.KV, error) {
	if it.i >= len(it.kvs) {
		return nil, errors.New("no such key")
	}
	it.i++
	return it.kvs[it.i-1], nil
}
