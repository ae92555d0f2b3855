#!/usr/bin/env python3
"""Side-by-side comparison of shepherd runtimes (jlinked, through their own bin/shepherd launcher)
and tini, interleaved round by round, for the supervisor's targets:

  startup   launch -> first step's exec, and the supervisor's RSS at that moment (probe stamp):
            `shepherd run FILE`, and `shepherd supervise` as in a Pod (the Workflow in
            SHEPHERD_MANIFEST, status patches over HTTPS to a stand-in API server in this script,
            which a service account's ca.crt and token let it reach)
  rss       RSS of a running `shepherd run`, and of `shepherd supervise`, 1.5 s and 7.5 s after
            launch (one `sleep 9` step)
  steps     1,000 sequential /bin/true steps: bare sh loop, tini -s around the loop, shepherd
            (per step = (1,000-step run - 1-step run) / 999, paired by round)
  orphans   10,000 orphan zombies drained (probe orphans): tini and shepherd as PID 1, shepherd
            as a subreaper
  floor     the JVM floor (Floor.java, run by the first runtime's java with its launcher's flags and
            an AOT cache of its own): start-up and RSS as for startup and rss, of a main that only
            runs the step (floor-jvm) and of one that also PATCHes once over HTTPS as the supervisor
            does, trusting the CA file, the host name checked (floor-jvm-tls)

Usage (as root; needs the probe built by common.sh, tini, unshare, openssl; javac in $JAVA_HOME for floor):
  bench/supervisor/compare.py [--only KIND,...] [--http | --ec] ROUNDS NAME=RUNTIME_DIR [NAME=RUNTIME_DIR ...]
KIND is startup, rss, steps, orphans or floor (default: all). The stand-in API server's certificate is
signed by an RSA 2048 CA, as kubeadm, EKS, GKE and AKS make them (before session 5: a self-signed
ECDSA P-256 one, which --ec keeps, as k3s makes them). --http: it speaks plain HTTP, reached through
KUBERNETES_MASTER (for runtimes before KUBERNETES_CERTS_CA_FILE, 6205d30).
e.g.
  bench/supervisor/compare.py 5 before=/tmp/rt-before after=target/supervisor-runtime

Round r runs every variant once, the order rotated by r; round 0 is a warm-up and is dropped.
Tables give median [min..max].
"""
import json
import os
import resource
import shlex
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE = os.path.join(HERE, "build", "probe")
LOOP = "i=0; while [ $i -lt 1000 ]; do /bin/true; i=$((i+1)); done"


def workflow(path, steps_yaml):
    with open(path, "w") as f:
        f.write("apiVersion: shepherd.dev/v1alpha1\nkind: Workflow\nmetadata: {name: bench}\nspec:\n  steps:\n")
        f.write(steps_yaml)


def chain(n):
    return "".join(
        f"    - {{name: s{i}, command: [/bin/true]{', depends: [s%d]' % (i - 1) if i else ''}}}\n" for i in range(n))


def timed(cmd, **kw):
    """Wall ms, CPU ms (user+sys of the waited-for descendants), stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, **kw)
    wall = (time.monotonic() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000
    if out.returncode != 0:
        raise RuntimeError(f"{cmd} exited {out.returncode}")
    return wall, cpu, out.stdout


class StandInApi(BaseHTTPRequestHandler):
    """GET and PATCH of workflows/NAME/status, answered with the Workflow, as an API server does (a
    supervisor that does not take SHEPHERD_MANIFEST, such as an older runtime, reads it with GET)."""
    protocol_version = "HTTP/1.1"
    manifests = {}
    patches = 0

    def log_message(self, *args):
        pass

    def answer(self):
        name = self.path.split("/workflows/")[1].split("/")[0]
        body = json.dumps(dict(StandInApi.manifests[name], status={})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.answer()

    def do_PATCH(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        StandInApi.patches += 1
        self.answer()


CERT = "rsa"  # --ec: "ec"


def serve_tls(api, tmp):
    """Makes the stand-in API server speak HTTPS with a certificate for 127.0.0.1, as a cluster's
    API server does; returns the service account's files (ca.crt, token) that let a client in."""
    key, cert, token = (os.path.join(tmp, f) for f in ("api.key", "ca.crt", "token"))
    if CERT == "ec":  # as k3s makes them: ECDSA P-256 (here the server's certificate is its own CA)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=kubernetes",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
        serving = cert
    else:  # as kubeadm, EKS, GKE and AKS make them: an RSA 2048 CA that signs the server's RSA certificate
        ca_key, csr, serving = (os.path.join(tmp, f) for f in ("ca.key", "api.csr", "api.crt"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", cert,
                        "-days", "2", "-subj", "/CN=kubernetes"], check=True, capture_output=True)
        subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                        "-subj", "/CN=kube-apiserver"], check=True, capture_output=True)
        ext = os.path.join(tmp, "api.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", cert, "-CAkey", ca_key, "-CAcreateserial",
                        "-out", serving, "-days", "2", "-extfile", ext], check=True, capture_output=True)
    with open(token, "w") as f:
        f.write("bench-token\n")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(serving, key)
    api.socket = context.wrap_socket(api.socket, server_side=True)
    return {"KUBERNETES_CERTS_CA_FILE": cert, "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN": token,
            "port": api.server_address[1]}


def supervise_env(api_port, tls, tmp, name, steps):
    """The environment of `shepherd supervise` in a Pod, the Workflow carried in SHEPHERD_MANIFEST."""
    manifest = {"apiVersion": "shepherd.dev/v1alpha1", "kind": "Workflow",
                "metadata": {"name": name, "namespace": "bench", "generation": 1},
                "spec": {"executor": "supervisor", "steps": steps}}
    StandInApi.manifests[name] = manifest
    if tls:  # as in a Pod: the service host and port, the service account's CA and token
        api = {k: v for k, v in tls.items() if k != "port"}
        api.update(KUBERNETES_SERVICE_HOST="127.0.0.1", KUBERNETES_SERVICE_PORT=str(api_port))
    else:
        api = {"KUBERNETES_MASTER": f"http://127.0.0.1:{api_port}"}
    return dict(os.environ, **api, SHEPHERD_WORKFLOW=name, SHEPHERD_NAMESPACE="bench",
                SHEPHERD_TERMINATION_LOG=os.path.join(tmp, "termination-log"), SHEPHERD_MANIFEST=json.dumps(manifest))


def launcher_flags(runtime):
    """The JVM options the runtime's launcher gives java (the exec line, up to the AOT cache)."""
    text = open(os.path.join(runtime, "bin", "shepherd")).read()
    line = text[text.index('exec "$home/bin/java"') + len('exec "$home/bin/java"'):text.index("$aot")]
    return shlex.split(line.replace("\\\n", " "))


def floor_setup(runtime, tmp, tls):
    """Compiles Floor.java and trains its AOT caches with the runtime's java and launcher flags;
    returns the command prefixes of floor-jvm and (with tls) floor-jvm-tls."""
    jdk = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin")
    subprocess.run([os.path.join(jdk, "javac"), "-d", os.path.join(tmp, "floor"), os.path.join(HERE, "Floor.java")],
                   check=True)
    classes = os.path.join(tmp, "floor.jar")  # a jar: an AOT cache takes no class directory
    subprocess.run([os.path.join(jdk, "jar"), "cf", classes, "-C", os.path.join(tmp, "floor"), "."], check=True)
    java = [os.path.join(runtime, "bin", "java")] + launcher_flags(runtime)
    prefixes = {}
    variants = {"floor-jvm": []}
    if tls:
        StandInApi.manifests["floor"] = {}
        variants["floor-jvm-tls"] = ["--tls", str(tls["port"]), tls["KUBERNETES_CERTS_CA_FILE"]]
    for name, extra in variants.items():
        cache = os.path.join(tmp, name + ".aot")
        subprocess.run(java + [f"-XX:AOTCacheOutput={cache}", "-cp", classes, "Floor"] + extra + ["/bin/true"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        prefixes[name] = java + [f"-XX:AOTCache={cache}", "-cp", classes, "Floor"] + extra
    return prefixes


def summary(values):
    if not values:
        return "-"
    fmt = "{:.1f}" if max(abs(v) for v in values) < 1000 else "{:.0f}"
    return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}..{fmt.format(max(values))}]"


def main():
    args = sys.argv[1:]
    only = None
    http = False
    global CERT
    while args and args[0] in ("--only", "--http", "--ec"):
        if args[0] == "--only":
            only = set(args[1].split(","))
            args = args[2:]
        elif args[0] == "--ec":
            CERT = "ec"
            args = args[1:]
        else:
            http = True
            args = args[1:]
    rounds = int(args[0])
    runtimes = dict(arg.split("=", 1) for arg in args[1:])
    tmp = tempfile.mkdtemp(prefix="shepherd-compare-")
    wf = {name: os.path.join(tmp, name + ".yaml") for name in ["first", "sleep", "chain1", "chain1000", "orphans"]}
    workflow(wf["first"], f"    - {{name: s0, command: [{PROBE}, stamp]}}\n")
    workflow(wf["sleep"], "    - {name: s0, command: [sleep, '9']}\n")
    workflow(wf["chain1"], chain(1))
    workflow(wf["chain1000"], chain(1000))
    workflow(wf["orphans"], f"    - {{name: s0, command: [{PROBE}, orphans, '10000']}}\n")
    stamp_file = os.path.join(tmp, "launch.ns")
    api = ThreadingHTTPServer(("127.0.0.1", 0), StandInApi)
    tls = None if http else serve_tls(api, tmp)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    env_first = supervise_env(api.server_address[1], tls, tmp, "first", [{"name": "s0", "command": [PROBE, "stamp"]}])
    env_sleep = supervise_env(api.server_address[1], tls, tmp, "sleep", [{"name": "s0", "command": ["sleep", "9"]}])

    results = {}

    def record(key, value):
        results.setdefault(key, []).append(value)

    def startup(name, cmd, env=None):
        out = subprocess.run([PROBE, "launch", stamp_file] + cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True, check=True, env=env).stdout
        launched = int(open(stamp_file).read().split()[0])
        stamp = next(int(l.split()[-1]) for l in out.splitlines() if "stamp " in l)
        rss = next(int(l.split()[-1]) for l in out.splitlines() if "parent-rss" in l)
        record(("startup ms", name), (stamp - launched) / 1e6)
        record(("RSS at first exec MiB", name), rss / 1024)

    def steady_rss(name, cmd, env=None):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        samples = []
        for at in (1.5, 7.5):
            time.sleep(at - (samples[-1][0] if samples else 0))
            with open(f"/proc/{proc.pid}/status") as f:  # the launcher execs java: the same pid
                rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))
            samples.append((at, rss))
        proc.wait()
        record(("RSS 1.5 s MiB", name), samples[0][1] / 1024)
        record(("RSS 7.5 s MiB", name), samples[1][1] / 1024)

    def steps(name, cmd1, cmd1000):
        w1, c1, _ = timed(cmd1)
        w, c, _ = timed(cmd1000)
        record(("1000 steps wall ms", name), w)
        record(("1000 steps CPU ms", name), c)
        record(("per step wall ms", name), (w - w1) / 999)
        record(("per step CPU ms", name), (c - c1) / 999)

    def orphans(name, cmd):
        _, _, out = timed(cmd)
        line = next(l for l in out.splitlines() if "drain_ms=" in l)
        kv = dict(p.split("=") for p in line.split() if "=" in p)
        record(("orphans drain ms", name), float(kv["drain_ms"]))
        record(("zombies left", name), int(kv["zombies"]) + int(kv["left"]))

    variants = []
    variants.append(("startup", lambda: startup("tini", ["tini", "-s", "--", PROBE, "stamp"])))
    variants.append(("steps", lambda: steps("bare-loop", ["sh", "-c", "true"], ["sh", "-c", LOOP])))
    variants.append(("steps", lambda: steps("tini-loop", ["tini", "-s", "--", "sh", "-c", "true"],
                                            ["tini", "-s", "--", "sh", "-c", LOOP])))
    variants.append(("orphans", lambda: orphans("tini-pid1", ["unshare", "-pf", "--mount-proc", "tini", "--",
                                                              PROBE, "orphans", "10000"])))
    for name, rt in runtimes.items():
        sh = rt + "/bin/shepherd"
        variants.append(("startup", lambda n=name, s=sh: startup(n, [s, "run", wf["first"], "--plain"])))
        variants.append(("rss", lambda n=name, s=sh: steady_rss(n, [s, "run", wf["sleep"], "--plain"])))
        variants.append(("startup", lambda n=name, s=sh: startup(n + "-supervise", [s, "supervise"], env_first)))
        variants.append(("rss", lambda n=name, s=sh: steady_rss(n + "-supervise", [s, "supervise"], env_sleep)))
        variants.append(("steps", lambda n=name, s=sh: steps(n, [s, "run", wf["chain1"], "--plain"],
                                                             [s, "run", wf["chain1000"], "--plain"])))
        variants.append(("orphans", lambda n=name, s=sh: orphans(n + "-pid1", ["unshare", "-pf", "--mount-proc", s,
                                                                             "run", wf["orphans"], "--plain"])))
        variants.append(("orphans", lambda n=name, s=sh: orphans(n + "-subreaper", [
            "unshare", "-pf", "--mount-proc", "sh", "-c", f"{s} run {wf['orphans']} --plain; exit $?"])))

    if only is None or "floor" in only:
        for name, prefix in floor_setup(next(iter(runtimes.values())), tmp, tls).items():
            variants.append(("floor", lambda n=name, p=prefix: startup(n, p + [PROBE, "stamp"])))
            variants.append(("floor", lambda n=name, p=prefix: steady_rss(n, p + ["sleep", "9"])))
    if only:
        variants = [v for v in variants if v[0] in only]
    for r in range(rounds + 1):
        k = r % len(variants)
        for _, run in variants[k:] + variants[:k]:
            run()
        if r == 0:
            results.clear()
        print(f"round {r} done (load {os.getloadavg()[0]:.1f})", file=sys.stderr)

    metrics = []
    for metric, _ in results:
        if metric not in metrics:
            metrics.append(metric)
    for metric in metrics:
        print(f"\n| {metric} | median [min..max] |\n|---|---|")
        for (m, name), values in results.items():
            if m == metric:
                print(f"| {name} | {summary(values)} |")
    print(f"\nstatus patches the stand-in API server got ({'http' if http else 'https'}): {StandInApi.patches}")


if __name__ == "__main__":
    main()
