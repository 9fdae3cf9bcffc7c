package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// MatchDevicePackages answers as the MatchPackages query does, inside a
// transaction (x/telemetry's CTI signal).
func TestMatchDevicePackagesAgreesWithQuery(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish)
	f.publish(acme, malPackage("MAL-2025-9", "npm", "evil-pkg"), rangePackage("GHSA-y", "npm", "left-pad", "1.0.0", "1.3.0", 70))
	f.nextBlock(time.Second)
	purls := []string{"pkg:npm/evil-pkg@2.0.0", "pkg:npm/left-pad@1.2.0", "pkg:npm/lodash@4.17.21", "not-a-purl"}
	got, err := f.k.MatchDevicePackages(f.ctx, purls)
	require.NoError(t, err)
	want := f.match(purls...)
	require.Equal(t, want.Results, got)
	require.Equal(t, "block", got[0].Decision)
	require.Equal(t, "hold", got[1].Decision)
	require.Equal(t, "pass", got[2].Decision)
	require.NotEmpty(t, got[3].Error)
	none, err := f.k.MatchDevicePackages(f.ctx, nil)
	require.NoError(t, err)
	require.Empty(t, none)
}
