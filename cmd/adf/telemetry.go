package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/adf-consortium/adf/internal/chain"
	"github.com/adf-consortium/adf/pkg/manifest"
	"github.com/adf-consortium/adf/pkg/telemetry"
	telemetrytypes "github.com/adf-consortium/adf/x/telemetry/types"
)

func telemetryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "telemetry",
		Short: "CPS telemetry: register devices, report anomalies by hand, acknowledge and resolve incidents",
		Long: `Devices, anomaly reports and incidents of x/telemetry. Streaming detection and batched
reports are adf sentinel serve's; queries are adfd q telemetry … (or REST under /adf/telemetry/v1/).`,
	}
	device := &cobra.Command{Use: "device", Short: "Register and update devices"}
	device.AddCommand(telemetryDeviceRegisterCmd())
	incident := &cobra.Command{Use: "incident", Short: "Acknowledge and resolve incidents"}
	incident.AddCommand(telemetryIncidentCmd("ack"), telemetryIncidentCmd("resolve"))
	cmd.AddCommand(device, telemetryReportCmd(), incident)
	return cmd
}

// sbomPurls parses an SBOM (or any manifest pkg/manifest reads) into its
// sorted, unique purls with versions.
func sbomPurls(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--sbom %s: %w", path, err)
	}
	m, err := manifest.Parse(path, raw)
	if err != nil {
		return nil, fmt.Errorf("--sbom: %w", err)
	}
	var out []string
	for _, p := range m.Packages {
		out = append(out, p.PURL)
	}
	return telemetry.NormalizeList(out), nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func telemetryDeviceRegisterCmd() *cobra.Command {
	var (
		nf                                 netFlags
		sf                                 signFlags
		keysDir                            string
		id, class, artifact, fw, chs, sbom string
		purls                              []string
	)
	cmd := &cobra.Command{
		Use:   "register --id ORG/NAME --class CLASS --artifact sha256:… --firmware VER --channels a,b [--sbom FILE] (--key NAME | --from ADMIN --home DIR)",
		Short: "Register or update a device of your organisation with the artifact it runs and its dependencies",
		Long: `The deployed artifact's digest links the device to x/attestation: anchor the artifact's
attestation directly (adf attest --direct) or every report on the device confirms at once
(missing provenance). --sbom parses a CycloneDX or SPDX SBOM (or a lockfile) into purls,
matched against x/cti when a report arrives. The signer needs register-device on the id.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" || class == "" || artifact == "" || fw == "" || chs == "" {
				return errors.New("--id, --class, --artifact, --firmware and --channels are required")
			}
			all := append([]string(nil), purls...)
			if sbom != "" {
				ps, err := sbomPurls(sbom)
				if err != nil {
					return err
				}
				all = append(all, ps...)
			}
			dev := telemetry.Device{ID: id, Class: class, ArtifactDigest: artifact, Firmware: fw,
				Channels: telemetry.NormalizeList(splitList(chs)), Purls: telemetry.NormalizeList(all)}
			if len(dev.Purls) == 0 {
				dev.Purls = nil
			}
			// The chain's params may be wider; check against the hard limits here.
			p := telemetry.DefaultParams()
			p.MaxDependencies, p.MaxChannels = telemetry.MaxDependencyLimit, telemetry.MaxChannelLimit
			if err := telemetry.ValidateDevice(dev, p); err != nil {
				return err
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, desc, err := sf.signer(enc, openStore(keysDir), "key", nil)
			if err != nil {
				return err
			}
			msg := &telemetrytypes.MsgRegisterDevice{Signer: signer.Address().String(), Id: dev.ID, Class: dev.Class,
				ArtifactDigest: dev.ArtifactDigest, Firmware: dev.Firmware, Channels: dev.Channels, Purls: dev.Purls}
			return sendAndReport(cmd, &nf, &sf, enc, signer, desc, fmt.Sprintf("device %s (%d dependencies)", dev.ID, len(dev.Purls)), msg)
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "device id <org>/<name>")
	cmd.Flags().StringVar(&class, "class", "", "device class, e.g. plc, pump, rtu (lower case)")
	cmd.Flags().StringVar(&artifact, "artifact", "", "deployed artifact digest sha256:<64 hex>")
	cmd.Flags().StringVar(&fw, "firmware", "", "firmware version")
	cmd.Flags().StringVar(&chs, "channels", "", "telemetry channels, comma-separated")
	cmd.Flags().StringVar(&sbom, "sbom", "", "SBOM (CycloneDX/SPDX JSON) or lockfile of the artifact: its purls are the device's dependencies")
	cmd.Flags().StringSliceVar(&purls, "purl", nil, "a dependency purl with version (repeatable), besides --sbom")
	nf.register(cmd)
	sf.register(cmd, "key", "sign with this key of the adf key store")
	keysDirFlag(cmd, &keysDir)
	return cmd
}

func telemetryReportCmd() *cobra.Command {
	var (
		nf                     netFlags
		sf                     signFlags
		keysDir                string
		device, chs, method    string
		model, evidence        string
		start, end, score, thr int64
		startSet, endSet       string
	)
	cmd := &cobra.Command{
		Use:   "report --device ORG/NAME --channels a,b --start UNIX --end UNIX --score N --threshold N --method M --model sha256:… --evidence sha256:… --key NAME",
		Short: "Submit one anomaly report by hand (a detector principal's key; the sentinel batches its own)",
		Long: `Scores and thresholds are integers (millionths by convention); the score must reach the
threshold. --start/--end are unix seconds or RFC 3339; the end may not be later than the
block time plus max_clock_skew. The signer's principal must be of kind detector and hold
report-anomaly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if start, err = parseTime(startSet); err != nil {
				return fmt.Errorf("--start: %w", err)
			}
			if end, err = parseTime(endSet); err != nil {
				return fmt.Errorf("--end: %w", err)
			}
			in := telemetrytypes.ReportInput{DeviceId: device, WindowStart: start, WindowEnd: end,
				Channels: telemetry.NormalizeList(splitList(chs)), Score: score, Threshold: thr, Method: method,
				ModelDigest: model, EvidenceDigest: evidence}
			p := telemetry.DefaultParams()
			p.MaxChannels = telemetry.MaxChannelLimit
			if err := telemetry.ValidateReportShape(in.ToDomain(), p); err != nil {
				return err
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, desc, err := sf.signer(enc, openStore(keysDir), "key", nil)
			if err != nil {
				return err
			}
			msg := &telemetrytypes.MsgSubmitReports{Signer: signer.Address().String(), Reports: []telemetrytypes.ReportInput{in}}
			if !cmd.Flags().Changed("gas") {
				// The first reports on a device match its dependencies
				// against x/cti: gas grows with their number.
				if err := cmd.Flags().Set("gas", strconv.FormatUint(reportGas(cmd, &nf, device), 10)); err != nil {
					return err
				}
			}
			return sendAndReport(cmd, &nf, &sf, enc, signer, desc, "anomaly report on "+device, msg)
		},
	}
	cmd.Flags().StringVar(&device, "device", "", "device id <org>/<name>")
	cmd.Flags().StringVar(&chs, "channels", "", "anomalous channels, comma-separated")
	cmd.Flags().StringVar(&startSet, "start", "", "window start (unix seconds or RFC 3339)")
	cmd.Flags().StringVar(&endSet, "end", "now", "window end (unix seconds, RFC 3339 or now)")
	cmd.Flags().Int64Var(&score, "score", 0, "anomaly score (integer)")
	cmd.Flags().Int64Var(&thr, "threshold", 0, "detection threshold (integer)")
	cmd.Flags().StringVar(&method, "method", "manual", "detection method")
	cmd.Flags().StringVar(&model, "model", "", "model digest sha256:<hex>")
	cmd.Flags().StringVar(&evidence, "evidence", "", "evidence digest sha256:<hex> of the raw window kept off-chain")
	nf.register(cmd)
	sf.register(cmd, "key", "sign with this key of the adf key store")
	keysDirFlag(cmd, &keysDir)
	return cmd
}

// parseTime reads unix seconds, RFC 3339 or "now".
func parseTime(s string) (int64, error) {
	switch {
	case s == "":
		return 0, errors.New("required")
	case s == "now":
		return time.Now().Unix(), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("%q: want unix seconds, RFC 3339 or now", s)
	}
	return t.Unix(), nil
}

func telemetryIncidentCmd(op string) *cobra.Command {
	var (
		nf       netFlags
		sf       signFlags
		keysDir  string
		id       uint64
		deviceID string
		note     string
	)
	short := "Acknowledge an incident of one of your organisation's devices (records time to acknowledge)"
	if op == "resolve" {
		short = "Resolve an incident; the device returns to normal (records time to resolve)"
	}
	cmd := &cobra.Command{
		Use:   op + " --id N [--device ORG/NAME] --note TEXT (--key NAME | --from ADMIN --home DIR)",
		Short: short,
		Long: short + `.
The signer needs handle-incident on the device id; without --device the incident is looked up.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == 0 {
				return errors.New("--id is required")
			}
			if err := telemetry.ValidateNote(note); err != nil {
				return err
			}
			if deviceID == "" {
				var res telemetrytypes.QueryIncidentResponse
				if err := queryProto(cmdContext(cmd), nf.client(), "/adf.telemetry.v1.Query/Incident",
					&telemetrytypes.QueryIncidentRequest{Id: id}, &res); err != nil {
					return fmt.Errorf("incident %d: %w", id, err)
				}
				deviceID = res.Incident.DeviceId
			}
			enc, err := chain.MakeEncoding()
			if err != nil {
				return err
			}
			signer, desc, err := sf.signer(enc, openStore(keysDir), "key", nil)
			if err != nil {
				return err
			}
			var msg sdk.Msg = &telemetrytypes.MsgAcknowledgeIncident{Signer: signer.Address().String(), IncidentId: id, DeviceId: deviceID, Note: note}
			what := fmt.Sprintf("acknowledgement of incident %d", id)
			if op == "resolve" {
				msg = &telemetrytypes.MsgResolveIncident{Signer: signer.Address().String(), IncidentId: id, DeviceId: deviceID, Note: note}
				what = fmt.Sprintf("resolution of incident %d", id)
			}
			return sendAndReport(cmd, &nf, &sf, enc, signer, desc, what, msg)
		},
	}
	cmd.Flags().Uint64Var(&id, "id", 0, "incident id")
	cmd.Flags().StringVar(&deviceID, "device", "", "the incident's device id (default: looked up)")
	cmd.Flags().StringVar(&note, "note", "", "what was done (kept on chain)")
	nf.register(cmd)
	sf.register(cmd, "key", "sign with this key of the adf key store")
	keysDirFlag(cmd, &keysDir)
	return cmd
}

// reportGas bounds the gas of one report on a device: a base for
// validation, escalation and writes, plus, per dependency, the chain's
// gas_per_purl and the store reads of a match. Without an answer from the
// node it assumes the largest device the default params allow.
func reportGas(cmd *cobra.Command, nf *netFlags, device string) uint64 {
	const base, readsPerPurl = 400_000, 5_000
	perPurl := uint64(telemetrytypes.DefaultGasPerPurl)
	purls := uint64(telemetry.DefaultMaxDependencies)
	ctx := cmdContext(cmd)
	var p telemetrytypes.QueryParamsResponse
	if err := queryProto(ctx, nf.client(), "/adf.telemetry.v1.Query/Params", &telemetrytypes.QueryParamsRequest{}, &p); err == nil {
		perPurl = p.Params.GasPerPurl
		purls = uint64(p.Params.MaxDependencies)
	}
	var d telemetrytypes.QueryDeviceResponse
	if err := queryProto(ctx, nf.client(), "/adf.telemetry.v1.Query/Device", &telemetrytypes.QueryDeviceRequest{Id: device}, &d); err == nil {
		purls = uint64(len(d.Device.Purls))
	}
	return base + purls*(perPurl+readsPerPurl)
}
