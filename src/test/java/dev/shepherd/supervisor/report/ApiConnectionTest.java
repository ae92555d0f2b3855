package dev.shepherd.supervisor.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ApiConnection} against a server that writes its answers byte by byte as a test says: the
 * framings an API server (or a proxy in front of it) may use, kept-alive and closed connections,
 * and servers that do not answer.
 */
class ApiConnectionTest {
  /** What the scripted server does with the n-th request (0-based) it reads on any connection. */
  interface Script {
    /** Writes the answer; returns false to close the connection after it. */
    boolean answer(int n, String request, OutputStream out) throws IOException;
  }

  private ServerSocket listener;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();

  @AfterEach
  void stop() throws IOException {
    if (listener != null) {
      listener.close();
    }
  }

  private URI serve(Script script) throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!listener.isClosed()) {
                try {
                  Socket s = listener.accept();
                  connections.incrementAndGet();
                  Thread.ofVirtual().start(() -> handle(s, script));
                } catch (IOException e) {
                  return;
                }
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  private void handle(Socket s, Script script) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      while (true) {
        String request = readRequest(in);
        if (request == null) {
          return;
        }
        int n;
        synchronized (requests) {
          requests.add(request);
          n = requests.size() - 1;
        }
        boolean keep = script.answer(n, request, out);
        out.flush();
        if (!keep) {
          return;
        }
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  /** The request's head and body as text, or null at the end of the connection. */
  private static String readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    if (b < 0) {
      return null;
    }
    String text = head.toString(StandardCharsets.UTF_8);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).strip());
      }
    }
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  /** A server that reads the request and says nothing until {@code release}. */
  private static Script silentUntil(CountDownLatch release) {
    return (n, request, out) -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return false;
    };
  }

  private static void write(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }

  private ApiConnection connection(URI uri, Duration timeout) {
    return new ApiConnection(uri, null, Duration.ofSeconds(2), timeout);
  }

  @Test
  void theRequestCarriesHostLengthHeadersAndBodyAndAnswersAreReadByLength() throws Exception {
    URI uri =
        serve(
            (n, request, out) -> {
              write(
                  out,
                  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"n\":\"é\"}");
              return true;
            });
    try (ApiConnection c = connection(uri, Duration.ofSeconds(5))) {
      ApiConnection.Response r =
          c.send(
              "PATCH",
              "/apis/x/status",
              Map.of("Content-Type", "application/merge-patch+json"),
              "{\"status\":\"ünï\"}");
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\"n\":\"é\"}");
      assertThat(c.send("GET", "/apis/x/status", Map.of(), null).body()).isEqualTo("{\"n\":\"é\"}");
    }
    String patch = requests.get(0);
    assertThat(patch)
        .startsWith("PATCH /apis/x/status HTTP/1.1\r\n")
        .contains("Host: 127.0.0.1:" + uri.getPort() + "\r\n")
        .contains("Content-Type: application/merge-patch+json\r\n")
        .contains(
            "Content-Length: "
                + "{\"status\":\"ünï\"}".getBytes(StandardCharsets.UTF_8).length
                + "\r\n")
        .endsWith("\r\n\r\n{\"status\":\"ünï\"}");
    assertThat(requests.get(1))
        .startsWith("GET /apis/x/status HTTP/1.1\r\n")
        .doesNotContain("Content-Length");
    assertThat(connections).as("both requests on one kept-alive connection").hasValue(1);
  }

  @Test
  void chunkedAnswersWithExtensionsAndTrailersAreJoined() throws Exception {
    URI uri =
        serve(
            (n, request, out) -> {
              write(
                  out,
                  "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n"
                      + "5\r\nhello\r\n"
                      + "1;ext=1\r\n \r\n"
                      + "C\r\nworld, ünï\r\n"
                      + "0\r\nX-Trailer: yes\r\n\r\n");
              return true;
            });
    try (ApiConnection c = connection(uri, Duration.ofSeconds(5))) {
      ApiConnection.Response r = c.send("PATCH", "/", Map.of(), "{}");
      assertThat(r.code()).isEqualTo(409);
      assertThat(r.body()).isEqualTo("hello world, ünï");
      assertThat(c.send("PATCH", "/", Map.of(), "{}").body())
          .as("the connection is still in step")
          .isEqualTo("hello world, ünï");
    }
    assertThat(connections).hasValue(1);
  }

  @Test
  void interimAnswersAreSkippedAndABodyWithoutLengthEndsWithTheConnection() throws Exception {
    URI uri =
        serve(
            (n, request, out) -> {
              write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil the end");
              return false;
            });
    try (ApiConnection c = connection(uri, Duration.ofSeconds(5))) {
      assertThat(c.send("GET", "/", Map.of(), null).body()).isEqualTo("until the end");
      assertThat(c.send("GET", "/", Map.of(), null).body()).isEqualTo("until the end");
    }
    assertThat(connections).as("a new connection after one that ended").hasValue(2);
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    URI uri =
        serve(
            (n, request, out) -> {
              write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
              return true; // the server would even keep it: the client must not
            });
    try (ApiConnection c = connection(uri, Duration.ofSeconds(5))) {
      c.send("GET", "/", Map.of(), null);
      c.send("GET", "/", Map.of(), null);
    }
    assertThat(connections).hasValue(2);
  }

  @Test
  void anIdleConnectionTheServerClosedIsReplacedWithoutAnError() throws Exception {
    URI uri =
        serve(
            (n, request, out) -> {
              write(
                  out,
                  "HTTP/1.1 200 OK\r\nContent-Length: "
                      + String.valueOf(n).length()
                      + "\r\n\r\n"
                      + n);
              return false; // closes without saying so, as an idle timeout does
            });
    try (ApiConnection c = connection(uri, Duration.ofSeconds(5))) {
      assertThat(c.send("PATCH", "/", Map.of(), "{}").body()).isEqualTo("0");
      Thread.sleep(50);
      assertThat(c.send("PATCH", "/", Map.of(), "{}").body()).isEqualTo("1");
    }
    assertThat(requests).hasSize(2);
    assertThat(connections).hasValue(2);
  }

  @Test
  void aServerThatCutsAFreshConnectionIsAnErrorNotARetryLoop() throws Exception {
    URI uri = serve((n, request, out) -> false); // reads the request, closes without an answer
    try (ApiConnection c = connection(uri, Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> c.send("PATCH", "/", Map.of(), "{}"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("without an answer");
    }
    assertThat(requests).as("sent once: a fresh connection is not stale").hasSize(1);
  }

  @Test
  void anAnswerCutShortIsAnError() throws Exception {
    URI uri =
        serve(
            (n, request, out) -> {
              write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
              return false;
            });
    try (ApiConnection c = connection(uri, Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> c.send("GET", "/", Map.of(), null))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("9 of 100 bytes");
    }
  }

  @Test
  void aServerThatDoesNotAnswerTimesOut() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    URI uri = serve(silentUntil(release));
    try (ApiConnection c = connection(uri, Duration.ofMillis(300))) {
      assertThatThrownBy(() -> c.send("PATCH", "/", Map.of(), "{}"))
          .isInstanceOf(SocketTimeoutException.class);
      assertThat(requests)
          .as("a slow server is not a stale connection: no second attempt")
          .hasSize(1);
    } finally {
      release.countDown();
    }
  }

  @Test
  void closeStopsARequestInProgressOnAnotherThread() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    URI uri = serve(silentUntil(release));
    ApiConnection c = connection(uri, Duration.ofSeconds(30));
    try {
      Thread closer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (requests.isEmpty()) {
                      Thread.onSpinWait();
                    }
                    c.close();
                  });
      long start = System.nanoTime();
      assertThatThrownBy(() -> c.send("PATCH", "/", Map.of(), "{}"))
          .isInstanceOf(IOException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
      closer.join();
      assertThatThrownBy(() -> c.send("GET", "/", Map.of(), null)).hasMessageContaining("closed");
    } finally {
      release.countDown();
    }
  }

  @Test
  void headerValuesCannotSmuggleLines() throws Exception {
    URI uri = serve((n, request, out) -> false);
    try (ApiConnection c = connection(uri, Duration.ofSeconds(5))) {
      assertThatThrownBy(
              () -> c.send("GET", "/", Map.of("Authorization", "Bearer x\r\nX-Evil: 1"), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Authorization");
    }
    assertThat(requests).isEmpty();
  }

  @Test
  void onlyHttpAndHttpsUrls() {
    assertThatThrownBy(() -> connection(URI.create("ftp://example/"), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://example/");
  }
}
