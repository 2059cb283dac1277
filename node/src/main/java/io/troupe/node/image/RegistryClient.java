package io.troupe.node.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the OCI distribution API ({@code GET /v2/<name>/manifests/<reference>} and {@code /blobs/<digest>}),
 * with the registry token flow: a 401 whose {@code WWW-Authenticate} says {@code Bearer realm=...,service=...,
 * scope=...} sends the client to the realm for a token (with HTTP basic authentication when a credential for that
 * registry is given, anonymously otherwise), and the request is retried with it; a {@code Basic} challenge is
 * answered with the credential itself. Registries named insecure are spoken to over plain HTTP.
 */
final class RegistryClient {
  static final String ACCEPT = String.join(", ", ImageContent.OCI_INDEX, ImageContent.OCI_MANIFEST,
      ImageContent.DOCKER_LIST, ImageContent.DOCKER_MANIFEST);
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"|(\\w+)=([^,\\s]*)");

  /** A registry's answer that is not the content: the status and the registry's own messages. */
  static final class RegistryException extends IOException {
    final int status;

    RegistryException(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  /** A manifest or index as the registry serves it. */
  record Fetched(String mediaType, String digest, byte[] bytes) {}

  private final HttpClient http;
  private final ImageStoreSettings settings;
  /** Interrupts a blob download that has received nothing for the request timeout (the JDK client never would). */
  private final java.util.concurrent.ScheduledExecutorService watchdog =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "image-pull-watchdog");
        t.setDaemon(true);
        return t;
      });
  /** Authorization header values by registry and repository. */
  private final Map<String, String> authorizations = new ConcurrentHashMap<>();

  RegistryClient(ImageStoreSettings settings) {
    this.settings = settings;
    // redirects are followed by hand: a blob's storage (an S3 or CDN URL) must not get the registry's token
    this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The manifest or index {@code reference} (a tag or digest) of {@code image}'s repository, verified. */
  Fetched manifest(ImageReference image, String reference, List<RegistryCredential> credentials)
      throws IOException {
    URI uri = uri(image, "/manifests/" + reference);
    HttpResponse<InputStream> response = send(image, uri, ACCEPT, credentials);
    byte[] bytes;
    try (InputStream in = response.body()) {
      bytes = in.readNBytes(8 * 1024 * 1024);
    }
    String digest = Blobs.digest(bytes);
    if (reference.startsWith("sha256:") && !reference.equals(digest)) {
      throw new IOException("manifest digest mismatch: asked for " + reference + ", got content of " + digest);
    }
    String said = response.headers().firstValue("Docker-Content-Digest").orElse(null);
    if (said != null && said.startsWith("sha256:") && !said.equals(digest)) {
      throw new IOException("manifest digest mismatch: the registry says " + said + ", the content is " + digest);
    }
    String type = response.headers().firstValue("Content-Type").orElse("");
    int semi = type.indexOf(';');
    if (semi >= 0) type = type.substring(0, semi).trim();
    if (type.isEmpty() || type.equals("application/json")) {
      type = ImageContent.json(bytes, "manifest").path("mediaType").asText("");
    }
    return new Fetched(type, digest, bytes);
  }

  /** Stores blob {@code digest} of {@code image}'s repository in {@code blobs}, which verify its digest. */
  void blob(ImageReference image, String digest, List<RegistryCredential> credentials, Blobs blobs)
      throws IOException {
    URI uri = uri(image, "/blobs/" + digest);
    HttpResponse<InputStream> response = send(image, uri, "*/*", credentials);
    Thread reader = Thread.currentThread();
    java.util.concurrent.atomic.AtomicLong progress = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
    java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
    long limit = settings.requestTimeout().toNanos();
    long tick = Math.max(50, settings.requestTimeout().toMillis() / 4);
    InputStream body = response.body();
    var check = watchdog.scheduleWithFixedDelay(() -> {
      if (System.nanoTime() - progress.get() > limit && stalled.compareAndSet(false, true)) {
        try {
          body.close();
        } catch (IOException e) {
          // the interrupt below ends the read
        }
        reader.interrupt();
      }
    }, tick, tick, java.util.concurrent.TimeUnit.MILLISECONDS);
    try (InputStream in = new java.io.FilterInputStream(body) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        progress.set(System.nanoTime());
        return n;
      }
    }) {
      blobs.write(in, digest);
    } catch (IOException e) {
      if (stalled.get()) {
        throw new IOException("blob " + digest + " of " + image.repository() + ": nothing received for "
            + settings.requestTimeout().toSeconds() + " s", e);
      }
      throw new IOException("blob " + digest + " of " + image.repository() + ": " + e.getMessage(), e);
    } finally {
      check.cancel(false);
      // an interrupt meant for this download only
      if (stalled.get()) Thread.interrupted();
    }
  }

  void close() {
    watchdog.shutdownNow();
  }

  private URI uri(ImageReference image, String rest) {
    String host = image.domain().equals(ImageReference.DOCKER_HUB) ? "registry-1.docker.io" : image.domain();
    String scheme = settings.insecure(image.domain()) ? "http" : "https";
    return URI.create(scheme + "://" + host + "/v2/" + image.path() + rest);
  }

  private HttpResponse<InputStream> send(ImageReference image, URI uri, String accept,
      List<RegistryCredential> credentials) throws IOException {
    Optional<RegistryCredential> credential = credential(image.domain(), credentials);
    // a token is reused only with the credential it was given for: a pod without the secret gets none of it
    String key = image.domain() + "/" + image.path() + "|"
        + credential.map(c -> c.username() + ":" + Blobs.digest(c.password().getBytes(StandardCharsets.UTF_8)))
            .orElse("");
    HttpResponse<InputStream> response = get(uri, accept, authorizations.get(key));
    if (response.statusCode() == 401) {
      String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
      String unauthorized = errorOf(response);
      String authorization = authorize(challenge, credential, uri, unauthorized);
      authorizations.put(key, authorization);
      response = get(uri, accept, authorization);
    }
    if (response.statusCode() / 100 != 2) {
      throw new RegistryException(response.statusCode(), "GET " + uri + ": " + errorOf(response));
    }
    return response;
  }

  /** GET, following up to 5 redirects; the Authorization goes only to the registry's own host. */
  private HttpResponse<InputStream> get(URI uri, String accept, String authorization) throws IOException {
    URI target = uri;
    for (int hop = 0; ; hop++) {
      boolean sameHost = target.getHost().equalsIgnoreCase(uri.getHost()) && target.getPort() == uri.getPort();
      HttpResponse<InputStream> response = getOnce(target, accept, sameHost ? authorization : null);
      int code = response.statusCode();
      boolean redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
      if (!redirect || hop >= 5) return response;
      String location = response.headers().firstValue("Location").orElse(null);
      if (location == null) return response;
      response.body().close();
      target = target.resolve(location);
    }
  }

  private HttpResponse<InputStream> getOnce(URI uri, String accept, String authorization) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout())
        .header("Accept", accept).GET();
    if (authorization != null) request.header("Authorization", authorization);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: GET " + uri, e);
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IOException("GET " + uri + ": " + why, e);
    }
  }

  /** The Authorization header value that answers {@code challenge}. */
  private String authorize(String challenge, Optional<RegistryCredential> credential, URI uri, String unauthorized)
      throws IOException {
    String scheme = challenge.contains(" ") ? challenge.substring(0, challenge.indexOf(' ')) : challenge;
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(challenge.substring(scheme.length()));
    while (m.find()) {
      params.put((m.group(1) != null ? m.group(1) : m.group(3)).toLowerCase(Locale.ROOT),
          m.group(2) != null ? m.group(2) : m.group(4));
    }
    if (scheme.equalsIgnoreCase("Basic")) {
      if (credential.isEmpty()) throw new RegistryException(401, "GET " + uri + ": " + unauthorized);
      return basic(credential.get());
    }
    if (!scheme.equalsIgnoreCase("Bearer") || !params.containsKey("realm")) {
      throw new RegistryException(401, "GET " + uri + ": " + unauthorized);
    }
    StringBuilder token = new StringBuilder(params.get("realm"));
    String separator = token.indexOf("?") >= 0 ? "&" : "?";
    for (String p : List.of("service", "scope")) {
      if (params.containsKey(p)) {
        token.append(separator).append(p).append('=').append(URLEncoder.encode(params.get(p), StandardCharsets.UTF_8));
        separator = "&";
      }
    }
    URI tokenUri = URI.create(token.toString());
    HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri).timeout(settings.requestTimeout()).GET();
    credential.ifPresent(c -> request.header("Authorization", basic(c)));
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: GET " + tokenUri, e);
    } catch (IOException e) {
      throw new IOException("GET " + tokenUri + " (the registry's token server): " + e.getMessage(), e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new RegistryException(response.statusCode(), "GET " + tokenUri + " (the registry's token server): "
          + errorOf(response));
    }
    JsonNode body;
    try (InputStream in = response.body()) {
      body = ImageContent.json(in.readNBytes(1024 * 1024), "the token server's answer");
    }
    String value = body.path("token").asText(body.path("access_token").asText(""));
    if (value.isEmpty()) throw new IOException("the token server " + tokenUri + " gave no token");
    return "Bearer " + value;
  }

  private static String basic(RegistryCredential c) {
    return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.password())
        .getBytes(StandardCharsets.UTF_8));
  }

  /** The credential for {@code domain}: its registry names that host[:port] (a URL's scheme and path ignored). */
  static Optional<RegistryCredential> credential(String domain, List<RegistryCredential> credentials) {
    for (RegistryCredential c : credentials == null ? List.<RegistryCredential>of() : credentials) {
      String r = c.registry().replaceFirst("^[a-zA-Z]+://", "");
      int slash = r.indexOf('/');
      if (slash >= 0) r = r.substring(0, slash);
      if (r.equals("index.docker.io") || r.equals("registry-1.docker.io")) r = ImageReference.DOCKER_HUB;
      if (r.equalsIgnoreCase(domain)) return Optional.of(c);
    }
    return Optional.empty();
  }

  /**
   * The status and the registry's messages from its error body ({@code {"errors":[{"code":"MANIFEST_UNKNOWN",
   * "message":"manifest unknown"}]}}): {@code 404 Not Found: manifest unknown}.
   */
  private static String errorOf(HttpResponse<InputStream> response) {
    String text;
    try (InputStream in = response.body()) {
      text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      text = "";
    }
    List<String> messages = new ArrayList<>();
    try {
      JsonNode json = text.startsWith("{") ? Json.MAPPER.readTree(text) : null;
      if (json != null) {
        for (JsonNode e : json.path("errors")) {
          String message = e.path("message").asText(e.path("code").asText(""));
          if (!message.isEmpty()) messages.add(message);
        }
        if (messages.isEmpty() && json.has("details")) messages.add(json.path("details").asText());
      }
    } catch (IOException e) {
      // not JSON: the text itself below
    }
    if (messages.isEmpty() && !text.isEmpty() && text.length() < 500) messages.add(text);
    String status = response.statusCode() + " " + reason(response.statusCode());
    return messages.isEmpty() ? status : status + ": " + String.join("; ", messages);
  }

  private static String reason(int code) {
    switch (code) {
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 502: return "Bad Gateway";
      case 503: return "Service Unavailable";
      default: return "";
    }
  }
}
