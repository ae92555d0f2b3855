#!/usr/bin/env bash
# Benchmark 1 (bench/SUPERVISOR.md): per-step overhead of 1,000 sequential /bin/true steps —
# a bare `sh` loop, the loop under `tini -s` and as PID 1 under tini, and shepherd running a
# 1,000-step chain (and a 1-step workflow, to take the JVM start out).
#   BENCH_ROUNDS=5 BENCH_STEPS=1000 BENCH_JAVA_OPTS='-XX:+UseSerialGC' BENCH_STEPS_PID1=1 bench/supervisor/steps.sh
# Results: stdout (markdown tables), bench/supervisor/results/steps.json, results/raw/steps/*.log
source "$(dirname "$0")/common.sh"
exec python3 "$BENCH_DIR/steps.py"
