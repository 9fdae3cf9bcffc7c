//go:build e2e

// Package e2e runs real adfd binaries: a multi-validator network on
// 127.0.0.1, driven through the adfd CLI and CometBFT's RPC.
//
// Run with `make test-e2e` (or ADFD_BIN=/path/to/adfd go test -tags
// 'pebbledb e2e' ./tests/e2e/...). Without ADFD_BIN every test skips.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	adfdcmd "github.com/adf-consortium/adf/cmd/adfd/cmd"
)

const (
	// cliTimeout bounds one adfd CLI invocation.
	cliTimeout = 60 * time.Second
	// stopTimeout bounds a graceful stop before the node is killed.
	stopTimeout = 30 * time.Second
	// logTailLines is how much of a node log is printed on failure.
	logTailLines = 60
)

// adfdBin returns the adfd binary under test, skipping the test when
// ADFD_BIN is unset.
func adfdBin(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("ADFD_BIN")
	if bin == "" {
		t.Skip("ADFD_BIN is not set: run `make test-e2e`, or build adfd (make build) and set ADFD_BIN=/abs/path/to/build/adfd")
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		t.Fatalf("ADFD_BIN=%q: %v", bin, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		t.Fatalf("ADFD_BIN=%q: %v (run make build)", bin, err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		t.Fatalf("ADFD_BIN=%q is not an executable file", bin)
	}
	return abs
}

// ---------------------------------------------------------------------------
// CLI

// CLIError is a failed adfd invocation with everything needed to debug it.
type CLIError struct {
	Args     []string
	ExitCode int
	Stdout   string
	Stderr   string
	Err      error
}

func (e *CLIError) Error() string {
	return fmt.Sprintf("adfd %s: %v (exit %d)\n--- stderr ---\n%s\n--- stdout ---\n%s",
		strings.Join(quoteArgs(e.Args), " "), e.Err, e.ExitCode, tail(e.Stderr, 40), tail(e.Stdout, 40))
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'{}") {
			out[i] = strconv.Quote(a)
		} else {
			out[i] = a
		}
	}
	return out
}

// runCLI runs `adfd args...` with a timeout and returns stdout and stderr.
// The error, if any, is a *CLIError naming the command and its output.
func runCLI(bin string, timeout time.Duration, args ...string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = cliEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.String(), stderr.String(), nil
	}
	ce := &CLIError{Args: args, ExitCode: -1, Stdout: stdout.String(), Stderr: stderr.String(), Err: err}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ce.ExitCode = ee.ExitCode()
	}
	if ctx.Err() != nil {
		ce.Err = fmt.Errorf("timed out after %s: %w", timeout, err)
	}
	return ce.Stdout, ce.Stderr, ce
}

// cliEnv is the environment for adfd: the caller's, minus variables that
// would make adfd read a developer's configuration.
func cliEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ADFD_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// mustCLI runs adfd and fails the test on error.
func mustCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, _, err := runCLI(bin, cliTimeout, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ---------------------------------------------------------------------------
// Network definition (the input of `adfd network init`)

// The definition and network-info.json formats are adfd's own, so the tests
// cannot drift from what `adfd network init` reads and writes.
type (
	NetworkDef   = adfdcmd.NetworkDef
	Ports        = adfdcmd.Ports
	OrgDef       = adfdcmd.OrgDef
	ValidatorDef = adfdcmd.ValidatorDef
	NetworkInfo  = adfdcmd.NetworkInfo
	NodeInfo     = adfdcmd.NodeInfo
)

// ---------------------------------------------------------------------------
// Node

// Node is one adfd process and its home.
type Node struct {
	Name string // node0, node1, ..., extra
	Info NodeInfo
	Home string
	// RPCPort is the CometBFT RPC port on 127.0.0.1.
	RPCPort int
	// Ports lists every port the node listens on, for the free-port check.
	Ports []int
	// StartArgs are appended to `adfd start --home <home>`.
	StartArgs []string

	bin     string
	logPath string

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	starts  int
}

func newNode(bin, name string, info NodeInfo) (*Node, error) {
	rpcPort, err := portOf(info.RPC)
	if err != nil {
		return nil, fmt.Errorf("%s rpc %q: %w", name, info.RPC, err)
	}
	n := &Node{Name: name, Info: info, Home: info.Home, RPCPort: rpcPort, bin: bin,
		logPath: filepath.Join(info.Home, "adfd.log")}
	for _, a := range []string{info.P2P, info.RPC, info.GRPC, info.API} {
		if p, err := portOf(a); err == nil {
			n.Ports = append(n.Ports, p)
		}
	}
	return n, nil
}

// portOf extracts the port of "tcp://127.0.0.1:26657" or "127.0.0.1:9090".
func portOf(addr string) (int, error) {
	if i := strings.Index(addr, "://"); i >= 0 {
		addr = addr[i+3:]
	}
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(p)
}

// Start launches `adfd start`; output goes to <home>/adfd.log (appended, so
// a restarted node's log keeps its history).
func (n *Node) Start(t *testing.T) {
	t.Helper()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil && !n.exitedLocked() {
		t.Fatalf("%s: already running (pid %d)", n.Name, n.cmd.Process.Pid)
	}
	for _, p := range n.Ports {
		if err := checkPortFree(p); err != nil {
			t.Fatalf("%s: %v (is another adfd or a localnet running?)", n.Name, err)
		}
	}
	logf, err := os.OpenFile(n.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("%s: open log: %v", n.Name, err)
	}
	n.starts++
	fmt.Fprintf(logf, "\n===== e2e: start #%d at %s =====\n", n.starts, time.Now().Format(time.RFC3339Nano))
	args := append([]string{"start", "--home", n.Home, "--log_no_color"}, n.StartArgs...)
	cmd := exec.Command(n.bin, args...)
	cmd.Env = cliEnv()
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("%s: adfd %s: %v", n.Name, strings.Join(args, " "), err)
	}
	done := make(chan struct{})
	n.cmd, n.done, n.waitErr = cmd, done, nil
	go func() {
		err := cmd.Wait()
		logf.Close()
		n.mu.Lock()
		n.waitErr = err
		n.mu.Unlock()
		close(done)
	}()
	t.Logf("%s: started pid %d (rpc 127.0.0.1:%d, log %s)", n.Name, cmd.Process.Pid, n.RPCPort, n.logPath)
}

func (n *Node) exitedLocked() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}

// Running tells whether the process is alive.
func (n *Node) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd != nil && !n.exitedLocked()
}

// exitStatus describes how the process ended ("" while running).
func (n *Node) exitStatus() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return "never started"
	}
	if !n.exitedLocked() {
		return ""
	}
	if n.waitErr == nil {
		return "exited with status 0"
	}
	return n.waitErr.Error()
}

// Stop sends SIGTERM and waits; after stopTimeout it kills the process and
// fails the test, since a node that ignores SIGTERM is a bug.
func (n *Node) Stop(t *testing.T) {
	t.Helper()
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		t.Logf("%s: stopped (SIGTERM): %s", n.Name, n.exitStatus())
	case <-time.After(stopTimeout):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%s: did not stop within %s of SIGTERM; killed\n%s", n.Name, stopTimeout, n.LogTail(logTailLines))
	}
}

// Kill sends SIGKILL and waits for the process to go.
func (n *Node) Kill(t *testing.T) {
	t.Helper()
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	select {
	case <-done:
		t.Logf("%s: killed (SIGKILL)", n.Name)
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: pid %d still alive 10 s after SIGKILL", n.Name, cmd.Process.Pid)
	}
}

// forceKill is the cleanup path: kill without a testing.T.
func (n *Node) forceKill() {
	n.mu.Lock()
	cmd, done := n.cmd, n.done
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-done:
		return
	default:
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
		return
	case <-time.After(5 * time.Second):
	}
	_ = cmd.Process.Kill()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
}

// LogTail returns the last lines of the node's log.
func (n *Node) LogTail(lines int) string {
	bz, err := os.ReadFile(n.logPath)
	if err != nil {
		return fmt.Sprintf("(no log %s: %v)", n.logPath, err)
	}
	return fmt.Sprintf("----- %s: last %d lines of %s -----\n%s", n.Name, lines, n.logPath, tail(string(bz), lines))
}

func tail(s string, lines int) string {
	s = strings.TrimRight(s, "\n")
	parts := strings.Split(s, "\n")
	if len(parts) > lines {
		parts = parts[len(parts)-lines:]
	}
	return strings.Join(parts, "\n")
}

func checkPortFree(port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return fmt.Errorf("port %d is not free: %w", port, err)
	}
	return l.Close()
}

// RPCAddr is the --node flag value for this node.
func (n *Node) RPCAddr() string { return fmt.Sprintf("tcp://127.0.0.1:%d", n.RPCPort) }

// ---------------------------------------------------------------------------
// CometBFT RPC

var httpClient = &http.Client{Timeout: 5 * time.Second}

// rpc GETs a CometBFT RPC path and decodes "result" into out.
func (n *Node) rpc(path string, out any) error {
	url := fmt.Sprintf("http://127.0.0.1:%d/%s", n.RPCPort, path)
	resp, err := httpClient.Get(url)
	if err != nil {
		return fmt.Errorf("%s: GET %s: %w", n.Name, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("%s: GET %s: %w", n.Name, url, err)
	}
	var env struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%s: GET %s: HTTP %d, undecodable body %q: %w", n.Name, url, resp.StatusCode, tail(string(body), 5), err)
	}
	if env.Error != nil {
		return fmt.Errorf("%s: GET %s: RPC error %d %s: %s", n.Name, url, env.Error.Code, env.Error.Message, env.Error.Data)
	}
	if len(env.Result) == 0 {
		return fmt.Errorf("%s: GET %s: HTTP %d, no result in %q", n.Name, url, resp.StatusCode, tail(string(body), 5))
	}
	return json.Unmarshal(env.Result, out)
}

// jint is an int64 that CometBFT encodes as a JSON string.
type jint int64

func (j *jint) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*j = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	*j = jint(v)
	return err
}

// Status is the part of /status the tests use.
type Status struct {
	NodeInfo struct {
		ID      string `json:"id"`
		Network string `json:"network"`
	} `json:"node_info"`
	SyncInfo struct {
		LatestBlockHeight   jint   `json:"latest_block_height"`
		LatestAppHash       string `json:"latest_app_hash"`
		EarliestBlockHeight jint   `json:"earliest_block_height"`
		CatchingUp          bool   `json:"catching_up"`
	} `json:"sync_info"`
	ValidatorInfo struct {
		Address     string `json:"address"`
		VotingPower jint   `json:"voting_power"`
	} `json:"validator_info"`
}

// Status queries /status.
func (n *Node) Status() (Status, error) {
	var s Status
	err := n.rpc("status", &s)
	return s, err
}

// Height is the latest committed height.
func (n *Node) Height() (int64, error) {
	s, err := n.Status()
	return int64(s.SyncInfo.LatestBlockHeight), err
}

// AppHash is header.app_hash of the block at height h.
func (n *Node) AppHash(h int64) (string, error) {
	var r struct {
		Block struct {
			Header struct {
				Height  jint   `json:"height"`
				AppHash string `json:"app_hash"`
			} `json:"header"`
		} `json:"block"`
	}
	if err := n.rpc(fmt.Sprintf("block?height=%d", h), &r); err != nil {
		return "", err
	}
	if int64(r.Block.Header.Height) != h {
		return "", fmt.Errorf("%s: block?height=%d returned height %d", n.Name, h, r.Block.Header.Height)
	}
	return r.Block.Header.AppHash, nil
}

// RPCValidator is one entry of /validators.
type RPCValidator struct {
	Address string `json:"address"`
	PubKey  struct {
		Type  string `json:"type"`
		Value string `json:"value"`
	} `json:"pub_key"`
	VotingPower jint `json:"voting_power"`
}

// Validators is CometBFT's validator set at the latest height.
func (n *Node) Validators() ([]RPCValidator, error) {
	var r struct {
		Validators []RPCValidator `json:"validators"`
		Total      jint           `json:"total"`
	}
	if err := n.rpc("validators?per_page=100", &r); err != nil {
		return nil, err
	}
	if int(r.Total) != len(r.Validators) {
		return nil, fmt.Errorf("%s: /validators returned %d of %d validators", n.Name, len(r.Validators), r.Total)
	}
	return r.Validators, nil
}

// CommitSigners are the validator addresses whose commit signatures
// (block_id_flag COMMIT) are in the commit for height h.
func (n *Node) CommitSigners(h int64) ([]string, error) {
	var r struct {
		SignedHeader struct {
			Commit struct {
				Height     jint `json:"height"`
				Signatures []struct {
					BlockIDFlag      int    `json:"block_id_flag"`
					ValidatorAddress string `json:"validator_address"`
				} `json:"signatures"`
			} `json:"commit"`
		} `json:"signed_header"`
		Canonical bool `json:"canonical"`
	}
	if err := n.rpc(fmt.Sprintf("commit?height=%d", h), &r); err != nil {
		return nil, err
	}
	var out []string
	for _, s := range r.SignedHeader.Commit.Signatures {
		if s.BlockIDFlag == 2 { // BlockIDFlagCommit
			out = append(out, strings.ToUpper(s.ValidatorAddress))
		}
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Waiting

// waitFor polls cond every interval until it returns true or timeout passes;
// then it fails with what, and the last state cond described.
func waitFor(t *testing.T, timeout, interval time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s; last state: %s", timeout, what, last)
		}
		time.Sleep(interval)
	}
}

// WaitHeight waits until the node has committed height h.
func (n *Node) WaitHeight(t *testing.T, h int64, timeout time.Duration) int64 {
	t.Helper()
	var got int64
	waitFor(t, timeout, 300*time.Millisecond, fmt.Sprintf("%s to reach height %d", n.Name, h), func() (bool, string) {
		if st := n.exitStatus(); st != "" {
			t.Fatalf("%s: process is not running (%s) while waiting for height %d\n%s", n.Name, st, h, n.LogTail(logTailLines))
		}
		var err error
		got, err = n.Height()
		if err != nil {
			return false, err.Error()
		}
		return got >= h, fmt.Sprintf("height %d", got)
	})
	return got
}

// ---------------------------------------------------------------------------
// Network

// Network is a set of nodes sharing a chain.
type Network struct {
	Bin       string
	Dir       string
	ChainID   string
	Authority string
	Nodes     []*Node

	submitFormOnce     sync.Once
	submitMessagesFlag bool

	// TxHeights are the heights of the blocks that included the tests'
	// transactions, i.e. where state changed.
	TxHeights []int64
}

// NewNetwork runs `adfd network init` for def in a temporary directory and
// registers a cleanup that kills every node of the network (including nodes
// added later) and, if the test failed, prints the tail of each node's log.
func NewNetwork(t *testing.T, bin string, def NetworkDef) *Network {
	t.Helper()
	dir := t.TempDir()
	defPath := filepath.Join(dir, "network.json")
	bz, err := json.MarshalIndent(def, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(defPath, bz, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "net")
	mustCLI(t, bin, "network", "init", defPath, "--output", out)
	raw, err := os.ReadFile(filepath.Join(out, "network-info.json"))
	if err != nil {
		t.Fatalf("network init wrote no network-info.json: %v", err)
	}
	var info NetworkInfo
	if err := json.Unmarshal(raw, &info); err != nil {
		t.Fatalf("network-info.json: %v\n%s", err, raw)
	}
	if info.ChainID != def.ChainID {
		t.Fatalf("network-info.json chain_id %q, want %q", info.ChainID, def.ChainID)
	}
	if len(info.Nodes) != len(def.Orgs) {
		t.Fatalf("network-info.json lists %d nodes, want %d (one per org)", len(info.Nodes), len(def.Orgs))
	}
	nw := &Network{Bin: bin, Dir: out, ChainID: info.ChainID, Authority: info.Authority}
	t.Cleanup(func() {
		for _, n := range nw.Nodes {
			n.forceKill()
		}
		if t.Failed() {
			for _, n := range nw.Nodes {
				t.Log("\n" + n.LogTail(logTailLines))
			}
		}
	})
	for i, ni := range info.Nodes {
		n, err := newNode(bin, fmt.Sprintf("node%d", i), ni)
		if err != nil {
			t.Fatal(err)
		}
		nw.Nodes = append(nw.Nodes, n)
	}
	return nw
}

// StartAll starts every node that is not running.
func (nw *Network) StartAll(t *testing.T) {
	t.Helper()
	for _, n := range nw.Nodes {
		if !n.Running() {
			n.Start(t)
		}
	}
}

// StopAll stops every node gracefully, in parallel.
func (nw *Network) StopAll(t *testing.T) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, len(nw.Nodes))
	for _, n := range nw.Nodes {
		wg.Add(1)
		go func(n *Node) {
			defer wg.Done()
			n.mu.Lock()
			cmd, done := n.cmd, n.done
			n.mu.Unlock()
			if cmd == nil {
				return
			}
			select {
			case <-done:
				return
			default:
			}
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(stopTimeout):
				_ = cmd.Process.Kill()
				<-done
				errs <- fmt.Sprintf("%s did not stop within %s of SIGTERM; killed\n%s", n.Name, stopTimeout, n.LogTail(logTailLines))
			}
		}(n)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if t.Failed() {
		t.FailNow()
	}
	for _, n := range nw.Nodes {
		t.Logf("%s: stopped: %s", n.Name, n.exitStatus())
	}
}

// Running returns the running nodes.
func (nw *Network) Running() []*Node {
	var out []*Node
	for _, n := range nw.Nodes {
		if n.Running() {
			out = append(out, n)
		}
	}
	return out
}

// Heights returns the latest height of each running node (-1 on error).
func (nw *Network) Heights() map[string]int64 {
	out := map[string]int64{}
	for _, n := range nw.Running() {
		h, err := n.Height()
		if err != nil {
			h = -1
		}
		out[n.Name] = h
	}
	return out
}

// WaitAllHeight waits until every given node has committed height h.
func (nw *Network) WaitAllHeight(t *testing.T, nodes []*Node, h int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for _, n := range nodes {
		left := time.Until(deadline)
		if left < time.Second {
			left = time.Second
		}
		n.WaitHeight(t, h, left)
	}
}

// MaxHeight is the highest height among the given nodes.
func MaxHeight(t *testing.T, nodes []*Node) int64 {
	t.Helper()
	var max int64
	for _, n := range nodes {
		h, err := n.Height()
		if err != nil {
			t.Fatal(err)
		}
		if h > max {
			max = h
		}
	}
	return max
}

// ---------------------------------------------------------------------------
// Queries and transactions through the adfd CLI

// Query runs `adfd q args... -o json --node <node>` and returns stdout.
func (nw *Network) Query(t *testing.T, n *Node, args ...string) []byte {
	t.Helper()
	bz, err := nw.TryQuery(n, args...)
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// TryQuery is Query without failing the test.
func (nw *Network) TryQuery(n *Node, args ...string) ([]byte, error) {
	full := append([]string{"q"}, args...)
	full = append(full, "-o", "json", "--node", n.RPCAddr(), "--home", n.Home)
	out, _, err := runCLI(nw.Bin, cliTimeout, full...)
	return []byte(out), err
}

// TxResult is the part of a TxResponse the tests read.
type TxResult struct {
	Height    jint   `json:"height"`
	TxHash    string `json:"txhash"`
	Codespace string `json:"codespace"`
	Code      int    `json:"code"`
	RawLog    string `json:"raw_log"`
	Events    []struct {
		Type       string `json:"type"`
		Attributes []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"attributes"`
	} `json:"events"`
}

// EventAttr returns the first value of key in an event whose type ends with
// typeSuffix, with the JSON quotes of typed events removed.
func (r TxResult) EventAttr(typeSuffix, key string) (string, bool) {
	for _, e := range r.Events {
		if !strings.HasSuffix(e.Type, typeSuffix) {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				return strings.Trim(a.Value, `"`), true
			}
		}
	}
	return "", false
}

// txFlags are the flags every transaction of org admin n carries.
func (nw *Network) txFlags(n *Node) []string {
	return []string{
		"--from", n.Info.AdminKey, "--home", n.Home, "--keyring-backend", "test",
		"--chain-id", nw.ChainID, "--node", n.RPCAddr(), "--yes", "-o", "json", "--gas", "400000",
	}
}

// Tx runs `adfd tx args...` signed by the admin of n's organisation and
// waits until the transaction is in a block with code 0.
func (nw *Network) Tx(t *testing.T, n *Node, args ...string) TxResult {
	t.Helper()
	return nw.TxHint(t, n, nil, args...)
}

// TxHint is Tx, with hint(err) appended to the failure message of a CLI
// error when hint is not nil.
func (nw *Network) TxHint(t *testing.T, n *Node, hint func(error) string, args ...string) TxResult {
	t.Helper()
	full := append([]string{"tx"}, args...)
	full = append(full, nw.txFlags(n)...)
	out, _, err := runCLI(nw.Bin, cliTimeout, full...)
	if err != nil {
		msg := err.Error()
		if hint != nil {
			msg += hint(err)
		}
		t.Fatal(msg)
	}
	return nw.waitTx(t, n, full, out)
}

// waitTx parses a broadcast result and waits for its inclusion.
func (nw *Network) waitTx(t *testing.T, n *Node, cmdline []string, out string) TxResult {
	t.Helper()
	var res TxResult
	if err := json.Unmarshal([]byte(extractJSON(out)), &res); err != nil {
		t.Fatalf("adfd %s: cannot decode broadcast result: %v\nstdout:\n%s", strings.Join(quoteArgs(cmdline), " "), err, out)
	}
	if res.Code != 0 {
		t.Fatalf("adfd %s: CheckTx rejected the tx: code %d (%s): %s", strings.Join(quoteArgs(cmdline), " "), res.Code, res.Codespace, res.RawLog)
	}
	if res.TxHash == "" {
		t.Fatalf("adfd %s: no txhash in %s", strings.Join(quoteArgs(cmdline), " "), out)
	}
	var got TxResult
	waitFor(t, 30*time.Second, 500*time.Millisecond, "tx "+res.TxHash+" to be included", func() (bool, string) {
		bz, err := nw.TryQuery(n, "tx", res.TxHash)
		if err != nil {
			return false, firstLine(err.Error())
		}
		if err := json.Unmarshal(bz, &got); err != nil {
			return false, fmt.Sprintf("undecodable q tx output: %v: %s", err, tail(string(bz), 3))
		}
		return got.Height > 0, fmt.Sprintf("height %d", got.Height)
	})
	nw.TxHeights = append(nw.TxHeights, int64(got.Height))
	if got.Code != 0 {
		t.Fatalf("tx %s (adfd %s) failed in block %d: code %d (%s): %s", res.TxHash, strings.Join(quoteArgs(cmdline), " "), got.Height, got.Code, got.Codespace, got.RawLog)
	}
	return got
}

// extractJSON returns the JSON document in out; some commands print notes
// (e.g. "gas estimate: N") before the result.
func extractJSON(out string) string {
	s := strings.TrimSpace(out)
	if json.Valid([]byte(s)) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i := range lines {
		if strings.HasPrefix(strings.TrimSpace(lines[i]), "{") {
			if cand := strings.Join(lines[i:], "\n"); json.Valid([]byte(cand)) {
				return cand
			}
		}
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// canonicalJSON re-encodes a JSON document with sorted keys so that two
// answers can be compared byte for byte.
func canonicalJSON(bz []byte) (string, error) {
	var v any
	if err := json.Unmarshal(bz, &v); err != nil {
		return "", err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	return string(out), err
}

// BroadcastMsgs signs msgs (JSON objects with "@type") as one transaction of
// n's org admin with `adfd tx sign` and sends it with `adfd tx broadcast`,
// then waits for inclusion. It needs no module CLI, only the codec.
func (nw *Network) BroadcastMsgs(t *testing.T, n *Node, msgs ...any) TxResult {
	t.Helper()
	unsigned := map[string]any{
		"body": map[string]any{
			"messages": msgs, "memo": "", "timeout_height": "0",
			"extension_options": []any{}, "non_critical_extension_options": []any{},
		},
		"auth_info": map[string]any{
			"signer_infos": []any{},
			"fee":          map[string]any{"amount": []any{}, "gas_limit": "400000", "payer": "", "granter": ""},
		},
		"signatures": []any{},
	}
	bz, err := json.Marshal(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unsignedPath := filepath.Join(dir, "unsigned.json")
	signedPath := filepath.Join(dir, "signed.json")
	if err := os.WriteFile(unsignedPath, bz, 0o644); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, nw.Bin, "tx", "sign", unsignedPath, "--from", n.Info.AdminKey, "--home", n.Home,
		"--keyring-backend", "test", "--chain-id", nw.ChainID, "--node", n.RPCAddr(), "--output-document", signedPath)
	args := []string{"tx", "broadcast", signedPath, "--node", n.RPCAddr(), "--home", n.Home, "-o", "json"}
	out, _, err := runCLI(nw.Bin, cliTimeout, args...)
	if err != nil {
		t.Fatal(err)
	}
	return nw.waitTx(t, n, args, out)
}
