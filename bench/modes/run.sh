#!/usr/bin/env bash
# One workflow of 100 `sh -c 'true'` steps run three ways, interleaved (bench/MODES.md):
# pod mode (test kubelet), supervisor mode (jlinked `shepherd supervise` in one Pod), `shepherd run`
# (and `shepherd run` through the jlinked launcher). On demand only, never in CI.
#   bench/modes/run.sh [--rounds=5] [--steps=100] [--parallelism=10] [--shapes=chain,wide]
#                      [--modes=pod,supervisor,run,run-jlinked] [--out=bench/modes/results]
# Builds what it needs: the shaded jar and the jlinked runtime (mvn package), the test classes and
# the test class path. SKIP_BUILD=1 reuses them. JAVA_OPTS goes to the benchmark JVM.
# Output: tables on stdout and in results/table.md, every run in results/runs.csv, the processes'
# output in results/processes.log, the 1-min load average every 10 s in results/load.log.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  mvn -q -B -DskipTests package
  mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
fi
out=bench/modes/results
for a in "$@"; do [[ "$a" == --out=* ]] && out="${a#--out=}"; done
mkdir -p "$out"
rm -f "$out/runs.csv"
( while sleep 10; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; done ) >"$out/load.log" &
sampler=$!
trap 'kill "$sampler"' EXIT
echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" ${JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED \
  -cp "target/classes:target/test-classes:$(cat target/cp.txt)" dev.shepherd.bench.ModesBench \
  --jar=target/shepherd.jar --runtime=target/supervisor-runtime "$@"
