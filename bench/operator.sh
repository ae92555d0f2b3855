#!/usr/bin/env bash
# The operator benchmark (see bench/README.md). Run from anywhere; builds the test classes first.
#   bench/operator.sh [workflows [steps [kubeletDelayMs]]] [--shape=diamond|chain] [--rate=N] [--threads=N]
# Defaults: 1000 workflows, 5 steps (diamond-plus-one), kubelet delay 0-50 ms, created all at once.
# JAVA_OPTS is passed to the benchmark JVM (e.g. JAVA_OPTS=-Xmx512m).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" ${JAVA_OPTS:-} -cp "target/classes:target/test-classes:$(cat target/cp.txt)" \
  dev.shepherd.bench.OperatorBench "${@:-1000}"
