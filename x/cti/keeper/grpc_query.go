package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/adf-consortium/adf/pkg/cti"
	"github.com/adf-consortium/adf/x/cti/types"
	"github.com/adf-consortium/adf/x/internal/grpcerr"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the CTI Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

func internal(err error) error { return status.Error(codes.Internal, err.Error()) }

// Params returns the params and the authority.
func (q queryServer) Params(ctx context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, internal(err)
	}
	return &types.QueryParamsResponse{Params: p, Authority: q.k.GetAuthority()}, nil
}

// Policy returns the gate policy in force and its version.
func (q queryServer) Policy(ctx context.Context, req *types.QueryPolicyRequest) (*types.QueryPolicyResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, internal(err)
	}
	v, err := q.k.policyVersion(ctx)
	if err != nil {
		return nil, internal(err)
	}
	exc, err := q.k.exceptions(ctx)
	if err != nil {
		return nil, internal(err)
	}
	now, err := q.k.now(ctx)
	if err != nil {
		return nil, internal(err)
	}
	return &types.QueryPolicyResponse{Version: v, Params: p, Exceptions: exc, Time: now}, nil
}

// Indicator returns a record and its effective score now.
func (q queryServer) Indicator(ctx context.Context, req *types.QueryIndicatorRequest) (*types.QueryIndicatorResponse, error) {
	if req == nil || req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	rec, err := q.k.Indicators.Get(ctx, req.Id)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "indicator %s not found", req.Id)
	}
	m, err := q.k.newMatcher(ctx)
	if err != nil {
		return nil, internal(err)
	}
	res := &types.QueryIndicatorResponse{Record: rec}
	if rec.Status == types.INDICATOR_STATUS_ACTIVE {
		s, err := m.score(ctx, rec)
		if err != nil {
			return nil, internal(err)
		}
		res.Score = types.ScoreOf(s)
	}
	return res, nil
}

// Indicators lists records by id, or one publisher's.
func (q queryServer) Indicators(ctx context.Context, req *types.QueryIndicatorsRequest) (*types.QueryIndicatorsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if req.Publisher != "" {
		ids, page, err := query.CollectionPaginate(ctx, q.k.ByPublisher, req.Pagination,
			func(k collections.Pair[string, string], _ collections.NoValue) (string, error) { return k.K2(), nil },
			query.WithCollectionPaginationPairPrefix[string, string](req.Publisher))
		if err != nil {
			return nil, internal(err)
		}
		out := make([]types.IndicatorRecord, 0, len(ids))
		for _, id := range ids {
			rec, err := q.k.Indicators.Get(ctx, id)
			if err != nil {
				return nil, internal(err)
			}
			out = append(out, rec)
		}
		return &types.QueryIndicatorsResponse{Records: out, Pagination: page}, nil
	}
	recs, page, err := query.CollectionPaginate(ctx, q.k.Indicators, req.Pagination,
		func(_ string, r types.IndicatorRecord) (types.IndicatorRecord, error) { return r, nil })
	if err != nil {
		return nil, internal(err)
	}
	return &types.QueryIndicatorsResponse{Records: recs, Pagination: page}, nil
}

// History lists every revision of an indicator.
func (q queryServer) History(ctx context.Context, req *types.QueryHistoryRequest) (*types.QueryHistoryResponse, error) {
	if req == nil || req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	var out []types.HistoryEntry
	err := q.k.History.Walk(ctx, collections.NewPrefixedPairRange[string, uint32](req.Id), func(_ collections.Pair[string, uint32], e types.HistoryEntry) (bool, error) {
		out = append(out, e)
		return false, nil
	})
	if err != nil {
		return nil, internal(err)
	}
	if len(out) == 0 {
		return nil, status.Errorf(codes.NotFound, "indicator %s not found", req.Id)
	}
	return &types.QueryHistoryResponse{Entries: out}, nil
}

// Sightings lists the organisations' latest verdicts on an indicator.
func (q queryServer) Sightings(ctx context.Context, req *types.QuerySightingsRequest) (*types.QuerySightingsResponse, error) {
	if req == nil || req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	var out []types.Sighting
	err := q.k.Sightings.Walk(ctx, collections.NewPrefixedPairRange[string, string](req.Id), func(_ collections.Pair[string, string], s types.Sighting) (bool, error) {
		out = append(out, s)
		return false, nil
	})
	if err != nil {
		return nil, internal(err)
	}
	return &types.QuerySightingsResponse{Sightings: out}, nil
}

// Reputation returns an organisation's counters and its reputation factor.
func (q queryServer) Reputation(ctx context.Context, req *types.QueryReputationRequest) (*types.QueryReputationResponse, error) {
	if req == nil || req.OrgId == "" {
		return nil, status.Error(codes.InvalidArgument, "org_id is required")
	}
	rep, err := q.k.getReputation(ctx, req.OrgId)
	if err != nil {
		return nil, internal(err)
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, internal(err)
	}
	return &types.QueryReputationResponse{Reputation: rep, Factor: cti.ReputationFactor(rep.ToDomain(), p.ScoreParams())}, nil
}

func (q queryServer) checkItems(ctx context.Context, n int) error {
	if n == 0 {
		return status.Error(codes.InvalidArgument, "nothing to match")
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return internal(err)
	}
	if n > int(p.MaxQueryItems) {
		return status.Errorf(codes.InvalidArgument, "%d items, at most %d per query (max_query_items)", n, p.MaxQueryItems)
	}
	return nil
}

// MatchPackages answers the gate: per purl, the matching indicators and the
// decision, and the worst decision overall.
func (q queryServer) MatchPackages(ctx context.Context, req *types.QueryMatchPackagesRequest) (*types.QueryMatchPackagesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := q.checkItems(ctx, len(req.Purls)); err != nil {
		return nil, err
	}
	m, err := q.k.newMatcher(ctx)
	if err != nil {
		return nil, internal(err)
	}
	res := &types.QueryMatchPackagesResponse{
		Results: make([]types.PackageResult, 0, len(req.Purls)), PolicyVersion: m.eval.Policy.Version,
		Height: sdk.UnwrapSDKContext(ctx).BlockHeight(), Time: m.eval.Now,
	}
	worst := cti.DecisionPass
	for _, s := range req.Purls {
		r, err := m.matchPackage(ctx, s)
		if err != nil {
			return nil, internal(err)
		}
		if d, err := cti.ParseDecision(r.Decision); err == nil && d > worst {
			worst = d
		}
		res.Results = append(res.Results, r)
	}
	res.Decision = worst.String()
	return res, nil
}

// MatchValues answers for observables of one kind.
func (q queryServer) MatchValues(ctx context.Context, req *types.QueryMatchValuesRequest) (*types.QueryMatchValuesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	kind := cti.Kind(req.Kind)
	if !kind.Valid() || kind == cti.KindPackage {
		return nil, status.Errorf(codes.InvalidArgument, "kind %q: want file-sha256, domain, ip, url or attack-technique (packages: MatchPackages)", req.Kind)
	}
	if err := q.checkItems(ctx, len(req.Values)); err != nil {
		return nil, err
	}
	m, err := q.k.newMatcher(ctx)
	if err != nil {
		return nil, internal(err)
	}
	res := &types.QueryMatchValuesResponse{
		Results: make([]types.ValueResult, 0, len(req.Values)), PolicyVersion: m.eval.Policy.Version,
		Height: sdk.UnwrapSDKContext(ctx).BlockHeight(), Time: m.eval.Now,
	}
	worst := cti.DecisionPass
	for _, v := range req.Values {
		r, err := m.matchValue(ctx, kind, v)
		if err != nil {
			return nil, internal(err)
		}
		if d, err := cti.ParseDecision(r.Decision); err == nil && d > worst {
			worst = d
		}
		res.Results = append(res.Results, r)
	}
	res.Decision = worst.String()
	return res, nil
}
