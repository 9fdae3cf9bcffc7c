// Package grpcerr maps store errors to gRPC status codes the same way in
// every ADF module's query server.
package grpcerr

import (
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"
)

// NotFoundOr turns collections.ErrNotFound into codes.NotFound with the
// given message and any other error into codes.Internal.
func NotFoundOr(err error, format string, args ...any) error {
	if errors.Is(err, collections.ErrNotFound) {
		return status.Errorf(codes.NotFound, format, args...)
	}
	return status.Error(codes.Internal, err.Error())
}
