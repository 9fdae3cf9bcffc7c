package keeper_test

import (
	"sort"
	"testing"
	"time"

	"cosmossdk.io/collections"

	"github.com/stretchr/testify/require"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/x/cti/types"
)

const (
	actPublish   = types.ActionPublishIndicator
	actRevoke    = types.ActionRevokeIndicator
	actSight     = types.ActionSight
	actException = types.ActionGateException
)

func TestMaliciousPackageBlocksAndRevocationPassesNextBlock(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish, actRevoke)
	mal := malPackage("MAL-2025-1", "npm", "evil-pkg")
	res := f.publish(acme, mal, rangePackage("GHSA-x", "npm", "left-pad", "1.0.0", "1.3.0", 70))
	require.EqualValues(t, 2, res.Published)

	f.nextBlock(time.Second)
	m := f.match("pkg:npm/evil-pkg@1.0.0", "pkg:npm/left-pad@1.2.0", "pkg:npm/left-pad@1.3.0", "pkg:npm/lodash@4.17.21")
	require.Equal(t, "block", m.Decision)
	require.Equal(t, "block", m.Results[0].Decision)
	require.Len(t, m.Results[0].Matches, 1)
	require.Equal(t, mal.Id, m.Results[0].Matches[0].IndicatorId)
	require.Equal(t, "acme", m.Results[0].Matches[0].Publisher)
	require.EqualValues(t, 10000, m.Results[0].Matches[0].Score.Total)
	// Confidence 70, no decay for packages: 70.00 ≥ hold 60.00 → hold.
	require.Equal(t, "hold", m.Results[1].Decision)
	require.Equal(t, "pass", m.Results[2].Decision, "fixed version")
	require.Equal(t, "pass", m.Results[3].Decision)
	require.Empty(t, m.Results[3].Matches)

	_, err := f.msgs.RevokeIndicators(f.ctx, &types.MsgRevokeIndicators{Signer: acme.addr, Ids: []string{mal.Id}, Reason: "withdrawn: false positive"})
	require.NoError(t, err)
	f.nextBlock(time.Second)
	m = f.match("pkg:npm/evil-pkg@1.0.0")
	require.Equal(t, "pass", m.Decision)

	h, err := f.query.History(f.ctx, &types.QueryHistoryRequest{Id: mal.Id})
	require.NoError(t, err)
	require.Len(t, h.Entries, 2)
	require.Equal(t, types.HISTORY_ACTION_PUBLISHED, h.Entries[0].Action)
	require.Equal(t, types.HISTORY_ACTION_REVOKED, h.Entries[1].Action)
	require.Equal(t, int64(2), h.Entries[0].Height)
	require.Equal(t, int64(3), h.Entries[1].Height)
}

func TestReimportUpdatesNeverDuplicates(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish)
	in := rangePackage("GHSA-y", "PyPI", "Requests", "2.0", "2.31.0", 80)
	require.EqualValues(t, 1, f.publish(acme, in).Published)
	f.nextBlock(time.Second)
	res := f.publish(acme, in)
	require.EqualValues(t, 1, res.Unchanged)
	require.Zero(t, res.Published+res.Updated)
	in.Confidence = 90
	f.nextBlock(time.Second)
	require.EqualValues(t, 1, f.publish(acme, in).Updated)

	list, err := f.query.Indicators(f.ctx, &types.QueryIndicatorsRequest{})
	require.NoError(t, err)
	require.Len(t, list.Records, 1)
	require.EqualValues(t, 2, list.Records[0].Revision)
	// PyPI names fold: requests == Requests.
	m := f.match("pkg:pypi/requests@2.30.0")
	require.Equal(t, "block", m.Decision)
}

func TestBatchIsAtomic(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish)
	good := malPackage("MAL-1", "npm", "a")
	bad := malPackage("MAL-2", "npm", "b")
	bad.Confidence = 101
	f.requireRejected("confidence", func() error {
		_, err := f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: acme.addr, Indicators: []types.Indicator{good, bad}})
		return err
	})
	dup := malPackage("MAL-1", "npm", "c")
	f.requireRejected("duplicate source id", func() error {
		_, err := f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: acme.addr, Indicators: []types.Indicator{good, dup}})
		return err
	})
	inverted := valueIndicator("x-1", cti.KindDomain, "evil.example", 50)
	inverted.ValidFrom, inverted.ValidUntil = 2000, 1000
	f.requireRejected("valid_until", func() error {
		_, err := f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: acme.addr, Indicators: []types.Indicator{good, inverted}})
		return err
	})
	wrongID := malPackage("MAL-3", "npm", "d")
	wrongID.Id = cti.IDFor("something else")
	f.requireRejected("is not the id of source", func() error {
		_, err := f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: acme.addr, Indicators: []types.Indicator{wrongID}})
		return err
	})
	f.requireRejected("empty batch", func() error {
		_, err := f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: acme.addr})
		return err
	})
}

func TestSignerAndOwnershipChecked(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish, actRevoke)
	globex := f.addPrincipal("globex", "feed", actPublish, actRevoke)
	reader := f.addPrincipal("initech", "auditor")
	in := malPackage("MAL-9", "Go", "github.com/evil/mod")
	f.requireRejected("may not publish-indicator", func() error {
		_, err := f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: reader.addr, Indicators: []types.Indicator{in}})
		return err
	})
	f.publish(acme, in)
	f.requireRejected("was published by acme", func() error {
		_, err := f.msgs.PublishIndicators(f.ctx, &types.MsgPublishIndicators{Signer: globex.addr, Indicators: []types.Indicator{in}})
		return err
	})
	f.requireRejected("was published by acme", func() error {
		_, err := f.msgs.RevokeIndicators(f.ctx, &types.MsgRevokeIndicators{Signer: globex.addr, Ids: []string{in.Id}, Reason: "no"})
		return err
	})
	// The consortium (authority, from a passed proposal) may revoke anything.
	_, err := f.msgs.RevokeIndicators(f.ctx, &types.MsgRevokeIndicators{Signer: f.authority, Ids: []string{in.Id}, Reason: "consortium vote 7"})
	require.NoError(t, err)
	h, err := f.query.History(f.ctx, &types.QueryHistoryRequest{Id: in.Id})
	require.NoError(t, err)
	require.Equal(t, types.HISTORY_ACTION_REVOKED_BY_CONSORTIUM, h.Entries[len(h.Entries)-1].Action)
	require.Equal(t, f.authority, h.Entries[len(h.Entries)-1].Actor)
}

func TestFalsePositiveSightingsLowerScoreAndDecision(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish)
	globex := f.addPrincipal("globex", "soc", actSight)
	initech := f.addPrincipal("initech", "soc", actSight)
	mal := malPackage("MAL-7", "npm", "benign-fork")
	f.publish(acme, mal)
	f.nextBlock(time.Second)
	require.Equal(t, "block", f.match("pkg:npm/benign-fork@2.0.0").Decision)

	f.requireRejected("cannot sight its own", func() error {
		p := f.addPrincipal("acme", "soc", actSight)
		_, err := f.msgs.SubmitSightings(f.ctx, &types.MsgSubmitSightings{Signer: p.addr, Sightings: []types.SightingInput{{IndicatorId: mal.Id, Verdict: types.SIGHTING_VERDICT_FALSE_POSITIVE}}})
		return err
	})
	var scores []uint32
	var decisions []string
	for _, p := range []*principal{globex, initech} {
		_, err := f.msgs.SubmitSightings(f.ctx, &types.MsgSubmitSightings{Signer: p.addr, Sightings: []types.SightingInput{{IndicatorId: mal.Id, Verdict: types.SIGHTING_VERDICT_FALSE_POSITIVE, Note: "benign"}}})
		require.NoError(t, err)
		f.nextBlock(time.Second)
		r := f.match("pkg:npm/benign-fork@2.0.0").Results[0]
		scores = append(scores, r.Matches[0].Score.Total)
		decisions = append(decisions, r.Decision)
	}
	t.Logf("scores after 1 and 2 false-positive sightings: %v, decisions %v", scores, decisions)
	require.Less(t, scores[0], uint32(10000))
	require.Less(t, scores[1], scores[0])
	require.NotEqual(t, "block", decisions[1], "two orgs' false positives must lift the block")

	rep, err := f.query.Reputation(f.ctx, &types.QueryReputationRequest{OrgId: "acme"})
	require.NoError(t, err)
	require.EqualValues(t, 2, rep.Reputation.FalsePositives)
	require.Less(t, rep.Factor, uint32(10000))

	// Changing a verdict moves the counters, never double-counts.
	_, err = f.msgs.SubmitSightings(f.ctx, &types.MsgSubmitSightings{Signer: globex.addr, Sightings: []types.SightingInput{{IndicatorId: mal.Id, Verdict: types.SIGHTING_VERDICT_TRUE_POSITIVE}}})
	require.NoError(t, err)
	ir, err := f.query.Indicator(f.ctx, &types.QueryIndicatorRequest{Id: mal.Id})
	require.NoError(t, err)
	require.EqualValues(t, 1, ir.Record.TruePositives)
	require.EqualValues(t, 1, ir.Record.FalsePositives)
	s, err := f.query.Sightings(f.ctx, &types.QuerySightingsRequest{Id: mal.Id})
	require.NoError(t, err)
	require.Len(t, s.Sightings, 2)
}

func TestExceptionAllowsHeldPackageUntilExpiry(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish)
	approver := f.addPrincipal("globex", "security-lead", actException)
	f.publish(acme, rangePackage("GHSA-held", "npm", "risky", "0", "9.9.9", 70))
	f.nextBlock(time.Second)
	require.Equal(t, "hold", f.match("pkg:npm/risky@1.0.0").Decision)

	expires := f.ctx.BlockTime().Add(time.Hour).Unix()
	f.requireRejected("without qualifiers", func() error {
		_, err := f.msgs.SetException(f.ctx, &types.MsgSetException{Signer: approver.addr, Id: "EX-1", Target: "pkg:npm/risky@1.0.0?x=1", Reason: "r", Expires: expires})
		return err
	})
	f.requireRejected("max_exception_seconds", func() error {
		_, err := f.msgs.SetException(f.ctx, &types.MsgSetException{Signer: approver.addr, Id: "EX-1", Target: "pkg:npm/risky", Reason: "r", Expires: f.ctx.BlockTime().Add(400 * 24 * time.Hour).Unix()})
		return err
	})
	approver.required, approver.have = 2, 1
	f.requireRejected("approvals", func() error {
		_, err := f.msgs.SetException(f.ctx, &types.MsgSetException{Signer: approver.addr, Id: "EX-1", Target: "pkg:npm/risky", Reason: "reviewed", Expires: expires})
		return err
	})
	approver.have = 2
	before, err := f.query.Policy(f.ctx, &types.QueryPolicyRequest{})
	require.NoError(t, err)
	res, err := f.msgs.SetException(f.ctx, &types.MsgSetException{Signer: approver.addr, Id: "EX-1", Target: "pkg:npm/risky", Reason: "reviewed, vendored", Expires: expires})
	require.NoError(t, err)
	require.Equal(t, before.Version+1, res.PolicyVersion)

	f.nextBlock(time.Second)
	m := f.match("pkg:npm/risky@1.0.0")
	require.Equal(t, "pass", m.Decision)
	require.Equal(t, "EX-1", m.Results[0].Matches[0].ExceptionId)
	require.Equal(t, res.PolicyVersion, m.PolicyVersion)

	f.nextBlock(time.Hour)
	m = f.match("pkg:npm/risky@1.0.0")
	require.Equal(t, "hold", m.Decision, "the exception expired")
}

func TestMatchValuesParentsAndPrefixes(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish)
	f.publish(acme,
		valueIndicator("d-1", cti.KindDomain, "evil.example", 90),
		valueIndicator("ip-1", cti.KindIP, "198.51.100.0/24", 90),
		valueIndicator("h-1", cti.KindFileSHA256, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 100),
	)
	f.nextBlock(time.Second)
	q := func(kind cti.Kind, vals ...string) *types.QueryMatchValuesResponse {
		r, err := f.query.MatchValues(f.ctx, &types.QueryMatchValuesRequest{Kind: string(kind), Values: vals})
		require.NoError(t, err)
		return r
	}
	d := q(cti.KindDomain, "a.b.EVIL.example.", "good.example", "not a domain")
	require.Len(t, d.Results[0].Matches, 1)
	require.Equal(t, "a.b.evil.example", d.Results[0].Value)
	require.Empty(t, d.Results[1].Matches)
	require.NotEmpty(t, d.Results[2].Error)
	ip := q(cti.KindIP, "198.51.100.77", "198.51.101.1")
	require.Len(t, ip.Results[0].Matches, 1)
	require.Empty(t, ip.Results[1].Matches)
	h := q(cti.KindFileSHA256, "sha256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08")
	require.Equal(t, "block", h.Decision)
}

func TestDomainIndicatorDecays(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish)
	f.publish(acme, valueIndicator("d-2", cti.KindDomain, "c2.example", 100))
	var totals []uint32
	for _, d := range []time.Duration{time.Second, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 30 * 24 * time.Hour} {
		f.nextBlock(d)
		r, err := f.query.MatchValues(f.ctx, &types.QueryMatchValuesRequest{Kind: "domain", Values: []string{"c2.example"}})
		require.NoError(t, err)
		var total uint32
		if len(r.Results[0].Matches) > 0 {
			total = r.Results[0].Matches[0].Score.Total
		}
		totals = append(totals, total)
	}
	t.Logf("domain score at ~0, 7, 21, 51 days: %v", totals)
	for i := 1; i < len(totals); i++ {
		require.LessOrEqual(t, totals[i], totals[i-1])
	}
	require.Less(t, totals[2], totals[0])
}

func TestQueryBadInput(t *testing.T) {
	f := newFixture(t)
	r := f.match("not-a-purl", "pkg:npm/no-version", "pkg:deb/debian/curl@7")
	for _, x := range r.Results {
		require.NotEmpty(t, x.Error, x.Purl)
		require.Equal(t, "pass", x.Decision)
	}
	_, err := f.query.MatchPackages(f.ctx, &types.QueryMatchPackagesRequest{})
	require.ErrorContains(t, err, "nothing to match")
	_, err = f.query.MatchValues(f.ctx, &types.QueryMatchValuesRequest{Kind: "package", Values: []string{"x"}})
	require.ErrorContains(t, err, "MatchPackages")
}

func TestGenesisRoundTrip(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish, actRevoke)
	globex := f.addPrincipal("globex", "soc", actSight, actException)
	mal := malPackage("MAL-g", "crates.io", "evil-crate")
	f.publish(acme, mal, valueIndicator("d-g", cti.KindDomain, "evil.example", 60))
	_, err := f.msgs.SubmitSightings(f.ctx, &types.MsgSubmitSightings{Signer: globex.addr, Sightings: []types.SightingInput{{IndicatorId: mal.Id, Verdict: types.SIGHTING_VERDICT_TRUE_POSITIVE}}})
	require.NoError(t, err)
	_, err = f.msgs.SetException(f.ctx, &types.MsgSetException{Signer: globex.addr, Id: "EX-g", Target: "pkg:cargo/evil-crate", Reason: "r", Expires: f.ctx.BlockTime().Add(time.Hour).Unix()})
	require.NoError(t, err)
	gs, err := f.k.ExportGenesis(f.ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())

	g := newFixture(t)
	require.NoError(t, g.k.InitGenesis(g.ctx, gs))
	gs2, err := g.k.ExportGenesis(g.ctx)
	require.NoError(t, err)
	require.Equal(t, gs, gs2)
	g.ctx = g.ctx.WithBlockTime(f.ctx.BlockTime())
	require.NoError(t, g.k.BeginBlocker(g.ctx))
	require.Equal(t, f.match("pkg:cargo/evil-crate@1.0.0").Results, g.match("pkg:cargo/evil-crate@1.0.0").Results)

	bad := *gs
	bad.Sightings = append(bad.Sightings, bad.Sightings[0])
	require.ErrorContains(t, bad.Validate(), "duplicate sighting")
}

func TestExceptionReplacementNeedsOldTargetAndPrunesExpired(t *testing.T) {
	f := newFixture(t)
	wide := f.addPrincipal("globex", "lead", actException)
	narrow := f.addPrincipal("initech", "lead", actException)
	narrow.scopes = map[string]bool{"pkg:npm/left-pad": true}
	exp := f.ctx.BlockTime().Add(time.Hour).Unix()
	set := func(p *principal, id, target string, expires int64) error {
		_, err := f.msgs.SetException(f.ctx, &types.MsgSetException{Signer: p.addr, Id: id, Target: target, Reason: "reviewed", Expires: expires})
		return err
	}
	require.NoError(t, set(wide, "EX-wide", "pkg:pypi/requests", exp))
	f.requireRejected("replacing exception", func() error { return set(narrow, "EX-wide", "pkg:npm/left-pad", exp) })
	require.NoError(t, set(narrow, "EX-narrow", "pkg:npm/left-pad", f.ctx.BlockTime().Add(time.Minute).Unix()))
	f.requireRejected("reason", func() error {
		_, err := f.msgs.SetException(f.ctx, &types.MsgSetException{Signer: wide.addr, Id: "EX-blank", Target: "pkg:npm/x", Reason: "   ", Expires: exp})
		return err
	})

	f.nextBlock(2 * time.Minute)
	require.NoError(t, set(wide, "EX-2", "pkg:npm/other", exp+3600))
	pol, err := f.query.Policy(f.ctx, &types.QueryPolicyRequest{})
	require.NoError(t, err)
	var ids []string
	for _, e := range pol.Exceptions {
		ids = append(ids, e.Id)
	}
	require.Equal(t, []string{"EX-2", "EX-wide"}, ids, "the expired EX-narrow is pruned when an exception is set")
}

func TestIndexEntriesFollowRevocationAndRepublication(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish, actRevoke)
	a, b := malPackage("MAL-i1", "npm", "twin"), malPackage("MAL-i2", "npm", "twin")
	f.publish(acme, a, b)
	entry, err := f.k.Index.Get(f.ctx, cti.PackageKey("npm", "twin"))
	require.NoError(t, err)
	require.Equal(t, sorted(a.Id, b.Id), entry.Ids)

	_, err = f.msgs.RevokeIndicators(f.ctx, &types.MsgRevokeIndicators{Signer: acme.addr, Ids: []string{a.Id, b.Id}, Reason: "withdrawn"})
	require.NoError(t, err)
	_, err = f.k.Index.Get(f.ctx, cti.PackageKey("npm", "twin"))
	require.ErrorIs(t, err, collections.ErrNotFound, "revoked indicators leave the index")
	f.nextBlock(time.Second)
	require.Equal(t, "pass", f.match("pkg:npm/twin@1.0.0").Decision)

	f.publish(acme, a)
	f.nextBlock(time.Second)
	require.Equal(t, "block", f.match("pkg:npm/twin@1.0.0").Decision, "a re-publication files it again")
	rec, err := f.k.Indicators.Get(f.ctx, a.Id)
	require.NoError(t, err)
	require.EqualValues(t, 3, rec.Revision)
}

func sorted(ids ...string) []string {
	out := append([]string(nil), ids...)
	sort.Strings(out)
	return out
}

func TestIndexedVersionsFollowUpdates(t *testing.T) {
	f := newFixture(t)
	acme := f.addPrincipal("acme", "feed", actPublish)
	in := rangePackage("GHSA-upd", "npm", "ranged", "1.0.0", "2.0.0", 90)
	f.publish(acme, in)
	f.nextBlock(time.Second)
	require.Equal(t, "pass", f.match("pkg:npm/ranged@2.5.0").Decision)
	require.Equal(t, "block", f.match("pkg:npm/ranged@1.5.0").Decision)
	// The advisory widens: fixed only in 3.0.0. The index's copy of the
	// versions must follow, or 2.5.0 would be skipped before it is read.
	in.Package.Ranges[0].Events[1].Fixed = "3.0.0"
	f.nextBlock(time.Second)
	require.EqualValues(t, 1, f.publish(acme, in).Updated)
	f.nextBlock(time.Second)
	require.Equal(t, "block", f.match("pkg:npm/ranged@2.5.0").Decision)
	// A version the range cannot compare is read and warned, not skipped.
	r := f.match("pkg:npm/ranged@not.a.version")
	require.Equal(t, "warn", r.Decision)
	require.NotEmpty(t, r.Results[0].Error)
}
