"""Benchmark 1: per-step overhead of 1,000 sequential /bin/true steps, against a bare shell loop
and the same loop under tini (bench/SUPERVISOR.md). Run through steps.sh."""
import os
import sys

import lib

N = int(lib.env("BENCH_STEPS", "1000"))
ROUNDS = int(lib.env("BENCH_ROUNDS", "5"))
LOOP = f"i=0; while [ $i -lt {N} ]; do /bin/true; i=$((i+1)); done"
JAVA_OPTS = lib.split(lib.env("BENCH_JAVA_OPTS", ""))

wf = os.path.join(lib.BUILD, "wf")
chain_n = lib.write_chain(os.path.join(wf, f"chain{N}.yaml"), N)
chain_1 = lib.write_chain(os.path.join(wf, "chain1.yaml"), 1)

variants = [
    ("bare", ["sh", "-c", LOOP], None),
    ("tini-s", ["tini", "-s", "--", "sh", "-c", LOOP], None),
    ("ns-bare", ["unshare", "-pf", "--mount-proc", "sh", "-c", LOOP], None),
    ("ns-tini", ["unshare", "-pf", "--mount-proc", "tini", "--", "sh", "-c", LOOP], None),
    ("shepherd-1", lib.shepherd_argv(chain_1, JAVA_OPTS), None),
    (f"shepherd-{N}", lib.shepherd_argv(chain_n, JAVA_OPTS), None),
]
if lib.env("BENCH_STEPS_PID1"):
    variants.append((f"ns-shepherd-{N}", ["unshare", "-pf", "--mount-proc", *lib.shepherd_argv(chain_n, JAVA_OPTS)],
                     None))


def parse(name, output):
    if name.startswith("shepherd") or name.startswith("ns-shepherd"):
        return lib.numbers(output, "bench-run")
    return {}


meta = lib.machine()
meta.update({"steps": N, "rounds": ROUNDS, "java": lib.env("BENCH_JAVA"), "java_opts": JAVA_OPTS,
             "shepherd": lib.env("BENCH_SHEPHERD"), "commands": {n: a for n, a, _ in variants}})
data = lib.interleave("steps", variants, ROUNDS, warmup=1, parse=parse)
big, one = data[f"shepherd-{N}"], data["shepherd-1"]

# Paired per-round differences (the rounds are interleaved, so a round's runs saw the same load).
derived = {"raw_ms": [], "net_ms": [], "raw_cpu_ms": [], "net_cpu_ms": [], "tini_ms": [], "tini_cpu_ms": []}
for r in range(ROUNDS):
    bare, tini = data["bare"][r], data["tini-s"][r]
    derived["raw_ms"].append((big[r]["wall"] - bare["wall"]) / N * 1000)
    derived["net_ms"].append(((big[r]["wall"] - one[r]["wall"]) / (N - 1) - bare["wall"] / N) * 1000)
    derived["raw_cpu_ms"].append((big[r]["cpu"] - bare["cpu"]) / N * 1000)
    derived["net_cpu_ms"].append(((big[r]["cpu"] - one[r]["cpu"]) / (N - 1) - bare["cpu"] / N) * 1000)
    derived["tini_ms"].append((tini["wall"] - bare["wall"]) / N * 1000)
    derived["tini_cpu_ms"].append((tini["cpu"] - bare["cpu"]) / N * 1000)
lib.save("steps", {"runs": data, "derived": derived}, meta)

print(f"\n## Benchmark 1: {N} sequential /bin/true steps ({ROUNDS} interleaved rounds after 1 warm-up;"
      f" median [min..max]; load average at start {meta['loadavg_at_start']})\n")
print("| variant | wall total (ms) | CPU user+sys (ms) | wall per step (ms) |")
print("|---|---|---|---|")
for name, _, _ in variants:
    rows = data[name]
    steps = 1 if name == "shepherd-1" else N
    w, c = lib.stats(lib.column(rows, "wall")), lib.stats(lib.column(rows, "cpu"))
    print(f"| {name} | {lib.fmt(w, 1000)} | {lib.fmt(c, 1000)} | {lib.fmt(w, 1000 / steps, 3)} |")
print("\n| derived, per step (paired by round) | wall (ms) | CPU (ms) |")
print("|---|---|---|")
print(f"| tini -s over bare | {lib.fmt(lib.stats(derived['tini_ms']), 1, 3)} |"
      f" {lib.fmt(lib.stats(derived['tini_cpu_ms']), 1, 3)} |")
print(f"| shepherd over bare, (shepherd-{N} − bare)/{N} | {lib.fmt(lib.stats(derived['raw_ms']), 1, 3)} |"
      f" {lib.fmt(lib.stats(derived['raw_cpu_ms']), 1, 3)} |")
print(f"| shepherd over bare without JVM start, (shepherd-{N} − shepherd-1)/{N - 1} − bare/{N} |"
      f" {lib.fmt(lib.stats(derived['net_ms']), 1, 3)} | {lib.fmt(lib.stats(derived['net_cpu_ms']), 1, 3)} |")
inside = [(k, lib.stats(lib.column(big, k))) for k in ("parse_ms", "start_ms", "run_ms", "attempt_ms", "between_ms",
                                                        "hwm_kb")]
print(f"\nInside the shepherd-{N} JVM (median [min..max]): " + ", ".join(
    f"{k} {lib.fmt(s, 1, 2)}" for k, s in inside if s))
one_inside = [(k, lib.stats(lib.column(one, k))) for k in ("parse_ms", "start_ms", "run_ms")]
print("Inside the shepherd-1 JVM: " + ", ".join(f"{k} {lib.fmt(s, 1, 2)}" for k, s in one_inside if s))
failed = {n: sum(1 for r in rows if r["rc"] != 0) for n, rows in data.items()}
if any(failed.values()):
    print(f"\nFAILED runs: {failed}")
    sys.exit(1)
