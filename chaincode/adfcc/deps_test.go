package adfcc_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestNoCosmosDependencies: the chaincode (and its tests) must build
// without the Cosmos SDK or CometBFT; the rules it shares with the x/
// modules live in pkg/, which imports neither.
func TestNoCosmosDependencies(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Skip("no go tool to list dependencies with")
		}
	}
	cmd := exec.Command(goTool, "list", "-deps", "-test", "github.com/adf-consortium/adf/chaincode/...")
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list: %v\n%s", err, msg)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 50 {
		t.Fatalf("go list listed only %d packages: %q", len(pkgs), pkgs)
	}
	var bad []string
	for _, p := range pkgs {
		if strings.HasPrefix(p, "github.com/cosmos/cosmos-sdk") || strings.HasPrefix(p, "cosmossdk.io/") ||
			strings.HasPrefix(p, "github.com/cometbft/") || strings.HasPrefix(p, "github.com/adf-consortium/adf/x/") ||
			strings.HasPrefix(p, "github.com/adf-consortium/adf/app") {
			bad = append(bad, p)
		}
	}
	if len(bad) > 0 {
		t.Fatalf("the chaincode depends on %d chain packages: %q", len(bad), bad)
	}
}
