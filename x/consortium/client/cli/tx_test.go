package cli_test

import (
	"strings"
	"testing"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/std"

	"github.com/adf-consortium/adf/x/consortium/client/cli"
	"github.com/adf-consortium/adf/x/consortium/types"
)

func testCodec() codec.Codec {
	reg := codectypes.NewInterfaceRegistry()
	std.RegisterInterfaces(reg)
	types.RegisterInterfaces(reg)
	return codec.NewProtoCodec(reg)
}

const proposer = "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du"

func TestParseProposalFile(t *testing.T) {
	raw := `{"title":"remove","summary":"old hardware","messages":[
	  {"@type":"/adf.consortium.v1.MsgRemoveValidator","authority":"cosmos1auth","name":"acme-val"},
	  {"@type":"/adf.consortium.v1.MsgSetValidatorPower","authority":"cosmos1auth","name":"globex-val","power":"20"}]}`
	msg, err := cli.ParseProposalFile(testCodec(), []byte(raw), proposer)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Proposer != proposer || msg.Title != "remove" || len(msg.Messages) != 2 {
		t.Fatalf("unexpected message: %+v", msg)
	}
	if msg.Messages[1].TypeUrl != "/adf.consortium.v1.MsgSetValidatorPower" {
		t.Fatalf("message order lost: %s", msg.Messages[1].TypeUrl)
	}
}

func TestParseProposalFileRejects(t *testing.T) {
	cases := map[string]string{
		`{"title":"t","summary":"s","messages":[]}`:                         "messages is empty",
		`{"title":"t","summary":"s","messages":[{"@type":"/no.such.Msg"}]}`: "messages[0]",
		`{"title":"t","summary":"s","extra":1,"messages":[]}`:               "unknown field",
		`{"title":"t","summary":"s","messages":[{"authority":"x"}]}`:        "messages[0]",
		`not json`: "invalid character",
	}
	for in, want := range cases {
		_, err := cli.ParseProposalFile(testCodec(), []byte(in), proposer)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want error containing %q", in, err, want)
		}
	}
}

func FuzzParseProposalFile(f *testing.F) {
	f.Add([]byte(`{"title":"t","summary":"s","messages":[{"@type":"/adf.consortium.v1.MsgRemoveValidator","authority":"a","name":"v"}]}`))
	f.Add([]byte(`{"messages":[{"@type":"/adf.consortium.v1.MsgAddValidator","pub_key":{"@type":"/cosmos.crypto.ed25519.PubKey","key":"AA=="}}]}`))
	cdc := testCodec()
	f.Fuzz(func(t *testing.T, raw []byte) {
		msg, err := cli.ParseProposalFile(cdc, raw, proposer)
		if err != nil {
			return
		}
		if len(msg.Messages) == 0 {
			t.Fatal("accepted a proposal without messages")
		}
	})
}
