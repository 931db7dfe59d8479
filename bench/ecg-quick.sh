#!/usr/bin/env bash
# Issue #12's time and comparison benchmark, through the real CLI in a scratch lab (nothing asserted; it prints):
#  1. `pdash run --methods dash,pdash --seeds 0,1,2 --preset quick` on ecg-synth small, timed (the issue's goal:
#     within 15 minutes wall on a 2-core machine), with the concurrency the lab chooses by default;
#  2. the backbone and random baselines on the same seeds (random at DASH's search compute);
#  3. `pdash compare` over all of them: mean ± sample std per method, per-seed values, fields, undecided layers.
#
#   bash bench/ecg-quick.sh [--seeds 0,1,2] [--lab DIR] [--keep]      (output: the runs' bars, then the tables)
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=0,1,2; lab=""; keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --lab) lab=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: bash bench/ecg-quick.sh [--seeds 0,1,2] [--lab DIR] [--keep]" >&2; exit 2 ;;
  esac
done
if [ -z "$lab" ]; then lab=$(mktemp -d /tmp/pdash-ecg-quick.XXXXXX); fi
[ "$keep" = 1 ] || trap 'rm -rf "$lab"' EXIT
pdash() { local command=$1; shift; if [ "$command" = dataset ] || [ "$command" = experiments ]; then local sub=$1; shift; node bin/pdash.mjs "$command" "$sub" --lab "$lab" "$@"; else node bin/pdash.mjs "$command" --lab "$lab" "$@"; fi; }

echo "lab: $lab; machine: $(nproc) cores, node $(node --version)"
pdash dataset generate ecg-synth --size small --seed 0 --name ecg-small >/dev/null
t0=$(date +%s)
pdash run --dataset ecg-small --methods dash,pdash --seeds "$seeds" --preset quick --name search | tee "$lab/search.log"
t1=$(date +%s)
echo "== DASH + P-DASH, seeds $seeds, quick: $((t1 - t0)) s wall =="
pdash run --dataset ecg-small --methods backbone,random --seeds "$seeds" --preset quick --name baselines | tee "$lab/baselines.log"
t2=$(date +%s)
echo "== backbone + random, seeds $seeds, quick: $((t2 - t1)) s wall =="
runIds() { pdash experiments show "$1" --json | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).runs.map((r)=>r.id).join(",")))'; }
runs="$(runIds 1),$(runIds 2)"
pdash compare --runs "$runs"
