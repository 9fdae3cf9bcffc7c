package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/adf-consortium/adf/pkg/anchor"
	"github.com/adf-consortium/adf/x/attestation/types"

	"github.com/adf-consortium/adf/x/internal/grpcerr"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the attestation Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

func parseDigestArg(name, s string) ([]byte, error) {
	if s == "" {
		return nil, status.Errorf(codes.InvalidArgument, "%s is required", name)
	}
	d, err := types.ParseDigest(s)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "%s: %s", name, err)
	}
	return d, nil
}

func checkLogIDArg(id string) error {
	if err := types.ValidateLogID(id); err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	return nil
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

// RiskClass tells whether a risk class must be anchored directly.
func (q queryServer) RiskClass(ctx context.Context, req *types.QueryRiskClassRequest) (*types.QueryRiskClassResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := types.ValidateRiskClass(req.RiskClass); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryRiskClassResponse{Direct: p.IsDirectRiskClass(req.RiskClass), DirectRiskClasses: p.DirectRiskClasses}, nil
}

// Log returns one log.
func (q queryServer) Log(ctx context.Context, req *types.QueryLogRequest) (*types.QueryLogResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := checkLogIDArg(req.LogId); err != nil {
		return nil, err
	}
	l, err := q.k.Logs.Get(ctx, req.LogId)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "log %q not found", req.LogId)
	}
	return &types.QueryLogResponse{Log: l}, nil
}

// Root returns the root anchored for (log_id, tree_size).
func (q queryServer) Root(ctx context.Context, req *types.QueryRootRequest) (*types.QueryRootResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := checkLogIDArg(req.LogId); err != nil {
		return nil, err
	}
	if req.TreeSize == 0 {
		return nil, status.Error(codes.InvalidArgument, "tree_size must be >= 1")
	}
	r, err := q.k.Roots.Get(ctx, collections.Join(req.LogId, req.TreeSize))
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "no root of log %q anchored at tree_size %d", req.LogId, req.TreeSize)
	}
	return &types.QueryRootResponse{Root: r}, nil
}

// LatestRoot returns a log's latest anchored root.
func (q queryServer) LatestRoot(ctx context.Context, req *types.QueryLatestRootRequest) (*types.QueryLatestRootResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if err := checkLogIDArg(req.LogId); err != nil {
		return nil, err
	}
	l, err := q.k.Logs.Get(ctx, req.LogId)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "log %q not found", req.LogId)
	}
	r, err := q.k.Roots.Get(ctx, collections.Join(l.LogId, l.TreeSize))
	if err != nil {
		return nil, status.Errorf(codes.Internal, "log %q: latest root at tree_size %d: %s", l.LogId, l.TreeSize, err)
	}
	return &types.QueryLatestRootResponse{Root: r}, nil
}

// Attestation returns one attestation by envelope digest.
func (q queryServer) Attestation(ctx context.Context, req *types.QueryAttestationRequest) (*types.QueryAttestationResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	d, err := parseDigestArg("digest", req.Digest)
	if err != nil {
		return nil, err
	}
	a, err := q.k.Attestations.Get(ctx, d)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "attestation %s not found", types.FormatDigest(d))
	}
	return &types.QueryAttestationResponse{Attestation: a}, nil
}

// AttestationsBySubject lists the attestations with a subject, by envelope
// digest.
func (q queryServer) AttestationsBySubject(ctx context.Context, req *types.QueryAttestationsBySubjectRequest) (*types.QueryAttestationsBySubjectResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	subject, err := parseDigestArg("subject", req.Subject)
	if err != nil {
		return nil, err
	}
	out, page, err := query.CollectionPaginate(ctx, q.k.SubjectIndex, req.Pagination,
		func(key collections.Pair[[]byte, []byte], _ collections.NoValue) (types.Attestation, error) {
			return q.k.Attestations.Get(ctx, key.K2())
		},
		query.WithCollectionPaginationPairPrefix[[]byte, []byte](subject))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAttestationsBySubjectResponse{Attestations: out, Pagination: page}, nil
}

// Provenance walks back from a subject; see Keeper.Provenance.
func (q queryServer) Provenance(ctx context.Context, req *types.QueryProvenanceRequest) (*types.QueryProvenanceResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	subject, err := parseDigestArg("subject", req.Subject)
	if err != nil {
		return nil, err
	}
	steps, truncated, err := q.k.Provenance(ctx, subject)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if len(steps) == 0 {
		return nil, status.Errorf(codes.NotFound, "no attestation has subject %s", types.FormatDigest(subject))
	}
	return &types.QueryProvenanceResponse{Steps: steps, Truncated: truncated}, nil
}

// Bounds of the Provenance walk that are not params (pkg/anchor's).
const (
	// MaxProvenanceScan bounds the subject-index entries read per digest.
	MaxProvenanceScan = anchor.MaxProvenanceScan
	// MaxProvenanceSteps bounds the steps returned.
	MaxProvenanceSteps = anchor.MaxProvenanceSteps
)

// Provenance walks back from subject with pkg/anchor's walk (which the
// Fabric chaincode runs too): the attestations with that subject (depth 0),
// then through their provenance links to the earlier attestations whose
// subject is the linked material, up to max_provenance_depth levels and
// max_provenance_fan_out attestations per digest, oldest first; truncated
// tells whether a bound cut the walk short.
func (k Keeper) Provenance(ctx context.Context, subject []byte) ([]types.ProvenanceStep, bool, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, false, err
	}
	walked, truncated, err := anchor.Provenance[types.Attestation](provenanceSource{ctx: ctx, k: k}, subject,
		params.MaxProvenanceDepth, int(params.MaxProvenanceFanOut))
	if err != nil {
		return nil, false, err
	}
	steps := make([]types.ProvenanceStep, len(walked))
	for i, w := range walked {
		steps[i] = stepOf(w.Value, w.Depth)
		steps[i].LinkedMaterials = w.LinkedMaterials
	}
	return steps, truncated, nil
}

// provenanceSource is the keeper's subject index and links for the walk.
type provenanceSource struct {
	ctx context.Context
	k   Keeper
}

func (s provenanceSource) WithSubject(d []byte, limit int) ([]anchor.Node[types.Attestation], bool, error) {
	it, err := s.k.SubjectIndex.Iterate(s.ctx, collections.NewPrefixedPairRange[[]byte, []byte](d))
	if err != nil {
		return nil, false, err
	}
	defer it.Close()
	var out []anchor.Node[types.Attestation]
	for ; it.Valid(); it.Next() {
		if len(out) == limit {
			return out, true, nil
		}
		key, err := it.Key()
		if err != nil {
			return nil, false, err
		}
		a, err := s.k.Attestations.Get(s.ctx, key.K2())
		if err != nil {
			return nil, false, err
		}
		out = append(out, anchor.Node[types.Attestation]{Digest: a.EnvelopeDigest, Sequence: a.Sequence, Materials: a.MaterialDigests, Value: a})
	}
	return out, false, nil
}

func (s provenanceSource) Linked(material, digest []byte) (bool, error) {
	return s.k.ProvenanceLinks.Has(s.ctx, collections.Join(material, digest))
}

func stepOf(a types.Attestation, depth uint32) types.ProvenanceStep {
	return types.ProvenanceStep{
		EnvelopeDigest: a.EnvelopeDigest,
		Sequence:       a.Sequence,
		PredicateType:  a.PredicateType,
		Signer:         a.Signer,
		PrincipalId:    a.PrincipalId,
		OrgId:          a.OrgId,
		RiskClass:      a.RiskClass,
		Height:         a.Height,
		Time:           a.Time,
		SubjectDigests: a.SubjectDigests,
		Depth:          depth,
	}
}
