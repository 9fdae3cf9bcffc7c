package types

import (
	"github.com/adf-consortium/adf/pkg/telemetry"
)

// DefaultGasPerPurl is charged per dependency matched against x/cti, on
// top of the store reads the match costs.
const DefaultGasPerPurl = 1000

// DefaultParams are pkg/telemetry's defaults.
func DefaultParams() Params {
	return ParamsFromDomain(telemetry.DefaultParams(), DefaultGasPerPurl)
}

// ParamsFromDomain converts pkg/telemetry's params.
func ParamsFromDomain(p telemetry.Params, gasPerPurl uint64) Params {
	return Params{
		ConfirmReports:      p.ConfirmReports,
		ConfirmWindow:       p.ConfirmWindow,
		MaxClockSkew:        p.MaxClockSkew,
		MaxReportAge:        p.MaxReportAge,
		AlertExpiry:         p.AlertExpiry,
		SafeModeClasses:     append([]string(nil), p.SafeModeClasses...),
		SafeModeChannels:    p.SafeModeChannels,
		CtiMinDecision:      p.CTIMinDecision.String(),
		MaxReportsPerBatch:  p.MaxReportsPerBatch,
		MaxDependencies:     p.MaxDependencies,
		MaxChannels:         p.MaxChannels,
		MaxExpiriesPerBlock: p.MaxExpiriesPerBlock,
		GasPerPurl:          gasPerPurl,
	}
}

// ToDomain converts to pkg/telemetry's params.
func (p Params) ToDomain() (telemetry.Params, error) {
	d, err := telemetry.ParseDecision(p.CtiMinDecision)
	if err != nil {
		return telemetry.Params{}, ErrInvalidParams.Wrapf("cti_min_decision: %s", err)
	}
	return telemetry.Params{
		ConfirmReports:      p.ConfirmReports,
		ConfirmWindow:       p.ConfirmWindow,
		MaxClockSkew:        p.MaxClockSkew,
		MaxReportAge:        p.MaxReportAge,
		AlertExpiry:         p.AlertExpiry,
		SafeModeClasses:     p.SafeModeClasses,
		SafeModeChannels:    p.SafeModeChannels,
		CTIMinDecision:      d,
		MaxReportsPerBatch:  p.MaxReportsPerBatch,
		MaxDependencies:     p.MaxDependencies,
		MaxChannels:         p.MaxChannels,
		MaxExpiriesPerBlock: p.MaxExpiriesPerBlock,
	}, nil
}

// Validate checks the params with pkg/telemetry's rules plus the gas price.
func (p Params) Validate() error {
	d, err := p.ToDomain()
	if err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return ErrInvalidParams.Wrap(err.Error())
	}
	if p.GasPerPurl > 1_000_000 {
		return ErrInvalidParams.Wrapf("gas_per_purl: %d is more than 1000000", p.GasPerPurl)
	}
	return nil
}
