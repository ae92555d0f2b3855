#!/usr/bin/env bash
# All three supervisor benchmarks (bench/SUPERVISOR.md), one after the other; never in CI.
# Setup (once, see common.sh): apt-get update && apt-get install -y tini hyperfine; gcc; python3;
# target/shepherd.jar (JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -B -DskipTests package).
#   bench/supervisor/run-all.sh            # tables on stdout, also in results/run-all.md
# Knobs: SHEPHERD_JAR, SHEPHERD_JAVA, SHEPHERD_MODE=run|driver, BENCH_ROUNDS, BENCH_JAVA_OPTS (see each script).
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$dir/results"
{
  echo "# supervisor benchmarks, $(date -u +%FT%TZ), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$dir/startup.sh"
  "$dir/orphans.sh"
  "$dir/steps.sh"
} | tee "$dir/results/run-all.md"
