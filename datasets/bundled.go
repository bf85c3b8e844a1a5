package datasets

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// DefaultName is the bundled incident set soceval uses when no dataset is
// given: 178 lab Wazuh alerts (LLM-SOC-Alert-Triage), the alerts the
// bundled recorded LLM runs were made on. The set "sentinel-incidents"
// holds 8 simulated Microsoft Sentinel incidents (ExCyTIn-Bench), and
// "soc-lab-adversarial" 40 soc-lab incidents with prompt-injection variants
// of each. All are described in datasets/bundled/soc-lab.md.
const DefaultName = "soc-lab"

// The bundled files are embedded so that soceval works from any directory
// without a checkout. datasets/bundled/regenerate.sh rebuilds them from the
// public sources.
//
//go:embed bundled/*.jsonl bundled/predictions/*.jsonl
var bundled embed.FS

// BundledPredictions contains the recorded prediction files of the bundled
// sets, one "<model>.jsonl" per model, in the format of
// soceval run --predictions.
var BundledPredictions fs.FS = mustSub(bundled, "bundled/predictions")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("bundled files: %v", err))
	}
	return sub
}

// BundledNames returns the names of the bundled incident sets, sorted.
func BundledNames() []string { return jsonlNames(bundled, "bundled") }

// BundledPredictionNames returns the model names of the bundled prediction
// files, sorted.
func BundledPredictionNames() []string { return jsonlNames(BundledPredictions, ".") }

func jsonlNames(fsys fs.FS, dir string) []string {
	matches, err := fs.Glob(fsys, path.Join(dir, "*.jsonl"))
	if err != nil {
		panic(fmt.Sprintf("bundled files: %v", err))
	}
	names := make([]string, len(matches))
	for i, m := range matches {
		names[i] = strings.TrimSuffix(path.Base(m), ".jsonl")
	}
	slices.Sort(names)
	return names
}

// Bundled loads and validates the bundled incident set name. Its Path is
// "bundled:NAME".
func Bundled(name string) (*Dataset, error) {
	if !slices.Contains(BundledNames(), name) {
		return nil, fmt.Errorf("no bundled dataset %q; bundled sets: %s", name, strings.Join(BundledNames(), ", "))
	}
	f, err := bundled.Open("bundled/" + name + ".jsonl")
	if err != nil {
		return nil, fmt.Errorf("open bundled dataset %q: %w", name, err)
	}
	defer f.Close()

	ds, err := Read(f, "bundled:"+name, FormatJSONL)
	if err != nil {
		return nil, err
	}
	ds.Name = name
	return ds, nil
}
