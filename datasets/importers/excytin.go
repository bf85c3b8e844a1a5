package importers

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/soceval/soceval/datasets"
)

// Files of the ExCyTIn-Bench raw export (Microsoft SecRL): Sentinel
// SecurityIncident and SecurityAlert rows, with U+2756 as field delimiter
// and JSON in many cells.
const (
	ExCyTInIncidentsFile = "raw/extracted_incidents.csv"
	ExCyTInAlertsFile    = "raw/extracted_alerts.csv"
	// ExCyTInDataset is the dataset tag value of converted incidents.
	ExCyTInDataset = "excytin-bench"
)

const excytinDelimiter = '\u2756'

// ExCyTIn converts the Sentinel incidents under dir into incidents, joining
// each incident's AlertIds to the alerts' SystemAlertId, ordered by
// incident number. All are true positives: the attacks were simulated.
func ExCyTIn(dir string) ([]datasets.Incident, error) {
	incRows, err := readSentinelCSV(filepath.Join(dir, ExCyTInIncidentsFile))
	if err != nil {
		return nil, err
	}
	alertRows, err := readSentinelCSV(filepath.Join(dir, ExCyTInAlertsFile))
	if err != nil {
		return nil, err
	}
	alerts := make(map[string]map[string]string, len(alertRows))
	for _, a := range alertRows {
		alerts[a["SystemAlertId"]] = a
	}

	out := make([]datasets.Incident, 0, len(incRows))
	for _, row := range incRows {
		in, err := convertExCyTIn(row, alerts)
		if err != nil {
			return nil, fmt.Errorf("%s: incident %s: %w", ExCyTInIncidentsFile, row["IncidentNumber"], err)
		}
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return incidentNumber(out[i].ID) < incidentNumber(out[j].ID) })
	return out, nil
}

func incidentNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "excytin-"))
	return n
}

// readSentinelCSV reads a U+2756-delimited export into one map per row,
// keyed by header.
func readSentinelCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open ExCyTIn export: %w", err)
	}
	defer f.Close()

	r := csv.NewReader(f)
	r.Comma = excytinDelimiter
	r.LazyQuotes = false
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read %s header: %w", path, err)
	}
	var rows []map[string]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		row := make(map[string]string, len(header))
		for i, h := range header {
			row[h] = rec[i]
		}
		rows = append(rows, row)
	}
}

func convertExCyTIn(row map[string]string, alertsByID map[string]map[string]string) (datasets.Incident, error) {
	created, err := parseSentinelTime(row["CreatedTime"])
	if err != nil {
		return datasets.Incident{}, fmt.Errorf("CreatedTime: %w", err)
	}
	var alertIDs []string
	if err := json.Unmarshal([]byte(row["AlertIds"]), &alertIDs); err != nil {
		return datasets.Incident{}, fmt.Errorf("AlertIds: %w", err)
	}
	var labels []struct{ LabelName, LabelType string }
	if row["Labels"] != "" {
		if err := json.Unmarshal([]byte(row["Labels"]), &labels); err != nil {
			return datasets.Incident{}, fmt.Errorf("Labels: %w", err)
		}
	}
	var extra struct{ Techniques []string }
	if row["AdditionalData"] != "" {
		if err := json.Unmarshal([]byte(row["AdditionalData"]), &extra); err != nil {
			return datasets.Incident{}, fmt.Errorf("AdditionalData: %w", err)
		}
	}

	category := excytinCategory(row["Title"], labels)
	in := datasets.Incident{
		ID:        "excytin-" + row["IncidentNumber"],
		CreatedAt: created,
		Title:     row["Title"],
		Source:    row["ProviderName"],
		Category:  category,
		Severity:  strings.ToLower(row["Severity"]),
	}

	var (
		ents       entitySet
		unresolved int
	)
	for _, id := range alertIDs {
		a, ok := alertsByID[id]
		if !ok {
			unresolved++
			continue
		}
		alert, err := sentinelAlert(a)
		if err != nil {
			return datasets.Incident{}, fmt.Errorf("alert %s: %w", id, err)
		}
		in.Alerts = append(in.Alerts, alert)
		enr, err := sentinelEntities(&ents, a)
		if err != nil {
			return datasets.Incident{}, fmt.Errorf("alert %s: Entities: %w", id, err)
		}
		in.Enrichments = append(in.Enrichments, sentinelAlertDetails(a))
		in.Enrichments = appendNew(in.Enrichments, enr)
	}
	in.Evidence = ents.list

	notes := "All ExCyTIn-Bench incidents are true attacks by construction: Microsoft simulated them in its demo tenant. human_ttr_seconds is an estimate, not a measurement."
	if unresolved > 0 {
		notes += fmt.Sprintf(" %d of the incident's %d alert ids have no row in the alert export.", unresolved, len(alertIDs))
	}
	in.Label = datasets.Label{Grade: datasets.GradeTruePositive, Category: category, Actions: []string{}, Notes: notes}
	in.Tags = excytinTags(labels, extra.Techniques)
	setEstimatedTTR(&in)
	tagMustPass(&in)
	return in, nil
}

// parseSentinelTime parses times such as "2024-06-17 05:59:10.946666+00:00".
func parseSentinelTime(s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", s)
	if err != nil {
		t, err = time.Parse("2006-01-02 15:04:05-07:00", s)
	}
	return t.UTC(), err
}

// excytinCategory picks the category by, in order: a keyword of the title
// (ransomware, BEC or financial fraud), a Sentinel auto-assigned label
// (credential phishing), then the first tactic the title names
// ("Multi-stage incident involving Initial access & ...").
func excytinCategory(title string, labels []struct{ LabelName, LabelType string }) string {
	lower := strings.ToLower(title)
	switch {
	case strings.Contains(lower, "ransomware"):
		return "ransomware"
	case strings.Contains(lower, "bec "), strings.Contains(lower, "business email compromise"), strings.Contains(lower, "financial"):
		return "business_email_compromise"
	}
	for _, l := range labels {
		if l.LabelType == "AutoAssigned" && l.LabelName == "credential_phish_tag" {
			return "phishing"
		}
	}
	if _, rest, ok := strings.Cut(lower, "involving "); ok {
		first, _, _ := strings.Cut(rest, " & ")
		first, _, _ = strings.Cut(first, " on ")
		if c := tacticCategory(first); c != "" {
			return c
		}
	}
	return "multi_stage_intrusion"
}

func excytinTags(labels []struct{ LabelName, LabelType string }, techniques []string) []string {
	tags := []string{"dataset:" + ExCyTInDataset, "simulated_attack"}
	for _, l := range labels {
		tags = append(tags, "sentinel_label:"+l.LabelName)
	}
	for _, t := range techniques {
		tags = append(tags, "mitre:"+t)
	}
	return sortedTags(tags)
}

func sentinelAlert(a map[string]string) (datasets.Alert, error) {
	t, err := parseSentinelTime(a["StartTime"])
	if err != nil {
		return datasets.Alert{}, fmt.Errorf("StartTime: %w", err)
	}
	var techniques, sub []string
	for col, dst := range map[string]*[]string{"Techniques": &techniques, "SubTechniques": &sub} {
		if a[col] == "" {
			continue
		}
		if err := json.Unmarshal([]byte(a[col]), dst); err != nil {
			return datasets.Alert{}, fmt.Errorf("%s: %w", col, err)
		}
	}
	techniques = append(techniques, sub...)
	slices.Sort(techniques)

	category := "unknown"
	for _, tactic := range strings.Split(a["Tactics"], ",") {
		if c := tacticCategory(tactic); c != "" {
			category = c
			break
		}
	}
	return datasets.Alert{
		ID:              a["SystemAlertId"],
		Title:           a["DisplayName"],
		Detector:        a["ProductName"],
		Category:        category,
		MitreTechniques: slices.Compact(techniques),
		Time:            t,
	}, nil
}

// sentinelAlertDetails records the alert's own fields that an analyst would
// read in the portal: description, severity, the vendor's remediation
// steps and extended properties, as tool get_alert.
func sentinelAlertDetails(a map[string]string) datasets.Enrichment {
	details := map[string]any{}
	for _, col := range []string{"AlertName", "AlertSeverity", "Description", "ProviderName", "VendorName", "AlertType", "ConfidenceLevel", "ConfidenceScore", "CompromisedEntity", "Tactics", "StartTime", "EndTime", "Status"} {
		if v := a[col]; v != "" {
			details[col] = v
		}
	}
	for _, col := range []string{"RemediationSteps", "ExtendedProperties"} {
		if v := a[col]; v != "" {
			var decoded any
			if json.Unmarshal([]byte(v), &decoded) == nil {
				details[col] = decoded
			} else {
				details[col] = v
			}
		}
	}
	return datasets.Enrichment{Tool: "get_alert", Argument: a["SystemAlertId"], Result: canonicalJSON(details)}
}

// appendNew appends the enrichments of add whose tool and argument are not
// in list yet, so each tool call has one recorded answer: the first alert's.
func appendNew(list, add []datasets.Enrichment) []datasets.Enrichment {
	for _, e := range add {
		seen := slices.ContainsFunc(list, func(x datasets.Enrichment) bool { return x.Tool == e.Tool && x.Argument == e.Argument })
		if !seen {
			list = append(list, e)
		}
	}
	return list
}

// sentinelEntities adds the entities of an alert's Entities graph to s and
// returns one get_entity enrichment per entity with the fields Defender
// recorded for it (including its LastVerdict where Defender set one).
// Objects are referenced by "$id" and "$ref" within one alert.
func sentinelEntities(s *entitySet, a map[string]string) ([]datasets.Enrichment, error) {
	if a["Entities"] == "" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(a["Entities"])))
	dec.UseNumber()
	var graph []any
	if err := dec.Decode(&graph); err != nil {
		return nil, err
	}
	ids := map[string]map[string]any{}
	indexEntities(graph, ids)
	resolve := func(v any) map[string]any {
		m, _ := v.(map[string]any)
		if ref := str(m["$ref"]); ref != "" {
			return ids[ref]
		}
		return m
	}

	var enr []datasets.Enrichment
	for _, node := range graph {
		e := resolve(node)
		if e == nil {
			continue
		}
		typ, value, attrs := sentinelEntity(e, resolve)
		if typ == "" || value == "" {
			continue
		}
		s.add(typ, value, attrs)
		enr = append(enr, datasets.Enrichment{Tool: "get_entity", Argument: typ + ":" + value, Result: canonicalJSON(flattenRefs(e, resolve))})
	}
	return enr, nil
}

func indexEntities(v any, ids map[string]map[string]any) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			indexEntities(e, ids)
		}
	case map[string]any:
		if id := str(x["$id"]); id != "" {
			ids[id] = x
		}
		for _, e := range x {
			indexEntities(e, ids)
		}
	}
}

// flattenRefs returns a copy of entity without graph bookkeeping ("$id"),
// replacing references to other objects by those objects' own fields one
// level deep, so a recorded answer reads on its own.
func flattenRefs(entity map[string]any, resolve func(any) map[string]any) map[string]any {
	out := make(map[string]any, len(entity))
	for k, v := range entity {
		if k == "$id" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			if r := resolve(x); r != nil {
				out[k] = summary(r)
			}
		case []any:
			list := make([]any, len(x))
			for i, e := range x {
				if m, ok := e.(map[string]any); ok {
					list[i] = summary(resolve(m))
				} else {
					list[i] = e
				}
			}
			out[k] = list
		default:
			out[k] = v
		}
	}
	return out
}

// summary keeps the scalar fields of a referenced object.
func summary(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		switch v.(type) {
		case map[string]any, []any:
		default:
			if k != "$id" {
				out[k] = v
			}
		}
	}
	return out
}

// sentinelEntity maps one Sentinel entity to an evidence type, value and
// attributes, renaming types to the incident-record vocabulary (account →
// user, host → device, mailMessage → email, ...).
func sentinelEntity(e map[string]any, resolve func(any) map[string]any) (typ, value string, attrs map[string]string) {
	get := func(k string) string { return str(e[k]) }
	switch get("Type") {
	case "account":
		value = firstNonEmpty(get("UserPrincipalName"), joinDomain(get("NTDomain"), get("Name")), get("AadUserId"), get("Sid"))
		return "user", value, map[string]string{"name": get("Name"), "nt_domain": get("NTDomain"), "upn": get("UserPrincipalName"), "sid": get("Sid"), "aad_user_id": get("AadUserId"), "display_name": get("DisplayName")}
	case "host":
		return "device", firstNonEmpty(get("FQDN"), get("HostName")), map[string]string{
			"hostname": get("HostName"), "os_family": get("OSFamily"), "os_version": get("OSVersion"), "risk_score": get("RiskScore"),
			"health_status": get("HealthStatus"), "last_ip": get("LastIpAddress"), "last_external_ip": get("LastExternalIpAddress"),
			"av_status": get("AvStatus"), "mdatp_device_id": get("MdatpDeviceId"),
		}
	case "process":
		image := resolve(e["ImageFile"])
		attrs = map[string]string{"command_line": get("CommandLine"), "process_id": get("ProcessId"), "elevation_token": get("ElevationToken"), "created": get("CreationTimeUtc")}
		if parent := resolve(e["ParentProcess"]); parent != nil {
			attrs["parent_command_line"] = str(parent["CommandLine"])
			attrs["parent_process_id"] = str(parent["ProcessId"])
		}
		if image != nil {
			fileHashes(attrs, image["FileHashes"], resolve)
		}
		return "process", firstNonEmpty(filePath(image), get("CommandLine")), attrs
	case "file":
		attrs = map[string]string{}
		fileHashes(attrs, e["FileHashes"], resolve)
		return "file", filePath(e), attrs
	case "ip":
		attrs = map[string]string{}
		if loc, ok := e["Location"].(map[string]any); ok {
			attrs["country"] = str(loc["CountryCode"])
			attrs["city"] = str(loc["City"])
			attrs["asn"] = str(loc["Asn"])
			attrs["carrier"] = str(loc["Carrier"])
		}
		return "ip", get("Address"), attrs
	case "url":
		return "url", get("Url"), nil
	case "mailMessage":
		return "email", firstNonEmpty(get("InternetMessageId"), get("NetworkMessageId")), map[string]string{
			"sender": get("Sender"), "recipient": get("Recipient"), "subject": get("Subject"), "sender_ip": get("SenderIP"),
			"p1_sender": get("P1Sender"), "p2_sender": get("P2Sender"), "received": get("ReceivedDate"),
			"delivery_action": get("DeliveryAction"), "delivery_location": get("DeliveryLocation"),
			"urls": strings.Join(strList(e["Urls"]), " "), "threats": strings.Join(strList(e["Threats"]), " "),
			"network_message_id": get("NetworkMessageId"),
		}
	case "mailbox":
		return "mailbox", get("MailboxPrimaryAddress"), map[string]string{"display_name": get("DisplayName"), "upn": get("Upn")}
	case "mailCluster":
		return "mail_cluster", get("Query"), map[string]string{"mail_count": get("MailCount"), "cluster_by": get("ClusterBy"), "cluster_by_value": get("ClusterByValue")}
	case "cloud-application":
		return "cloud_application", get("Name"), map[string]string{"app_id": get("AppId"), "instance": get("InstanceName")}
	case "oauth-application":
		return "oauth_application", get("Name"), map[string]string{"app_id": get("OAuthAppId"), "publisher": get("PublisherName")}
	case "registry-value":
		key := resolve(e["Key"])
		return "registry_value", strings.TrimSuffix(str(key["Hive"])+`\`+str(key["Key"]), `\`) + `\` + get("Name"), map[string]string{"value": get("Value"), "value_type": get("ValueType")}
	case "cloud-logon-session":
		return "cloud_logon_session", get("SessionId"), map[string]string{"user_agent": get("UserAgent"), "start": get("StartTimeUtc")}
	case "cloud-logon-request":
		return "cloud_logon_request", get("RequestId"), nil
	case "azure-resource":
		return "azure_resource", get("ResourceId"), map[string]string{"resource_type": get("ResourceType"), "name": get("ResourceName")}
	}
	return "", "", nil
}

func filePath(f map[string]any) string {
	if f == nil {
		return ""
	}
	dir, name := str(f["Directory"]), str(f["Name"])
	if dir == "" {
		return name
	}
	return strings.TrimSuffix(dir, `\`) + `\` + name
}

func fileHashes(attrs map[string]string, hashes any, resolve func(any) map[string]any) {
	list, _ := hashes.([]any)
	for _, h := range list {
		m := resolve(h)
		if alg := strings.ToLower(str(m["Algorithm"])); alg != "" {
			attrs[alg] = strings.ToLower(str(m["Value"]))
		}
	}
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" && v != `\` {
			return v
		}
	}
	return ""
}
