package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/soceval/soceval/datasets"
)

func runDatasetAdversarial(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "dataset adversarial", "(--n N | --fraction F) [--seed S] [--stratify FIELD] [--templates A,B] FILE -o OUT")
	n := fs.Int("n", 0, "number of clean incidents to derive variants from")
	fraction := fs.Float64("fraction", 0, "share of the incidents to derive variants from, in (0, 1]; used when --n is not given")
	seed := fs.Uint64("seed", 1, "random seed; the same seed selects the same incidents")
	stratify := fs.String("stratify", "grade", "keep the mix of this field in the selection: "+strings.Join(datasets.StratifyFields, ", ")+", or empty")
	templates := fs.String("templates", "", "comma-separated injection templates (default all): "+strings.Join(datasets.InjectionTemplateNames(), ", "))
	out := fs.String("o", "", "output file (.jsonl, .csv or .parquet)")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 || *out == "" || (*n <= 0 && *fraction <= 0) {
		fs.Usage()
		return usageError("need --n > 0 or --fraction > 0, one dataset file and -o")
	}

	ds, err := loadDataset(files[0])
	if err != nil {
		return err
	}
	opts := datasets.AdversarialOptions{N: *n, Fraction: *fraction, Seed: *seed, Stratify: *stratify}
	if *templates != "" {
		for _, name := range strings.Split(*templates, ",") {
			opts.Templates = append(opts.Templates, strings.TrimSpace(name))
		}
	}
	incidents, err := datasets.Adversarial(ds.Incidents, opts)
	if err != nil {
		return usageError("%s: %v", files[0], err)
	}
	if err := datasets.Validate(*out, incidents); err != nil {
		return fmt.Errorf("adversarial variants are invalid: %w", err)
	}
	if err := datasets.WriteFile(*out, incidents); err != nil {
		return err
	}

	variants := 0
	for i := range incidents {
		if incidents[i].HasTag(datasets.TagPromptInjection) {
			variants++
		}
	}
	fmt.Fprintf(e.stderr, "wrote %d clean incidents and %d prompt-injection variants to %s\n", len(incidents)-variants, variants, *out)
	return nil
}
