package io.troupe.net.ingress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/1.1 over a plain socket, as a test needs it: any Host header (which java.net.http refuses to set), extra
 * header lines as given, one request per connection ({@code Connection: close}); optionally over TLS with a chosen
 * SNI name and the server's certificate checked against it.
 */
final class RawHttp {
  record Reply(int code, Map<String, String> headers, String body, java.security.cert.Certificate peer) {
    /** A {@code name: value} line of a TestBackend's echo of the request headers, or null. */
    String echoed(String header) {
      for (String line : body.split("\n")) {
        if (line.startsWith(header.toLowerCase(Locale.ROOT) + ": ")) return line.substring(header.length() + 2);
      }
      return null;
    }
  }

  private RawHttp() {}

  static Reply get(InetSocketAddress to, String host, String path, String... headerLines) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(to, 5000);
      socket.setSoTimeout(10_000);
      return exchange(socket, host, path, List.of(headerLines), null);
    }
  }

  /** Over TLS: {@code sni} is sent as the server name (none when null) and the certificate must be valid for it. */
  static Reply getTls(InetSocketAddress to, SSLContext trusting, String sni, String host, String path)
      throws IOException {
    try (Socket plain = new Socket()) {
      plain.connect(to, 5000);
      plain.setSoTimeout(10_000);
      // the peer host keys the client's session cache: one per name, as a browser has, or a session made for one
      // name would be resumed (certificate and all) for another
      String peerHost = sni != null ? sni : to.getHostString();
      try (SSLSocket tls = (SSLSocket) trusting.getSocketFactory().createSocket(plain, peerHost, to.getPort(),
          true)) {
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        if (sni != null) parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        return exchange(tls, host, path, List.of(), tls.getSession().getPeerCertificates()[0]);
      }
    }
  }

  private static Reply exchange(Socket socket, String host, String path, List<String> headerLines,
      java.security.cert.Certificate peer) throws IOException {
    StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
    for (String line : headerLines) request.append(line).append("\r\n");
    request.append("Connection: close\r\n\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    InputStream in = socket.getInputStream();
    String status = line(in);
    if (status == null) throw new IOException("no response");
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line; (line = line(in)) != null && !line.isEmpty(); ) {
      int colon = line.indexOf(':');
      headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
          (a, b) -> a + "," + b);
    }
    byte[] body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      for (int size; (size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) > 0; ) {
        all.write(in.readNBytes(size));
        line(in);
      }
      body = all.toByteArray();
    } else if (headers.containsKey("content-length")) {
      body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
    } else {
      body = in.readAllBytes();
    }
    return new Reply(Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8),
        peer);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) >= 0; ) {
      if (c == '\n') {
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }
}
