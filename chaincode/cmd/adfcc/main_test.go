package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/adf-consortium/adf/chaincode/internal/fabtest"
	"github.com/adf-consortium/adf/chaincode/internal/peertest"
)

func TestConfigErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-address", "127.0.0.1:0"}, "chaincode id is required"},
		{[]string{"-id", "adf:1"}, "listen address is required"},
		{[]string{"-id", "adf:1", "-address", "127.0.0.1:0", "-tls"}, "TLS needs"},
		{[]string{"-id", "adf:1", "-address", "127.0.0.1:0", "-tls", "-tls-key", "/nonexistent", "-tls-cert", "/nonexistent"}, "TLS key pair"},
		{[]string{"-nosuchflag"}, "flag provided but not defined"},
	} {
		err := run(c.args, nil, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

// TestServeMutualTLS starts the server with TLS and a client CA from
// files, as a ccaas peer reaches it, and runs a transaction over the
// chaincode protocol with a client certificate; a peer without one is
// refused.
func TestServeMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca := newCA(t, "peer-ca")
	server := ca.issue(t, "adfcc", true)
	client := ca.issue(t, "peer0", false)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certFile, keyFile, caFile := write("cert.pem", server.certPEM), write("key.pem", server.keyPEM), write("ca.pem", ca.certPEM)

	stop := make(chan os.Signal, 1)
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-id", "adf:1", "-address", "127.0.0.1:0", "-tls-key", keyFile, "-tls-cert", certFile, "-client-ca", caFile}, stop, started)
	}()
	var addr string
	select {
	case addr = <-started:
	case err := <-done:
		t.Fatalf("server ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	defer func() {
		stop <- os.Interrupt
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.certPEM)
	pair, err := tls.X509KeyPair(client.certPEM, client.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	p, err := peertest.DialWith(addr, "adf", false, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{
		RootCAs: pool, Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12,
	})))
	if err != nil {
		t.Fatalf("mutual TLS: %v", err)
	}
	defer p.Close()
	if p.CCID != "adf:1" {
		t.Fatalf("registered as %q", p.CCID)
	}
	admin := fabtest.NewMSP("Org1MSP").Admin("admin")
	r, err := p.Invoke(admin, time.Now(), "identity:RegisterOrg", "acme")
	if err != nil || !r.OK() {
		t.Fatalf("transaction over mutual TLS: %v %s", err, r.Message())
	}
	// Without a client certificate the handshake fails.
	if _, err := peertest.DialWith(addr, "adf", false, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))); err == nil {
		t.Fatal("a peer without a client certificate was served")
	}
}

type testCA struct {
	key     *ecdsa.PrivateKey
	cert    *x509.Certificate
	certPEM []byte
}

type keyPair struct{ certPEM, keyPEM []byte }

func newCA(t *testing.T, cn string) *testCA {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{key: key, cert: cert, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

func (ca *testCA) issue(t *testing.T, cn string, server bool) keyPair {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return keyPair{certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), keyPEM: pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})}
}
