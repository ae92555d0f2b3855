package dev.shepherd.supervisor.report;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where the supervisor's API server is, and how it authenticates: in a Pod, as its service account.
 *
 * <ul>
 *   <li>The address: {@code KUBERNETES_MASTER} (environment) or {@code kubernetes.master} (system
 *       property) if set, as fabric8 and old kubectl read them (the tests point the supervisor at
 *       the mock server with it); otherwise {@code
 *       https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT}, which the kubelet sets in every
 *       container.
 *   <li>The bearer token: the service account's token file ({@code
 *       KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN} names another, as for fabric8), read again before
 *       each request, since the kubelet rotates bound tokens; none if there is no such file.
 *   <li>TLS: the service account's {@code ca.crt} ({@code KUBERNETES_CERTS_CA_FILE} names another,
 *       as for fabric8) is the only trusted CA when it exists; the JDK's default trust otherwise.
 *       It is read when a connection is opened, on the reporter's thread, not at start-up: the
 *       first step need not wait for the TLS classes, and a rotated cluster CA is picked up.
 * </ul>
 *
 * <p>This is all the supervisor needs (two URLs of one Workflow), so it uses its own small client
 * ({@link WorkflowStatusApi} over an {@link ApiConnection}) instead of fabric8's, whose set-up
 * doubled the supervisor's start-up and memory.
 */
public record ApiServer(URI url, Path tokenFile, Path caFile) {
  public static final Path SERVICE_ACCOUNT =
      Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  /** Environment variables naming the token and CA files instead of the service account's. */
  static final String TOKEN_FILE_ENV = "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN";

  static final String CA_FILE_ENV = "KUBERNETES_CERTS_CA_FILE";

  /**
   * The API server of this Pod, from {@code env}, the system properties and the service account's
   * files.
   */
  public static ApiServer fromEnvironment(Map<String, String> env) {
    return fromEnvironment(env, SERVICE_ACCOUNT);
  }

  static ApiServer fromEnvironment(Map<String, String> env, Path serviceAccount) {
    String master =
        Optional.ofNullable(env.get("KUBERNETES_MASTER"))
            .filter(s -> !s.isBlank())
            .orElse(System.getProperty("kubernetes.master"));
    URI url;
    if (master != null && !master.isBlank()) {
      url = URI.create(master.contains("://") ? master.strip() : "https://" + master.strip());
    } else {
      String host = env.get("KUBERNETES_SERVICE_HOST");
      String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException(
            "no API server: KUBERNETES_SERVICE_HOST is not set (not in a Pod?)"
                + " and neither is KUBERNETES_MASTER");
      }
      url =
          URI.create(
              "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port.strip());
    }
    Path token = file(env, TOKEN_FILE_ENV, serviceAccount.resolve("token"));
    Path ca =
        "https".equals(url.getScheme())
            ? file(env, CA_FILE_ENV, serviceAccount.resolve("ca.crt"))
            : null;
    return new ApiServer(url, token, ca);
  }

  /**
   * The file {@code variable} names, which must be readable; else {@code standard} if readable;
   * else null.
   */
  private static Path file(Map<String, String> env, String variable, Path standard) {
    String named = env.get(variable);
    if (named != null && !named.isBlank()) {
      Path path = Path.of(named.strip());
      if (!Files.isReadable(path)) {
        throw new IllegalArgumentException(variable + "=" + named + ": no such readable file");
      }
      return path;
    }
    return Files.isReadable(standard) ? standard : null;
  }

  /** The namespace of this Pod's service account, if it has one mounted. */
  public static Optional<String> serviceAccountNamespace() {
    try {
      return Optional.of(Files.readString(SERVICE_ACCOUNT.resolve("namespace")).strip())
          .filter(s -> !s.isEmpty());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The current token, or empty without a token file. */
  Optional<String> token() throws IOException {
    return tokenFile == null ? Optional.empty() : Optional.of(Files.readString(tokenFile).strip());
  }

  /**
   * The TLS trust for a new connection: an SSL context whose only trusted certificates are those of
   * the CA file as it is now, or null for the JDK's default (no CA file).
   */
  SSLContext ssl() throws IOException {
    return caFile == null ? null : trusting(caFile);
  }

  /** An SSL context whose only trusted certificates are those of the PEM file {@code ca}. */
  static SSLContext trusting(Path ca) throws IOException {
    try (InputStream in = Files.newInputStream(ca)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IOException("the CA file " + ca + " holds no certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the CA file " + ca + ": " + e.getMessage(), e);
    }
  }
}
