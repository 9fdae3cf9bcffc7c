package keeper

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/adf-consortium/adf/pkg/telemetry"
	"github.com/adf-consortium/adf/x/internal/grpcerr"
	"github.com/adf-consortium/adf/x/telemetry/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the telemetry Query service.
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

// Device returns one device.
func (q queryServer) Device(ctx context.Context, req *types.QueryDeviceRequest) (*types.QueryDeviceResponse, error) {
	if req == nil || req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	d, err := q.k.Devices.Get(ctx, req.Id)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "device %s not found", req.Id)
	}
	return &types.QueryDeviceResponse{Device: d}, nil
}

// Devices lists devices by id, optionally of one organisation.
func (q queryServer) Devices(ctx context.Context, req *types.QueryDevicesRequest) (*types.QueryDevicesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if req.OrgId != "" {
		ids, page, err := query.CollectionPaginate(ctx, q.k.DevicesByOrg, req.Pagination,
			func(k collections.Pair[string, string], _ collections.NoValue) (string, error) { return k.K2(), nil },
			query.WithCollectionPaginationPairPrefix[string, string](req.OrgId))
		if err != nil {
			return nil, internal(err)
		}
		out := make([]types.Device, 0, len(ids))
		for _, id := range ids {
			d, err := q.k.Devices.Get(ctx, id)
			if err != nil {
				return nil, internal(err)
			}
			out = append(out, d)
		}
		return &types.QueryDevicesResponse{Devices: out, Pagination: page}, nil
	}
	ds, page, err := query.CollectionPaginate(ctx, q.k.Devices, req.Pagination,
		func(_ string, d types.Device) (types.Device, error) { return d, nil })
	if err != nil {
		return nil, internal(err)
	}
	return &types.QueryDevicesResponse{Devices: ds, Pagination: page}, nil
}

// DeviceState returns a device's escalation level and its open incident.
func (q queryServer) DeviceState(ctx context.Context, req *types.QueryDeviceStateRequest) (*types.QueryDeviceStateResponse, error) {
	if req == nil || req.Id == "" {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	if _, err := q.k.Devices.Get(ctx, req.Id); err != nil {
		return nil, grpcerr.NotFoundOr(err, "device %s not found", req.Id)
	}
	st, err := q.k.getState(ctx, req.Id)
	if err != nil {
		return nil, internal(err)
	}
	res := &types.QueryDeviceStateResponse{State: st}
	if st.IncidentId != 0 {
		inc, err := q.k.Incidents.Get(ctx, st.IncidentId)
		if err != nil {
			return nil, internal(err)
		}
		res.Incident = &inc
	}
	return res, nil
}

// Reports lists a device's reports in (block time, id) order.
func (q queryServer) Reports(ctx context.Context, req *types.QueryReportsRequest) (*types.QueryReportsResponse, error) {
	if req == nil || req.DeviceId == "" {
		return nil, status.Error(codes.InvalidArgument, "device_id is required")
	}
	type key = collections.Triple[string, int64, uint64]
	ids, page, err := query.CollectionPaginate(ctx, q.k.ReportsByDevice, req.Pagination,
		func(k key, _ collections.NoValue) (uint64, error) { return k.K3(), nil },
		func(o *query.CollectionsPaginateOptions[key]) {
			p := collections.TriplePrefix[string, int64, uint64](req.DeviceId)
			o.Prefix = &p
		})
	if err != nil {
		return nil, internal(err)
	}
	out := make([]types.AnomalyReport, 0, len(ids))
	for _, id := range ids {
		r, err := q.k.Reports.Get(ctx, id)
		if err != nil {
			return nil, internal(err)
		}
		out = append(out, r)
	}
	return &types.QueryReportsResponse{Reports: out, Pagination: page}, nil
}

// Report returns one report.
func (q queryServer) Report(ctx context.Context, req *types.QueryReportRequest) (*types.QueryReportResponse, error) {
	if req == nil || req.Id == 0 {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	r, err := q.k.Reports.Get(ctx, req.Id)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "report %d not found", req.Id)
	}
	return &types.QueryReportResponse{Report: r}, nil
}

// Incident returns one incident.
func (q queryServer) Incident(ctx context.Context, req *types.QueryIncidentRequest) (*types.QueryIncidentResponse, error) {
	if req == nil || req.Id == 0 {
		return nil, status.Error(codes.InvalidArgument, "id is required")
	}
	inc, err := q.k.Incidents.Get(ctx, req.Id)
	if err != nil {
		return nil, grpcerr.NotFoundOr(err, "incident %d not found", req.Id)
	}
	return &types.QueryIncidentResponse{Incident: inc}, nil
}

// Incidents lists incidents by id, optionally of one device and of one
// status.
func (q queryServer) Incidents(ctx context.Context, req *types.QueryIncidentsRequest) (*types.QueryIncidentsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	var want types.IncidentStatus
	if req.Status != "" {
		s, err := telemetry.ParseStatus(req.Status)
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		want = types.IncidentStatus(s)
	}
	keep := func(inc types.Incident) bool { return want == 0 || inc.Status == want }
	if req.DeviceId != "" {
		incs, page, err := query.CollectionFilteredPaginate(ctx, q.k.IncidentsByDevice, req.Pagination,
			func(k collections.Pair[string, uint64], _ collections.NoValue) (bool, error) {
				if want == 0 {
					return true, nil
				}
				inc, err := q.k.Incidents.Get(ctx, k.K2())
				if err != nil {
					return false, err
				}
				return keep(inc), nil
			},
			func(k collections.Pair[string, uint64], _ collections.NoValue) (types.Incident, error) {
				return q.k.Incidents.Get(ctx, k.K2())
			},
			query.WithCollectionPaginationPairPrefix[string, uint64](req.DeviceId))
		if err != nil {
			return nil, internal(err)
		}
		return &types.QueryIncidentsResponse{Incidents: incs, Pagination: page}, nil
	}
	incs, page, err := query.CollectionFilteredPaginate(ctx, q.k.Incidents, req.Pagination,
		func(_ uint64, inc types.Incident) (bool, error) { return keep(inc), nil },
		func(_ uint64, inc types.Incident) (types.Incident, error) { return inc, nil })
	if err != nil {
		return nil, internal(err)
	}
	return &types.QueryIncidentsResponse{Incidents: incs, Pagination: page}, nil
}
