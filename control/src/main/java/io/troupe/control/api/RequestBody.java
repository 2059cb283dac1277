package io.troupe.control.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.troupe.persistence.model.Json;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;

/** Reads request bodies: JSON or YAML, at most 3 MiB (Kubernetes' limit), into a JSON tree. */
final class RequestBody {
  /** Kubernetes refuses request bodies over 3 MiB. */
  static final long MAX_BYTES = 3L * 1024 * 1024;
  private static final YAMLMapper YAML = new YAMLMapper();

  private RequestBody() {}

  /** The media type without parameters (a body without Content-Type is application/octet-stream). */
  static String mediaType(HttpRequest request) {
    var mediaType = request.entity().getContentType().mediaType();
    return (mediaType.mainType() + "/" + mediaType.subType()).toLowerCase(java.util.Locale.ROOT);
  }

  /** The raw body, failing with 413 over the limit. */
  static CompletionStage<String> text(HttpRequest request, Materializer materializer) {
    return request.entity().withSizeLimit(MAX_BYTES).toStrict(30_000, materializer)
        .handle((strict, failure) -> {
          if (failure != null) {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof EntityStreamSizeException) {
              throw ApiException.tooLarge("Request entity too large: limit is " + MAX_BYTES);
            }
            throw ApiException.badRequest("cannot read the request body: " + cause.getMessage());
          }
          return strict.getData().utf8String();
        });
  }

  /** A whole object from a create or update: JSON or YAML, and an object. */
  static CompletionStage<ObjectNode> object(HttpRequest request, Materializer materializer) {
    String type = mediaType(request);
    boolean yaml = isYaml(type);
    if (!yaml && !"application/json".equals(type)) throw ApiException.unsupportedMediaType(type);
    return text(request, materializer).thenApply(text -> {
      JsonNode tree = parse(text, yaml);
      if (!(tree instanceof ObjectNode o)) {
        throw ApiException.badRequest("the request body must be an object, got " + describe(tree));
      }
      return o;
    });
  }

  static boolean isYaml(String mediaType) {
    return "application/yaml".equals(mediaType) || "application/x-yaml".equals(mediaType)
        || "text/yaml".equals(mediaType);
  }

  static JsonNode parse(String text, boolean yaml) {
    if (text.isBlank()) throw ApiException.badRequest("the request body is empty");
    try {
      return yaml ? YAML.readTree(text) : Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("the body is not valid " + (yaml ? "YAML" : "JSON") + ": "
          + e.getOriginalMessage() + (e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
    }
  }

  private static String describe(JsonNode n) {
    return n == null ? "nothing" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
