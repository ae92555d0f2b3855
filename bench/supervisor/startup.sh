#!/usr/bin/env bash
# Benchmark 3 (bench/SUPERVISOR.md): launch → first step's exec, and the supervisor's RSS, for
# tini and for shepherd with several JVM flag sets, each with and without a JDK 25 AOT cache
# (trained here with -XX:AOTCacheOutput on a 5-step workflow; build/shepherd-<set>.aot).
#   BENCH_ROUNDS=7 BENCH_NO_AOT=1 BENCH_STARTUP_FLAGS='mine=-XX:+UseSerialGC -Xmx32m' bench/supervisor/startup.sh
# Results: stdout (markdown table), bench/supervisor/results/startup.json, results/raw/startup/*.log
source "$(dirname "$0")/common.sh"
exec python3 "$BENCH_DIR/startup.py"
