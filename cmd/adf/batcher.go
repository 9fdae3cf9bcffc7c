package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/batcher"
	"github.com/adf-consortium/adf/pkg/batchlog"
	"github.com/adf-consortium/adf/pkg/merkle"
	attestationtypes "github.com/adf-consortium/adf/x/attestation/types"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

func batcherCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "batcher",
		Short: "Run an attestation batcher: a durable Merkle log of DSSE envelopes anchored on chain every epoch",
	}
	cmd.AddCommand(batcherServeCmd())
	return cmd
}

func batcherServeCmd() *cobra.Command {
	var (
		nf           netFlags
		keysDir      string
		dataDir      string
		listen       string
		logID        string
		keyName      string
		epoch        time.Duration
		epochEntries uint64
		adminToken   string
		maxEnvelope  int
		maxGrowth    uint64
		gas          uint64
	)
	cmd := &cobra.Command{
		Use:   "serve --data-dir DIR --log-id ORG/NAME --key NAME",
		Short: "Serve the batcher HTTP API and anchor the log's root every epoch",
		Long: `Accepts DSSE envelopes of in-toto statements (POST /v1/entries), each signed by a
key registered on chain (keyid = the key's address) that x/identity allows
"anchor" on the log id; stores them durably (pebble, fsync before the receipt)
in an RFC 6962 Merkle log; anchors the log's root every --epoch (or every
--epoch-entries entries) with MsgAnchorRoot signed by --key, with a consistency
proof from the last anchored root; serves entries, inclusion proofs to the
latest anchored root, subject search, /healthz and /metrics.

Routes: POST /v1/entries[?risk_class=C] (C that the chain wants anchored
directly is refused), GET /v1/entries/{index}, GET /v1/proof/{index},
GET /v1/search?subject=sha256:<hex>, POST /v1/entries/{index}/erase
(Authorization: Bearer <admin token>, body {"reason": "..."}), GET /healthz,
GET /metrics. Errors are JSON {"error": "...", "code": "..."}.

The admin token may also come from $ADF_BATCHER_ADMIN_TOKEN.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dataDir == "" || logID == "" || keyName == "" {
				return errors.New("--data-dir, --log-id and --key are required")
			}
			if adminToken == "" {
				adminToken = os.Getenv("ADF_BATCHER_ADMIN_TOKEN")
			}
			logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
			ctx, stop := signal.NotifyContext(cmdContext(cmd), os.Interrupt, syscall.SIGTERM)
			defer stop()

			w, err := openWorkerSigner(ctx, &nf, keysDir, keyName)
			if err != nil {
				return err
			}
			enc, signer, cl, chainID := w.enc, w.signer, w.cl, w.chainID
			adapter := &chainAdapter{cl: cl, enc: enc, signer: signer, chainID: chainID, gas: gas}

			l, err := batchlog.Open(dataDir, logID, batchlog.Options{Logger: logger})
			if err != nil {
				return err
			}
			defer l.Close()
			srv := batcher.New(l, adapter, batcher.Config{
				LogID: logID, ChainID: chainID, Action: identitytypes.ActionAnchor, MaxEnvelopeBytes: maxEnvelope, AdminToken: adminToken,
				Epoch: epoch, EpochEntries: epochEntries, MaxGrowth: maxGrowth, Logger: logger,
			})
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
			httpErr := make(chan error, 1)
			go func() { httpErr <- hs.Serve(ln) }()
			logger.Info("batcher serving", "listen", ln.Addr().String(), "log", logID, "tree_size", l.Size(),
				"anchored", l.Anchored().TreeSize, "signer", signer.Address().String(), "chain", chainID)

			runErr := make(chan error, 1)
			go func() { runErr <- srv.Run(ctx) }()
			var result error
			select {
			case err := <-httpErr:
				result = fmt.Errorf("http server: %w", err)
				stop()
				<-runErr
			case err := <-runErr:
				result = err
			}
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = hs.Shutdown(sctx)
			return result
		},
	}
	nf.register(cmd)
	keysDirFlag(cmd, &keysDir)
	f := cmd.Flags()
	f.StringVar(&dataDir, "data-dir", "", "directory of the batcher's pebble database")
	f.StringVar(&listen, "listen", "127.0.0.1:8080", "HTTP listen address")
	f.StringVar(&logID, "log-id", "", "log id (the anchor scope), e.g. acme/batcher-1")
	f.StringVar(&keyName, "key", "", "adf key store key that signs MsgAnchorRoot (needs anchor on --log-id)")
	f.DurationVar(&epoch, "epoch", time.Second, "anchor the root this often when the log grew")
	f.Uint64Var(&epochEntries, "epoch-entries", 0, "also anchor as soon as this many entries are unanchored (0 = only by time)")
	f.StringVar(&adminToken, "admin-token", "", "bearer token for POST /v1/entries/{index}/erase (empty disables erasure)")
	f.IntVar(&maxEnvelope, "max-envelope-bytes", 262144, "largest accepted envelope (request body)")
	f.Uint64Var(&maxGrowth, "max-growth", 100000, "largest tree growth per anchored root (the chain's max_entries_per_epoch_per_org)")
	f.Uint64Var(&gas, "gas", chain.DefaultGas, "gas limit of anchor transactions")
	return cmd
}

// chainAdapter implements batcher.Chain over the node's REST and RPC.
type chainAdapter struct {
	cl      *chain.Client
	enc     chain.Encoding
	signer  chain.Signer
	chainID string
	gas     uint64
}

// u64 decodes a (possibly quoted) JSON integer, as grpc-gateway writes them.
type u64 uint64

func (u *u64) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*u = 0
		return nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an unsigned integer: %q", s)
	}
	*u = u64(v)
	return nil
}

func (c *chainAdapter) KeyInfo(ctx context.Context, addr string) (*batcher.KeyInfo, error) {
	if _, err := sdk.AccAddressFromBech32(addr); err != nil {
		return nil, fmt.Errorf("%w: %q is not an address (%v)", batcher.ErrUnknownKey, addr, err)
	}
	bz, err := c.cl.GetREST(ctx, "/adf/identity/v1/keys/"+url.PathEscape(addr), nil)
	var re *chain.RESTError
	if errors.As(err, &re) && re.NotFound() {
		return nil, fmt.Errorf("%w: %s", batcher.ErrUnknownKey, addr)
	}
	if err != nil {
		return nil, err
	}
	return parseKeyInfo(bz)
}

func parseKeyInfo(bz []byte) (*batcher.KeyInfo, error) {
	var r struct {
		Key struct {
			Address     string    `json:"address"`
			Algorithm   string    `json:"algorithm"`
			PublicKey   string    `json:"public_key"`
			Status      string    `json:"status"`
			NotAfter    time.Time `json:"not_after"`
			PrincipalID string    `json:"principal_id"`
		} `json:"key"`
	}
	if err := json.Unmarshal(bz, &r); err != nil {
		return nil, fmt.Errorf("undecodable key answer: %w", err)
	}
	pk, err := base64.StdEncoding.DecodeString(r.Key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("key %s: public_key is not base64: %w", r.Key.Address, err)
	}
	return &batcher.KeyInfo{Address: r.Key.Address, Algorithm: r.Key.Algorithm, PublicKey: pk, Status: r.Key.Status,
		NotAfter: r.Key.NotAfter, Principal: r.Key.PrincipalID}, nil
}

func (c *chainAdapter) Authorize(ctx context.Context, signer, action, scope string) (batcher.Decision, error) {
	bz, err := c.cl.GetREST(ctx, "/adf/identity/v1/authorize/"+url.PathEscape(signer), url.Values{"action": {action}, "scope": {scope}})
	if err != nil {
		var re *chain.RESTError
		if errors.As(err, &re) && re.Status >= 400 && re.Status < 500 {
			// The chain refuses the question (e.g. malformed signer): a "no".
			return batcher.Decision{Reason: strings.TrimSpace(re.Body)}, nil
		}
		return batcher.Decision{}, err
	}
	var r struct {
		Decision struct {
			Allowed bool   `json:"allowed"`
			Reason  string `json:"reason"`
		} `json:"decision"`
	}
	if err := json.Unmarshal(bz, &r); err != nil {
		return batcher.Decision{}, fmt.Errorf("undecodable authorize answer: %w", err)
	}
	return batcher.Decision{Allowed: r.Decision.Allowed, Reason: r.Decision.Reason}, nil
}

func (c *chainAdapter) Height(ctx context.Context) (int64, error) {
	st, err := c.cl.Status(ctx)
	if err != nil {
		return 0, err
	}
	return int64(st.SyncInfo.Height), nil
}

func (c *chainAdapter) RiskClassDirect(ctx context.Context, rc string) (bool, error) {
	bz, err := c.cl.GetREST(ctx, "/adf/attestation/v1/risk_classes/"+url.PathEscape(rc), nil)
	if err != nil {
		return false, err
	}
	var r struct {
		Direct bool `json:"direct"`
	}
	if err := json.Unmarshal(bz, &r); err != nil {
		return false, fmt.Errorf("undecodable risk class answer: %w", err)
	}
	return r.Direct, nil
}

func (c *chainAdapter) LatestRoot(ctx context.Context, logID string) (*batcher.Root, error) {
	bz, err := c.cl.GetREST(ctx, "/adf/attestation/v1/latest_roots/"+escapeLogID(logID), nil)
	var re *chain.RESTError
	if errors.As(err, &re) && re.NotFound() {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return parseRoot(bz)
}

func parseRoot(bz []byte) (*batcher.Root, error) {
	var r struct {
		Root struct {
			TreeSize u64       `json:"tree_size"`
			RootHash string    `json:"root_hash"`
			Height   u64       `json:"height"`
			Time     time.Time `json:"time"`
		} `json:"root"`
	}
	if err := json.Unmarshal(bz, &r); err != nil {
		return nil, fmt.Errorf("undecodable latest root: %w", err)
	}
	h, err := base64.StdEncoding.DecodeString(r.Root.RootHash)
	if err != nil || len(h) != len(merkle.Hash{}) {
		return nil, fmt.Errorf("latest root: root_hash %q is not 32 bytes of base64", r.Root.RootHash)
	}
	out := &batcher.Root{TreeSize: uint64(r.Root.TreeSize), Height: int64(r.Root.Height), Time: r.Root.Time}
	copy(out.RootHash[:], h)
	return out, nil
}

// escapeLogID escapes each segment of a log id (ids contain '/', which the
// REST route takes as the path's tail).
func escapeLogID(id string) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

func (c *chainAdapter) AnchorRoot(ctx context.Context, logID string, size uint64, root merkle.Hash, proof []merkle.Hash) (int64, error) {
	msg := &attestationtypes.MsgAnchorRoot{
		Signer: c.signer.Address().String(), LogId: logID, TreeSize: size, RootHash: append([]byte(nil), root[:]...),
	}
	for _, h := range proof {
		msg.ConsistencyProof = append(msg.ConsistencyProof, append([]byte(nil), h[:]...))
	}
	res, err := c.cl.Send(ctx, c.enc, c.signer, []sdk.Msg{msg}, chain.SendOptions{ChainID: c.chainID, Gas: c.gas, Wait: 30 * time.Second})
	if err != nil {
		if isAttestationError(err, attestationtypes.ErrRootAlreadyAnchored.ABCICode()) {
			return 0, fmt.Errorf("%w: %v", batcher.ErrRootAlreadyAnchored, err)
		}
		if isAttestationError(err, attestationtypes.ErrInvalidConsistencyProof.ABCICode()) {
			return 0, fmt.Errorf("%w: %v", batcher.ErrStaleAnchorBase, err)
		}
		return 0, txError("MsgAnchorRoot", err)
	}
	return res.Height, nil
}

// isAttestationError reports whether the chain refused the tx with this
// x/attestation error code, in CheckTx or in the block.
func isAttestationError(err error, code uint32) bool {
	var ce *chain.CheckTxError
	var de *chain.DeliverError
	switch {
	case errors.As(err, &ce):
		return ce.Codespace == attestationtypes.Codespace && ce.Code == code
	case errors.As(err, &de):
		return de.Result.Codespace == attestationtypes.Codespace && de.Result.Code == code
	}
	return false
}
