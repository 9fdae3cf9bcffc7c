// Command adfcc serves ADF's Fabric chaincode as chaincode-as-a-service:
// the peer's external builder (type "ccaas") connects to it, so it runs as
// its own process or container rather than one the peer builds and starts.
//
// Configuration follows Fabric's conventions, with flags overriding the
// environment:
//
//	CHAINCODE_SERVER_ADDRESS  -address   listen address, e.g. 0.0.0.0:9999
//	CHAINCODE_ID              -id        package id from `peer lifecycle chaincode install`
//	CHAINCODE_TLS_DISABLED    -tls=false serve plaintext even with a key (TLS is on when a key is given)
//	CHAINCODE_TLS_KEY         -tls-key   PEM private key of the server
//	CHAINCODE_TLS_CERT        -tls-cert  PEM certificate of the server
//	CHAINCODE_CLIENT_CA_CERT  -client-ca PEM CA of the peers' client certificates (mutual TLS)
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/adf-consortium/adf/chaincode/adfcc"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	if err := run(os.Args[1:], stop, nil); err != nil {
		fmt.Fprintln(os.Stderr, "adfcc:", err)
		os.Exit(1)
	}
}

// run serves until stop receives; started, if not nil, gets the bound
// address once the server listens.
func run(args []string, stop <-chan os.Signal, started chan<- string) error {
	fs := flag.NewFlagSet("adfcc", flag.ContinueOnError)
	address := fs.String("address", os.Getenv("CHAINCODE_SERVER_ADDRESS"), "listen address (CHAINCODE_SERVER_ADDRESS)")
	id := fs.String("id", os.Getenv("CHAINCODE_ID"), "chaincode package id (CHAINCODE_ID)")
	key := fs.String("tls-key", os.Getenv("CHAINCODE_TLS_KEY"), "TLS private key PEM file (CHAINCODE_TLS_KEY)")
	cert := fs.String("tls-cert", os.Getenv("CHAINCODE_TLS_CERT"), "TLS certificate PEM file (CHAINCODE_TLS_CERT)")
	clientCA := fs.String("client-ca", os.Getenv("CHAINCODE_CLIENT_CA_CERT"), "CA PEM file of peer client certificates, for mutual TLS (CHAINCODE_CLIENT_CA_CERT)")
	useTLS := fs.Bool("tls", false, "serve TLS (default: on when a key is configured, unless CHAINCODE_TLS_DISABLED=true)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// TLS is on when a key is configured (flag or environment), unless
	// -tls=false or CHAINCODE_TLS_DISABLED=true says otherwise.
	tlsSet := false
	fs.Visit(func(f *flag.Flag) { tlsSet = tlsSet || f.Name == "tls" })
	if !tlsSet {
		*useTLS = *key != ""
		if v, err := strconv.ParseBool(os.Getenv("CHAINCODE_TLS_DISABLED")); err == nil && v {
			*useTLS = false
		}
	}
	cfg := adfcc.Config{CCID: *id, Address: *address}
	if *useTLS {
		if *key == "" || *cert == "" {
			return fmt.Errorf("TLS needs -tls-key and -tls-cert (CHAINCODE_TLS_KEY, CHAINCODE_TLS_CERT)")
		}
		cfg.TLS = &adfcc.TLSFiles{KeyFile: *key, CertFile: *cert, ClientCAFile: *clientCA}
	}
	cc, err := adfcc.New()
	if err != nil {
		return err
	}
	srv, err := adfcc.Listen(cfg, cc)
	if err != nil {
		return err
	}
	go func() {
		<-stop
		srv.Stop()
	}()
	fmt.Fprintf(os.Stderr, "adfcc: serving chaincode %s on %s (tls %v)\n", cfg.CCID, srv.Addr(), cfg.TLS != nil)
	if started != nil {
		started <- srv.Addr().String()
	}
	return srv.Serve()
}
