package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/adf-consortium/adf/internal/chain"
	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

func TestParseKindAndAttrs(t *testing.T) {
	for in, want := range map[string]identitytypes.PrincipalKind{
		"ci-runner": identitytypes.PRINCIPAL_KIND_CI_RUNNER, "CI_RUNNER": identitytypes.PRINCIPAL_KIND_CI_RUNNER,
		"PRINCIPAL_KIND_DEVICE": identitytypes.PRINCIPAL_KIND_DEVICE, "cti-publisher": identitytypes.PRINCIPAL_KIND_CTI_PUBLISHER,
	} {
		if got, err := parseKind(in); err != nil || got != want {
			t.Errorf("parseKind(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "unspecified", "robot"} {
		if _, err := parseKind(bad); err == nil || !strings.Contains(err.Error(), "ci-runner") {
			t.Errorf("parseKind(%q): %v", bad, err)
		}
	}
	as, err := parseAttrs([]string{"repository=acme/app", "ref=refs/heads/main=x"})
	if err != nil || len(as) != 2 || as[1].Value != "refs/heads/main=x" {
		t.Fatalf("parseAttrs: %v %v", as, err)
	}
	if _, err := parseAttrs([]string{"novalue"}); err == nil {
		t.Error("attr without = accepted")
	}
}

func TestDecodeMsgs(t *testing.T) {
	enc, err := chain.MakeEncoding()
	if err != nil {
		t.Fatal(err)
	}
	one := `{"@type":"/adf.identity.v1.MsgApprove","signer":"adf1x","action":"approve-release","scope":"github.com/acme/app","subject":"sha256:a"}`
	msgs, err := decodeMsgs(enc, []byte(one))
	if err != nil || len(msgs) != 1 {
		t.Fatalf("one: %v %v", msgs, err)
	}
	if m, ok := msgs[0].(*identitytypes.MsgApprove); !ok || m.Scope != "github.com/acme/app" {
		t.Fatalf("decoded %T %+v", msgs[0], msgs[0])
	}
	msgs, err = decodeMsgs(enc, []byte("["+one+","+one+"]"))
	if err != nil || len(msgs) != 2 {
		t.Fatalf("array: %v %v", msgs, err)
	}
	if _, err := decodeMsgs(enc, []byte(`{"@type":"/nope.Msg"}`)); err == nil {
		t.Error("unknown type accepted")
	}
}

func TestKeyNewRefusesBadFlagsBeforeTouchingAnything(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"key", "new", "--name", "../x", "--principal", "acme/ci-1"},
		{"key", "new", "--name", "k", "--principal", "nope"},
		{"key", "new", "--name", "k", "--principal", "acme/ci-1", "--algo", "rsa"},
		{"key", "new", "--name", "k", "--principal", "acme/ci-1", "--ttl", "-1h"},
		{"key", "new", "--name", "k", "--principal", "acme/ci-1"}, // no signer
	} {
		root := newRootCmd()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(append(args, "--keys-dir", dir+"/keys", "--node", "http://127.0.0.1:1", "--chain-id", "c"))
		if err := root.Execute(); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
