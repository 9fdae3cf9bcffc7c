// Package fabtest is test support for the chaincode: Fabric MSP
// identities with real X.509 certificates (attributes in Fabric CA's
// extension, NodeOUs in the subject), serialized as a peer would put them
// in a proposal, and an in-memory ChaincodeStubInterface for unit tests.
package fabtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/attrmgr"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"
)

// MSP is a test membership service provider: a CA that issues member
// certificates.
type MSP struct {
	ID     string
	caKey  *ecdsa.PrivateKey
	caCert *x509.Certificate
	serial int64
}

// NewMSP creates an MSP with a fresh CA.
func NewMSP(id string) *MSP {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca." + id, Organization: []string{id}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return &MSP{ID: id, caKey: key, caCert: cert, serial: 1}
}

// Identity is a member of an MSP: what a client signs proposals with.
type Identity struct {
	MSPID   string
	CertPEM []byte
	Key     *ecdsa.PrivateKey
}

// Serialized is the creator bytes of a proposal: msp.SerializedIdentity.
func (id Identity) Serialized() []byte {
	b, err := proto.Marshal(&msp.SerializedIdentity{Mspid: id.MSPID, IdBytes: id.CertPEM})
	if err != nil {
		panic(err)
	}
	return b
}

// Sign signs msg as a Fabric client does (ECDSA over SHA-256).
func (id Identity) Sign(msg []byte) []byte {
	sum := sha256.Sum256(msg)
	sig, err := ecdsa.SignASN1(rand.Reader, id.Key, sum[:])
	if err != nil {
		panic(err)
	}
	return sig
}

// Issue issues a certificate for cn with NodeOUs ous (e.g. "client",
// "admin") and Fabric CA attributes attrs.
func (m *MSP) Issue(cn string, ous []string, attrs map[string]string) Identity {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	m.serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(m.serial), Subject: pkix.Name{CommonName: cn, OrganizationalUnit: ous, Organization: []string{m.ID}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	if len(attrs) > 0 {
		buf, err := json.Marshal(attrmgr.Attributes{Attrs: attrs})
		if err != nil {
			panic(err)
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: attrmgr.AttrOID, Value: buf})
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, m.caCert, &key.PublicKey, m.caKey)
	if err != nil {
		panic(err)
	}
	return Identity{MSPID: m.ID, CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), Key: key}
}

// Admin issues an admin certificate (NodeOU admin).
func (m *MSP) Admin(cn string) Identity { return m.Issue(cn, []string{"admin"}, nil) }

// Member issues a client certificate naming principal name with roles
// (nil roles: no adf.roles attribute).
func (m *MSP) Member(cn, principalName string, roles *string) Identity {
	attrs := map[string]string{"adf.principal": principalName}
	if roles != nil {
		attrs["adf.roles"] = *roles
	}
	return m.Issue(cn, []string{"client"}, attrs)
}
