package chain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// DefaultGas is the gas limit of a transaction unless the caller says
// otherwise. Gas is metered (bounded work per tx) but never paid for.
const DefaultGas = 400_000

// Signer signs the SIGN_MODE_DIRECT bytes of a transaction for one account.
type Signer interface {
	// Address is the account that signs.
	Address() sdk.AccAddress
	// PubKey is the SDK public key the chain verifies the signature with.
	PubKey() cryptotypes.PubKey
	// SignBytes signs the transaction's sign bytes as they are (no
	// domain prefix: the SDK verifies exactly these bytes).
	SignBytes(msg []byte) ([]byte, error)
}

// Account is what signing needs from x/auth.
type Account struct {
	Address       string
	AccountNumber uint64
	Sequence      uint64
	HasPubKey     bool
}

// ErrAccountNotFound means the chain has no account at the address: for a
// short-lived key, it was never registered (or registration failed).
var ErrAccountNotFound = errors.New("account not found")

// Account reads an account's number and sequence with an ABCI query of
// x/auth (the gRPC method, so only the RPC endpoint is needed).
func (c *Client) Account(ctx context.Context, enc Encoding, addr sdk.AccAddress) (*Account, error) {
	req := &authtypes.QueryAccountRequest{Address: addr.String()}
	bz, err := req.Marshal()
	if err != nil {
		return nil, err
	}
	val, err := c.ABCIQuery(ctx, "/cosmos.auth.v1beta1.Query/Account", bz)
	if err != nil {
		var qe *ABCIQueryError
		if errors.As(err, &qe) && strings.Contains(qe.Log, "not found") {
			return nil, fmt.Errorf("%w: %s has no account on chain (is the key registered?)", ErrAccountNotFound, addr)
		}
		return nil, fmt.Errorf("account %s: %w", addr, err)
	}
	var resp authtypes.QueryAccountResponse
	if err := resp.Unmarshal(val); err != nil {
		return nil, fmt.Errorf("account %s: undecodable answer: %w", addr, err)
	}
	var acc sdk.AccountI
	if err := enc.InterfaceRegistry.UnpackAny(resp.Account, &acc); err != nil {
		return nil, fmt.Errorf("account %s: %w", addr, err)
	}
	return &Account{Address: addr.String(), AccountNumber: acc.GetAccountNumber(), Sequence: acc.GetSequence(), HasPubKey: acc.GetPubKey() != nil}, nil
}

// TxOptions are the knobs of SignTx and Send.
type TxOptions struct {
	ChainID       string
	AccountNumber uint64
	Sequence      uint64
	Gas           uint64
	Memo          string
	TimeoutHeight uint64
}

// SignTx builds a zero-fee SIGN_MODE_DIRECT transaction carrying msgs, signs
// it with signer and returns its bytes.
func SignTx(ctx context.Context, enc Encoding, signer Signer, msgs []sdk.Msg, o TxOptions) ([]byte, error) {
	if len(msgs) == 0 {
		return nil, errors.New("no messages to send")
	}
	if o.ChainID == "" {
		return nil, errors.New("chain id is empty")
	}
	if o.Gas == 0 {
		o.Gas = DefaultGas
	}
	txc := enc.TxConfig
	b := txc.NewTxBuilder()
	if err := b.SetMsgs(msgs...); err != nil {
		return nil, fmt.Errorf("setting messages: %w", err)
	}
	b.SetGasLimit(o.Gas)
	b.SetMemo(o.Memo)
	if o.TimeoutHeight > 0 {
		b.SetTimeoutHeight(o.TimeoutHeight)
	}
	pk := signer.PubKey()
	if pk == nil {
		return nil, errors.New("signer has no public key")
	}
	if !sdk.AccAddress(pk.Address()).Equals(signer.Address()) {
		return nil, fmt.Errorf("signer address %s does not belong to its public key (%s)", signer.Address(), sdk.AccAddress(pk.Address()))
	}
	mode := signing.SignMode_SIGN_MODE_DIRECT
	sigData := &signing.SingleSignatureData{SignMode: mode}
	sig := signing.SignatureV2{PubKey: pk, Data: sigData, Sequence: o.Sequence}
	if err := b.SetSignatures(sig); err != nil {
		return nil, err
	}
	signerData := authsigning.SignerData{
		Address: signer.Address().String(), ChainID: o.ChainID,
		AccountNumber: o.AccountNumber, Sequence: o.Sequence, PubKey: pk,
	}
	signBytes, err := authsigning.GetSignBytesAdapter(ctx, txc.SignModeHandler(), mode, signerData, b.GetTx())
	if err != nil {
		return nil, fmt.Errorf("sign bytes: %w", err)
	}
	sigBytes, err := signer.SignBytes(signBytes)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	sigData.Signature = sigBytes
	if err := b.SetSignatures(sig); err != nil {
		return nil, err
	}
	return txc.TxEncoder()(b.GetTx())
}

// CheckTxError is a transaction CheckTx refused; nothing was included.
type CheckTxError struct {
	Code      uint32
	Codespace string
	Log       string
	Hash      string
}

func (e *CheckTxError) Error() string {
	return fmt.Sprintf("transaction refused by CheckTx: code %d (%s): %s", e.Code, e.Codespace, e.Log)
}

// DeliverError is a transaction that a block included with a non-zero code.
type DeliverError struct{ Result *TxResult }

func (e *DeliverError) Error() string {
	r := e.Result
	return fmt.Sprintf("transaction %s failed in block %d: code %d (%s): %s", r.Hash, r.Height, r.Code, r.Codespace, r.Log)
}

// SendOptions are the knobs of Send.
type SendOptions struct {
	ChainID string // read from the node when empty
	Gas     uint64
	Memo    string
	// Wait bounds how long Send waits for inclusion; 0 means 30 s.
	Wait time.Duration
	// NoWait returns after CheckTx.
	NoWait bool
}

// Send signs msgs with signer (account number and sequence from the chain),
// broadcasts them with broadcast_tx_sync and waits for inclusion. A CheckTx
// refusal is a *CheckTxError, a failed execution a *DeliverError (with the
// result).
func (c *Client) Send(ctx context.Context, enc Encoding, signer Signer, msgs []sdk.Msg, o SendOptions) (*TxResult, error) {
	chainID := o.ChainID
	if chainID == "" {
		var err error
		if chainID, err = c.ChainID(ctx); err != nil {
			return nil, err
		}
	}
	acc, err := c.Account(ctx, enc, signer.Address())
	if err != nil {
		return nil, err
	}
	txBytes, err := SignTx(ctx, enc, signer, msgs, TxOptions{
		ChainID: chainID, AccountNumber: acc.AccountNumber, Sequence: acc.Sequence, Gas: o.Gas, Memo: o.Memo,
	})
	if err != nil {
		return nil, err
	}
	br, err := c.BroadcastSync(ctx, txBytes)
	if err != nil {
		return nil, fmt.Errorf("broadcast: %w", err)
	}
	if br.Code != 0 {
		return nil, &CheckTxError{Code: br.Code, Codespace: br.Codespace, Log: br.Log, Hash: br.Hash}
	}
	if o.NoWait {
		return &TxResult{Hash: br.Hash}, nil
	}
	wait := o.Wait
	if wait == 0 {
		wait = 30 * time.Second
	}
	res, err := c.WaitTx(ctx, br.Hash, wait)
	if err != nil {
		return nil, err
	}
	if res.Code != 0 {
		return res, &DeliverError{Result: res}
	}
	return res, nil
}
