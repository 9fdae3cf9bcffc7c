package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/pkg/conformance"
	"github.com/adf-consortium/adf/x/cti/types"
)

// TestConformance runs pkg/conformance's gate table against the keeper:
// publication, a false-positive sighting and MatchPackages. The Fabric
// chaincode's integration test runs the same table.
func TestConformance(t *testing.T) {
	f := newFixture(t)
	pub := f.addPrincipal(conformance.Publisher, "feeds", types.ActionPublishIndicator)
	sighter := f.addPrincipal(conformance.Sighter, "soc", types.ActionSight)
	var ins []types.Indicator
	for _, in := range conformance.Indicators() {
		ins = append(ins, types.IndicatorFromDomain(in))
	}
	_, err := f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: pub.addr, Indicators: ins})
	require.NoError(t, err)
	f.nextBlock(0)

	check := func(cases []conformance.GateCase) {
		t.Helper()
		var purls []string
		for _, c := range cases {
			purls = append(purls, c.Purl)
		}
		res, err := f.query.MatchPackages(f.ctx, &types.QueryMatchPackagesRequest{Purls: purls})
		require.NoError(t, err)
		require.Len(t, res.Results, len(cases))
		for i, c := range cases {
			r := res.Results[i]
			require.Equal(t, c.Purl, r.Purl)
			require.Equal(t, c.Decision, r.Decision, c.Purl)
			require.Equal(t, c.WantError, r.Error != "", "%s: error %q", c.Purl, r.Error)
		}
	}
	check(conformance.GateBefore)
	_, err = f.msgs.SubmitSightings(f.ctx, &types.MsgSubmitSightings{Signer: sighter.addr, Sightings: []types.SightingInput{{
		IndicatorId: conformance.SightedFalse(), Verdict: types.SIGHTING_VERDICT_FALSE_POSITIVE,
	}}})
	require.NoError(t, err)
	f.nextBlock(0)
	check(conformance.GateAfter)

	// Decay: a domain indicator scored at later block times.
	_, err = f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: pub.addr, Indicators: []types.Indicator{
		types.IndicatorFromDomain(conformance.DomainIndicator()),
	}})
	require.NoError(t, err)
	var elapsed time.Duration
	for _, c := range conformance.DecayCases {
		f.nextBlock(c.After - elapsed)
		elapsed = c.After
		res, err := f.query.MatchValues(f.ctx, &types.QueryMatchValuesRequest{Kind: string(c.Kind), Values: []string{c.Value}})
		require.NoError(t, err)
		require.Equal(t, c.Decision, res.Results[0].Decision, "%s after %s", c.Value, c.After)
	}
}
