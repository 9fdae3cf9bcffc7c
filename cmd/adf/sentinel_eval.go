package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/adf-consortium/adf/pkg/anomaly"
	"github.com/adf-consortium/adf/pkg/anomaly/dataset"
	"github.com/adf-consortium/adf/pkg/anomaly/eval"
)

func init() {
	sentinelSubcommands = append(sentinelSubcommands, sentinelEvalCmd, sentinelTrainCmd)
}

const datasetHelp = "smap, skab (trained on anomaly-free.csv), skab-head (SKAB's protocol: each experiment trained on its first 400 rows), fixture (bundled synthetic data), or a CSV file with an anomaly/label column"

// csvFlags say how to read a --dataset that is a CSV file of one's own.
type csvFlags struct {
	label    string
	fraction float64
}

func (f *csvFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.label, "label", "", "label column of a CSV dataset (default: anomaly, else label)")
	cmd.Flags().Float64Var(&f.fraction, "train-fraction", 0.3, "share of a CSV dataset's rows, from the top, that trains (must hold no labelled anomaly)")
}

// loadDataset opens a dataset with the default CSV options (adf sentinel
// serve's demo uses it too).
func loadDataset(name, dataDir string) (*dataset.Dataset, error) {
	return loadDatasetCSV(name, dataDir, csvFlags{})
}

func loadDatasetCSV(name, dataDir string, csv csvFlags) (*dataset.Dataset, error) {
	if name == "" {
		return nil, errors.New("--dataset is required: " + datasetHelp)
	}
	root := dataset.Root(dataDir)
	d, err := dataset.LoadWith(name, root, dataset.CSVOptions{Label: csv.label, TrainFraction: csv.fraction})
	if errors.Is(err, dataset.ErrNoData) {
		return nil, fmt.Errorf("%w (data folder %s: set --data-dir or %s)", err, root, dataset.EnvSharedData)
	}
	return d, err
}

// smapCommandsHelp describes --smap-commands.
const smapCommandsHelp = "SMAP only, --method forecast only: load the 24 command flags c1..c24 with the telemetry value c0 and use them as forecast's inputs (at t and t-1); only c0 is scored. The other methods score every column they are given, so they refuse it"

// loadSMAPCommands loads SMAP with its command columns.
// loadForMethods loads the dataset the methods run on; with --smap-commands
// it is SMAP with its command columns and the methods are switched to use
// them as inputs.
func loadForMethods(name, dataDir string, csv csvFlags, smapCommands bool, ms []anomaly.Method) (*dataset.Dataset, []anomaly.Method, error) {
	if !smapCommands {
		d, err := loadDatasetCSV(name, dataDir, csv)
		return d, ms, err
	}
	d, err := loadSMAPCommands(name, dataDir)
	if err != nil {
		return nil, nil, err
	}
	ms, err = withSMAPCommands(ms, d)
	return d, ms, err
}

func loadSMAPCommands(name, dataDir string) (*dataset.Dataset, error) {
	if name != "smap" {
		return nil, fmt.Errorf("--smap-commands needs --dataset smap, not %q", name)
	}
	root := dataset.Root(dataDir)
	d, err := dataset.LoadSMAP(filepath.Join(root, "smap"), dataset.SMAPOptions{WithCommands: true})
	if errors.Is(err, dataset.ErrNoData) {
		return nil, fmt.Errorf("%w (data folder %s: set --data-dir or %s)", err, root, dataset.EnvSharedData)
	}
	if err != nil {
		return nil, err
	}
	for _, s := range d.Series {
		if len(s.Columns) < 2 || s.Columns[0] != "c0" || len(s.Columns) != len(d.Series[0].Columns) {
			return nil, fmt.Errorf("--smap-commands: %s has columns %s, want c0 then the same command columns as every channel", s.Name, strings.Join(s.Columns, ","))
		}
	}
	return d, nil
}

// smapCommandsForecast is forecast with the given number of command inputs
// and the settings chosen for that mode on SMAP training data only
// (eval.ValidationScored with injected faults in c0, objective validation
// event F1, before any test figure of this mode was computed; see
// docs/detection.md): 60 lags, the other settings as anomaly.NewForecast.
func smapCommandsForecast(inputs int) anomaly.Forecast {
	f := anomaly.NewForecast()
	f.Lags = 60
	f.Inputs = inputs
	return f
}

// withSMAPCommands replaces forecast in ms by smapCommandsForecast (keeping
// a threshold rule already set on it) and refuses every other method but
// the random baseline, which reads no values.
func withSMAPCommands(ms []anomaly.Method, d *dataset.Dataset) ([]anomaly.Method, error) {
	inputs := len(d.Series[0].Columns) - 1
	out := make([]anomaly.Method, len(ms))
	for i, m := range ms {
		switch v := m.(type) {
		case anomaly.Forecast:
			f := smapCommandsForecast(inputs)
			f.Rule = v.Rule
			out[i] = f
		case eval.Random:
			out[i] = v
		default:
			return nil, fmt.Errorf("--smap-commands works with --method forecast only (%s would score the command flags as telemetry)", m.Name())
		}
	}
	return out, nil
}

func sentinelEvalCmd() *cobra.Command {
	var name, methods, dataDir string
	var asJSON bool
	var quantile, margin float64
	var csv csvFlags
	var tune, smapCommands bool
	var objective string
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Evaluate anomaly detectors and a random baseline on labelled telemetry",
		Long: "Fits each method on the training part of every series (anomaly-free data), thresholds it from its own\n" +
			"training scores, scores the test part and prints point-wise P/R/F1 (no point adjustment), event-level\n" +
			"P/R/F1 (Telemanom overlap rule), the PA%K AUC, mean detection delay and scoring speed.\n" +
			"Metric definitions: docs/detection.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ms, err := eval.Lookup(methods)
			if err != nil {
				return err
			}
			if !strings.Contains(methods, eval.MethodRandom) {
				ms = append(ms, eval.NewRandom(eval.RandomSeed))
			}
			var unchanged []string
			if cmd.Flags().Changed("quantile") || cmd.Flags().Changed("margin") {
				rule := anomaly.ThresholdRule{Quantile: quantile, Margin: margin}
				if err := rule.Validate(); err != nil {
					return err
				}
				for i, m := range ms {
					var ok bool
					if ms[i], ok = eval.WithRule(m, rule); !ok {
						unchanged = append(unchanged, m.Name())
					}
				}
			}
			d, ms, err := loadForMethods(name, dataDir, csv, smapCommands, ms)
			if err != nil {
				return err
			}
			var choices []eval.Choice
			if tune {
				obj, err := parseObjective(objective)
				if err != nil {
					return err
				}
				val := validation(d, smapCommands)
				for i, m := range ms {
					c := eval.Tune(val, m, obj)
					ms[i] = c.Method
					choices = append(choices, c)
				}
			}
			var results []eval.Result
			for _, m := range ms {
				results = append(results, eval.Evaluate(d, m))
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"dataset": d.Name, "protocol": d.Protocol, "series": len(d.Series), "samples": d.Rows(), "tuned": choices, "results": results})
			}
			printResults(cmd.OutOrStdout(), d, results)
			for _, c := range choices {
				fmt.Fprintf(cmd.OutOrStdout(), "tuned %s: %s (best of %d on validation: event F1 %.3f, point F1 %.3f)\n", c.Validation.Method, c.Settings, c.Candidates, c.Validation.EventF1, c.Validation.PointF1)
			}
			if len(unchanged) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "threshold rule not applied to %s (it sets its threshold its own way)\n", strings.Join(unchanged, ", "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "dataset", "", datasetHelp)
	cmd.Flags().StringVar(&methods, "method", "all", "comma-separated methods ("+strings.Join(eval.Names(), ", ")+", random) or all; the random baseline is always added")
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "telemetry data folder (default $"+dataset.EnvSharedData+"/telemetry, else ../shared/data/telemetry next to the repository)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	csv.register(cmd)
	cmd.Flags().BoolVar(&tune, "tune", false, "choose each method's settings on validation data made from the training parts only (synthetic faults injected into the last 40 % of each training series), then evaluate")
	cmd.Flags().StringVar(&objective, "objective", string(eval.EventF1), "what --tune maximises: event-f1 or point-f1")
	cmd.Flags().BoolVar(&smapCommands, "smap-commands", false, smapCommandsHelp)
	cmd.Flags().Float64Var(&quantile, "quantile", anomaly.DefaultThreshold.Quantile, "threshold = this quantile of the training scores …")
	cmd.Flags().Float64Var(&margin, "margin", anomaly.DefaultThreshold.Margin, "… times this margin (for a sensitivity check; defaults are the methods')")
	return cmd
}

// validation is eval.Validation, with faults injected into c0 only when the
// command flags are loaded (they are inputs, not scored).
func validation(d *dataset.Dataset, smapCommands bool) *dataset.Dataset {
	if smapCommands {
		return eval.ValidationScored(d, eval.RandomSeed, 1)
	}
	return eval.Validation(d, eval.RandomSeed)
}

func parseObjective(s string) (eval.Objective, error) {
	switch o := eval.Objective(s); o {
	case eval.EventF1, eval.PointF1:
		return o, nil
	}
	return "", fmt.Errorf("--objective %q: want %s or %s", s, eval.EventF1, eval.PointF1)
}

func printResults(w io.Writer, d *dataset.Dataset, rs []eval.Result) {
	fmt.Fprintf(w, "dataset %s: %d series, %d test samples; %s\n", d.Name, len(d.Series), d.Rows(), d.Protocol)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "method\tpoint P\tpoint R\tpoint F1\tF1/series\tevents\tevent P\tevent R\tevent F1\tPA%K AUC\tdelay\tsamples/s\t")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%d/%d +%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.1f\t%.0f\t\n",
			r.Method, r.PointP, r.PointR, r.PointF1, r.PointF1Mean, r.Detected, r.Events, r.FalseSeqs,
			r.EventP, r.EventR, r.EventF1, r.PAKAUC, r.MeanDelay, r.SamplesPerSec)
	}
	tw.Flush()
	fmt.Fprintln(w, "events: detected/labelled +false sequences; delay: mean samples from event start to first detection")
	for _, r := range rs {
		if r.FitFailures > 0 {
			fmt.Fprintf(w, "%s could not fit %d series (scored as never anomalous): %s\n", r.Method, r.FitFailures, strings.Join(r.FitErrors, "; "))
		}
	}
}

func sentinelTrainCmd() *cobra.Command {
	var name, method, channel, dataDir, out, objective string
	var csv csvFlags
	var tune, smapCommands, allowZero bool
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Fit a detector on a dataset's training part and write the encoded model",
		Long: "Fits one method on the anomaly-free training rows of one series and writes the model as\n" +
			"adf-anomaly-model/v1 JSON (what adf sentinel serve loads); prints the model digest.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("-o model.json is required")
			}
			if method == "" || strings.Contains(method, ",") || method == "all" {
				return fmt.Errorf("--method takes one method: %s", strings.Join(eval.Names(), ", "))
			}
			ms, err := eval.Lookup(method)
			if err != nil {
				return err
			}
			d, ms, err := loadForMethods(name, dataDir, csv, smapCommands, ms)
			if err != nil {
				return err
			}
			s, err := trainingSeries(d, channel)
			if err != nil {
				return err
			}
			meth := ms[0]
			if tune {
				obj, err := parseObjective(objective)
				if err != nil {
					return err
				}
				c := eval.Tune(validation(d, smapCommands), meth, obj)
				meth = c.Method
				fmt.Fprintf(cmd.OutOrStdout(), "tuned on %s's training data: %s\n", d.Name, c.Settings)
			}
			m, err := meth.Fit(s.Train)
			if err != nil {
				return fmt.Errorf("fit %s on %s: %w", method, s.Name, err)
			}
			// A threshold of (about) zero comes from training data that never
			// moved: the model would flag every sample of a live stream, so a
			// sentinel running it reports one endless anomaly.
			if !(m.Threshold() > minUsefulThreshold) && !allowZero {
				return fmt.Errorf("%s on %s: threshold %.3g: its training data does not move, so the model would flag every sample; pick another series or method (or pass --allow-zero-threshold)", m.Method(), s.Name, m.Threshold())
			}
			b, err := anomaly.Encode(m)
			if err != nil {
				return err
			}
			digest, err := anomaly.Digest(m)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s model of %s (%d channels: %s, %d training rows, threshold %.6g) written to %s\n%s\n",
				m.Method(), s.Name, m.Channels(), strings.Join(s.Columns, ","), len(s.Train), m.Threshold(), out, digest)
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "dataset", "", datasetHelp)
	cmd.Flags().StringVar(&method, "method", "", "method: "+strings.Join(eval.Names(), ", "))
	cmd.Flags().StringVar(&channel, "channel", "", "series to train on (SMAP channel such as A-1, SKAB experiment such as valve1/0.csv); needed when the series do not share training data")
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "telemetry data folder (default $"+dataset.EnvSharedData+"/telemetry)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "model file to write")
	csv.register(cmd)
	cmd.Flags().BoolVar(&tune, "tune", false, "choose settings as adf sentinel eval --tune does (on all series' training data) before fitting")
	cmd.Flags().BoolVar(&smapCommands, "smap-commands", false, smapCommandsHelp)
	cmd.Flags().StringVar(&objective, "objective", string(eval.EventF1), "what --tune maximises: event-f1 or point-f1")
	cmd.Flags().BoolVar(&allowZero, "allow-zero-threshold", false, "write a model whose threshold is about zero (training data that never moves): it flags any change")
	return cmd
}

// minUsefulThreshold: below it a model's threshold is zero in effect.
const minUsefulThreshold = 1e-9

// trainingSeries picks the series whose training rows to fit.
func trainingSeries(d *dataset.Dataset, channel string) (dataset.Series, error) {
	if channel != "" {
		for _, s := range d.Series {
			if s.Name == channel {
				return s, nil
			}
		}
		return dataset.Series{}, fmt.Errorf("no series %q in %s", channel, d.Name)
	}
	for _, s := range d.Series[1:] {
		if s.TrainKey != d.Series[0].TrainKey {
			return dataset.Series{}, fmt.Errorf("%s series have their own training data: name one with --channel (e.g. %s)", d.Name, d.Series[0].Name)
		}
	}
	return d.Series[0], nil
}
