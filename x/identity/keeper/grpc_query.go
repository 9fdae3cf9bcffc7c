package keeper

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/adf-consortium/adf/x/identity/types"

	"github.com/adf-consortium/adf/x/internal/grpcerr"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the identity Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

// Params returns the params and the authority.
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

// Principal returns one principal.
func (q queryServer) Principal(ctx context.Context, req *types.QueryPrincipalRequest) (*types.QueryPrincipalResponse, error) {
	if req == nil || req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	if _, _, err := types.SplitPrincipalID(req.Id); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "id: %s", err)
	}
	p, err := q.k.Principals.Get(ctx, req.Id)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "principal %q not found", req.Id)
	}
	return &types.QueryPrincipalResponse{Principal: p}, nil
}

// Principals lists principals by id, optionally of one organisation.
func (q queryServer) Principals(ctx context.Context, req *types.QueryPrincipalsRequest) (*types.QueryPrincipalsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	var (
		out  []types.Principal
		page *query.PageResponse
		err  error
	)
	if req.OrgId == "" {
		out, page, err = query.CollectionPaginate(ctx, q.k.Principals, req.Pagination,
			func(_ string, p types.Principal) (types.Principal, error) { return p, nil })
	} else {
		if verr := types.ValidateOrgID(req.OrgId); verr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "org_id: %s", verr)
		}
		out, page, err = query.CollectionPaginate(ctx, q.k.PrincipalsByOrg, req.Pagination,
			func(key collections.Pair[string, string], _ collections.NoValue) (types.Principal, error) {
				return q.k.Principals.Get(ctx, key.K2())
			},
			query.WithCollectionPaginationPairPrefix[string, string](req.OrgId))
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryPrincipalsResponse{Principals: out, Pagination: page}, nil
}

// Key returns one key.
func (q queryServer) Key(ctx context.Context, req *types.QueryKeyRequest) (*types.QueryKeyResponse, error) {
	if req == nil || req.Address == "" {
		return nil, status.Error(codes.InvalidArgument, "address is required")
	}
	addr, _, err := types.ParseAddress(q.k.AddressCodec(), req.Address)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "address: %s", err)
	}
	key, err := q.k.Keys.Get(ctx, addr)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "key %s not found", req.Address)
	}
	return &types.QueryKeyResponse{Key: key}, nil
}

// Keys lists keys by address, optionally of one principal.
func (q queryServer) Keys(ctx context.Context, req *types.QueryKeysRequest) (*types.QueryKeysResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	var (
		out  []types.Key
		page *query.PageResponse
		err  error
	)
	if req.PrincipalId == "" {
		out, page, err = query.CollectionPaginate(ctx, q.k.Keys, req.Pagination,
			func(_ sdk.AccAddress, key types.Key) (types.Key, error) { return key, nil })
	} else {
		if _, _, verr := types.SplitPrincipalID(req.PrincipalId); verr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "principal_id: %s", verr)
		}
		out, page, err = query.CollectionPaginate(ctx, q.k.KeysByPrincipal, req.Pagination,
			func(key collections.Pair[string, sdk.AccAddress], _ collections.NoValue) (types.Key, error) {
				return q.k.Keys.Get(ctx, key.K2())
			},
			query.WithCollectionPaginationPairPrefix[string, sdk.AccAddress](req.PrincipalId))
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryKeysResponse{Keys: out, Pagination: page}, nil
}

// Policy returns one policy.
func (q queryServer) Policy(ctx context.Context, req *types.QueryPolicyRequest) (*types.QueryPolicyResponse, error) {
	if req == nil || req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	p, err := q.k.Policies.Get(ctx, req.Id)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "policy %q not found", req.Id)
	}
	return &types.QueryPolicyResponse{Policy: p}, nil
}

// Policies lists policies by id.
func (q queryServer) Policies(ctx context.Context, req *types.QueryPoliciesRequest) (*types.QueryPoliciesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	out, page, err := query.CollectionPaginate(ctx, q.k.Policies, req.Pagination,
		func(_ string, p types.Policy) (types.Policy, error) { return p, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryPoliciesResponse{Policies: out, Pagination: page}, nil
}

// Approvals lists the approvals of (action, scope, subject) by principal id.
func (q queryServer) Approvals(ctx context.Context, req *types.QueryApprovalsRequest) (*types.QueryApprovalsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := types.ValidateApprovalTarget(req.Action, req.Scope, req.Subject); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	var out []types.Approval
	err := q.k.Approvals.Walk(ctx,
		collections.NewSuperPrefixedQuadRange3[string, string, string, string](req.Action, req.Scope, req.Subject),
		func(_ collections.Quad[string, string, string, string], a types.Approval) (bool, error) {
			out = append(out, a)
			return false, nil
		})
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryApprovalsResponse{Approvals: out}, nil
}

// Authorize returns the decision the chain takes now for signer, action,
// scope (and, for approvals, subject).
func (q queryServer) Authorize(ctx context.Context, req *types.QueryAuthorizeRequest) (*types.QueryAuthorizeResponse, error) {
	if req == nil || req.Signer == "" {
		return nil, status.Error(codes.InvalidArgument, "signer is required")
	}
	if req.Action == "" {
		return nil, status.Error(codes.InvalidArgument, "action is required")
	}
	signer, _, err := types.ParseAddress(q.k.AddressCodec(), req.Signer)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "signer: %s", err)
	}
	d, err := q.k.AuthorizeSubject(ctx, signer, req.Action, req.Scope, req.Subject)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryAuthorizeResponse{Decision: d}, nil
}

// KeyValidity answers whether a key was valid at a height and, if given, a
// time.
func (q queryServer) KeyValidity(ctx context.Context, req *types.QueryKeyValidityRequest) (*types.QueryKeyValidityResponse, error) {
	if req == nil || req.Address == "" {
		return nil, status.Error(codes.InvalidArgument, "address is required")
	}
	addr, _, err := types.ParseAddress(q.k.AddressCodec(), req.Address)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "address: %s", err)
	}
	height := req.Height
	if height == 0 {
		height = sdk.UnwrapSDKContext(ctx).BlockHeight()
	}
	if height < 0 {
		return nil, status.Errorf(codes.InvalidArgument, "height: %d must be >= 0", req.Height)
	}
	var at *time.Time
	if req.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, req.Time)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "time: %s (use RFC 3339, e.g. 2026-01-01T00:00:00Z)", err)
		}
		t = t.UTC()
		at = &t
	}
	key, err := q.k.Keys.Get(ctx, addr)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "key %s not found", req.Address)
	}
	valid, reason := KeyValidAt(key, height, at)
	return &types.QueryKeyValidityResponse{Valid: valid, Reason: reason, Key: key}, nil
}

// KeyValidAt tells whether key was valid at height and, if at is not nil,
// at that time: registered_height <= height, not revoked before (height <=
// revoked_height), and not_before <= at < not_after and at < revoked_time.
// It says nothing about the principal's or organisation's status then.
func KeyValidAt(key types.Key, height int64, at *time.Time) (bool, string) {
	if height < key.RegisteredHeight {
		return false, fmt.Sprintf("key %s was registered at height %d, after height %d", key.Address, key.RegisteredHeight, height)
	}
	if key.IsRevoked() && height > key.RevokedHeight {
		return false, fmt.Sprintf("key %s was revoked at height %d, before height %d", key.Address, key.RevokedHeight, height)
	}
	if at == nil {
		return true, fmt.Sprintf("key %s was registered and not revoked at height %d (no time given: validity window not checked)", key.Address, height)
	}
	t := *at
	if t.Before(key.NotBefore) {
		return false, fmt.Sprintf("key %s is not valid before %s; asked about %s", key.Address, fmtTime(key.NotBefore), fmtTime(t))
	}
	if !t.Before(key.NotAfter) {
		return false, fmt.Sprintf("key %s expired at %s; asked about %s", key.Address, fmtTime(key.NotAfter), fmtTime(t))
	}
	if key.IsRevoked() && key.RevokedTime != nil && !t.Before(*key.RevokedTime) {
		return false, fmt.Sprintf("key %s was revoked at %s; asked about %s", key.Address, fmtTime(*key.RevokedTime), fmtTime(t))
	}
	return true, fmt.Sprintf("key %s was valid at height %d and time %s", key.Address, height, fmtTime(t))
}
