// Package identity is the chaincode's identity registry: organisations
// bound to Fabric MSPs, principals, short-lived signing keys and per-action
// policies, with the same rules as x/identity (pkg/principal, pkg/policy).
//
// Who is calling comes from Fabric, not from a key: the peer has already
// checked the proposal's signature against the creator's X.509 certificate
// and MSP. The mapping (docs/fabric.md):
//
//   - MSP id → organisation: an admin of the MSP binds it once to an org id
//     (RegisterOrg); every later call from that MSP acts for that org.
//   - admin: a certificate with the NodeOU "admin" or the attribute
//     adf.admin=true may perform the admin actions of its org.
//   - principal: the attribute adf.principal=<name> makes the caller the
//     principal "<org>/<name>", which an org admin must have registered and
//     which must be active (suspension takes effect on the next transaction,
//     without waiting for a CRL).
//   - roles: the principal's registered roles, narrowed to the attribute
//     adf.roles=<r1,r2,…> when the certificate carries it: the CA and the
//     ledger must both grant a role.
//
// Short-lived keys (Ed25519, ML-DSA-65, composite) are what sign DSSE
// envelopes: they belong to a principal and are valid in a window checked
// at the transaction timestamp.
package identity

import (
	"crypto/x509"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"

	"github.com/adf-consortium/adf/chaincode/internal/ledger"
)

// Certificate attributes read from the caller (Fabric CA puts them in the
// X.509 extension 1.2.3.4.5.6.7.8.1; cid reads them).
const (
	AttrPrincipal = "adf.principal"
	AttrRoles     = "adf.roles"
	AttrAdmin     = "adf.admin"
	// AdminOU is Fabric's NodeOU of admin certificates.
	AdminOU = "admin"
)

// Caller is the Fabric identity of a transaction's creator, as the
// registries see it.
type Caller struct {
	MSPID string `json:"msp_id"`
	// ID is cid's unique id of the certificate within the MSP.
	ID string `json:"id"`
	// OrgID is the organisation bound to MSPID ("" when none is yet).
	OrgID string `json:"org_id,omitempty"`
	// Admin: NodeOU admin or adf.admin=true.
	Admin bool `json:"admin"`
	// PrincipalName is the adf.principal attribute ("" when absent).
	PrincipalName string `json:"principal_name,omitempty"`
	// CertRoles is the adf.roles attribute, sorted; HasCertRoles tells an
	// empty attribute from an absent one.
	CertRoles    []string `json:"cert_roles,omitempty"`
	HasCertRoles bool     `json:"has_cert_roles"`
}

// PrincipalID is "<org>/<name>", or "" if the caller names no principal or
// its MSP is bound to no org.
func (c Caller) PrincipalID() string {
	if c.OrgID == "" || c.PrincipalName == "" {
		return ""
	}
	return c.OrgID + "/" + c.PrincipalName
}

// ResolveCaller reads the creator of the transaction. It builds the client
// identity itself (contractapi ignores cid's error and would hand over a nil
// identity), so a malformed creator is an error response, not a crash.
func ResolveCaller(tx *ledger.Tx, stub shim.ChaincodeStubInterface) (Caller, error) {
	ci, err := cid.New(stub)
	if err != nil {
		return Caller{}, fmt.Errorf("caller identity: %w", err)
	}
	return resolve(tx, ci)
}

func resolve(tx *ledger.Tx, ci cid.ClientIdentity) (Caller, error) {
	var c Caller
	var err error
	if c.MSPID, err = ci.GetMSPID(); err != nil || c.MSPID == "" {
		return Caller{}, fmt.Errorf("caller identity: no MSP id: %v", err)
	}
	if c.ID, err = ci.GetID(); err != nil {
		return Caller{}, fmt.Errorf("caller identity: %w", err)
	}
	cert, err := ci.GetX509Certificate()
	if err != nil {
		return Caller{}, fmt.Errorf("caller identity: %w", err)
	}
	if cert == nil {
		return Caller{}, errors.New("caller identity: only X.509 identities are supported (idemix callers cannot be bound to a principal)")
	}
	if v, ok, err := ci.GetAttributeValue(AttrAdmin); err != nil {
		return Caller{}, fmt.Errorf("caller identity: attribute %s: %w", AttrAdmin, err)
	} else if ok && v == "true" {
		c.Admin = true
	}
	if hasOU(cert, AdminOU) {
		c.Admin = true
	}
	if v, ok, err := ci.GetAttributeValue(AttrPrincipal); err != nil {
		return Caller{}, fmt.Errorf("caller identity: attribute %s: %w", AttrPrincipal, err)
	} else if ok {
		c.PrincipalName = v
	}
	if v, ok, err := ci.GetAttributeValue(AttrRoles); err != nil {
		return Caller{}, fmt.Errorf("caller identity: attribute %s: %w", AttrRoles, err)
	} else if ok {
		c.HasCertRoles = true
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				c.CertRoles = append(c.CertRoles, r)
			}
		}
		sort.Strings(c.CertRoles)
	}
	var b mspBinding
	found, err := tx.Get(&b, keyMSP, c.MSPID)
	if err != nil {
		return Caller{}, err
	}
	if found {
		c.OrgID = b.OrgID
	}
	return c, nil
}

func hasOU(cert *x509.Certificate, ou string) bool {
	for _, v := range cert.Subject.OrganizationalUnit {
		if v == ou {
			return true
		}
	}
	return false
}
