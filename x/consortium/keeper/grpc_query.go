package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/adf-consortium/adf/x/consortium/types"

	"github.com/adf-consortium/adf/x/internal/grpcerr"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the consortium Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

// Params returns the params.
func (q queryServer) Params(ctx context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p, Authority: q.k.GetAuthority()}, nil
}

// Organization returns one organisation.
func (q queryServer) Organization(ctx context.Context, req *types.QueryOrganizationRequest) (*types.QueryOrganizationResponse, error) {
	if req == nil || req.OrgId == "" {
		return nil, status.Error(codes.InvalidArgument, "org_id is required")
	}
	if err := types.ValidateOrgID(req.OrgId); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "org_id: %s", err)
	}
	org, err := q.k.Organizations.Get(ctx, req.OrgId)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "organization %q not found", req.OrgId)
	}
	return &types.QueryOrganizationResponse{Organization: org}, nil
}

// Organizations lists organisations by id.
func (q queryServer) Organizations(ctx context.Context, req *types.QueryOrganizationsRequest) (*types.QueryOrganizationsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	orgs, page, err := query.CollectionPaginate(ctx, q.k.Organizations, req.Pagination,
		func(_ string, org types.Organization) (types.Organization, error) { return org, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryOrganizationsResponse{Organizations: orgs, Pagination: page}, nil
}

// Proposal returns one proposal.
func (q queryServer) Proposal(ctx context.Context, req *types.QueryProposalRequest) (*types.QueryProposalResponse, error) {
	if req == nil || req.ProposalId == 0 {
		return nil, status.Error(codes.InvalidArgument, "proposal_id must be > 0")
	}
	p, err := q.k.Proposals.Get(ctx, req.ProposalId)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "proposal %d not found", req.ProposalId)
	}
	return &types.QueryProposalResponse{Proposal: p}, nil
}

// Proposals lists proposals by id, optionally filtered by status.
func (q queryServer) Proposals(ctx context.Context, req *types.QueryProposalsRequest) (*types.QueryProposalsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, ok := types.ProposalStatus_name[int32(req.Status)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown status %d", req.Status)
	}
	props, page, err := query.CollectionFilteredPaginate(ctx, q.k.Proposals, req.Pagination,
		func(_ uint64, p types.Proposal) (bool, error) {
			return req.Status == types.PROPOSAL_STATUS_UNSPECIFIED || p.Status == req.Status, nil
		},
		func(_ uint64, p types.Proposal) (types.Proposal, error) { return p, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryProposalsResponse{Proposals: props, Pagination: page}, nil
}

// Votes lists the votes on a proposal, by organisation id.
func (q queryServer) Votes(ctx context.Context, req *types.QueryVotesRequest) (*types.QueryVotesResponse, error) {
	if req == nil || req.ProposalId == 0 {
		return nil, status.Error(codes.InvalidArgument, "proposal_id must be > 0")
	}
	if has, err := q.k.Proposals.Has(ctx, req.ProposalId); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	} else if !has {
		return nil, status.Errorf(codes.NotFound, "proposal %d not found", req.ProposalId)
	}
	var votes []types.Vote
	err := q.k.Votes.Walk(ctx, collections.NewPrefixedPairRange[uint64, string](req.ProposalId),
		func(_ collections.Pair[uint64, string], v types.Vote) (bool, error) {
			votes = append(votes, v)
			return false, nil
		})
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryVotesResponse{Votes: votes}, nil
}

// Validator returns one validator.
func (q queryServer) Validator(ctx context.Context, req *types.QueryValidatorRequest) (*types.QueryValidatorResponse, error) {
	if req == nil || req.Name == "" {
		return nil, status.Error(codes.InvalidArgument, "name is required")
	}
	v, err := q.k.Validators.Get(ctx, req.Name)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "validator %q not found", req.Name)
	}
	return &types.QueryValidatorResponse{Validator: v}, nil
}

// Validators lists validators by name with the total power CometBFT sees.
func (q queryServer) Validators(ctx context.Context, req *types.QueryValidatorsRequest) (*types.QueryValidatorsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	vals, page, err := query.CollectionPaginate(ctx, q.k.Validators, req.Pagination,
		func(_ string, v types.Validator) (types.Validator, error) { return v, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	var total int64
	if err := q.k.Validators.Walk(ctx, nil, func(_ string, v types.Validator) (bool, error) {
		total += v.EffectivePower()
		return false, nil
	}); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryValidatorsResponse{Validators: vals, Pagination: page, TotalPower: total}, nil
}

// Member tells whether an address administers an active organisation.
func (q queryServer) Member(ctx context.Context, req *types.QueryMemberRequest) (*types.QueryMemberResponse, error) {
	if req == nil || req.Address == "" {
		return nil, status.Error(codes.InvalidArgument, "address is required")
	}
	addr, _, err := types.ParseAddress(q.k.AddressCodec(), req.Address)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "address: %s", err)
	}
	orgID, ok, err := q.k.IsActiveMember(ctx, addr)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryMemberResponse{Member: ok, OrgId: orgID}, nil
}
