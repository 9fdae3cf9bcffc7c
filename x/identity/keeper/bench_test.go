package keeper_test

import (
	"fmt"
	"testing"
	"time"

	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/adf-consortium/adf/x/identity/types"
)

// BenchmarkAuthorize measures the check the ante chain runs for every
// signer: 100 policies over 10 actions, 1000 keys of 100 principals.
func BenchmarkAuthorize(b *testing.B) {
	f := newFixture(b)
	actions := []string{
		types.ActionAnchor, types.ActionAnchorDirect, types.ActionPublishIndicator, types.ActionSight,
		types.ActionReportAnomaly, types.ActionRegisterDevice, types.ActionApproveRelease, types.ActionApprove,
		"a8", "a9",
	}
	for i := 0; i < 100; i++ {
		f.setPolicy(fmt.Sprintf("p%03d", i), fmt.Sprintf("r%d", i%10), actions[i%10], fmt.Sprintf("github.com/org%d/*", i/10), 0)
	}
	var keys []string
	for p := 0; p < 100; p++ {
		id := fmt.Sprintf("acme/ci-%d", p)
		f.registerPrincipal("acme", id, fmt.Sprintf("r%d", p%10), "ci")
		for k := 0; k < 10; k++ {
			keys = append(keys, f.registerKey(id, fmt.Sprintf("bench-%d-%d", p, k), 12*time.Hour))
		}
	}
	addrs := make([][]byte, len(keys))
	for i, k := range keys {
		addrs[i] = mustAddr(k)
	}
	// commit, as a chain does between blocks: iterating IAVL's unsaved
	// writes would measure the test store, not Authorize
	cms, ok := f.ctx.MultiStore().(storetypes.CommitMultiStore)
	if !ok {
		b.Fatalf("multistore is %T", f.ctx.MultiStore())
	}
	cms.Commit()
	f.nextBlock(time.Second)
	b.ReportAllocs()
	b.ResetTimer()
	allowed := 0
	for i := 0; i < b.N; i++ {
		d, err := f.k.Authorize(f.ctx, addrs[i%len(addrs)], types.ActionAnchor, "github.com/org5/app")
		if err != nil {
			b.Fatal(err)
		}
		if d.Allowed {
			allowed++
		}
	}
	if b.N >= 1000 && allowed == 0 {
		b.Fatal("nothing allowed: the benchmark does not exercise the allow path")
	}
}
