package io.troupe.control.api.openapi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.ApiException;
import io.troupe.persistence.model.Json;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Serves the {@link OpenApiDocuments} as kube-apiserver does: {@code /openapi/v2}; {@code /openapi/v3}, an index of
 * the group-versions whose {@code serverRelativeURL}s carry the hash of each document; and the documents
 * themselves. A document has an ETag (its hash) and answers 304 to a matching {@code If-None-Match}; fetched by
 * its current hash it may be cached for good, by an old hash it redirects to the current one. JSON only: a client
 * that accepts nothing but the protobuf encoding (client-go asks for {@code /openapi/v2} so) gets 406 Not
 * Acceptable, which it reports instead of misreading JSON as protobuf.
 */
public final class OpenApiEndpoint {
  static final String V2 = "/openapi/v2";
  static final String V3 = "/openapi/v3";

  private final Document v2;
  private final Map<String, Document> v3 = new LinkedHashMap<>();
  private final byte[] index;

  /** A document's bytes and their hash. */
  private record Document(byte[] json, String hash) {
    static Document of(ObjectNode tree) {
      byte[] json = Json.bytes(tree);
      return new Document(json, sha256(json));
    }
  }

  public OpenApiEndpoint(OpenApiDocuments documents) {
    this.v2 = Document.of(documents.v2());
    ObjectNode paths = Json.object();
    documents.v3().forEach((path, doc) -> {
      Document d = Document.of(doc);
      v3.put(path, d);
      paths.putObject(path).put("serverRelativeURL", V3 + "/" + path + "?hash=" + d.hash());
    });
    ObjectNode root = Json.object();
    root.set("paths", paths);
    this.index = Json.bytes(root);
  }

  /** The endpoint of the built-in types. */
  public static OpenApiEndpoint builtIn() {
    return new OpenApiEndpoint(new OpenApiDocuments(ApiTypes.builtIn()));
  }

  /** The answer to {@code request}, if its path is one of the OpenAPI documents'. */
  public Optional<HttpResponse> answer(HttpRequest request) {
    String path = request.getUri().path();
    if (path.endsWith("/") && path.length() > 1) path = path.substring(0, path.length() - 1);
    if (path.equals(V2)) return Optional.of(document(request, v2, false));
    if (path.equals(V3)) {
      return Optional.of(json(request, index).addHeader(RawHeader.create("Cache-Control", "no-cache, private")));
    }
    if (path.startsWith(V3 + "/")) {
      String gv = path.substring(V3.length() + 1);
      Document d = v3.get(gv);
      if (d == null) return Optional.empty();
      Optional<String> hash = request.getUri().query().get("hash");
      if (hash.isPresent() && !hash.get().equals(d.hash())) {
        // an old link: the document changed since the client read the index
        return Optional.of(HttpResponse.create().withStatus(StatusCodes.MOVED_PERMANENTLY)
            .addHeader(RawHeader.create("Location", V3 + "/" + gv + "?hash=" + d.hash()))
            .addHeader(RawHeader.create("Cache-Control", "no-cache, private")));
      }
      return Optional.of(document(request, d, hash.isPresent()));
    }
    return Optional.empty();
  }

  private static HttpResponse document(HttpRequest request, Document d, boolean immutable) {
    String etag = "\"" + d.hash() + "\"";
    HttpResponse response;
    if (header(request, "If-None-Match").map(v -> List.of(v.split("\\s*,\\s*")).contains(etag)).orElse(false)) {
      response = HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED);
    } else {
      response = json(request, d.json());
    }
    return response
        .addHeader(RawHeader.create("ETag", etag))
        .addHeader(RawHeader.create("Vary", "Accept"))
        .addHeader(RawHeader.create("Cache-Control", immutable ? "public, immutable, max-age=31536000"
            : "no-cache, private"));
  }

  private static HttpResponse json(HttpRequest request, byte[] body) {
    if (!acceptsJson(header(request, "Accept").orElse(""))) {
      throw ApiException.notAcceptable("only application/json is served here, not "
          + header(request, "Accept").orElse(""));
    }
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  /** Whether an Accept header allows JSON: absent, a wildcard, or JSON among its media ranges. */
  static boolean acceptsJson(String accept) {
    if (accept.isBlank()) return true;
    for (String range : accept.split(",")) {
      String type = range.split(";")[0].trim().toLowerCase(Locale.ROOT);
      if (type.equals("*/*") || type.equals("application/*") || type.equals("application/json")) return true;
    }
    return false;
  }

  private static Optional<String> header(HttpRequest request, String name) {
    return request.getHeader(name).map(HttpHeader::value);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
