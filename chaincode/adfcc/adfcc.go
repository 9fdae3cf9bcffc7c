// Package adfcc assembles ADF's Fabric chaincode (the identity,
// attestation, CTI and telemetry contracts) and serves it as chaincode-as-a-service.
package adfcc

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"

	"github.com/adf-consortium/adf/chaincode/attestation"
	"github.com/adf-consortium/adf/chaincode/cti"
	"github.com/adf-consortium/adf/chaincode/identity"
	"github.com/adf-consortium/adf/chaincode/telemetry"
)

// New returns the chaincode: every contract under its name
// ("identity:RegisterKey", "attestation:AnchorRoot", "cti:MatchPackages",
// "telemetry:SubmitReports", …), wrapped so that a panic anywhere in a transaction becomes an error
// response instead of ending the server.
func New() (shim.Chaincode, error) {
	cc, err := contractapi.NewChaincode(identity.NewContract(), attestation.NewContract(), cti.NewContract(), telemetry.NewContract())
	if err != nil {
		return nil, fmt.Errorf("build chaincode: %w", err)
	}
	cc.Info.Title = "ADF registries"
	cc.Info.Version = "1.0.0"
	return recovering{cc}, nil
}

// recovering turns panics into error responses. The shim runs each
// transaction in its own goroutine, where an unrecovered panic would end
// the whole chaincode server and every channel's transactions with it.
type recovering struct{ cc shim.Chaincode }

func (r recovering) Init(stub shim.ChaincodeStubInterface) (res *peer.Response) {
	defer recoverInto(&res)
	return r.cc.Init(stub)
}

func (r recovering) Invoke(stub shim.ChaincodeStubInterface) (res *peer.Response) {
	defer recoverInto(&res)
	return r.cc.Invoke(stub)
}

func recoverInto(res **peer.Response) {
	if p := recover(); p != nil {
		fmt.Fprintf(os.Stderr, "adfcc: recovered panic: %v\n%s", p, debug.Stack())
		*res = shim.Error(fmt.Sprintf("internal error: %v", p))
	}
}

// Config is how the server is reached, in Fabric's external builder terms.
type Config struct {
	// CCID is the package id the peer knows the chaincode by
	// (CHAINCODE_ID, "<label>:<sha256 of the package>").
	CCID string
	// Address to listen on (CHAINCODE_SERVER_ADDRESS, e.g. 0.0.0.0:9999).
	Address string
	// TLS: key and certificate of the server, and optionally the CA of
	// the peers' client certificates (mutual TLS). Nil: plaintext.
	TLS *TLSFiles
}

// TLSFiles are PEM files.
type TLSFiles struct {
	KeyFile, CertFile, ClientCAFile string
}

// Server is a running chaincode server.
type Server struct {
	grpc *grpc.Server
	lis  net.Listener
}

// Listen binds the address and returns the server, ready for Serve. It
// registers the same Connect handler as shim.ChaincodeServer (which cannot
// report its bound address, so tests could not listen on port 0).
func Listen(cfg Config, cc shim.Chaincode) (*Server, error) {
	if cfg.CCID == "" {
		return nil, errors.New("chaincode id is required (CHAINCODE_ID)")
	}
	if cfg.Address == "" {
		return nil, errors.New("listen address is required (CHAINCODE_SERVER_ADDRESS)")
	}
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(100 << 20), grpc.MaxSendMsgSize(100 << 20),
		// shim.ChaincodeServer's keepalive settings.
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: time.Minute, Timeout: 20 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Minute, PermitWithoutStream: true}),
		grpc.ConnectionTimeout(5 * time.Second),
	}
	if cfg.TLS != nil {
		tc, err := loadTLS(*cfg.TLS)
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.Creds(credentials.NewTLS(tc)))
	}
	lis, err := net.Listen("tcp", cfg.Address)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Address, err)
	}
	s := grpc.NewServer(opts...)
	// shim.ChaincodeServer's Connect runs the shim's handler for one peer
	// stream; only CCID and CC are used by it.
	peer.RegisterChaincodeServer(s, &shim.ChaincodeServer{CCID: cfg.CCID, Address: cfg.Address, CC: cc})
	return &Server{grpc: s, lis: lis}, nil
}

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.lis.Addr() }

// Serve serves until Stop.
func (s *Server) Serve() error { return s.grpc.Serve(s.lis) }

// Stop ends every stream and the listener.
func (s *Server) Stop() { s.grpc.Stop() }

func loadTLS(f TLSFiles) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS key pair: %w", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if f.ClientCAFile != "" {
		pem, err := os.ReadFile(f.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS client CA %s: no PEM certificate", f.ClientCAFile)
		}
		tc.ClientCAs, tc.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return tc, nil
}
