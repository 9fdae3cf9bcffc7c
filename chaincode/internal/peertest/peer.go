// Package peertest plays a Fabric peer against a chaincode server over the
// real chaincode gRPC protocol (protos.Chaincode/Connect from
// fabric-protos-go-apiv2): it connects to the chaincode-as-a-service
// endpoint, answers REGISTER with REGISTERED and READY, sends TRANSACTION
// messages carrying a signed proposal with the creator's serialized
// identity, and serves the chaincode's GET_STATE, PUT_STATE, DEL_STATE,
// GET_STATE_BY_RANGE, QUERY_STATE_NEXT/CLOSE, GET_STATE_MULTIPLE and
// WRITE_BATCH_STATE requests from an in-memory world state.
//
// Like a peer, it simulates: reads see committed state, writes are
// collected in a read-write set and committed only if the chaincode
// answers COMPLETED with a status below 400.
package peertest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Signer is a client identity: its serialized msp.SerializedIdentity and a
// signing function over proposal bytes.
type Signer interface {
	Serialized() []byte
	Sign(msg []byte) []byte
}

// Peer is one connection to a chaincode server, for one channel.
type Peer struct {
	Channel string
	// CCID is the chaincode's name as it registered.
	CCID string
	// UseWriteBatch makes the peer offer write batches in READY, so the
	// shim sends one WRITE_BATCH_STATE instead of PUT_STATEs.
	UseWriteBatch bool
	// PageSize is how many results one range response carries; it is 1 by
	// default so that the shim's QUERY_STATE_NEXT paging is exercised.
	PageSize int

	conn   *grpc.ClientConn
	stream peer.Chaincode_ConnectClient
	cancel context.CancelFunc
	state  map[string][]byte
	n      int
	// Messages counts the chaincode's requests by type.
	Messages map[peer.ChaincodeMessage_Type]int
}

// Dial connects to the chaincode server at addr in plaintext and completes
// the registration handshake.
func Dial(addr, channel string, useWriteBatch bool) (*Peer, error) {
	return DialWith(addr, channel, useWriteBatch, grpc.WithTransportCredentials(insecure.NewCredentials()))
}

// DialWith is Dial with the connection's credentials (e.g. the peer's
// client certificate for a chaincode server that requires mutual TLS).
func DialWith(addr, channel string, useWriteBatch bool, creds grpc.DialOption) (*Peer, error) {
	conn, err := grpc.NewClient(addr, creds)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := peer.NewChaincodeClient(conn).Connect(ctx)
	if err != nil {
		cancel()
		conn.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	p := &Peer{Channel: channel, UseWriteBatch: useWriteBatch, PageSize: 1, conn: conn, stream: stream, cancel: cancel,
		state: map[string][]byte{}, Messages: map[peer.ChaincodeMessage_Type]int{}}
	if err := p.handshake(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Peer) handshake() error {
	msg, err := p.stream.Recv()
	if err != nil {
		return fmt.Errorf("waiting for REGISTER: %w", err)
	}
	if msg.Type != peer.ChaincodeMessage_REGISTER {
		return fmt.Errorf("first message is %s, want REGISTER", msg.Type)
	}
	var id peer.ChaincodeID
	if err := proto.Unmarshal(msg.Payload, &id); err != nil {
		return fmt.Errorf("REGISTER payload: %w", err)
	}
	p.CCID = id.Name
	if err := p.stream.Send(&peer.ChaincodeMessage{Type: peer.ChaincodeMessage_REGISTERED}); err != nil {
		return err
	}
	var ready []byte
	if p.UseWriteBatch {
		if ready, err = proto.Marshal(&peer.ChaincodeAdditionalParams{UseWriteBatch: true, MaxSizeWriteBatch: 1000}); err != nil {
			return err
		}
	}
	return p.stream.Send(&peer.ChaincodeMessage{Type: peer.ChaincodeMessage_READY, Payload: ready})
}

// Close ends the stream and the connection.
func (p *Peer) Close() {
	p.cancel()
	p.conn.Close()
}

// State returns a copy of the committed state.
func (p *Peer) State() map[string][]byte {
	out := make(map[string][]byte, len(p.state))
	for k, v := range p.state {
		out[k] = v
	}
	return out
}

// Result is the outcome of one transaction.
type Result struct {
	TxID     string
	Response *peer.Response
	Event    *peer.ChaincodeEvent
	// Writes are the keys in the transaction's write set, committed or not;
	// WriteSet has their values (nil: deleted).
	Writes   []string
	WriteSet map[string][]byte
	// Failed holds the message of an ERROR answer (the shim could not run
	// the transaction at all).
	Failed string
}

// OK reports a committed transaction.
func (r Result) OK() bool { return r.Failed == "" && r.Response != nil && r.Response.Status < 400 }

// Message is the response's message or the ERROR answer.
func (r Result) Message() string {
	if r.Failed != "" {
		return r.Failed
	}
	if r.Response == nil {
		return ""
	}
	return r.Response.Message
}

// Invoke sends a transaction: fn and args, proposed by signer at time ts.
func (p *Peer) Invoke(signer Signer, ts time.Time, fn string, args ...string) (Result, error) {
	msg, err := p.Build(signer, ts, fn, args...)
	if err != nil {
		return Result{}, err
	}
	return p.Send(msg)
}

// Build prepares the TRANSACTION message of a proposal, so the same
// proposal can be sent to several peers (endorsers).
func (p *Peer) Build(signer Signer, ts time.Time, fn string, args ...string) (*peer.ChaincodeMessage, error) {
	input := &peer.ChaincodeInput{Args: [][]byte{[]byte(fn)}}
	for _, a := range args {
		input.Args = append(input.Args, []byte(a))
	}
	sp, txID, err := p.proposal(signer.Serialized(), signer, input, ts)
	if err != nil {
		return nil, err
	}
	return &peer.ChaincodeMessage{Type: peer.ChaincodeMessage_TRANSACTION, Payload: mustMarshal(input), Txid: txID, ChannelId: p.Channel, Proposal: sp}, nil
}

// proposal builds a signed proposal as a Fabric client SDK does: channel
// header (endorser transaction, tx id = SHA-256(nonce ‖ creator), the
// timestamp), signature header (creator, nonce), the invocation spec, and
// the creator's signature over the proposal bytes.
func (p *Peer) proposal(creator []byte, signer Signer, input *peer.ChaincodeInput, ts time.Time) (*peer.SignedProposal, string, error) {
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(append(append([]byte(nil), nonce...), creator...))
	txID := hex.EncodeToString(sum[:])
	chdr := &common.ChannelHeader{Type: int32(common.HeaderType_ENDORSER_TRANSACTION), ChannelId: p.Channel, TxId: txID}
	if !ts.IsZero() {
		chdr.Timestamp = timestamppb.New(ts)
	}
	hdr := &common.Header{
		ChannelHeader:   mustMarshal(chdr),
		SignatureHeader: mustMarshal(&common.SignatureHeader{Creator: creator, Nonce: nonce}),
	}
	spec := &peer.ChaincodeInvocationSpec{ChaincodeSpec: &peer.ChaincodeSpec{
		Type: peer.ChaincodeSpec_GOLANG, ChaincodeId: &peer.ChaincodeID{Name: p.CCID}, Input: input,
	}}
	payload := mustMarshal(&peer.ChaincodeProposalPayload{Input: mustMarshal(spec)})
	prop := mustMarshal(&peer.Proposal{Header: mustMarshal(hdr), Payload: payload})
	return &peer.SignedProposal{ProposalBytes: prop, Signature: signer.Sign(prop)}, txID, nil
}

// Send sends a prepared TRANSACTION message and serves the chaincode until
// it answers; tests use it directly to send malformed proposals.
func (p *Peer) Send(msg *peer.ChaincodeMessage) (Result, error) {
	if err := p.stream.Send(msg); err != nil {
		return Result{}, fmt.Errorf("send %s: %w", msg.Type, err)
	}
	res := Result{TxID: msg.Txid}
	writes := map[string][]byte{} // nil: deleted
	defer func() {
		for k := range writes {
			res.Writes = append(res.Writes, k)
		}
		sort.Strings(res.Writes)
		res.WriteSet = writes
	}()
	iters := map[string][]*queryresult.KV{}
	for {
		in, err := p.stream.Recv()
		if err != nil {
			return res, fmt.Errorf("receive: %w", err)
		}
		p.Messages[in.Type]++
		if in.Txid != msg.Txid && in.Type != peer.ChaincodeMessage_KEEPALIVE {
			return res, fmt.Errorf("message %s for transaction %q during %q", in.Type, in.Txid, msg.Txid)
		}
		var reply []byte
		var rerr error
		switch in.Type {
		case peer.ChaincodeMessage_KEEPALIVE:
			continue
		case peer.ChaincodeMessage_COMPLETED:
			res.Response = &peer.Response{}
			if err := proto.Unmarshal(in.Payload, res.Response); err != nil {
				return res, fmt.Errorf("COMPLETED payload: %w", err)
			}
			res.Event = in.ChaincodeEvent
			if res.Response.Status < 400 {
				for k, v := range writes {
					if v == nil {
						delete(p.state, k)
					} else {
						p.state[k] = v
					}
				}
			}
			return res, nil
		case peer.ChaincodeMessage_ERROR:
			res.Failed = string(in.Payload)
			return res, nil
		case peer.ChaincodeMessage_GET_STATE:
			var r peer.GetState
			if rerr = proto.Unmarshal(in.Payload, &r); rerr == nil {
				reply = p.state[r.Key]
			}
		case peer.ChaincodeMessage_GET_STATE_MULTIPLE:
			var r peer.GetStateMultiple
			if rerr = proto.Unmarshal(in.Payload, &r); rerr == nil {
				out := &peer.GetStateMultipleResult{}
				for _, k := range r.Keys {
					out.Values = append(out.Values, p.state[k])
				}
				reply = mustMarshal(out)
			}
		case peer.ChaincodeMessage_PUT_STATE:
			var r peer.PutState
			if rerr = proto.Unmarshal(in.Payload, &r); rerr == nil {
				rerr = put(writes, r.Key, r.Value)
			}
		case peer.ChaincodeMessage_DEL_STATE:
			var r peer.DelState
			if rerr = proto.Unmarshal(in.Payload, &r); rerr == nil {
				writes[r.Key] = nil
			}
		case peer.ChaincodeMessage_WRITE_BATCH_STATE:
			var r peer.WriteBatchState
			if rerr = proto.Unmarshal(in.Payload, &r); rerr == nil {
				for _, w := range r.Rec {
					switch w.Type {
					case peer.WriteRecord_PUT_STATE:
						rerr = errors.Join(rerr, put(writes, w.Key, w.Value))
					case peer.WriteRecord_DEL_STATE:
						writes[w.Key] = nil
					default:
						rerr = fmt.Errorf("write batch: unsupported record type %s", w.Type)
					}
				}
			}
		case peer.ChaincodeMessage_GET_STATE_BY_RANGE:
			var r peer.GetStateByRange
			if rerr = proto.Unmarshal(in.Payload, &r); rerr == nil {
				p.n++
				id := "iter-" + strconv.Itoa(p.n)
				iters[id] = p.rangeKVs(r.StartKey, r.EndKey)
				reply, rerr = page(iters, id, p.PageSize)
			}
		case peer.ChaincodeMessage_QUERY_STATE_NEXT:
			var r peer.QueryStateNext
			if rerr = proto.Unmarshal(in.Payload, &r); rerr == nil {
				reply, rerr = page(iters, r.Id, p.PageSize)
			}
		case peer.ChaincodeMessage_QUERY_STATE_CLOSE:
			var r peer.QueryStateClose
			if rerr = proto.Unmarshal(in.Payload, &r); rerr == nil {
				delete(iters, r.Id)
				reply = mustMarshal(&peer.QueryResponse{Id: r.Id})
			}
		default:
			rerr = fmt.Errorf("this peer does not serve %s", in.Type)
		}
		out := &peer.ChaincodeMessage{Type: peer.ChaincodeMessage_RESPONSE, Payload: reply, Txid: in.Txid, ChannelId: in.ChannelId}
		if rerr != nil {
			out = &peer.ChaincodeMessage{Type: peer.ChaincodeMessage_ERROR, Payload: []byte(rerr.Error()), Txid: in.Txid, ChannelId: in.ChannelId}
		}
		if err := p.stream.Send(out); err != nil {
			return res, fmt.Errorf("answer %s: %w", in.Type, err)
		}
	}
}

func put(writes map[string][]byte, key string, value []byte) error {
	if key == "" {
		return errors.New("empty key")
	}
	if len(value) == 0 {
		// Fabric treats an empty value as a delete.
		writes[key] = nil
		return nil
	}
	writes[key] = append([]byte(nil), value...)
	return nil
}

// rangeKVs returns committed keys in [start, end) in order. Composite-key
// ranges never include the namespace of simple keys and vice versa, as on
// a peer.
func (p *Peer) rangeKVs(start, end string) []*queryresult.KV {
	var keys []string
	for k := range p.state {
		if k >= start && (end == "" || k < end) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]*queryresult.KV, len(keys))
	for i, k := range keys {
		out[i] = &queryresult.KV{Namespace: "adf", Key: k, Value: p.state[k]}
	}
	return out
}

func page(iters map[string][]*queryresult.KV, id string, size int) ([]byte, error) {
	kvs, ok := iters[id]
	if !ok {
		return nil, fmt.Errorf("unknown iterator %q", id)
	}
	n := min(max(size, 1), len(kvs))
	resp := &peer.QueryResponse{Id: id, HasMore: len(kvs) > n}
	for _, kv := range kvs[:n] {
		resp.Results = append(resp.Results, &peer.QueryResultBytes{ResultBytes: mustMarshal(kv)})
	}
	iters[id] = kvs[n:]
	return proto.Marshal(resp)
}

func mustMarshal(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(err) // in-memory messages of known types
	}
	return b
}
