package importers

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/soceval/soceval/datasets"
)

// sharedData is the public source snapshot, kept beside the repository
// checkout (see datasets/bundled/regenerate.sh).
const sharedData = "../../../shared/data"

func requireSharedData(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("source data not found beside the checkout: %v", err)
	}
}

// TestConvertersReproduceBundled runs both converters on the source files
// and checks the result is the shipped bundled file, byte for byte.
func TestConvertersReproduceBundled(t *testing.T) {
	requireSharedData(t)
	llm, err := LLMSOCAlertTriage(filepath.Join(sharedData, "llm-soc-alert-triage"))
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ExCyTIn(filepath.Join(sharedData, "excytin-bench"))
	if err != nil {
		t.Fatal(err)
	}
	for file, incidents := range map[string][]datasets.Incident{
		datasets.DefaultName + ".jsonl": llm,
		"sentinel-incidents.jsonl":      ex,
	} {
		var buf bytes.Buffer
		if err := datasets.WriteJSONL(&buf, incidents); err != nil {
			t.Fatal(err)
		}
		shipped, err := os.ReadFile("../bundled/" + file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), shipped) {
			t.Errorf("converted sources differ from the shipped %s; run datasets/bundled/regenerate.sh and review the diff", file)
		}
	}
}

func TestPredictionsReproduceBundled(t *testing.T) {
	requireSharedData(t)
	models, err := LLMSOCPredictions(filepath.Join(sharedData, "llm-soc-alert-triage"))
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 5 {
		t.Fatalf("%d models, want 5", len(models))
	}
	for _, m := range models {
		var buf bytes.Buffer
		if err := datasets.WritePredictions(&buf, m.Predictions); err != nil {
			t.Fatal(err)
		}
		shipped, err := os.ReadFile(filepath.Join("../bundled/predictions", m.Model+".jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), shipped) {
			t.Errorf("%s: converted predictions differ from the shipped file", m.Model)
		}
	}
}

func TestImportUnknownSource(t *testing.T) {
	_, err := Import("splunk", t.TempDir())
	want := `unknown source "splunk"; expected one of llm-soc-alert-triage, excytin`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// Expected values are 1800 s × weight × (1 + ln n), computed by hand.
func TestEstimateHumanTTR(t *testing.T) {
	tests := []struct {
		severity string
		alerts   int
		want     float64
	}{
		{"low", 1, 1350},          // 1800 × 0.75
		{"medium", 1, 1800},       // the published anchor
		{"critical", 1, 3600},     // 1800 × 2
		{"informational", 0, 900}, // no alerts counts as one
		{"high", 9, 8633},         // 2700 × (1 + 2.1972) = 8632.5
		{"unknown", 1, 1800},      // unknown severity counts as medium
		{"high", 70, 14171},       // 2700 × (1 + 4.2485) = 14170.9
	}
	for _, tt := range tests {
		if got := EstimateHumanTTR(tt.severity, tt.alerts); got != tt.want {
			t.Errorf("EstimateHumanTTR(%q, %d) = %v, want %v", tt.severity, tt.alerts, got, tt.want)
		}
	}
}

func TestWinValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{`C:\\WINDOWS\\Explorer.EXE`, `C:\WINDOWS\Explorer.EXE`},
		{`\"cmd.exe\" /c whoami &amp; quser &gt; out.txt`, `"cmd.exe" /c whoami & quser > out.txt`},
		{`plain`, `plain`},
		{`C:\Users`, `C:\Users`},
	}
	for _, tt := range tests {
		if got := winValue(tt.in); got != tt.want {
			t.Errorf("winValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWazuhCategory(t *testing.T) {
	tests := []struct {
		groups, tactics []string
		want            string
	}{
		{[]string{"virustotal"}, []string{"Execution"}, "malware"},
		{[]string{"web", "accesslog", "attack"}, nil, "web_attack"},
		{[]string{"ids", "suricata"}, nil, "network_intrusion"},
		{[]string{"sysmon"}, []string{"Privilege Escalation", "Execution"}, "privilege_escalation"},
		{[]string{"syslog", "authentication_failed"}, nil, "credential_access"},
		{[]string{"syscheck"}, nil, "file_integrity"},
		{[]string{"windows", "windows_application"}, nil, "other"},
	}
	for _, tt := range tests {
		if got := wazuhCategory(tt.groups, tt.tactics); got != tt.want {
			t.Errorf("wazuhCategory(%v, %v) = %q, want %q", tt.groups, tt.tactics, got, tt.want)
		}
	}
}

func TestExCyTInCategory(t *testing.T) {
	type label = struct{ LabelName, LabelType string }
	tests := []struct {
		title  string
		labels []label
		want   string
	}{
		{"Human-operated ransomware attack was launched", nil, "ransomware"},
		{"BEC financial fraud attack was launched from a compromised account", nil, "business_email_compromise"},
		{"Multi-stage incident involving Initial access & Collection", []label{{"credential_phish_tag", "AutoAssigned"}}, "phishing"},
		{"Multi-stage incident involving Defense evasion & Discovery on one endpoint", nil, "defense_evasion"},
		{"Multi-stage incident involving Privilege escalation on multiple endpoints", nil, "privilege_escalation"},
	}
	for _, tt := range tests {
		if got := excytinCategory(tt.title, tt.labels); got != tt.want {
			t.Errorf("excytinCategory(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

// TestExCyTInMapping checks one incident against the raw export, read by
// hand: incident 38 joins 4 alerts, is Medium, and its labels are
// Fileless and LATEST.
func TestExCyTInMapping(t *testing.T) {
	requireSharedData(t)
	incidents, err := ExCyTIn(filepath.Join(sharedData, "excytin-bench"))
	if err != nil {
		t.Fatal(err)
	}
	var in *datasets.Incident
	for i := range incidents {
		if incidents[i].ID == "excytin-38" {
			in = &incidents[i]
		}
	}
	if in == nil {
		t.Fatal("excytin-38 not found")
	}
	if len(in.Alerts) != 4 || in.Severity != "medium" || in.Source != "Microsoft XDR" {
		t.Errorf("alerts %d severity %q source %q, want 4, medium, Microsoft XDR", len(in.Alerts), in.Severity, in.Source)
	}
	for _, tag := range []string{"dataset:excytin-bench", "sentinel_label:Fileless", "sentinel_label:LATEST", "mitre:T1055"} {
		if !in.HasTag(tag) {
			t.Errorf("missing tag %q in %v", tag, in.Tags)
		}
	}
	for _, e := range in.Enrichments {
		if e.Tool != "get_alert" && e.Tool != "get_entity" {
			t.Errorf("enrichment tool %q is not recorded in the source", e.Tool)
		}
	}
}

func TestMustPassTagsSevereThreats(t *testing.T) {
	tests := []struct {
		grade, severity string
		want            bool
	}{
		{datasets.GradeTruePositive, "critical", true},
		{datasets.GradeTruePositive, "high", true},
		{datasets.GradeTruePositive, "medium", false},
		{datasets.GradeFalsePositive, "critical", false},
	}
	for _, tt := range tests {
		in := datasets.Incident{Severity: tt.severity, Label: datasets.Label{Grade: tt.grade}, Tags: []string{"lab"}}
		tagMustPass(&in)
		if got := in.HasTag(datasets.TagMustPass); got != tt.want {
			t.Errorf("%s %s: must_pass = %v, want %v", tt.grade, tt.severity, got, tt.want)
		}
	}
}
