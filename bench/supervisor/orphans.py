"""Benchmark 2: 10,000 orphan zombies drained, shepherd against tini, as PID 1 of a new PID
namespace and as a child subreaper (bench/SUPERVISOR.md). Run through orphans.sh.

The measurement is the same program under every supervisor: `probe orphans N` (probe.c) is the
supervisor's only step; it makes N zombies that are reparented to the supervisor, then checks
with kill(pid, 0) about every 1 ms until all are reaped, and counts the zombies left in /proc.
Every variant runs in its own PID namespace so that /proc shows only its processes; in the
subreaper variants a `sh` is PID 1 there and the supervisor is its child."""
import os
import sys

import lib

N = int(lib.env("BENCH_ORPHANS", "10000"))
ROUNDS = int(lib.env("BENCH_ROUNDS", "7"))
JAVA_OPTS = lib.split(lib.env("BENCH_JAVA_OPTS", ""))
probe = os.path.join(lib.BUILD, "probe")
wf = os.path.join(lib.BUILD, "wf", "orphans.yaml")
with open(wf, "w") as f:
    f.write("apiVersion: shepherd.dev/v1alpha1\nkind: Workflow\nmetadata:\n  name: orphans\nspec:\n  steps:\n"
            f"    - name: orphans\n      command: [\"{probe}\", \"orphans\", \"{N}\"]\n")
NS = ["unshare", "-pf", "--mount-proc"]
shepherd = lib.shepherd_argv(wf, JAVA_OPTS)
q = lib.split  # noqa


def sub(argv):
    """argv as a child of a `sh` that is PID 1 of the namespace (not exec'd: `; exit $?`)."""
    import shlex
    return NS + ["sh", "-c", " ".join(shlex.quote(a) for a in argv) + "; exit $?"]


variants = [
    ("tini-pid1", NS + ["tini", "--", probe, "orphans", str(N)], None),
    ("shepherd-pid1", NS + shepherd, None),
    ("tini-subreaper", sub(["tini", "-s", "--", probe, "orphans", str(N)]), None),
    ("shepherd-subreaper", sub(shepherd), None),
]


def parse(name, output):
    row = lib.numbers(output, "orphans n=")
    if name.startswith("shepherd"):
        inside = lib.numbers(output, "bench-run")
        row["reaped_by_supervisor"] = inside.get("orphans")
        row["reap_wakeups"] = inside.get("reap_wakeups")
    return row


meta = lib.machine()
meta.update({"orphans": N, "rounds": ROUNDS, "java": lib.env("BENCH_JAVA"), "java_opts": JAVA_OPTS,
             "shepherd": lib.env("BENCH_SHEPHERD"), "commands": {n: a for n, a, _ in variants}})
data = lib.interleave("orphans", variants, ROUNDS, warmup=1, parse=parse)
lib.save("orphans", data, meta)
print(f"\n## Benchmark 2: {N} orphan zombies drained ({ROUNDS} interleaved rounds after 1 warm-up; median [min..max];"
      f" load average at start {meta['loadavg_at_start']})\n")
print("| variant | drain: maker exit → last reaped (ms) | still there at 1st check | zombies left | processes left |"
      " making them (ms) | reaped by supervisor (its counter) |")
print("|---|---|---|---|---|---|---|")
bad = 0
for name, _, _ in variants:
    rows = data[name]
    bad += sum(1 for r in rows if r["rc"] != 0 or r.get("zombies", 1) != 0 or r.get("left", 1) != 0)
    zombies = sorted({int(r.get("zombies", -1)) for r in rows})
    left = sorted({int(r.get("extra", -1)) for r in rows})
    reaped = lib.stats(lib.column(rows, "reaped_by_supervisor")) if name.startswith("shepherd") else None
    print(f"| {name} | {lib.fmt(lib.stats(lib.column(rows, 'drain_ms')), 1, 1)} |"
          f" {lib.fmt(lib.stats(lib.column(rows, 'first')), 1, 0)} | {zombies} | {left} |"
          f" {lib.fmt(lib.stats(lib.column(rows, 'fork_ms')), 1, 0)} |"
          f" {lib.fmt(reaped, 1, 0) if reaped else '-'} |")
if bad:
    print(f"\n{bad} runs failed or left zombies; see results/raw/orphans/")
    sys.exit(1)
