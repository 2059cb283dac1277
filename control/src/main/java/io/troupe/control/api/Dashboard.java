package io.troupe.control.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The web dashboard at {@code /ui/}: static files from the jar's {@code ui/} folder, read once. No build step and
 * no file names with hashes in them, so every file is revalidated ({@code no-cache} with a strong ETag: a
 * {@code 304} costs one round trip) rather than cached blind. The page talks to the API of the same server.
 */
final class Dashboard {
  static final String PREFIX = "/ui";
  private static final Pattern FILE = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
  private static final Map<String, ContentType> TYPES = Map.of(
      "html", ContentTypes.parse("text/html; charset=utf-8"),
      "js", ContentTypes.parse("text/javascript; charset=utf-8"),
      "css", ContentTypes.parse("text/css; charset=utf-8"),
      "svg", ContentTypes.parse("image/svg+xml"),
      "png", ContentTypes.parse("image/png"),
      "ico", ContentTypes.parse("image/x-icon"));
  /** The page loads only its own files and talks only to its own server; no inline script or style. */
  private static final String POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
      + "base-uri 'none'; frame-ancestors 'none'";

  private record File(byte[] bytes, ContentType type, String etag) {}

  private static final Map<String, File> files = new ConcurrentHashMap<>();

  private Dashboard() {}

  static boolean serves(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  /** The answer to a request whose path {@link #serves}; a Kubernetes Status 404 for a file that is not there. */
  static HttpResponse answer(HttpRequest request) {
    String path = request.getUri().path();
    String method = request.method().value();
    if (!method.equals("GET") && !method.equals("HEAD")) throw ApiException.methodNotAllowed(method, path);
    if (path.equals(PREFIX)) {
      String query = request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
      return HttpResponse.create().withStatus(StatusCodes.MOVED_PERMANENTLY)
          .addHeader(RawHeader.create("Location", PREFIX + "/" + query));
    }
    String name = path.substring(PREFIX.length() + 1);
    if (name.isEmpty()) name = "index.html";
    File file = file(name).orElseThrow(() -> ApiException.pathNotFound(path));
    List<HttpHeader> headers = List.of(
        RawHeader.create("Cache-Control", "no-cache"),
        RawHeader.create("ETag", file.etag()),
        RawHeader.create("X-Content-Type-Options", "nosniff"),
        RawHeader.create("Content-Security-Policy", POLICY));
    boolean unchanged = request.getHeader("If-None-Match")
        .map(h -> List.of(h.value().split("\\s*,\\s*")).contains(file.etag())).orElse(false);
    if (unchanged) return HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED).addHeaders(headers);
    return HttpResponse.create().addHeaders(headers).withEntity(HttpEntities.create(file.type(), file.bytes()));
  }

  /** Only the files found are kept: a stream of made-up names must not fill the map. */
  private static Optional<File> file(String name) {
    if (!FILE.matcher(name).matches()) return Optional.empty();
    File known = files.get(name);
    if (known != null) return Optional.of(known);
    Optional<File> loaded = load(name);
    loaded.ifPresent(f -> files.put(name, f));
    return loaded;
  }

  private static Optional<File> load(String name) {
    ContentType type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
    if (type == null) return Optional.empty();
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream("ui/" + name)) {
      if (in == null) return Optional.empty();
      byte[] bytes = in.readAllBytes();
      String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
      return Optional.of(new File(bytes, type, "\"" + hash + "\""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
