#!/usr/bin/env bash
# Benchmark 2 (bench/SUPERVISOR.md): 10,000 orphan zombies reparented to the supervisor — how long
# until the last is reaped, and how many are left — for tini and shepherd, each as PID 1 of a new
# PID namespace and as a child subreaper. Needs root (unshare -pf --mount-proc).
#   BENCH_ROUNDS=7 BENCH_ORPHANS=10000 BENCH_JAVA_OPTS=... bench/supervisor/orphans.sh
# Results: stdout (markdown table), bench/supervisor/results/orphans.json, results/raw/orphans/*.log
source "$(dirname "$0")/common.sh"
exec python3 "$BENCH_DIR/orphans.py"
