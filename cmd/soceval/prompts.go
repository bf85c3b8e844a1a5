package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/prompts"
)

func init() {
	register(command{
		name:    "prompts",
		summary: "list, show, render or diff versioned prompts",
		run:     runPrompts,
	})
}

const promptsUsage = `usage: soceval prompts <subcommand> [flags] [arguments]

subcommands:
  list [--dir DIR] [--json]     list prompt versions with model, tools and SHA-256
  show REF [--dir DIR]          print a prompt file
       [--dataset FILE --incident ID]
                                print the system and user messages rendered for one incident
  diff A B [--dir DIR]          unified diff of two prompt files (exit 0 either way)

REF is name/version (triage/v2), from the bundled prompts or from --dir,
or a path to a file ending in .md.`

var promptsSubcommands = map[string]func(ctx context.Context, e *env, args []string) error{
	"list": runPromptsList,
	"show": runPromptsShow,
	"diff": runPromptsDiff,
}

func runPrompts(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, promptsUsage)
		return usageError("missing subcommand")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stderr, promptsUsage)
		return flag.ErrHelp
	}
	sub, ok := promptsSubcommands[args[0]]
	if !ok {
		fmt.Fprintln(e.stderr, promptsUsage)
		return usageError("unknown subcommand %q", args[0])
	}
	return sub(ctx, e, args[1:])
}

// promptSource returns the file system prompts are read from: dir when
// set, else the bundled prompts.
func promptSource(dir string) (fs.FS, error) {
	if dir == "" {
		return prompts.Bundled, nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, usageError("prompt directory: %v", err)
	}
	if !fi.IsDir() {
		return nil, usageError("prompt directory %s is not a directory", dir)
	}
	return os.DirFS(dir), nil
}

// loadPrompt resolves ref as a file path when it ends in .md, else as
// name/version in dir or the bundled prompts.
func loadPrompt(dir, ref string) (*prompts.Prompt, error) {
	if strings.HasSuffix(ref, ".md") {
		p, err := prompts.LoadFile(ref)
		if err != nil {
			return nil, usageError("%v", err)
		}
		return p, nil
	}
	fsys, err := promptSource(dir)
	if err != nil {
		return nil, err
	}
	p, err := prompts.Load(fsys, ref)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return p, nil
}

func runPromptsList(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "prompts list", "[--dir DIR] [--json]")
	dir := fs.String("dir", "", "read prompts from `DIR` (files NAME/VERSION.md) instead of the bundled ones")
	asJSON := fs.Bool("json", false, "print one JSON object per prompt")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("unexpected argument %q", rest[0])
	}

	fsys, err := promptSource(*dir)
	if err != nil {
		return err
	}
	list, err := prompts.List(fsys)
	if err != nil {
		return usageError("%v", err)
	}

	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, p := range list {
			row := map[string]any{
				"ref": p.Ref(), "model": p.Model, "temperature": p.Temperature, "max_tokens": p.MaxTokens,
				"response_format": p.ResponseFormat, "schema": p.SchemaName, "tools": p.Tools,
				"sha256": p.SHA256, "description": p.Description,
			}
			if err := enc.Encode(row); err != nil {
				return err
			}
		}
		return nil
	}

	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tMODEL\tTOOLS\tSHA256\tDESCRIPTION")
	for _, p := range list {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", p.Ref(), p.Model, len(p.Tools), p.SHA256[:12], firstSentence(p.Description))
	}
	return tw.Flush()
}

// firstSentence shortens a description for a table cell.
func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if i := strings.Index(s, ". "); i >= 0 {
		s = s[:i+1]
	}
	if len(s) > 72 {
		s = s[:69] + "..."
	}
	return s
}

func runPromptsShow(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "prompts show", "REF [--dir DIR] [--dataset FILE --incident ID]")
	dir := fs.String("dir", "", "read prompts from `DIR` instead of the bundled ones")
	dataset := fs.String("dataset", "", "render the prompt for an incident of `FILE` (a path or bundled:NAME)")
	incident := fs.String("incident", "", "`ID` of the incident to render; with --dataset")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return usageError("want exactly one prompt reference, got %d arguments", len(rest))
	}
	if (*dataset == "") != (*incident == "") {
		return usageError("--dataset and --incident go together")
	}

	p, err := loadPrompt(*dir, rest[0])
	if err != nil {
		return err
	}
	if *dataset == "" {
		_, err := fmt.Fprint(e.stdout, p.Text)
		return err
	}

	in, err := findIncident(*dataset, *incident)
	if err != nil {
		return err
	}
	system, user, err := p.Render(in)
	if err != nil {
		return usageError("%v", err)
	}
	_, err = fmt.Fprintf(e.stdout, "=== system ===\n%s\n=== user ===\n%s\n", system, user)
	return err
}

func findIncident(dataset, id string) (*datasets.Incident, error) {
	ds, err := loadDataset(dataset)
	if err != nil {
		return nil, usageError("%v", err)
	}
	for i := range ds.Incidents {
		if ds.Incidents[i].ID == id {
			return &ds.Incidents[i], nil
		}
	}
	return nil, usageError("%s: no incident with id %q", dataset, id)
}

func runPromptsDiff(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "prompts diff", "A B [--dir DIR]")
	dir := fs.String("dir", "", "read prompts from `DIR` instead of the bundled ones")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		fs.Usage()
		return usageError("want two prompt references, got %d arguments", len(rest))
	}

	a, err := loadPrompt(*dir, rest[0])
	if err != nil {
		return err
	}
	b, err := loadPrompt(*dir, rest[1])
	if err != nil {
		return err
	}
	_, err = fmt.Fprint(e.stdout, prompts.UnifiedDiff(a.Path, a.Text, b.Path, b.Text))
	return err
}
