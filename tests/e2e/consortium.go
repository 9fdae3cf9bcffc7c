//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Consortium helpers: proposals, votes and the module's queries, through the
// adfd CLI.

// Proposal status and vote option names as the chain spells them.
const (
	StatusVoting   = "PROPOSAL_STATUS_VOTING"
	StatusPassed   = "PROPOSAL_STATUS_PASSED"
	StatusRejected = "PROPOSAL_STATUS_REJECTED"
	StatusFailed   = "PROPOSAL_STATUS_FAILED"
)

var proposalStatusNames = []string{
	"PROPOSAL_STATUS_UNSPECIFIED", StatusVoting, StatusPassed, StatusRejected, StatusFailed, "PROPOSAL_STATUS_EXPIRED",
}

// jenum is an enum that a JSON encoder may write as its name or its number.
type jenum string

func (e *jenum) UnmarshalJSON(b []byte) error {
	*e = jenum(strings.Trim(string(b), `"`))
	return nil
}

// name resolves a numeric value through names.
func (e jenum) name(names []string) string {
	if i, err := strconv.Atoi(string(e)); err == nil && i >= 0 && i < len(names) {
		return names[i]
	}
	if e == "" && len(names) > 0 {
		return names[0] // proto3 JSON may omit the zero value
	}
	return string(e)
}

// Proposal is the part of a consortium proposal the tests read.
type Proposal struct {
	ID            jint   `json:"id"`
	Status        jenum  `json:"status"`
	YesOrgs       jint   `json:"yes_orgs"`
	NoOrgs        jint   `json:"no_orgs"`
	FailureReason string `json:"failure_reason"`
	ProposerOrg   string `json:"proposer_org"`
}

// StatusName is the status as PROPOSAL_STATUS_*.
func (p Proposal) StatusName() string { return p.Status.name(proposalStatusNames) }

// GetProposal queries one proposal.
func (nw *Network) GetProposal(t *testing.T, n *Node, id uint64) Proposal {
	t.Helper()
	p, err := nw.tryGetProposal(n, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (nw *Network) tryGetProposal(n *Node, id uint64) (Proposal, error) {
	bz, err := nw.TryQuery(n, "consortium", "proposal", strconv.FormatUint(id, 10))
	if err != nil {
		return Proposal{}, err
	}
	var r struct {
		Proposal *Proposal `json:"proposal"`
	}
	if err := json.Unmarshal(bz, &r); err != nil || r.Proposal == nil {
		return Proposal{}, fmt.Errorf("q consortium proposal %d: unexpected output (%v): %s", id, err, tail(string(bz), 10))
	}
	return *r.Proposal, nil
}

// VotedOrgs lists the organisations that voted on a proposal.
func (nw *Network) VotedOrgs(t *testing.T, n *Node, id uint64) map[string]bool {
	t.Helper()
	bz := nw.Query(t, n, "consortium", "votes", strconv.FormatUint(id, 10))
	var r struct {
		Votes []struct {
			OrgID string `json:"org_id"`
		} `json:"votes"`
	}
	if err := json.Unmarshal(bz, &r); err != nil {
		t.Fatalf("q consortium votes %d: %v: %s", id, err, bz)
	}
	out := map[string]bool{}
	for _, v := range r.Votes {
		out[v.OrgID] = true
	}
	return out
}

// submitViaSignEnv, set to 1, makes SubmitProposal build the transaction
// itself and send it with `adfd tx sign` + `adfd tx broadcast` instead of
// `adfd tx consortium submit-proposal`, to test the chain while that
// command is broken.
const submitViaSignEnv = "E2E_SUBMIT_VIA_SIGN"

// SubmitProposal submits a proposal carrying msgs (each a JSON object with
// "@type"), signed by the admin of n's organisation, and returns its id.
//
// It runs `adfd tx consortium submit-proposal`: with a proposal file
// {"messages":[...],"title":"...","summary":"..."} as its argument, or, if
// the command's usage asks for --messages (AutoCLI), with one --messages
// <file.json> per message and --title/--summary.
func (nw *Network) SubmitProposal(t *testing.T, n *Node, title, summary string, msgs ...any) uint64 {
	t.Helper()
	dir := t.TempDir()
	for i, m := range msgs {
		bz, _ := json.MarshalIndent(m, "", "  ")
		t.Logf("%s (%s): proposal %q message %d:\n%s", n.Name, n.Info.OrgID, title, i, bz)
	}
	var res TxResult
	switch {
	case os.Getenv(submitViaSignEnv) == "1":
		t.Logf("%s=1: submitting with tx sign + tx broadcast, not the submit-proposal command", submitViaSignEnv)
		res = nw.BroadcastMsgs(t, n, map[string]any{
			"@type":    "/adf.consortium.v1.MsgSubmitProposal",
			"proposer": n.Info.AdminAddress,
			"messages": msgs,
			"title":    title,
			"summary":  summary,
		})
	case nw.submitUsesMessagesFlag(t):
		args := []string{"consortium", "submit-proposal"}
		for i, m := range msgs {
			path := filepath.Join(dir, fmt.Sprintf("msg%d.json", i))
			writeJSON(t, path, m)
			args = append(args, "--messages", path)
		}
		res = nw.TxHint(t, n, anyResolveHint, append(args, "--title", title, "--summary", summary)...)
	default:
		path := filepath.Join(dir, "proposal.json")
		writeJSON(t, path, map[string]any{"messages": msgs, "title": title, "summary": summary})
		res = nw.Tx(t, n, "consortium", "submit-proposal", path)
	}
	idStr, ok := res.EventAttr("EventProposalSubmitted", "proposal_id")
	if !ok {
		t.Fatalf("tx %s: no EventProposalSubmitted.proposal_id among the tx events: %+v", res.TxHash, res.Events)
	}
	id, err := strconv.ParseUint(idStr, 10, 64)
	if err != nil {
		t.Fatalf("tx %s: proposal_id %q: %v", res.TxHash, idStr, err)
	}
	t.Logf("proposal %d submitted in block %d", id, res.Height)
	return id
}

// anyResolveHint explains the AutoCLI failure to parse a google.protobuf.Any.
func anyResolveHint(err error) string {
	if !strings.Contains(err.Error(), "unable to resolve") {
		return ""
	}
	return "\nHINT: AutoCLI parses --messages with protoregistry.GlobalTypes, which does not know gogoproto " +
		"types, so no adf.consortium.v1 message can go into a proposal. The CLI needs a type resolver " +
		"that falls back to the gogoproto file registry (or a custom submit-proposal command). " +
		"Set " + submitViaSignEnv + "=1 to test the chain with tx sign + tx broadcast meanwhile."
}

// submitUsesMessagesFlag tells whether `submit-proposal` is the AutoCLI form
// (--messages flags) rather than the proposal-file form.
func (nw *Network) submitUsesMessagesFlag(t *testing.T) bool {
	t.Helper()
	nw.submitFormOnce.Do(func() {
		out, _, err := runCLI(nw.Bin, cliTimeout, "tx", "consortium", "submit-proposal", "--help")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "adfd tx consortium submit-proposal") {
				nw.submitMessagesFlag = strings.Contains(line, "--messages")
				t.Logf("submit-proposal usage: %s", strings.TrimSpace(line))
				break
			}
		}
	})
	return nw.submitMessagesFlag
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bz, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Vote casts n's organisation's vote ("yes" or "no") on a proposal.
func (nw *Network) Vote(t *testing.T, n *Node, id uint64, option string) TxResult {
	t.Helper()
	res := nw.Tx(t, n, "consortium", "vote", strconv.FormatUint(id, 10), option)
	t.Logf("%s (%s) voted %s on proposal %d in block %d", n.Name, n.Info.OrgID, option, id, res.Height)
	return res
}

// VoteYesUntil makes organisations that have not voted yet vote YES, in node
// order, until the proposal has `want` YES organisations.
func (nw *Network) VoteYesUntil(t *testing.T, voters []*Node, id uint64, want int64) {
	t.Helper()
	for _, n := range voters {
		p := nw.GetProposal(t, voters[0], id)
		if int64(p.YesOrgs) >= want {
			return
		}
		if nw.VotedOrgs(t, voters[0], id)[n.Info.OrgID] {
			continue
		}
		nw.Vote(t, n, id, "yes")
	}
	if p := nw.GetProposal(t, voters[0], id); int64(p.YesOrgs) != want {
		t.Fatalf("proposal %d has %d YES organisations after voting, want %d", id, p.YesOrgs, want)
	}
}

// WaitProposalStatus waits until the proposal has the given status.
func (nw *Network) WaitProposalStatus(t *testing.T, n *Node, id uint64, status string, timeout time.Duration) Proposal {
	t.Helper()
	var p Proposal
	waitFor(t, timeout, 500*time.Millisecond, fmt.Sprintf("proposal %d to be %s", id, status), func() (bool, string) {
		var err error
		p, err = nw.tryGetProposal(n, id)
		if err != nil {
			return false, firstLine(err.Error())
		}
		state := fmt.Sprintf("%s yes=%d no=%d failure=%q", p.StatusName(), p.YesOrgs, p.NoOrgs, p.FailureReason)
		if got := p.StatusName(); got != status && got != StatusVoting {
			t.Fatalf("proposal %d reached final status %s, want %s", id, state, status)
		}
		return p.StatusName() == status, state
	})
	return p
}

// ConsortiumSnapshot is the module's state as its list queries answer it.
type ConsortiumSnapshot struct {
	Organizations string
	Validators    string
	Proposals     string
}

// Snapshot queries organisations, validators and proposals from n.
func (nw *Network) Snapshot(t *testing.T, n *Node) ConsortiumSnapshot {
	t.Helper()
	get := func(what string) string {
		bz := nw.Query(t, n, "consortium", what)
		s, err := canonicalJSON(bz)
		if err != nil {
			t.Fatalf("q consortium %s: not JSON: %v\n%s", what, err, bz)
		}
		return s
	}
	return ConsortiumSnapshot{Organizations: get("organizations"), Validators: get("validators"), Proposals: get("proposals")}
}

// ConsortiumValidator is one validator of `q consortium validators`.
type ConsortiumValidator struct {
	Name        string          `json:"name"`
	OrgID       string          `json:"org_id"`
	Power       jint            `json:"power"`
	Status      jenum           `json:"status"`
	ConsAddress string          `json:"cons_address"`
	PubKey      json.RawMessage `json:"pub_key"`
}

// ConsortiumValidators queries the module's validators.
func (nw *Network) ConsortiumValidators(t *testing.T, n *Node) []ConsortiumValidator {
	t.Helper()
	bz := nw.Query(t, n, "consortium", "validators")
	var r struct {
		Validators []ConsortiumValidator `json:"validators"`
	}
	if err := json.Unmarshal(bz, &r); err != nil {
		t.Fatalf("q consortium validators: %v\n%s", err, bz)
	}
	return r.Validators
}
