package dev.shepherd.e2e;

import dev.shepherd.testing.KubeletEnv;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A kubelet for the end-to-end tests. It watches Pods on the (mock) API server and runs each Pod's
 * containers as local processes: init containers first, then the main one. It ignores the image but
 * honours command, args, env (values and the downward API's metadata fields), workingDir, volumes
 * (an emptyDir is a directory per Pod, a persistentVolumeClaim one per claim, shared by the Pods
 * that mount it once the claim exists; container paths in argv, env values and workingDir are
 * rewritten to them) and activeDeadlineSeconds, and writes back the Pod's phase and container
 * statuses with exit codes, reasons and termination messages. It also does the garbage collector's
 * one job here: when a Workflow is deleted, the Pods and claims it owns are deleted, and the Pods'
 * processes killed.
 *
 * <p>Shims, because there are no containers: paths inside an image are mapped to host paths ({@code
 * imagePaths}), as are mount paths, in arguments and in env values; the container's
 * terminationMessagePath ({@code /dev/termination-log} unless it says otherwise) is a file per
 * container, mapped as a mount is and also given in SHEPHERD_TERMINATION_LOG, of which the last
 * {@value #MAX_TERMINATION_MESSAGE} bytes are read after the exit, as the kubelet reads them;
 * {@code extraEnv} (the API server's address for a supervisor) stands in for the
 * KUBERNETES_SERVICE_* variables a real kubelet sets; and every process gets SHEPHERD_TEST_POD=uid
 * so a test can find anything left behind in /proc.
 *
 * <p>It starts processes with ProcessBuilder, so the JVM it runs in must not run a shepherd
 * Supervisor (its waitpid(-1) would steal their exits).
 */
public final class TestKubelet implements AutoCloseable {
  public static final String POD_MARKER = "SHEPHERD_TEST_POD";

  /** How much of a termination message file the kubelet keeps: the last 4 KiB. */
  static final int MAX_TERMINATION_MESSAGE = 4096;

  private final KubernetesClient client;
  private final Map<String, Path> imagePaths;
  private final Map<String, String> extraEnv;
  private final Path root;
  private final ExecutorService pods = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<String, Process> running = new ConcurrentHashMap<>();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Set<String> deleted = ConcurrentHashMap.newKeySet();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final Consumer<String> log;

  public TestKubelet(
      KubernetesClient client,
      Map<String, Path> imagePaths,
      Map<String, String> extraEnv,
      Path root,
      Consumer<String> log) {
    this.client = client;
    this.imagePaths = imagePaths;
    this.extraEnv = extraEnv;
    this.root = root;
    this.log = log;
  }

  /** The supervisor runtime {@code mvn package} builds, which a supervisor Pod's init copies. */
  public static final Path RUNTIME = Path.of("target", "supervisor-runtime").toAbsolutePath();

  /**
   * The kubelet of the examples' end-to-end tests, not yet started: the image's runtime directory
   * is {@link #RUNTIME}, and a supervisor finds the mock API server at {@code port}, as plain HTTP
   * without a kubeconfig or a token, and stops its steps after 2 s of grace.
   */
  public static TestKubelet forExamples(KubernetesClient client, int port, Path root) {
    return new TestKubelet(
        client,
        Map.of("/opt/shepherd/runtime", RUNTIME),
        mockApiServerEnv(port),
        root,
        System.out::println);
  }

  /**
   * The environment a supervisor needs to reach the mock API server at {@code port}: plain HTTP, no
   * kubeconfig, no token; and 2 s of grace for its steps.
   */
  public static Map<String, String> mockApiServerEnv(int port) {
    return Map.of(
        "KUBERNETES_MASTER",
        "http://localhost:" + port,
        "KUBERNETES_AUTH_TRYKUBECONFIG",
        "false",
        "KUBERNETES_AUTH_TRYSERVICEACCOUNT",
        "false",
        "SHEPHERD_GRACE_SECONDS",
        "2");
  }

  public TestKubelet start() {
    informers.add(
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    admit(pod);
                  }

                  @Override
                  public void onUpdate(Pod oldPod, Pod pod) {
                    admit(pod);
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    deleted.add(pod.getMetadata().getUid());
                    killPod(pod.getMetadata().getUid());
                  }
                }));
    informers.add(
        client
            .genericKubernetesResources("shepherd.dev/v1alpha1", "Workflow")
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(io.fabric8.kubernetes.api.model.GenericKubernetesResource w) {}

                  @Override
                  public void onUpdate(
                      io.fabric8.kubernetes.api.model.GenericKubernetesResource a,
                      io.fabric8.kubernetes.api.model.GenericKubernetesResource b) {}

                  @Override
                  public void onDelete(
                      io.fabric8.kubernetes.api.model.GenericKubernetesResource w,
                      boolean unknown) {
                    collectGarbage(w);
                  }
                }));
    return this;
  }

  private void admit(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    if (phase != null && !phase.equals("Pending")) {
      return;
    }
    if (seen.add(pod.getMetadata().getUid())) {
      pods.submit(
          () -> {
            try {
              run(pod);
            } catch (Exception e) {
              log.accept("kubelet: pod " + pod.getMetadata().getName() + " failed to run: " + e);
            }
          });
    }
  }

  /** The garbage collector's part: Pods and claims owned by a deleted Workflow go too. */
  private void collectGarbage(HasMetadata owner) {
    String uid = owner.getMetadata().getUid();
    for (PersistentVolumeClaim claim :
        client
            .persistentVolumeClaims()
            .inNamespace(owner.getMetadata().getNamespace())
            .list()
            .getItems()) {
      List<OwnerReference> refs = claim.getMetadata().getOwnerReferences();
      if (refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()))) {
        client.resource(claim).delete();
      }
    }
    for (Pod pod :
        client.pods().inNamespace(owner.getMetadata().getNamespace()).list().getItems()) {
      List<OwnerReference> refs = pod.getMetadata().getOwnerReferences();
      if (refs != null && refs.stream().anyMatch(r -> uid.equals(r.getUid()))) {
        client
            .pods()
            .inNamespace(pod.getMetadata().getNamespace())
            .withName(pod.getMetadata().getName())
            .delete();
      }
    }
  }

  private void run(Pod pod) throws Exception {
    String uid = pod.getMetadata().getUid();
    Path podDir =
        Files.createDirectories(
            root.resolve(pod.getMetadata().getNamespace())
                .resolve(
                    pod.getMetadata().getName()
                        + "-"
                        + uid.substring(Math.max(0, uid.length() - 6))));
    Map<String, Path> volumes = new HashMap<>();
    if (pod.getSpec().getVolumes() != null) {
      for (Volume v : pod.getSpec().getVolumes()) {
        Path dir =
            v.getPersistentVolumeClaim() == null
                ? podDir.resolve("volumes").resolve(v.getName())
                : claimDir(pod, v.getPersistentVolumeClaim().getClaimName());
        if (dir == null) {
          return; // stays Pending, as a Pod whose claim does not exist
        }
        volumes.put(v.getName(), Files.createDirectories(dir));
      }
    }
    Instant started = Instant.now();
    Long deadline = pod.getSpec().getActiveDeadlineSeconds();
    List<ContainerStatus> initStatuses = new ArrayList<>();
    for (Container init : list(pod.getSpec().getInitContainers())) {
      writeStatus(pod, "Pending", null, initStatuses, List.of(running(init)));
      Result r = runContainer(pod, init, podDir, volumes, deadline, started);
      initStatuses.add(terminated(init, r));
      if (r.exitCode != 0 || r.podReason != null) {
        writeStatus(pod, "Failed", r.podReason, initStatuses, List.of());
        return;
      }
    }
    Container main = pod.getSpec().getContainers().getFirst();
    writeStatus(pod, "Running", null, initStatuses, List.of(running(main)));
    Result r = runContainer(pod, main, podDir, volumes, deadline, started);
    if (r == null) {
      return; // deleted while running
    }
    String phase = r.exitCode == 0 && r.podReason == null ? "Succeeded" : "Failed";
    writeStatus(pod, phase, r.podReason, initStatuses, List.of(terminated(main, r)));
  }

  /**
   * The directory of a claim, the same for every Pod that mounts it, once the claim exists (a real
   * scheduler does not place a Pod whose claim is missing); null if it does not come in time.
   */
  private Path claimDir(Pod pod, String claim) throws InterruptedException {
    String namespace = pod.getMetadata().getNamespace();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get() == null) {
      if (System.nanoTime() > until || deleted.contains(pod.getMetadata().getUid())) {
        log.accept("kubelet: pod " + pod.getMetadata().getName() + ": no claim " + claim);
        return null;
      }
      Thread.sleep(100);
    }
    return root.resolve(namespace).resolve("claims").resolve(claim);
  }

  private record Result(int exitCode, String reason, String message, String podReason) {}

  private Result runContainer(
      Pod pod, Container c, Path podDir, Map<String, Path> volumes, Long deadline, Instant started)
      throws IOException, InterruptedException {
    String uid = pod.getMetadata().getUid();
    if (deleted.contains(uid)) {
      return null;
    }
    // Empty, as the kubelet creates it, for a container to append to.
    Path terminationLog =
        Files.write(podDir.resolve(c.getName() + ".termination-log"), new byte[0]);
    Map<String, Path> mounts = new LinkedHashMap<>(imagePaths);
    for (VolumeMount m : list(c.getVolumeMounts())) {
      mounts.put(m.getMountPath(), volumes.get(m.getName()));
    }
    mounts.put(
        c.getTerminationMessagePath() == null
            ? "/dev/termination-log"
            : c.getTerminationMessagePath(),
        terminationLog);
    List<String> argv = new ArrayList<>();
    list(c.getCommand()).forEach(a -> argv.add(map(a, mounts)));
    list(c.getArgs()).forEach(a -> argv.add(map(a, mounts)));
    if (argv.isEmpty()) {
      return new Result(
          128, "ContainerCannotRun", "the test kubelet needs a command: images are ignored", null);
    }
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    Path workDir = c.getWorkingDir() == null ? podDir : Path.of(map(c.getWorkingDir(), mounts));
    pb.directory(Files.isDirectory(workDir) ? workDir.toFile() : podDir.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> !Set.of("PATH", "HOME", "LANG", "TMPDIR").contains(k));
    env.putAll(extraEnv);
    env.put(POD_MARKER, uid);
    env.put("SHEPHERD_TERMINATION_LOG", terminationLog.toString());
    Map<String, String> defined = new HashMap<>();
    for (EnvVar e : list(c.getEnv())) {
      String value =
          e.getValueFrom() == null ? KubeletEnv.expand(value(pod, e), defined) : value(pod, e);
      value = mapPath(value, mounts);
      defined.put(e.getName(), value);
      env.put(e.getName(), mapPath(value, mounts));
    }
    Process p = pb.start();
    running.put(uid, p);
    Deque<String> tail = new ArrayDeque<>();
    Thread reader =
        Thread.ofVirtual()
            .start(() -> pump(pod.getMetadata().getName() + "/" + c.getName(), p, tail));
    boolean inTime;
    if (deadline != null) {
      long left = started.plusSeconds(deadline).toEpochMilli() - System.currentTimeMillis();
      inTime = p.waitFor(Math.max(left, 0), TimeUnit.MILLISECONDS);
    } else {
      p.waitFor();
      inTime = true;
    }
    if (!inTime) {
      killTree(p);
    }
    int code = p.waitFor();
    // A container ends with its main process: the runtime kills whatever else ran in it.
    killContainerRest(uid);
    reader.join(2000);
    running.remove(uid);
    if (deleted.contains(uid)) {
      return null;
    }
    String message = Files.exists(terminationLog) ? terminationMessage(terminationLog) : null;
    if (message != null && message.isEmpty()) {
      message = null; // the kubelet leaves an empty message out
    }
    if (message == null
        && code != 0
        && "FallbackToLogsOnError".equals(c.getTerminationMessagePolicy())) {
      synchronized (tail) {
        message = String.join("\n", tail);
      }
    }
    return new Result(
        code, code == 0 ? "Completed" : "Error", message, inTime ? null : "DeadlineExceeded");
  }

  /**
   * The file's last {@value #MAX_TERMINATION_MESSAGE} bytes, as the kubelet reads a termination
   * message (the start of a longer file is dropped).
   */
  private static String terminationMessage(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int from = Math.max(0, bytes.length - MAX_TERMINATION_MESSAGE);
    return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
  }

  private void pump(String prefix, Process p, Deque<String> tail) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        log.accept("[" + prefix + "] " + line);
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > 80) {
            tail.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  /**
   * A container path in an argument, mapped to the host: the whole argument, or after a {@code @}
   * (a java @argfile) or an {@code =} (an option such as {@code -XX:AOTCache=/shepherd/...}).
   */
  private static String map(String s, Map<String, Path> mounts) {
    int at = Math.max(s.indexOf('@'), s.indexOf('='));
    if (at >= 0 && s.startsWith("/", at + 1)) {
      return s.substring(0, at + 1) + mapPath(s.substring(at + 1), mounts);
    }
    return mapPath(s, mounts);
  }

  private static String mapPath(String s, Map<String, Path> mounts) {
    return mounts.entrySet().stream()
        .sorted(
            Comparator.comparingInt((Map.Entry<String, Path> e) -> e.getKey().length()).reversed())
        .filter(e -> s.equals(e.getKey()) || s.startsWith(e.getKey() + "/"))
        .findFirst()
        .map(e -> e.getValue() + s.substring(e.getKey().length()))
        .orElse(s);
  }

  private static String value(Pod pod, EnvVar e) {
    if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
      return switch (e.getValueFrom().getFieldRef().getFieldPath()) {
        case "metadata.name" -> pod.getMetadata().getName();
        case "metadata.namespace" -> pod.getMetadata().getNamespace();
        case "metadata.uid" -> pod.getMetadata().getUid();
        case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName();
        default ->
            throw new IllegalArgumentException(
                "the test kubelet can't resolve " + e.getValueFrom());
      };
    }
    return e.getValue() == null ? "" : e.getValue();
  }

  private void killPod(String uid) {
    Process p = running.get(uid);
    if (p != null) {
      killTree(p);
    }
    killContainerRest(uid);
  }

  /**
   * Kills every process that carries this Pod's marker, as tearing down a container's PID namespace
   * and cgroup would: orphans of a killed supervisor are no descendants of anything here.
   */
  private static void killContainerRest(String uid) {
    for (long pid : pidsOf(uid)) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static List<Long> pidsOf(String uid) {
    List<Long> pids = new ArrayList<>();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : dirs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String environ =
              new String(Files.readAllBytes(d.resolve("environ")), StandardCharsets.UTF_8);
          if (environ.contains(POD_MARKER + "=" + uid + "\0")) {
            pids.add(Long.parseLong(d.getFileName().toString()));
          }
        } catch (IOException | UncheckedIOException e) {
          // gone, or not ours to read
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pids;
  }

  private static void killTree(Process p) {
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static ContainerStatus running(Container c) {
    return new ContainerStatusBuilder()
        .withName(c.getName())
        .withReady(true)
        .withNewState()
        .withNewRunning()
        .withStartedAt(now())
        .endRunning()
        .endState()
        .build();
  }

  private static ContainerStatus terminated(Container c, Result r) {
    return new ContainerStatusBuilder()
        .withName(c.getName())
        .withNewState()
        .withNewTerminated()
        .withExitCode(r.exitCode)
        .withReason(r.reason)
        .withMessage(r.message)
        .withFinishedAt(now())
        .endTerminated()
        .endState()
        .build();
  }

  private void writeStatus(
      Pod pod,
      String phase,
      String reason,
      List<ContainerStatus> init,
      List<ContainerStatus> containers) {
    if (deleted.contains(pod.getMetadata().getUid())) {
      return;
    }
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .editStatus(
              p -> {
                p.setStatus(
                    new PodStatusBuilder()
                        .withPhase(phase)
                        .withReason(reason)
                        .withInitContainerStatuses(init)
                        .withContainerStatuses(containers)
                        .build());
                return p;
              });
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  /** Processes still alive that a Pod of this kubelet started, found through /proc. */
  public List<String> leftovers() {
    List<String> found = new ArrayList<>();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : dirs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String environ =
              new String(Files.readAllBytes(d.resolve("environ")), StandardCharsets.UTF_8);
          if (seen.stream().anyMatch(uid -> environ.contains(POD_MARKER + "=" + uid + "\0"))) {
            String stat = Files.readString(d.resolve("stat"));
            found.add(
                d.getFileName() + " " + stat.substring(stat.indexOf('('), stat.indexOf(')') + 3));
          }
        } catch (IOException | UncheckedIOException e) {
          // gone, or not ours to read
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return found;
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    running.values().forEach(TestKubelet::killTree);
    pods.shutdownNow();
  }
}
