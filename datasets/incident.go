// Package datasets defines the labeled incident record that soceval
// evaluates agents on, reads and writes it as JSONL, CSV and Parquet,
// validates it, and ships the bundled curated incident sets.
//
// The JSON field names of Incident and its parts are a public contract:
// the same names are used as JSONL keys, CSV headers and Parquet columns.
// Parquet files use the schema of ParquetSchema, in which times are
// optional nanosecond UTC timestamps. The parquet struct tags below name the
// same columns, but WriteParquet and Load do not use them.
package datasets

import "time"

// Grades an incident can carry, as an analyst would close it.
const (
	// GradeTruePositive is a real threat.
	GradeTruePositive = "true_positive"
	// GradeBenignPositive is a correct detection of activity that is
	// authorised or harmless (an admin running a scanner, a red-team drill).
	GradeBenignPositive = "benign_positive"
	// GradeFalsePositive is a detection that fired on nothing of interest.
	GradeFalsePositive = "false_positive"
)

// Grades lists every valid grade in a fixed order, used for confusion
// matrices and per-class metrics.
var Grades = []string{GradeTruePositive, GradeBenignPositive, GradeFalsePositive}

// Severities lists every valid severity from lowest to highest.
var Severities = []string{"informational", "low", "medium", "high", "critical"}

// Incident is one labeled security incident: the alerts that raised it,
// the evidence an agent may inspect, the recorded answers of investigation
// tools, and the ground-truth label.
type Incident struct {
	ID          string       `json:"id" parquet:"id"`
	CreatedAt   time.Time    `json:"created_at" parquet:"created_at,timestamp(millisecond)"`
	Title       string       `json:"title" parquet:"title"`
	Source      string       `json:"source" parquet:"source"`
	Category    string       `json:"category" parquet:"category"`
	Severity    string       `json:"severity" parquet:"severity"`
	Alerts      []Alert      `json:"alerts" parquet:"alerts,list"`
	Evidence    []Entity     `json:"evidence" parquet:"evidence,list"`
	Enrichments []Enrichment `json:"enrichments" parquet:"enrichments,list"`
	Label       Label        `json:"label" parquet:"label"`
	Tags        []string     `json:"tags" parquet:"tags,list"`
}

// Alert is one detector alert that is part of an incident.
type Alert struct {
	ID              string    `json:"id" parquet:"id"`
	Title           string    `json:"title" parquet:"title"`
	Detector        string    `json:"detector" parquet:"detector"`
	Category        string    `json:"category" parquet:"category"`
	MitreTechniques []string  `json:"mitre_techniques" parquet:"mitre_techniques,list"`
	Time            time.Time `json:"time" parquet:"time,timestamp(millisecond)"`
}

// Entity is one typed piece of evidence (email, url, file, process, ip,
// user, device, mailbox, domain, ...) with its recorded attributes.
type Entity struct {
	Type       string            `json:"type" parquet:"type"`
	Value      string            `json:"value" parquet:"value"`
	Attributes map[string]string `json:"attributes,omitempty" parquet:"attributes"`
}

// Enrichment is the recorded answer of one investigation tool for one
// argument, such as a URL reputation look-up or a sandbox verdict. Agents'
// tool calls are answered from these records, so runs need no network.
type Enrichment struct {
	Tool     string `json:"tool" parquet:"tool"`
	Argument string `json:"argument" parquet:"argument"`
	Result   string `json:"result" parquet:"result"`
}

// Label is the ground truth for an incident.
type Label struct {
	Grade    string   `json:"grade" parquet:"grade"`
	Category string   `json:"category" parquet:"category"`
	Actions  []string `json:"actions" parquet:"actions,list"`
	// HumanTTRSeconds is how long analysts took to resolve the incident.
	// Nil when unknown.
	HumanTTRSeconds *float64 `json:"human_ttr_seconds" parquet:"human_ttr_seconds,optional"`
	// HumanTTREstimated is true when HumanTTRSeconds is a documented
	// estimate rather than a measured handling time.
	HumanTTREstimated bool   `json:"human_ttr_estimated,omitempty" parquet:"human_ttr_estimated"`
	Notes             string `json:"notes,omitempty" parquet:"notes"`
}

// Malicious reports whether the label marks a real threat.
func (l Label) Malicious() bool { return l.Grade == GradeTruePositive }

// HasTag reports whether the incident carries tag.
func (in *Incident) HasTag(tag string) bool {
	for _, t := range in.Tags {
		if t == tag {
			return true
		}
	}
	return false
}
