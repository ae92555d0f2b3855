# Sourced by the supervisor benchmark scripts (bench/SUPERVISOR.md). Sets up, once:
#   tools   tini, hyperfine (apt-get update && apt-get install -y tini hyperfine), gcc, python3, unshare
#   probe   bench/supervisor/build/probe, from probe.c
#   jar     $SHEPHERD_JAR, or target/shepherd.jar (built with `mvn -q -B -DskipTests package` if missing)
#   java    $SHEPHERD_JAVA, or target/supervisor-runtime/bin/java (the jlinked runtime) if it exists,
#           or $JAVA_HOME/bin/java (Temurin 25)
#   how     BENCH_SHEPHERD=run if `java -jar shepherd.jar run --help` works (`shepherd run FILE.yaml`),
#           else BENCH_SHEPHERD=driver: dev.shepherd.bench.SupervisorRunBench (the same
#           Supervisor + WorkflowRunner, compiled with javac into build/classes). Override with
#           SHEPHERD_MODE=run|driver.
# Exports BENCH_JAVA, BENCH_JAR, BENCH_SHEPHERD, BENCH_ROOT; BENCH_ROUNDS (default per script).
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_ROOT="$(cd "$BENCH_DIR/../.." && pwd)"
export BENCH_ROOT
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
case "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)" in
  *'"25'*) ;;
  *) JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ;;
esac

need() { command -v "$1" >/dev/null 2>&1; }
if ! need tini || ! need hyperfine; then
  echo "installing tini and hyperfine: apt-get update && apt-get install -y tini hyperfine" >&2
  apt-get update -qq && apt-get install -y -qq tini hyperfine >/dev/null
fi
for tool in gcc python3 unshare; do
  need "$tool" || { echo "bench/supervisor: $tool is needed" >&2; exit 1; }
done

mkdir -p "$BENCH_DIR/build/classes" "$BENCH_DIR/build/wf" "$BENCH_DIR/results"
if [[ ! -x "$BENCH_DIR/build/probe" || "$BENCH_DIR/probe.c" -nt "$BENCH_DIR/build/probe" ]]; then
  gcc -O2 -Wall -o "$BENCH_DIR/build/probe" "$BENCH_DIR/probe.c"
fi

BENCH_JAR="${SHEPHERD_JAR:-$BENCH_ROOT/target/shepherd.jar}"
if [[ ! -f "$BENCH_JAR" ]]; then
  echo "building $BENCH_JAR (mvn -q -B -DskipTests package)" >&2
  (cd "$BENCH_ROOT" && mvn -q -B -DskipTests package)
fi
export BENCH_JAR

if [[ -n "${SHEPHERD_JAVA:-}" ]]; then
  BENCH_JAVA="$SHEPHERD_JAVA"
elif [[ -x "$BENCH_ROOT/target/supervisor-runtime/bin/java" ]]; then
  BENCH_JAVA="$BENCH_ROOT/target/supervisor-runtime/bin/java"
else
  BENCH_JAVA="$JAVA_HOME/bin/java"
fi
export BENCH_JAVA

# the bench main classes (src/test/java/dev/shepherd/bench/Supervisor*Bench.java), against the jar
driver_jar="$BENCH_DIR/build/bench-driver.jar"
stale=0
[[ -f "$driver_jar" && ! "$BENCH_JAR" -nt "$driver_jar" ]] || stale=1
for src in "$BENCH_ROOT"/src/test/java/dev/shepherd/bench/Supervisor*Bench.java; do
  [[ "$src" -nt "$driver_jar" ]] && stale=1
done
if [[ $stale == 1 ]]; then
  rm -rf "$BENCH_DIR/build/classes" && mkdir -p "$BENCH_DIR/build/classes"
  "$JAVA_HOME/bin/javac" -nowarn -cp "$BENCH_JAR" -d "$BENCH_DIR/build/classes" \
    "$BENCH_ROOT"/src/test/java/dev/shepherd/bench/Supervisor*Bench.java
  # a jar, not a directory: the JDK's AOT cache accepts only jars on the class path
  "$JAVA_HOME/bin/jar" cf "$driver_jar" -C "$BENCH_DIR/build/classes" .
fi

if [[ -n "${SHEPHERD_MODE:-}" ]]; then
  BENCH_SHEPHERD="$SHEPHERD_MODE"
elif "$BENCH_JAVA" --enable-native-access=ALL-UNNAMED -jar "$BENCH_JAR" run --help >/dev/null 2>&1; then
  BENCH_SHEPHERD=run
else
  BENCH_SHEPHERD=driver
fi
export BENCH_SHEPHERD
echo "bench/supervisor: java $BENCH_JAVA, jar $BENCH_JAR, shepherd via: $BENCH_SHEPHERD" >&2
