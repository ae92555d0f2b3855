package dev.shepherd.supervisor.report;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The supervisor's HTTP/1.1 connection to its API server: one request at a time on one kept-alive
 * connection, plain or TLS, opened on the first request and again after a failure.
 *
 * <p>Why not the JDK's {@code HttpClient}: it is made for many concurrent requests (a selector
 * thread, futures, flow-controlled body subscribers: some 250 classes), and an {@code http://}
 * client of it still loads the JDK's CA certificates. A supervisor sends a few small requests one
 * after the other, and every class it loads stays in the memory of every supervisor Pod.
 *
 * <p>What it handles of HTTP/1.1: {@code Content-Length} and {@code chunked} bodies, bodies up to
 * the end of the connection, interim 1xx answers, {@code Connection: close}. TLS verifies the
 * server's certificate against the {@link Trust} and its name against the URL's host, as an HTTPS
 * client must. A request on a reused connection that fails before any answer arrives (the server
 * closed the idle connection) is sent once more on a new one: the supervisor's requests are a GET
 * and a merge patch of the whole owned status, so sending one twice changes nothing.
 */
public final class ApiConnection implements AutoCloseable {
  /** A whole answer: status code and body text. */
  record Response(int code, String body) {}

  /** The TLS trust of a new connection, made when it is opened; null: the JDK's default. */
  interface Trust {
    SSLContext context() throws IOException;
  }

  private static final int MAX_HEADER_LINE = 64 * 1024;

  private final URI base;
  private final Trust trust;
  private final Duration connectTimeout;
  private final Duration timeout;
  private final String host; // without an IPv6 address's brackets
  private final String hostHeader;
  private final Object lock = new Object(); // one request at a time
  private volatile Socket socket; // volatile: close() may come from another thread
  private InputStream in;
  private OutputStream out;
  private volatile boolean closed;

  /**
   * {@code base}: {@code http://} or {@code https://} host and port; {@code trust}: for https;
   * {@code timeout}: the longest wait for any byte of an answer.
   */
  ApiConnection(URI base, Trust trust, Duration connectTimeout, Duration timeout) {
    String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("not an http or https URL: " + base);
    }
    if (base.getHost() == null) {
      throw new IllegalArgumentException("no host in " + base);
    }
    this.base = base;
    this.host =
        base.getHost().startsWith("[")
            ? base.getHost().substring(1, base.getHost().length() - 1)
            : base.getHost();
    this.trust = trust;
    this.connectTimeout = connectTimeout;
    this.timeout = timeout;
    int port = port();
    boolean defaultPort = port == (tls() ? 443 : 80);
    this.hostHeader = base.getHost() + (defaultPort ? "" : ":" + port);
  }

  /**
   * Sends {@code method path} with {@code headers} and {@code body} (null: none) and reads the
   * whole answer. An IOException means no complete answer; the connection is then closed.
   */
  Response send(String method, String path, Map<String, String> headers, String body)
      throws IOException {
    byte[] request = request(method, path, headers, body);
    synchronized (lock) {
      if (closed) {
        throw new IOException("the connection to " + base + " is closed");
      }
      try {
        return exchange(request, socket != null);
      } catch (IOException | RuntimeException e) {
        closeSocket();
        throw e;
      }
    }
  }

  /** Closes the connection; a request in progress on another thread fails at once. */
  @Override
  public void close() {
    closed = true;
    quietlyClose(socket);
  }

  private boolean tls() {
    return base.getScheme().equalsIgnoreCase("https");
  }

  private int port() {
    return base.getPort() != -1 ? base.getPort() : tls() ? 443 : 80;
  }

  private byte[] request(String method, String path, Map<String, String> headers, String body) {
    StringBuilder head =
        new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(hostHeader).append("\r\n");
    headers.forEach(
        (name, value) -> {
          if (name.indexOf('\r') >= 0
              || name.indexOf('\n') >= 0
              || value.indexOf('\r') >= 0
              || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("a line break in the header " + name);
          }
          head.append(name).append(": ").append(value).append("\r\n");
        });
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null || !method.equals("GET")) {
      head.append("Content-Length: ").append(content.length).append("\r\n");
    }
    head.append("\r\n");
    byte[] start = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[start.length + content.length];
    System.arraycopy(start, 0, all, 0, start.length);
    System.arraycopy(content, 0, all, start.length, content.length);
    return all;
  }

  /**
   * One request and its answer; {@code mayResend}: the connection is a reused one, so a failure
   * before the first byte of an answer means the server closed it while idle.
   */
  private Response exchange(byte[] request, boolean mayResend) throws IOException {
    if (socket == null) {
      connect();
    }
    int first;
    try {
      out.write(request);
      out.flush();
      first = in.read();
      if (first < 0) {
        throw new EOFException("the server closed the connection without an answer");
      }
    } catch (java.net.SocketTimeoutException e) {
      throw e; // the server is there but slow: not a stale connection
    } catch (IOException e) {
      if (!mayResend) {
        throw e;
      }
      closeSocket();
      return exchange(request, false); // the idle connection was gone; once more on a new one
    }
    while (true) {
      String status = line(first);
      first = -1;
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x answer: " + status);
      }
      int code;
      try {
        code = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new IOException("not an HTTP status: " + status);
      }
      long length = -1;
      boolean chunked = false;
      boolean keepAlive = !parts[0].equals("HTTP/1.0");
      for (String header = line(-1); !header.isEmpty(); header = line(-1)) {
        int colon = header.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = header.substring(colon + 1).strip().toLowerCase(Locale.ROOT);
        switch (name) {
          case "content-length" -> {
            try {
              length = Long.parseLong(value);
            } catch (NumberFormatException e) {
              throw new IOException("not a Content-Length: " + value);
            }
          }
          case "transfer-encoding" -> chunked = value.endsWith("chunked");
          case "connection" -> {
            if (value.contains("close")) {
              keepAlive = false;
            }
            if (value.contains("keep-alive")) {
              keepAlive = true;
            }
          }
          default -> {}
        }
      }
      if (code >= 100 && code < 200) {
        continue; // an interim answer; the real one follows
      }
      byte[] content;
      if (code == 204 || code == 304) {
        content = new byte[0];
      } else if (chunked) {
        content = chunked();
      } else if (length >= 0) {
        content = in.readNBytes((int) Math.min(length, Integer.MAX_VALUE));
        if (content.length < length) {
          throw new EOFException(
              "the answer ended after " + content.length + " of " + length + " bytes");
        }
      } else {
        content = in.readAllBytes(); // no length: the body ends with the connection
        keepAlive = false;
      }
      if (!keepAlive) {
        closeSocket();
      }
      return new Response(code, new String(content, StandardCharsets.UTF_8));
    }
  }

  private byte[] chunked() throws IOException {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line(-1);
      int semicolon = sizeLine.indexOf(';');
      long size;
      try {
        size =
            Long.parseLong(
                (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("not a chunk size: " + sizeLine);
      }
      if (size == 0) {
        break;
      }
      byte[] chunk = in.readNBytes((int) Math.min(size, Integer.MAX_VALUE));
      if (chunk.length < size) {
        throw new EOFException("a chunk ended after " + chunk.length + " of " + size + " bytes");
      }
      content.write(chunk);
      if (!line(-1).isEmpty()) {
        throw new IOException("no line end after a chunk");
      }
    }
    while (!line(-1).isEmpty()) {
      // trailer fields: none that matter here
    }
    return content.toByteArray();
  }

  private String line(int first) throws IOException {
    return line(in, first);
  }

  /**
   * One line of an HTTP/1.1 head from {@code in}, CRLF (or LF) cut off; {@code first} is its first
   * byte if already read, else -1. (Also the head reader of the build's stand-in API server.)
   */
  public static String line(InputStream in, int first) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    int b = first >= 0 ? first : in.read();
    while (b != '\n') {
      if (b < 0) {
        throw new EOFException("the stream ended in the middle of a line");
      }
      if (bytes.size() >= MAX_HEADER_LINE) {
        throw new IOException("a header line longer than " + MAX_HEADER_LINE);
      }
      bytes.write(b);
      b = in.read();
    }
    int n = bytes.size();
    byte[] raw = bytes.toByteArray();
    if (n > 0 && raw[n - 1] == '\r') {
      n--;
    }
    return new String(raw, 0, n, StandardCharsets.ISO_8859_1);
  }

  private void connect() throws IOException {
    SSLContext context = null;
    boolean defaultTrust = false;
    if (tls()) { // first, so that a CA file that cannot be read is the error, not the connection
      context = trust == null ? null : trust.context();
      if (context == null) {
        defaultTrust = true;
        try {
          context = SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
          throw new IOException("no TLS in this Java runtime", e);
        }
      }
    }
    Socket plain = new Socket();
    try {
      plain.setTcpNoDelay(true);
      plain.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
      socket = plain; // so that close() can stop the connect
      if (closed) {
        throw new IOException("the connection to " + base + " is closed");
      }
      plain.connect(
          new InetSocketAddress(host, port()),
          (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
      Socket connected = plain;
      if (context != null) {
        SSLSocket secure =
            (SSLSocket) context.getSocketFactory().createSocket(plain, host, port(), true);
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm(
            "HTTPS"); // the certificate must name the host
        secure.setSSLParameters(parameters);
        socket = secure;
        try {
          secure.startHandshake();
        } catch (SSLHandshakeException e) {
          if (!defaultTrust) {
            throw e;
          }
          // The supervisor runtime ships no public CAs (deploy/SUPERVISOR-RUNTIME.md): say why.
          throw (SSLHandshakeException)
              new SSLHandshakeException(
                      e.getMessage()
                          + " (no CA file to trust: neither"
                          + " the service account's ca.crt nor KUBERNETES_CERTS_CA_FILE; the JDK's default trust instead)")
                  .initCause(e);
        }
        connected = secure;
      }
      in = new BufferedInputStream(connected.getInputStream(), 8192);
      out = connected.getOutputStream();
    } catch (IOException | RuntimeException e) {
      closeSocket();
      throw e;
    }
  }

  private void closeSocket() {
    Socket s = socket;
    socket = null;
    in = null;
    out = null;
    quietlyClose(s);
  }

  private static void quietlyClose(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
