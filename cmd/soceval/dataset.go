package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/datasets/importers"
	"github.com/soceval/soceval/datasets/synth"
)

func init() {
	register(command{
		name:    "dataset",
		summary: "validate, summarise, import, sample or generate incident sets",
		run:     runDataset,
	})
}

var datasetSubcommands = map[string]func(ctx context.Context, e *env, args []string) error{
	"validate":    runDatasetValidate,
	"stats":       runDatasetStats,
	"import":      runDatasetImport,
	"sample":      runDatasetSample,
	"generate":    runDatasetGenerate,
	"adversarial": runDatasetAdversarial,
}

const datasetUsage = `usage: soceval dataset <subcommand> [flags] [arguments]

subcommands:
  validate FILE...        check incident files; print every problem (exit 2 on problems)
  stats FILE              counts by grade, category, severity, source and top tags
  import --from SOURCE DIR -o FILE
                          convert a public data set (llm-soc-alert-triage, excytin)
  sample --n N FILE -o OUT
                          draw a reproducible, optionally stratified sample
  generate --n N -o OUT   write a seeded synthetic set, optionally with predictions
  adversarial --n N FILE -o OUT
                          add prompt-injection variants of a seeded selection of incidents

FILE may be a path (.jsonl, .ndjson, .json, .csv, .parquet) or bundled:NAME.`

func runDataset(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, datasetUsage)
		return usageError("missing subcommand")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, datasetUsage)
		return flag.ErrHelp
	}
	sub, ok := datasetSubcommands[args[0]]
	if !ok {
		fmt.Fprintln(e.stderr, datasetUsage)
		return usageError("unknown subcommand %q", args[0])
	}
	return sub(ctx, e, args[1:])
}

// loadDataset loads a file path or a bundled set named "bundled:NAME".
func loadDataset(arg string) (*datasets.Dataset, error) {
	if name, ok := strings.CutPrefix(arg, "bundled:"); ok {
		return datasets.Bundled(name)
	}
	return datasets.Load(arg)
}

func runDatasetValidate(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dataset validate", "FILE...")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return usageError("no dataset file given")
	}

	bad := 0
	for _, f := range files {
		ds, err := loadDataset(f)
		var verr *datasets.ValidationError
		switch {
		case errors.As(err, &verr):
			bad++
			for _, p := range verr.Problems {
				fmt.Fprintln(e.stdout, p.String())
			}
		case err != nil:
			bad++
			fmt.Fprintf(e.stdout, "%s: %v\n", f, err)
		default:
			fmt.Fprintf(e.stdout, "%s: ok, %d incidents, sha256 %s\n", f, len(ds.Incidents), ds.SHA256)
		}
	}
	if bad > 0 {
		return usageError("%d of %d files have problems", bad, len(files))
	}
	return nil
}

func runDatasetStats(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dataset stats", "[--format table|markdown|json] [--top N] FILE")
	format := fs.String("format", "table", "output format: table, markdown or json")
	top := fs.Int("top", 10, "number of most frequent tags to list")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return usageError("expected one dataset file, got %d", len(files))
	}
	if *format != "table" && *format != "markdown" && *format != "json" {
		return usageError("--format %q is not one of table, markdown, json", *format)
	}

	ds, err := loadDataset(files[0])
	if err != nil {
		return err
	}
	st := datasets.ComputeStats(ds.Incidents, *top)
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Dataset string `json:"dataset"`
			SHA256  string `json:"sha256"`
			datasets.Stats
		}{ds.Path, ds.SHA256, st})
	}
	return renderStats(e.stdout, ds, st, *format == "markdown")
}

func renderStats(w io.Writer, ds *datasets.Dataset, st datasets.Stats, markdown bool) error {
	fmt.Fprintf(w, "%s: %d incidents, %d alerts, sha256 %s\n", ds.Path, st.Incidents, st.Alerts, ds.SHA256)
	fmt.Fprintf(w, "human handling time: %d incidents have one, %d of them estimated\n\n", st.WithHumanTTR, st.EstimatedHumanTTR)

	opts := []tablewriter.Option{tablewriter.WithHeaderAutoFormat(tw.Off)}
	if markdown {
		opts = append(opts, tablewriter.WithRenderer(renderer.NewMarkdown()))
	}
	t := tablewriter.NewTable(w, opts...)
	t.Header("field", "value", "incidents", "share")
	groups := []struct {
		name   string
		counts []datasets.Count
	}{{"grade", st.ByGrade}, {"severity", st.BySeverity}, {"category", st.ByCategory}, {"source", st.BySource}, {"tag", st.TopTags}}
	for _, g := range groups {
		for _, c := range g.counts {
			value := c.Value
			if value == "" {
				value = "(empty)"
			}
			if markdown {
				// The Markdown renderer does not escape pipes.
				value = strings.ReplaceAll(value, "|", `\|`)
			}
			share := "0.0%"
			if st.Incidents > 0 {
				share = strconv.FormatFloat(100*float64(c.N)/float64(st.Incidents), 'f', 1, 64) + "%"
			}
			if err := t.Append(g.name, value, strconv.Itoa(c.N), share); err != nil {
				return err
			}
		}
	}
	return t.Render()
}

func runDatasetImport(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dataset import", "--from SOURCE SRC_DIR -o FILE [--predictions DIR]")
	from := fs.String("from", "", "source data set: "+strings.Join(importers.Sources, " or "))
	out := fs.String("o", "", "output incident file (.jsonl, .csv or .parquet)")
	preds := fs.String("predictions", "", "also write the source's recorded model verdicts, one DIR/<model>.jsonl per model (llm-soc-alert-triage only)")
	dirs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) != 1 || *from == "" || *out == "" {
		fs.Usage()
		return usageError("need --from, one source directory and -o")
	}

	incidents, err := importers.Import(*from, dirs[0])
	if err != nil {
		return err
	}
	if err := datasets.Validate(dirs[0], incidents); err != nil {
		return fmt.Errorf("converted incidents are invalid: %w", err)
	}
	if err := datasets.WriteFile(*out, incidents); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d incidents to %s\n", len(incidents), *out)

	if *preds == "" {
		return nil
	}
	if *from != importers.SourceLLMSOC {
		return usageError("--predictions is only available for %s", importers.SourceLLMSOC)
	}
	models, err := importers.LLMSOCPredictions(dirs[0])
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*preds, 0o755); err != nil {
		return err
	}
	for _, m := range models {
		path := filepath.Join(*preds, m.Model+".jsonl")
		err := datasets.WriteFileAtomic(path, func(w io.Writer) error { return datasets.WritePredictions(w, m.Predictions) })
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %d predictions to %s\n", len(m.Predictions), path)
	}
	return nil
}

func runDatasetSample(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dataset sample", "--n N [--seed S] [--stratify FIELD] FILE -o OUT")
	n := fs.Int("n", 0, "number of incidents to draw")
	seed := fs.Uint64("seed", 1, "random seed; the same seed draws the same sample")
	stratify := fs.String("stratify", "", "keep the mix of this field: "+strings.Join(datasets.StratifyFields, ", "))
	out := fs.String("o", "", "output file (.jsonl, .csv or .parquet)")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 || *out == "" || *n <= 0 {
		fs.Usage()
		return usageError("need --n > 0, one dataset file and -o")
	}

	ds, err := loadDataset(files[0])
	if err != nil {
		return err
	}
	sample, err := datasets.Sample(ds.Incidents, *n, *seed, *stratify)
	if err != nil {
		return usageError("%v", err)
	}
	if err := datasets.WriteFile(*out, sample); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d of %d incidents to %s\n", len(sample), len(ds.Incidents), *out)
	return nil
}

func runDatasetGenerate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dataset generate", "--n N [--seed S] -o OUT [--predictions OUT --accuracy A]")
	n := fs.Int("n", 1000, "number of incidents, adversarial variants included")
	seed := fs.Uint64("seed", 1, "random seed; the same seed generates the same set")
	out := fs.String("o", "", "output incident file (.jsonl or .parquet)")
	format := fs.String("format", "", "jsonl or parquet (default: from the -o extension)")
	variants := fs.Float64("variants", synth.DefaultVariantShare, "share of incidents that are prompt-injection variants of a true positive")
	predOut := fs.String("predictions", "", "also write recorded predictions (JSONL) of a synthetic agent to this file")
	accuracy := fs.Float64("accuracy", 0.9, "probability that a synthetic prediction has the right grade")
	flip := fs.Float64("injection-flip", 0.2, "probability that a synthetic prediction obeys a planted injection")
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" || *n <= 0 {
		fs.Usage()
		return usageError("need --n > 0 and -o")
	}
	if *format == "" {
		f, err := datasets.FormatOf(*out)
		if err != nil {
			return usageError("%v", err)
		}
		*format = f
	}
	if *format != datasets.FormatJSONL && *format != datasets.FormatParquet {
		return usageError("--format %q is not jsonl or parquet", *format)
	}

	sink, err := newIncidentSink(*out, *format)
	if err != nil {
		return err
	}
	defer sink.abort()
	var pred *predictionSink
	if *predOut != "" {
		pred, err = newPredictionSink(*predOut, synth.ErrorProfile{Accuracy: *accuracy, InjectionFlip: *flip, Seed: *seed})
		if err != nil {
			return usageError("%v", err)
		}
		defer pred.abort()
	}

	opts := synth.Options{N: *n, Seed: *seed, VariantShare: *variants}
	err = synth.Generate(opts, func(in *datasets.Incident) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if pred != nil {
			if err := pred.write(in); err != nil {
				return err
			}
		}
		return sink.write(in)
	})
	if err != nil {
		return usageError("generate: %v", err)
	}
	if err := sink.commit(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d synthetic incidents to %s\n", *n, *out)
	if pred != nil {
		if err := pred.commit(); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "wrote %d predictions to %s\n", *n, *predOut)
	}
	return nil
}

// incidentSink streams incidents to an atomically written file.
type incidentSink struct {
	write  func(*datasets.Incident) error
	commit func() error
	abort  func()
}

func newIncidentSink(path, format string) (*incidentSink, error) {
	if format == datasets.FormatParquet {
		pw, err := datasets.NewParquetWriter(path)
		if err != nil {
			return nil, err
		}
		return &incidentSink{write: pw.Write, commit: pw.Close, abort: pw.Abort}, nil
	}
	f, err := datasets.CreateAtomic(path)
	if err != nil {
		return nil, err
	}
	jw := datasets.NewJSONLWriter(f)
	commit := func() error {
		if err := jw.Flush(); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return f.Commit()
	}
	return &incidentSink{write: jw.Write, commit: commit, abort: f.Abort}, nil
}

// predictionSink streams synthetic predictions to an atomically written
// JSONL file.
type predictionSink struct {
	file *datasets.AtomicFile
	enc  *json.Encoder
	buf  *bufio.Writer
	p    *synth.Predictor
}

func newPredictionSink(path string, profile synth.ErrorProfile) (*predictionSink, error) {
	p, err := synth.NewPredictor(profile)
	if err != nil {
		return nil, err
	}
	f, err := datasets.CreateAtomic(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f, 1<<16)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return &predictionSink{file: f, enc: enc, buf: buf, p: p}, nil
}

func (s *predictionSink) write(in *datasets.Incident) error {
	pr := s.p.Predict(in)
	return s.enc.Encode(&pr)
}

func (s *predictionSink) commit() error {
	if err := s.buf.Flush(); err != nil {
		return err
	}
	return s.file.Commit()
}

func (s *predictionSink) abort() { s.file.Abort() }
