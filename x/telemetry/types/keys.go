package types

import (
	"cosmossdk.io/collections"

	identitytypes "github.com/adf-consortium/adf/x/identity/types"
)

const (
	// ModuleName is the name of the telemetry module.
	ModuleName = "telemetry"

	// StoreKey is the KV store key of the telemetry module.
	StoreKey = ModuleName
)

// Store prefixes. Each collection owns one prefix; never reuse a number.
var (
	ParamsKey            = collections.NewPrefix(0)
	DevicesKey           = collections.NewPrefix(1)
	DevicesByOrgKey      = collections.NewPrefix(2)
	StatesKey            = collections.NewPrefix(3)
	ReportsKey           = collections.NewPrefix(4)
	ReportsByDeviceKey   = collections.NewPrefix(5)
	ReportDedupKey       = collections.NewPrefix(6)
	IncidentsKey         = collections.NewPrefix(7)
	IncidentsByDeviceKey = collections.NewPrefix(8)
	ExpiryQueueKey       = collections.NewPrefix(9)
	NextReportIDKey      = collections.NewPrefix(10)
	NextIncidentIDKey    = collections.NewPrefix(11)
)

// Actions of x/identity this module's messages require, for app/actions.go.
// register-device and handle-incident are scoped by the device id
// ("<org_id>/<name>", so a policy pattern "acme/*" covers an organisation's
// devices); report-anomaly is consortium-wide (empty scope): a detector
// may report on any registered device, which is what makes detectors of
// several organisations count as independent signals.
const (
	ActionRegisterDevice = identitytypes.ActionRegisterDevice
	ActionReportAnomaly  = identitytypes.ActionReportAnomaly
	ActionHandleIncident = identitytypes.ActionHandleIncident
)
