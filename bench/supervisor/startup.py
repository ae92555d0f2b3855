"""Benchmark 3: from launch to the first step's exec, and the supervisor's memory, for shepherd
under several JVM flag sets (with and without a JDK 25 AOT cache) and for tini
(bench/SUPERVISOR.md). Run through startup.sh.

Every variant is started as `probe launch STAMPFILE <supervisor> ...`: probe writes
CLOCK_REALTIME to STAMPFILE and execs the supervisor. Its first step is `probe stamp`, which prints
CLOCK_REALTIME and its parent's (the supervisor's) VmRSS and VmHWM. Startup = stamp − launch.
Not in a PID namespace: the supervisor is a child subreaper, as under `shepherd run`."""
import os
import sys

import lib

ROUNDS = int(lib.env("BENCH_ROUNDS", "7"))
probe = os.path.join(lib.BUILD, "probe")
wf_dir = os.path.join(lib.BUILD, "wf")
first = lib.write_chain(os.path.join(wf_dir, "first-step.yaml"), 1, first=[probe, "stamp"], name="first-step")
training = lib.write_chain(os.path.join(wf_dir, "training.yaml"), 5, first=[probe, "stamp"], name="training")

LEAN = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k", "-Xms8m", "-Xmx64m",
        "-XX:ReservedCodeCacheSize=16m", "-XX:-UsePerfData", "-XX:CICompilerCount=1"]
SERIAL = ["-XX:+UseSerialGC", "-XX:-UsePerfData"]
FLAG_SETS = {
    "default": [],
    "serial": SERIAL,
    "lean": LEAN,
}
extra = lib.env("BENCH_STARTUP_FLAGS")  # one more set: "name=flags..."
if extra:
    name, flags = extra.split("=", 1)
    FLAG_SETS[name] = lib.split(flags)


def aot_cache(name, flags):
    """Trains a JDK 25 AOT cache with these flags (one step: -XX:AOTCacheOutput) on a 5-step workflow."""
    cache = os.path.join(lib.BUILD, f"shepherd-{name}.aot")
    argv = lib.shepherd_argv(training, [*flags, f"-XX:AOTCacheOutput={cache}"])
    wall, cpu, rc, output = lib.run_once(argv, os.path.join(lib.BUILD, f"aot-train-{name}.log"))
    if rc != 0 or not os.path.exists(cache):
        print(f"AOT training for {name} failed (exit {rc}):\n{output[-3000:]}", file=sys.stderr)
        return None
    print(f"trained {cache} ({os.path.getsize(cache) / 2**20:.1f} MiB) in {wall:.1f} s", file=sys.stderr)
    return cache


variants = [("tini", [probe, "launch", None, "tini", "-s", "--", probe, "stamp"], None)]
commands = {}
for name, flags in FLAG_SETS.items():
    variants.append((name, lib.shepherd_argv(first, flags), None))
    if not lib.env("BENCH_NO_AOT"):
        cache = aot_cache(name, flags)
        if cache:
            variants.append((f"{name}+aot", lib.shepherd_argv(first, [*flags, f"-XX:AOTCache={cache}"]), None))
if not lib.env("BENCH_NO_FLOORS"):
    # the floors: the JVM alone (ProcessBuilder), and the Supervisor alone (no file, Jackson, engine)
    for mode in ("jdk", "supervisor"):
        variants.append((f"floor-{mode}", [lib.env("BENCH_JAVA"), "--enable-native-access=ALL-UNNAMED", *LEAN, "-cp",
                                           f"{lib.env('BENCH_JAR')}:{os.path.join(lib.BUILD, 'bench-driver.jar')}",
                                           "dev.shepherd.bench.SupervisorFloorBench", mode, probe, "stamp"], None))
for i, (name, argv, e) in enumerate(variants):
    stamp_file = os.path.join(lib.BUILD, f"launch-{name}.ns")
    if argv[0] == probe:
        argv[2] = stamp_file
    else:
        argv = [probe, "launch", stamp_file, *argv]
    variants[i] = (name, argv, e)


def parse(name, output):
    launch = int(open(os.path.join(lib.BUILD, f"launch-{name}.ns")).read())
    row = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[-2] == "stamp":
            row["startup_ms"] = (int(parts[-1]) - launch) / 1e6
        elif len(parts) >= 2 and parts[-2] == "parent-rss" and "rss_kb" not in row:
            row["rss_kb"] = float(parts[-1])
        elif len(parts) >= 2 and parts[-2] == "parent-hwm" and "hwm_kb" not in row:
            row["hwm_kb"] = float(parts[-1])
    inside = lib.numbers(output, "bench-run")
    if inside:
        row["end_hwm_kb"] = inside.get("hwm_kb")
    return row


meta = lib.machine()
meta.update({"rounds": ROUNDS, "java": lib.env("BENCH_JAVA"), "shepherd": lib.env("BENCH_SHEPHERD"),
             "flag_sets": FLAG_SETS, "commands": {n: a for n, a, _ in variants}})
data = lib.interleave("startup", variants, ROUNDS, warmup=1, parse=parse)
lib.save("startup", data, meta)
print(f"\n## Benchmark 3: launch → first step's exec, and memory ({ROUNDS} interleaved rounds after 1 warm-up;"
      f" median [min..max]; load average at start {meta['loadavg_at_start']})\n")
print("| variant | JVM flags | startup to first exec (ms) | RSS at first exec (MiB) | HWM at first exec (MiB) |"
      " HWM at exit (MiB) | wall, whole run (ms) | CPU, whole run (ms) |")
print("|---|---|---|---|---|---|---|---|")
for name, argv, _ in variants:
    rows = data[name]
    flags = " ".join(a for a in argv if a.startswith("-X") and not a.startswith("-XX:AOTCache")) or "-"
    if name.startswith("floor-"):
        flags = "lean; " + ("ProcessBuilder only" if name == "floor-jdk" else "Supervisor.start + spawn only")
    if "+aot" in name:
        flags += " -XX:AOTCache=…"
    if name == "tini":
        flags = "(tini -s)"
    end = lib.stats(lib.column(rows, "end_hwm_kb"))
    print(f"| {name} | `{flags}` | {lib.fmt(lib.stats(lib.column(rows, 'startup_ms')), 1, 1)} |"
          f" {lib.fmt(lib.stats(lib.column(rows, 'rss_kb')), 1 / 1024, 1)} |"
          f" {lib.fmt(lib.stats(lib.column(rows, 'hwm_kb')), 1 / 1024, 1)} |"
          f" {lib.fmt(end, 1 / 1024, 1) if end else '-'} |"
          f" {lib.fmt(lib.stats(lib.column(rows, 'wall')), 1000, 0)} | {lib.fmt(lib.stats(lib.column(rows, 'cpu')), 1000, 0)} |")
failed = {n: sum(1 for r in rows if r["rc"] != 0) for n, rows in data.items()}
if any(failed.values()):
    print(f"\nFAILED runs: {failed}")
    sys.exit(1)
