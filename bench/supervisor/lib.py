"""Shared helpers of the supervisor benchmarks (bench/SUPERVISOR.md).

Every comparison is one interleaved run: round r runs every variant once, in an order rotated by r
(so no variant is always first or last after a pause), and the report gives the median and the
spread (min..max, and the interquartile range) over the rounds. Wall time is taken around the
child process; CPU (user+sys) comes from RUSAGE_CHILDREN, which includes every descendant the
child waited for (the steps of a supervisor, the commands of a shell loop).
"""
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")
RESULTS = os.path.join(HERE, "results")


def env(name, default=None):
    value = os.environ.get(name)
    return value if value else default


def run_once(argv, log_path, extra_env=None):
    """Runs argv, stdout+stderr to log_path. Returns (wall_s, cpu_s, exit_code, output)."""
    e = dict(os.environ)
    if extra_env:
        e.update(extra_env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log_path, "wb") as log:
        t0 = time.perf_counter_ns()
        p = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=e)
        t1 = time.perf_counter_ns()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(log_path, "r", errors="replace") as f:
        output = f.read()
    return (t1 - t0) / 1e9, cpu, p.returncode, output


def interleave(bench, variants, rounds, warmup=1, parse=None):
    """variants: list of (name, argv, env or None). parse(name, output) -> dict of extra numbers.

    Returns {name: [ {wall, cpu, rc, ...parsed}, ... ]} without the warm-up rounds, and writes
    every run's output to results/raw/<bench>/.
    """
    raw = os.path.join(RESULTS, "raw", bench)
    os.makedirs(raw, exist_ok=True)
    out = {name: [] for name, _, _ in variants}
    n = len(variants)
    for r in range(warmup + rounds):
        order = variants[r % n:] + variants[: r % n]
        for name, argv, extra_env in order:
            log_path = os.path.join(raw, f"{name}.{r}.log")
            wall, cpu, rc, output = run_once(argv, log_path, extra_env)
            row = {"wall": wall, "cpu": cpu, "rc": rc}
            if parse:
                row.update(parse(name, output) or {})
            tag = "warm-up" if r < warmup else f"round {r - warmup + 1}/{rounds}"
            extra = " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                             for k, v in row.items() if k not in ("wall", "cpu", "rc"))
            print(f"[{bench}] {tag} {name}: wall {wall * 1000:.1f} ms, cpu {cpu * 1000:.1f} ms, rc {rc} {extra}",
                  file=sys.stderr, flush=True)
            if rc != 0:
                print(f"[{bench}] {name} failed (exit {rc}); output in {log_path}:\n{output[-2000:]}",
                      file=sys.stderr, flush=True)
            if r >= warmup:
                out[name].append(row)
    return out


def stats(values):
    """median, min, max, q1, q3 (q1/q3: medians of the lower/upper halves)."""
    v = sorted(values)
    if not v:
        return None
    half = len(v) // 2
    lower, upper = v[:half] or v, v[half + (len(v) % 2):] or v
    return {"median": statistics.median(v), "min": v[0], "max": v[-1],
            "q1": statistics.median(lower), "q3": statistics.median(upper), "n": len(v)}


def fmt(s, scale=1.0, digits=1):
    """'median [min..max]' (scaled)."""
    if s is None:
        return "n/a"
    f = f"{{:.{digits}f}}"
    return (f"{f.format(s['median'] * scale)} [{f.format(s['min'] * scale)}..{f.format(s['max'] * scale)}]")


def column(rows, key):
    return [row[key] for row in rows if key in row and row[key] is not None and row.get("rc", 0) == 0]


def numbers(output, prefix):
    """key=value numbers from the first line starting with prefix."""
    for line in output.splitlines():
        idx = line.find(prefix)
        if idx >= 0:
            found = {}
            for k, v in re.findall(r"(\w+)=(-?[0-9.]+)\b", line[idx:]):
                try:
                    found[k] = float(v)
                except ValueError:
                    pass
            return found
    return {}


def save(bench, data, meta):
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{bench}.json")
    with open(path, "w") as f:
        json.dump({"meta": meta, "runs": data}, f, indent=1)
    return path


def machine():
    load = open("/proc/loadavg").read().split()[:3]
    kernel = os.uname().release
    cpus = os.cpu_count()
    return {"when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "kernel": kernel, "cpus": cpus,
            "loadavg_at_start": " ".join(load)}


def shepherd_argv(workflow, java_opts=()):
    """How to run a Workflow file with shepherd, as the scripts chose it (see common.sh)."""
    java = env("BENCH_JAVA")
    jar = env("BENCH_JAR")
    mode = env("BENCH_SHEPHERD", "driver")
    base = [java, "--enable-native-access=ALL-UNNAMED", *java_opts]
    if mode == "run":
        return base + ["-jar", jar, "run", workflow]
    return base + ["-cp", f"{jar}:{os.path.join(BUILD, 'bench-driver.jar')}", "dev.shepherd.bench.SupervisorRunBench", workflow]


def split(s):
    return shlex.split(s)


def write_chain(path, n, first=None, last=None, name=None):
    """A Workflow with an n-step chain of /bin/true; first/last replace the first/last command."""
    with open(path, "w") as f:
        f.write("apiVersion: shepherd.dev/v1alpha1\nkind: Workflow\nmetadata:\n"
                f"  name: {name or f'chain{n}'}\nspec:\n  steps:\n")
        for i in range(n):
            cmd = ["/bin/true"]
            if i == 0 and first:
                cmd = first
            elif i == n - 1 and last:
                cmd = last
            f.write(f"    - name: s{i}\n      command: {json.dumps(cmd)}\n")
            if i:
                f.write(f"      depends: [s{i - 1}]\n")
    return path
