#!/bin/sh
# Rebuild the bundled incident set and recorded predictions from the public
# sources. Run from anywhere; SHARED_DATA defaults to ../shared/data beside
# the repository checkout.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
data=${SHARED_DATA:-$repo/../shared/data}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$repo"
go build -o "$tmp/soceval" ./cmd/soceval

"$tmp/soceval" dataset import --from llm-soc-alert-triage "$data/llm-soc-alert-triage" \
	-o "$tmp/llmsoc.jsonl" --predictions "$tmp/predictions"
"$tmp/soceval" dataset import --from excytin "$data/excytin-bench" -o "$tmp/excytin.jsonl"

# The Wazuh alerts are one set, since the recorded LLM runs cover exactly
# them; the Sentinel incidents are another.
"$tmp/soceval" dataset validate "$tmp/llmsoc.jsonl" "$tmp/excytin.jsonl"
mv "$tmp/llmsoc.jsonl" "$here/soc-lab.jsonl"
mv "$tmp/excytin.jsonl" "$here/sentinel-incidents.jsonl"
rm -f "$here"/predictions/*.jsonl
mkdir -p "$here/predictions"
mv "$tmp"/predictions/*.jsonl "$here/predictions/"

# Prompt-injection variants of 40 soc-lab incidents (23 true, 17 false
# positives), five attack templates each, after their clean incidents.
"$tmp/soceval" dataset adversarial --n 40 --seed 1 --stratify grade "$here/soc-lab.jsonl" \
	-o "$here/soc-lab-adversarial.jsonl"
