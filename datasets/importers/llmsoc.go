package importers

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/soceval/soceval/datasets"
)

// LLMSOCAlertsFile is the labeled-alert file of the LLM-SOC-Alert-Triage
// data set (Rieger 2025), one OpenSearch hit of a Wazuh alert per line.
const LLMSOCAlertsFile = "alerts_labeled.jsonl"

// LLMSOCDataset is the dataset tag value and id prefix of converted alerts.
const LLMSOCDataset = "llm-soc-alert-triage"

// llmsocAlert is one line of alerts_labeled.jsonl.
type llmsocAlert struct {
	ID           string `json:"id"`
	Description  string `json:"description"`
	Label        string `json:"label"`
	RulePriority string `json:"rule_priority"`
	Alert        struct {
		Source wazuhAlert `json:"_source"`
	} `json:"alert"`
}

type wazuhAlert struct {
	Agent struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		IP   string `json:"ip"`
	} `json:"agent"`
	Rule      map[string]any        `json:"rule"`
	Decoder   struct{ Name string } `json:"decoder"`
	Location  string                `json:"location"`
	FullLog   string                `json:"full_log"`
	Timestamp string                `json:"timestamp"`
	Syscheck  map[string]any        `json:"syscheck"`
	Data      map[string]any        `json:"data"`
}

// LLMSOCIncidentID returns the incident id of a Wazuh alert id.
func LLMSOCIncidentID(alertID string) string { return "llmsoc-" + alertID }

// LLMSOCAlertTriage converts dir/alerts_labeled.jsonl into one incident per
// alert, in file order.
func LLMSOCAlertTriage(dir string) ([]datasets.Incident, error) {
	path := filepath.Join(dir, LLMSOCAlertsFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open LLM-SOC-Alert-Triage alerts: %w", err)
	}
	defer f.Close()

	var incidents []datasets.Incident
	br := bufio.NewReaderSize(f, 1<<20)
	for line := 1; ; line++ {
		data, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if data = bytes.TrimSpace(data); len(data) > 0 {
			in, cerr := convertLLMSOC(data)
			if cerr != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, line, cerr)
			}
			incidents = append(incidents, in)
		}
		if errors.Is(err, io.EOF) {
			return incidents, nil
		}
	}
}

func convertLLMSOC(data []byte) (datasets.Incident, error) {
	var src llmsocAlert
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&src); err != nil {
		return datasets.Incident{}, fmt.Errorf("decode alert: %w", err)
	}
	w := &src.Alert.Source

	created, err := time.Parse("2006-01-02T15:04:05.000-0700", w.Timestamp)
	if err != nil {
		return datasets.Incident{}, fmt.Errorf("alert %s: timestamp: %w", src.ID, err)
	}
	grade, err := llmsocGrade(src.Label)
	if err != nil {
		return datasets.Incident{}, fmt.Errorf("alert %s: %w", src.ID, err)
	}

	ruleID := str(w.Rule["id"])
	techniques := strList(dig(w.Rule, "mitre", "id"))
	tactics := strList(dig(w.Rule, "mitre", "tactic"))
	groups := ruleGroups(w.Rule)
	category := wazuhCategory(groups, tactics)
	title := llmsocTitle(&src, ruleID)
	severity := strings.ToLower(src.RulePriority)

	in := datasets.Incident{
		ID:        LLMSOCIncidentID(src.ID),
		CreatedAt: created.UTC(),
		Title:     title,
		Source:    "Wazuh",
		Category:  category,
		Severity:  severity,
		Alerts: []datasets.Alert{{
			ID:              src.ID,
			Title:           title,
			Detector:        "Wazuh rule " + ruleID,
			Category:        category,
			MitreTechniques: techniques,
			Time:            created.UTC(),
		}},
		Evidence:    wazuhEvidence(w),
		Enrichments: wazuhEnrichments(src.ID, ruleID, w),
		Label: datasets.Label{
			Grade:    grade,
			Category: category,
			Actions:  []string{},
			Notes:    "Grade set by the dataset author: alerts raised by the author's Atomic Red Team and Kali attacks are true positives, lab background noise is false positive. Severity is the author's priority from the Wazuh rule level. human_ttr_seconds is an estimate, not a measurement.",
		},
		Tags: llmsocTags(ruleID, w.Decoder.Name, groups, techniques),
	}
	setEstimatedTTR(&in)
	tagMustPass(&in)
	return in, nil
}

func llmsocGrade(label string) (string, error) {
	switch label {
	case "TP":
		return datasets.GradeTruePositive, nil
	case "FP":
		return datasets.GradeFalsePositive, nil
	}
	return "", fmt.Errorf("label %q is neither TP nor FP", label)
}

// llmsocTitle returns the Wazuh rule description. The source replaced one
// missing description with "MISSING", so that alert is titled from the
// first line of its log instead.
func llmsocTitle(src *llmsocAlert, ruleID string) string {
	if d := strings.TrimSpace(src.Description); d != "" && d != "MISSING" {
		return d
	}
	if first, _, _ := strings.Cut(strings.TrimSpace(src.Alert.Source.FullLog), "\n"); first != "" {
		return fmt.Sprintf("Wazuh rule %s: %s", ruleID, first)
	}
	return "Wazuh rule " + ruleID
}

// ruleGroups returns the rule's groups with the whitespace that some
// source rules carry removed.
func ruleGroups(rule map[string]any) []string {
	var out []string
	for _, g := range strList(rule["groups"]) {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

// wazuhCategory picks the incident category: rule groups that name a
// threat class first (VirusTotal malware hits, web attacks, IDS alerts),
// then the first MITRE tactic of the rule, then groups that name an
// activity, and "other" when none applies.
func wazuhCategory(groups, tactics []string) string {
	has := func(g ...string) bool {
		for _, x := range g {
			if slices.Contains(groups, x) {
				return true
			}
		}
		return false
	}
	switch {
	case has("virustotal", "rootcheck"):
		return "malware"
	case has("sqlinjection", "attack") && has("web", "accesslog"):
		return "web_attack"
	case has("ids", "suricata"):
		return "network_intrusion"
	}
	for _, t := range tactics {
		if c := tacticCategory(t); c != "" {
			return c
		}
	}
	switch {
	case has("authentication_failed", "authentication_failures", "invalid_login"):
		return "credential_access"
	case has("authentication_success", "sudo", "pam", "sshd", "windows_security"):
		return "account_activity"
	case has("syscheck", "syscheck_file", "syscheck_registry"):
		return "file_integrity"
	case has("policy_changed"):
		return "policy_change"
	case has("stats"):
		return "anomaly"
	}
	return "other"
}

func llmsocTags(ruleID, decoder string, groups, techniques []string) []string {
	tags := []string{"dataset:" + LLMSOCDataset, "lab", "wazuh_rule:" + ruleID}
	if decoder != "" {
		tags = append(tags, "wazuh_decoder:"+decoder)
	}
	for _, g := range groups {
		tags = append(tags, "wazuh_group:"+g)
	}
	for _, t := range techniques {
		tags = append(tags, "mitre:"+t)
	}
	return sortedTags(tags)
}

// wazuhEvidence maps the recorded event fields to entities.
func wazuhEvidence(w *wazuhAlert) []datasets.Entity {
	var s entitySet
	s.add("device", w.Agent.Name, map[string]string{"agent_id": w.Agent.ID, "ip": w.Agent.IP, "fqdn": str(dig(w.Data, "win", "system", "computer"))})

	ev, _ := dig(w.Data, "win", "eventdata").(map[string]any)
	get := func(k string) string { return winValue(ev[k]) }
	if ev != nil {
		windowsEvidence(&s, get)
	}

	linuxEvidence(&s, w)
	return s.list
}

func windowsEvidence(s *entitySet, get func(string) string) {
	for _, k := range []string{"user", "parentUser", "sourceUser", "targetUser"} {
		s.add("user", get(k), nil)
	}
	if name := get("targetUserName"); name != "" {
		s.add("user", joinDomain(get("targetDomainName"), name), map[string]string{"sid": get("targetUserSid"), "logon_type": get("logonType")})
	}
	if name := get("subjectUserName"); name != "" {
		s.add("user", joinDomain(get("subjectDomainName"), name), map[string]string{"sid": get("subjectUserSid")})
	}

	proc := map[string]string{
		"command_line":        get("commandLine"),
		"process_id":          get("processId"),
		"parent_image":        get("parentImage"),
		"parent_command_line": get("parentCommandLine"),
		"current_directory":   get("currentDirectory"),
		"integrity_level":     get("integrityLevel"),
		"original_file_name":  get("originalFileName"),
		"user":                get("user"),
	}
	addHashes(proc, get("hashes"))
	s.add("process", get("image"), proc)
	s.add("process", get("parentImage"), map[string]string{"command_line": get("parentCommandLine"), "process_id": get("parentProcessId")})
	s.add("process", get("sourceImage"), map[string]string{"process_id": get("sourceProcessId")})
	s.add("process", get("targetImage"), map[string]string{"process_id": get("targetProcessId"), "granted_access": get("grantedAccess")})
	s.add("process", get("processName"), nil)

	file := map[string]string{"created_by": get("image")}
	addHashes(file, get("hash"))
	s.add("file", get("targetFilename"), file)
	loaded := map[string]string{"signed": get("signed"), "signature": get("signature"), "signature_status": get("signatureStatus"), "loaded_by": get("image")}
	addHashes(loaded, get("hashes"))
	s.add("file", get("imageLoaded"), loaded)
	s.add("file", get("imagePath"), map[string]string{"service": get("serviceName")})
	s.add("service", get("serviceName"), map[string]string{"image_path": get("imagePath"), "start_type": get("startType"), "account": get("accountName")})
	s.add("registry_key", get("targetObject"), map[string]string{"event_type": get("eventType"), "details": get("details")})
	s.add("script", get("scriptBlockText"), map[string]string{"script_block_id": get("scriptBlockId"), "path": get("path")})

	s.add("ip", get("ipAddress"), map[string]string{"port": get("ipPort"), "role": "source"})
	s.add("ip", get("sourceIp"), map[string]string{"port": get("sourcePort"), "role": "source"})
	s.add("ip", get("destinationIp"), map[string]string{"port": get("destinationPort"), "role": "destination"})
	s.add("device", get("workstationName"), nil)
}

func linuxEvidence(s *entitySet, w *wazuhAlert) {
	d := w.Data
	s.add("user", str(d["srcuser"]), nil)
	s.add("user", str(d["dstuser"]), nil)
	s.add("process", str(d["command"]), map[string]string{"user": str(d["srcuser"]), "working_directory": str(d["pwd"])})
	s.add("ip", str(d["srcip"]), map[string]string{"port": str(d["srcport"]), "role": "source"})
	s.add("ip", str(d["src_ip"]), map[string]string{"port": str(d["src_port"]), "role": "source"})
	s.add("ip", str(d["dest_ip"]), map[string]string{"port": str(d["dest_port"]), "role": "destination"})
	s.add("file", str(d["file"]), nil)

	if host := str(dig(d, "http", "hostname")); host != "" {
		s.add("url", "http://"+host+str(dig(d, "http", "url")), map[string]string{
			"method": str(dig(d, "http", "http_method")), "user_agent": str(dig(d, "http", "http_user_agent")), "status": str(dig(d, "http", "status")),
		})
	} else if u := str(d["url"]); u != "" {
		s.add("url", u, map[string]string{"method": str(d["protocol"]), "status": str(d["id"])})
	}
	if files, ok := d["files"].([]any); ok {
		for _, f := range files {
			s.add("file", str(dig(f, "filename")), map[string]string{"size": str(dig(f, "size"))})
		}
	}

	if sc := w.Syscheck; sc != nil {
		s.add("file", str(sc["path"]), map[string]string{
			"sha1": str(sc["sha1_after"]), "md5": str(sc["md5_after"]), "sha256": str(sc["sha256_after"]),
			"owner": str(sc["uname_after"]), "size": str(sc["size_after"]), "modified": str(sc["mtime_after"]),
			"event": str(sc["event"]),
		})
	}
	if vt, ok := d["virustotal"].(map[string]any); ok {
		s.add("file", str(dig(vt, "source", "file")), map[string]string{"sha1": str(dig(vt, "source", "sha1")), "md5": str(dig(vt, "source", "md5"))})
	}
}

// wazuhEnrichments records what the source holds beyond the parsed fields:
// the raw log of the alert, the rule that fired, and, for the three
// VirusTotal integration alerts, the VirusTotal answer Wazuh recorded.
func wazuhEnrichments(alertID, ruleID string, w *wazuhAlert) []datasets.Enrichment {
	var out []datasets.Enrichment
	if log := alertLog(w); log != "" {
		out = append(out, datasets.Enrichment{Tool: "get_alert_log", Argument: alertID, Result: log})
	}
	out = append(out, datasets.Enrichment{Tool: "get_rule", Argument: ruleID, Result: canonicalJSON(w.Rule)})
	if vt, ok := w.Data["virustotal"].(map[string]any); ok {
		arg := str(dig(vt, "source", "sha1"))
		if arg == "" {
			arg = str(vt["sha1"])
		}
		out = append(out, datasets.Enrichment{Tool: "file_reputation", Argument: arg, Result: canonicalJSON(vt)})
	}
	return out
}

// alertLog returns the raw event as recorded: Wazuh's full_log when
// present, else the Windows event message, else the decoded event data.
func alertLog(w *wazuhAlert) string {
	if w.FullLog != "" {
		return w.FullLog
	}
	if msg := str(dig(w.Data, "win", "system", "message")); msg != "" {
		return strings.Trim(msg, `"`)
	}
	if len(w.Data) > 0 {
		return canonicalJSON(w.Data)
	}
	return ""
}

// winValue undoes the escaping Wazuh adds to Windows event data: doubled
// backslashes, backslash-escaped quotes and HTML entities such as &amp;.
func winValue(v any) string {
	s := str(v)
	if !strings.ContainsAny(s, `\&`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"') {
			i++
		}
		b.WriteByte(s[i])
	}
	return html.UnescapeString(b.String())
}

// addHashes parses Sysmon's "SHA1=..,MD5=..,SHA256=..,IMPHASH=.." list.
func addHashes(attrs map[string]string, list string) {
	for _, part := range strings.Split(list, ",") {
		k, v, ok := strings.Cut(part, "=")
		if ok && v != "" {
			attrs[strings.ToLower(strings.TrimSpace(k))] = strings.ToLower(strings.TrimSpace(v))
		}
	}
}

func joinDomain(domain, name string) string {
	if name == "" {
		return ""
	}
	if domain == "" || domain == "-" {
		return name
	}
	return domain + `\` + name
}

// dig follows keys through nested JSON objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// str returns a JSON scalar as text, or "" for objects, arrays and null.
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

func strList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s := str(x); s != "" {
			out = append(out, s)
		}
	}
	return out
}
