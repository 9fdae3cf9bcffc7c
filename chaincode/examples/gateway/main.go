// Command gateway is a client of ADF's chaincode through the Fabric
// Gateway (github.com/hyperledger/fabric-gateway), kept here so that the
// sample in docs/fabric.md compiles. It asks who the registries think the
// caller is, decides purls with the CTI gate and, given a DSSE envelope
// file, anchors it directly.
//
//	gateway -peer localhost:7051 -peer-tls-ca tlsca.pem -msp Org1MSP \
//	        -cert user-cert.pem -key user-key.pem \
//	        -channel adf -chaincode adf \
//	        -purls pkg:npm/left-pad@1.3.0 -envelope build.dsse.json -scope github.com/acme/app
package main

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run() error {
	peer := flag.String("peer", "localhost:7051", "gateway peer endpoint")
	peerCA := flag.String("peer-tls-ca", "", "PEM CA of the peer's TLS certificate")
	hostOverride := flag.String("peer-host", "", "TLS server name of the peer (if not the endpoint's host)")
	mspID := flag.String("msp", "Org1MSP", "MSP id of the client identity")
	certFile := flag.String("cert", "", "PEM certificate of the client identity (with adf.principal / adf.roles attributes)")
	keyFile := flag.String("key", "", "PEM private key of the client identity")
	channel := flag.String("channel", "adf", "channel")
	chaincode := flag.String("chaincode", "adf", "chaincode name")
	purls := flag.String("purls", "", "comma-separated purls to decide")
	envelope := flag.String("envelope", "", "DSSE envelope file to anchor directly")
	riskClass := flag.String("risk-class", "release", "risk class of the direct anchor")
	scope := flag.String("scope", "", "scope of the direct anchor")
	flag.Parse()

	conn, err := dial(*peer, *peerCA, *hostOverride)
	if err != nil {
		return err
	}
	defer conn.Close()
	id, sign, err := loadIdentity(*mspID, *certFile, *keyFile)
	if err != nil {
		return err
	}
	gw, err := client.Connect(id, client.WithSign(sign), client.WithHash(hash.SHA256), client.WithClientConnection(conn),
		client.WithEvaluateTimeout(5*time.Second), client.WithEndorseTimeout(15*time.Second),
		client.WithSubmitTimeout(5*time.Second), client.WithCommitStatusTimeout(time.Minute))
	if err != nil {
		return err
	}
	defer gw.Close()
	network := gw.GetNetwork(*channel)

	// Each registry is a named contract of the one chaincode.
	identityContract := network.GetContractWithName(*chaincode, "identity")
	who, err := identityContract.EvaluateTransaction("Whoami")
	if err != nil {
		return explain(err)
	}
	fmt.Printf("caller: %s\n", who)

	if *purls != "" {
		list, _ := json.Marshal(strings.Split(*purls, ","))
		answer, err := network.GetContractWithName(*chaincode, "cti").EvaluateTransaction("MatchPackages", string(list))
		if err != nil {
			return explain(err)
		}
		fmt.Printf("gate: %s\n", answer)
	}

	if *envelope != "" {
		env, err := os.ReadFile(*envelope)
		if err != nil {
			return err
		}
		// Submit endorses on enough peers for the endorsement policy,
		// orders the transaction and waits for its commit.
		res, err := network.GetContractWithName(*chaincode, "attestation").SubmitTransaction("AnchorAttestation", string(env), *riskClass, *scope)
		if err != nil {
			return explain(err)
		}
		fmt.Printf("anchored: %s\n", res)
	}
	return nil
}

func dial(endpoint, caFile, serverName string) (*grpc.ClientConn, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("peer TLS CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("peer TLS CA %s: no certificate", caFile)
	}
	return grpc.NewClient(endpoint, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, serverName)))
}

func loadIdentity(mspID, certFile, keyFile string) (*identity.X509Identity, identity.Sign, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, nil, err
	}
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, nil, err
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, nil, err
	}
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		return nil, nil, err
	}
	sign, err := identity.NewPrivateKeySign(key)
	return id, sign, err
}

// explain unwraps the Gateway's errors: the chaincode's message (e.g.
// "…: log forked: same tree size, different root") is in the details of
// an endorsement error.
func explain(err error) error {
	var endorse *client.EndorseError
	var submit *client.SubmitError
	var commit *client.CommitStatusError
	var commitErr *client.CommitError
	switch {
	case errors.As(err, &endorse):
		msg := fmt.Sprintf("endorsement of %s failed: %s", endorse.TransactionID, status.Convert(err).Message())
		for _, d := range status.Convert(err).Details() {
			msg += fmt.Sprintf("\n  %v", d)
		}
		return errors.New(msg)
	case errors.As(err, &submit):
		return fmt.Errorf("ordering %s failed: %w", submit.TransactionID, err)
	case errors.As(err, &commit):
		return fmt.Errorf("commit status of %s unknown: %w", commit.TransactionID, err)
	case errors.As(err, &commitErr):
		return fmt.Errorf("transaction %s was not committed (%s): %w", commitErr.TransactionID, commitErr.Code, err)
	}
	return err
}
