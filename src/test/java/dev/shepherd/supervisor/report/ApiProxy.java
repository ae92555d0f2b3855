package dev.shepherd.supervisor.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of the mock API server that a test can cut and restore, to play an API
 * server outage: {@link #forward} passes every byte through; {@link #refuse} closes the listening
 * socket and every open connection (clients get "connection refused", as when the API server is
 * down); {@link #respond} answers every request with a bare HTTP status (e.g. 503 while the API
 * server is overloaded, or 403) without forwarding it. The port stays the same throughout.
 */
final class ApiProxy implements AutoCloseable {
  private final int targetPort;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private ServerSocket listener; // guarded by this
  private volatile int answer; // 0: forward; else the HTTP status to answer with

  /**
   * Counts the cuts ({@link #refuse}, {@link #respond}, {@link #forward}): a connection passes
   * bytes only in the epoch it was accepted in, so none from before a cut gets through, even one
   * that closing the open sockets missed (seen once in CI: a request passed an outage).
   */
  private volatile int epoch;

  ApiProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    ServerSocket first = new ServerSocket();
    first.setReuseAddress(true);
    first.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.port = first.getLocalPort();
    listen(first);
  }

  int port() {
    return port;
  }

  String url() {
    return "http://127.0.0.1:" + port + "/";
  }

  /** Passes requests through to the API server. */
  synchronized void forward() throws IOException {
    epoch++;
    answer = 0;
    closeConnections();
    ensureListening();
  }

  /** Plays an API server that is down: nothing listens on the port any more. */
  synchronized void refuse() throws IOException {
    epoch++;
    if (listener != null) {
      listener.close();
      listener = null;
    }
    closeConnections();
  }

  /** Answers every request with {@code status} and an empty body. */
  synchronized void respond(int status) throws IOException {
    epoch++;
    answer = status;
    closeConnections();
    ensureListening();
  }

  @Override
  public synchronized void close() throws IOException {
    refuse();
  }

  private void ensureListening() throws IOException {
    if (listener == null) {
      ServerSocket again = new ServerSocket();
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      listen(again);
    }
  }

  private void listen(ServerSocket socket) {
    listener = socket;
    Thread.ofPlatform()
        .daemon()
        .name("api-proxy-accept")
        .start(
            () -> {
              while (!socket.isClosed()) {
                try {
                  Socket client = socket.accept();
                  int status;
                  int accepted;
                  synchronized (
                      this) { // not between a cut's steps: the cut either sees it open or it sees
                    // the cut
                    if (socket.isClosed()) {
                      closeQuietly(client);
                      return;
                    }
                    open.add(client);
                    status = answer;
                    accepted = epoch;
                  }
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            if (status == 0) {
                              pipe(client, accepted);
                            } else {
                              answer(client, status);
                            }
                          });
                } catch (IOException closed) {
                  return;
                }
              }
            });
  }

  private void pipe(Socket client, int accepted) {
    try {
      Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
      open.add(server);
      Thread.ofVirtual().start(() -> copy(server, client, accepted));
      copy(client, server, accepted);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  private void copy(Socket from, Socket to, int accepted) {
    byte[] buffer = new byte[16384];
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (epoch != accepted) {
          return; // cut since: close both, pass nothing
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException ignored) {
      // one side went away: close both
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /** Reads the request head and answers with a bare status, then closes the connection. */
  private void answer(Socket client, int status) {
    try (client) {
      InputStream in = client.getInputStream();
      StringBuilder head = new StringBuilder();
      int b;
      while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
        head.append((char) b);
      }
      // Read the body too: closing a socket with unread input resets it, and the client would
      // see a reset instead of our answer.
      for (String line : head.toString().split("\r\n")) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          in.readNBytes(Integer.parseInt(line.substring("content-length:".length()).trim()));
        }
      }
      String body =
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":"
              + status
              + "}";
      String response =
          "HTTP/1.1 "
              + status
              + " Proxy Says So\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length()
              + "\r\nConnection: close\r\n\r\n"
              + body;
      client.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
    } catch (IOException ignored) {
      // the client gave up
    } finally {
      open.remove(client);
    }
  }

  private void closeConnections() {
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  private void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
    open.remove(socket);
  }
}
