import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JVM floor that bench/supervisor/compare.py measures beside the supervisor: the least a Java
 * program does that runs a step and, with --tls, reports to an API server as a supervisor in a
 * cluster does. It starts COMMAND with ProcessBuilder; with --tls it then sends one PATCH over
 * HTTPS to 127.0.0.1:PORT, trusting only CA_FILE and checking the host name (the supervisor's TLS,
 * without anything else of it); then waits for COMMAND and exits with its code.
 *
 * usage: java Floor [--tls PORT CA_FILE] COMMAND [ARG...]
 */
public class Floor {
  public static void main(String[] args) throws Exception {
    List<String> command = Arrays.asList(args);
    boolean tls = args.length > 3 && args[0].equals("--tls");
    if (tls) command = command.subList(3, command.size());
    Process step = new ProcessBuilder(command).inheritIO().start();
    if (tls) patch(Integer.parseInt(args[1]), Path.of(args[2]));
    System.exit(step.waitFor());
  }

  private static void patch(int port, Path caFile) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("ca-" + i++, c);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    try (Socket plain = new Socket("127.0.0.1", port);
         SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true)) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      String body = "{\"status\":{}}";
      OutputStream out = socket.getOutputStream();
      out.write(("PATCH /apis/shepherd.dev/v1alpha1/namespaces/bench/workflows/floor/status HTTP/1.1\r\n"
          + "Host: 127.0.0.1:" + port + "\r\nContent-Type: application/merge-patch+json\r\nContent-Length: "
          + body.length() + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
      out.flush();
      socket.getInputStream().readAllBytes();
    }
  }
}
