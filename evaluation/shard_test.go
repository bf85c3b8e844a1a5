package evaluation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/soceval/soceval/datasets"
	"github.com/soceval/soceval/runstore"
)

func TestShardsPartitionIncidents(t *testing.T) {
	var incidents []datasets.Incident
	for i := range 1000 {
		incidents = append(incidents, datasets.Incident{ID: fmt.Sprintf("inc-%04d", i)})
	}

	seen := map[string]int{}
	for i := range 4 {
		part := ShardOf(incidents, runstore.Shard{Index: i, Count: 4})
		// With 1,000 ids hashed into 4 shards, each shard's size is
		// binomial(1000, 1/4): mean 250, standard deviation 13.7, so a
		// shard outside 250 ± 70 (5 standard deviations) means a bad hash.
		if len(part) < 180 || len(part) > 320 {
			t.Errorf("shard %d has %d incidents, want about 250", i, len(part))
		}
		for _, in := range part {
			seen[in.ID]++
		}
	}
	if len(seen) != len(incidents) {
		t.Errorf("shards cover %d of %d incidents", len(seen), len(incidents))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("incident %s is in %d shards", id, n)
		}
	}

	reversed := make([]datasets.Incident, len(incidents))
	for i := range incidents {
		reversed[len(incidents)-1-i] = incidents[i]
	}
	a := ShardOf(incidents, runstore.Shard{Index: 2, Count: 4})
	b := ShardOf(reversed, runstore.Shard{Index: 2, Count: 4})
	if len(a) != len(b) {
		t.Errorf("shard 2 has %d incidents in one order and %d in the other", len(a), len(b))
	}
}

func shardManifest(index, count int, suiteHash string) *runstore.Manifest {
	return &runstore.Manifest{
		RunID: fmt.Sprintf("r-shard%dof%d", index, count), SuiteSHA256: suiteHash,
		Dataset: runstore.DatasetRef{SHA256: "d"}, Agents: []runstore.AgentSpec{{Name: "a"}},
		Repeats: 1, Shard: &runstore.Shard{Index: index, Count: count},
		StartedAt: time.Unix(0, 0),
	}
}

func TestCheckShardsRejectsMismatches(t *testing.T) {
	tests := []struct {
		name      string
		manifests []*runstore.Manifest
		want      string
	}{
		{"complete", []*runstore.Manifest{shardManifest(0, 2, "s"), shardManifest(1, 2, "s")}, ""},
		{"missing shard", []*runstore.Manifest{shardManifest(0, 3, "s"), shardManifest(2, 3, "s")}, "shard 1 is missing of 3"},
		{"other suite", []*runstore.Manifest{shardManifest(0, 2, "s"), shardManifest(1, 2, "t")}, "ran another suite"},
		{"given twice", []*runstore.Manifest{shardManifest(0, 2, "s"), shardManifest(0, 2, "s"), shardManifest(1, 2, "s")}, "shard 0 is given twice"},
		{"not a shard", []*runstore.Manifest{{RunID: "whole"}}, "is not a shard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dirs := make([]string, len(tt.manifests))
			for i := range dirs {
				dirs[i] = fmt.Sprintf("dir%d", i)
			}
			err := checkShards(dirs, tt.manifests)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("checkShards = %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("checkShards = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestSafeNameStaysInFolder(t *testing.T) {
	tests := map[string]string{
		"release-1.2":      "release-1.2",
		"../../etc/passwd": "_.._etc_passwd",
		"a b/c":            "a_b_c",
		"..":               "suite",
		"":                 "suite",
	}
	for in, want := range tests {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}
