package io.troupe.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Stream;

/** The Kubernetes API over the JDK's HTTP client, with kubectl's wording for what goes wrong. */
public final class KubeClient {
  public static final String TABLE =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
  public static final String JSON = "application/json";
  public static final String MERGE_PATCH = "application/merge-patch+json";
  public static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  public static final String JSON_PATCH = "application/json-patch+json";

  private final Kubeconfig config;
  private final HttpClient http;

  public KubeClient(Kubeconfig config) {
    this.config = config;
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10));
    if ("https".equalsIgnoreCase(config.server().getScheme())) builder.sslContext(ClientTls.context(config));
    this.http = builder.build();
  }

  public Kubeconfig config() {
    return config;
  }

  public JsonNode get(String path) {
    return send("GET", path, JSON, null, null);
  }

  public JsonNode table(String path) {
    return send("GET", path, TABLE, null, null);
  }

  public JsonNode create(String path, JsonNode body) {
    return send("POST", path, JSON, JSON, Json.write(body));
  }

  public JsonNode patch(String path, String patchType, JsonNode patch) {
    return send("PATCH", path, JSON, patchType, Json.write(patch));
  }

  public JsonNode put(String path, JsonNode body) {
    return send("PUT", path, JSON, JSON, Json.write(body));
  }

  public JsonNode delete(String path) {
    return send("DELETE", path, JSON, null, null);
  }

  /** A watch (or a followed log): the answer's lines as they come; close the stream to stop. */
  public Stream<String> lines(String path, String accept) {
    HttpResponse<Stream<String>> r = exchange(request("GET", path, accept, null, null, null),
        HttpResponse.BodyHandlers.ofLines());
    if (r.statusCode() >= 300) {
      String body = String.join("\n", r.body().toList());
      throw error(r.statusCode(), body);
    }
    return r.body();
  }

  /** A body as bytes, streamed (pod logs). */
  public InputStream stream(String path) {
    HttpResponse<InputStream> r = exchange(request("GET", path, "*/*", null, null, null),
        HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() >= 300) {
      try (InputStream in = r.body()) {
        throw error(r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new CliException("error: " + e.getMessage());
      }
    }
    return r.body();
  }

  /**
   * POSTs a file as the body, streamed from disk ({@code troupe image import}: a tarball of any size), waiting up
   * to {@code timeout} for the answer.
   */
  public JsonNode upload(String path, java.nio.file.Path file, String contentType, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(config.server().resolve(path)).timeout(timeout)
        .header("User-Agent", "troupe-cli").header("Accept", JSON).header("Content-Type", contentType);
    try {
      b.POST(HttpRequest.BodyPublishers.ofFile(file));
    } catch (java.io.FileNotFoundException e) {
      throw new CliException("error: " + file + ": no such file");
    }
    config.credentials().bearerToken().ifPresent(token -> b.header("Authorization", "Bearer " + token));
    HttpResponse<String> r = exchange(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) throw error(r.statusCode(), r.body());
    try {
      return r.body().isEmpty() ? Json.object() : Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new CliException("error: the server answered POST " + path + " with what is not JSON: " + r.body());
    }
  }

  public JsonNode send(String method, String path, String accept, String contentType, String body) {
    HttpResponse<String> r = exchange(request(method, path, accept, contentType, body, Duration.ofSeconds(60)),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() >= 300) throw error(r.statusCode(), r.body());
    try {
      return r.body().isEmpty() ? Json.object() : Json.MAPPER.readTree(r.body());
    } catch (IOException e) {
      throw new CliException("error: the server answered " + method + " " + path + " with what is not JSON: "
          + r.body());
    }
  }

  private HttpRequest request(String method, String path, String accept, String contentType, String body,
      Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(config.server().resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
        .header("User-Agent", "troupe-cli");
    if (timeout != null) b.timeout(timeout);
    if (accept != null) b.header("Accept", accept);
    if (contentType != null) b.header("Content-Type", contentType);
    config.credentials().bearerToken().ifPresent(token -> b.header("Authorization", "Bearer " + token));
    return b.build();
  }

  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (ConnectException | HttpConnectTimeoutException e) {
      URI s = config.server();
      throw new CliException("The connection to the server " + s.getHost() + ":" + port(s)
          + " was refused - did you specify the right host or port?");
    } catch (javax.net.ssl.SSLException e) {
      // kubectl: "Unable to connect to the server: tls: failed to verify certificate: x509: ..."
      throw new CliException("Unable to connect to the server: " + e.getMessage());
    } catch (IOException e) {
      if (e.getCause() instanceof javax.net.ssl.SSLException ssl) {
        throw new CliException("Unable to connect to the server: " + ssl.getMessage());
      }
      throw new CliException("error: " + request.method() + " " + request.uri() + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("error: interrupted");
    }
  }

  private static int port(URI s) {
    return s.getPort() > 0 ? s.getPort() : "https".equals(s.getScheme()) ? 443 : 80;
  }

  private static ApiError error(int code, String body) {
    JsonNode status = null;
    try {
      status = Json.MAPPER.readTree(body);
    } catch (IOException ignored) {
      // not a Status
    }
    return new ApiError(code, status, body);
  }

  /** {@code path?k=v&...}, values encoded, null and empty values left out. */
  public static String query(String path, Map<String, String> params) {
    StringJoiner q = new StringJoiner("&");
    params.forEach((k, v) -> {
      if (v != null && !v.isEmpty()) q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    return q.length() == 0 ? path : path + (path.contains("?") ? "&" : "?") + q;
  }
}
