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

// TestServeTLS starts the server with TLS from files, completes a TLS
// handshake (HTTP/2 for gRPC) with it and stops it.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "adfcc"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)

	stop := make(chan os.Signal, 1)
	started := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run([]string{"-id", "adf:1", "-address", "127.0.0.1:0", "-tls-key", keyFile, "-tls-cert", certFile, "-tls"}, stop, started)
	}()
	var addr string
	select {
	case addr = <-started:
	case err := <-done:
		t.Fatalf("server ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	pool := x509.NewCertPool()
	pool.AddCert(mustParse(t, der))
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("TLS handshake: %v", err)
	}
	if conn.ConnectionState().NegotiatedProtocol != "h2" {
		t.Fatalf("negotiated %q", conn.ConnectionState().NegotiatedProtocol)
	}
	conn.Close()
	stop <- os.Interrupt
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
