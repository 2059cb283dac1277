package io.troupe.control.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.troupe.control.api.admission.ObjectLimits;
import io.troupe.persistence.model.Json;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.yaml.snakeyaml.LoaderOptions;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Reads request bodies: JSON or YAML, at most 3 MiB (Kubernetes' limit), nested at most
 * {@link ObjectLimits#MAX_DEPTH} deep, YAML without aliases, into a JSON tree.
 */
final class RequestBody {
  /** Kubernetes refuses request bodies over 3 MiB. */
  static final long MAX_BYTES = 3L * 1024 * 1024;
  /**
   * A body over {@link #MAX_BYTES} is still read to its end, up to this many bytes, before its 413 goes out: the
   * client is most likely still sending it, and answering first makes Pekko HTTP close the connection under unread
   * data, which the kernel answers with a reset that can throw the 413 away before the client reads it (met in CI:
   * "header parser received no bytes"). Beyond this the connection is cut as before.
   */
  static final long DRAIN_LIMIT = 4 * MAX_BYTES;
  /** How long a body may take to arrive. */
  private static final java.time.Duration READ_TIMEOUT = java.time.Duration.ofSeconds(30);
  /** Deeper bodies fail while they are read, before a tree exists (Jackson's stream read constraints). */
  private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
      .maxNestingDepth(ObjectLimits.MAX_DEPTH).build();
  /** Reads as {@link Json#MAPPER} does (trailing tokens refused), with the constraints. */
  private static final ObjectMapper JSON = JsonMapper.builder(
      JsonFactory.builder().streamReadConstraints(CONSTRAINTS).build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
      .loaderOptions(yamlLoaderOptions()).streamReadConstraints(CONSTRAINTS).build()).build();

  /** SnakeYAML's own bounds, as a second fence: the same depth, and no more characters than a body may have. */
  private static LoaderOptions yamlLoaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setNestingDepthLimit(ObjectLimits.MAX_DEPTH);
    options.setCodePointLimit((int) MAX_BYTES);
    options.setMaxAliasesForCollections(0);
    options.setAllowDuplicateKeys(false);
    return options;
  }

  private RequestBody() {}

  /** The media type without parameters (a body without Content-Type is application/octet-stream). */
  static String mediaType(HttpRequest request) {
    var mediaType = request.entity().getContentType().mediaType();
    return (mediaType.mainType() + "/" + mediaType.subType()).toLowerCase(java.util.Locale.ROOT);
  }

  /** The raw body, failing with 413 over the limit. */
  static CompletionStage<String> text(HttpRequest request, Materializer materializer) {
    return bytes(request, materializer).thenApply(ByteString::utf8String);
  }

  /**
   * The body's bytes, failing with 413 over {@link #MAX_BYTES} once the body has been read to its end (up to
   * {@link #DRAIN_LIMIT}; a body declared larger is refused at once), and with 400 if it cannot be read.
   */
  static CompletionStage<ByteString> bytes(HttpRequest request, Materializer materializer) {
    HttpEntity entity = request.entity();
    if (entity instanceof HttpEntity.Strict strict) {
      return strict.getData().size() > MAX_BYTES ? CompletableFuture.failedFuture(tooLarge())
          : CompletableFuture.completedFuture(strict.getData());
    }
    if (entity.getContentLengthOption().orElse(0L) > DRAIN_LIMIT) return CompletableFuture.failedFuture(tooLarge());
    // carried on on the stream's thread, as a strict body is: runFold's stage is Scala's CompletableFuture, which
    // would send a continuation given no executor to ForkJoinPool.commonPool (one thread on two cores)
    return arriving(entity).runFold(new Bounded(), Bounded::add, materializer)
        .handleAsync((body, failure) -> {
          if (failure != null) {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof StreamLimitReachedException) throw tooLarge();
            throw ApiException.badRequest("cannot read the request body: " + cause.getMessage());
          }
          if (body.size > MAX_BYTES) throw tooLarge();
          return body.kept.result();
        }, Runnable::run);
  }

  /** Reads a request's body away (up to {@link #DRAIN_LIMIT}), whatever it holds: before an early refusal. */
  static CompletionStage<Void> readAway(HttpRequest request, Materializer materializer) {
    HttpEntity entity = request.entity();
    if (entity.isStrict() || entity.isKnownEmpty() || entity.getContentLengthOption().orElse(0L) > DRAIN_LIMIT) {
      return CompletableFuture.completedFuture(null);
    }
    return arriving(entity).runWith(Sink.ignore(), materializer).handle((done, failure) -> null);
  }

  /** A streamed body's bytes as they arrive: failing past {@link #DRAIN_LIMIT} or {@link #READ_TIMEOUT}. */
  private static Source<ByteString, Object> arriving(HttpEntity entity) {
    return entity.withoutSizeLimit().getDataBytes()
        .completionTimeout(READ_TIMEOUT)
        .limitWeighted(DRAIN_LIMIT, chunk -> (long) chunk.size());
  }

  private static ApiException tooLarge() {
    return ApiException.tooLarge("Request entity too large: limit is " + MAX_BYTES);
  }

  /** A body as it arrives: its first {@link #MAX_BYTES} kept, the rest only counted. */
  private static final class Bounded {
    private final ByteStringBuilder kept = ByteString.newBuilder();
    private long size;

    Bounded add(ByteString chunk) {
      size += chunk.size();
      if (size <= MAX_BYTES) kept.append(chunk);
      return this;
    }
  }

  /** A whole object from a create or update: JSON or YAML, and an object. */
  /**
   * As {@link #object}, and also Kubernetes' protobuf encoding for the few kinds kubectl sends that way
   * ({@link ProtobufBodies}).
   */
  static CompletionStage<ObjectNode> objectOrProtobuf(HttpRequest request, Materializer materializer) {
    if (!mediaType(request).equals(ProtobufBodies.MEDIA_TYPE)) return object(request, materializer);
    return bytes(request, materializer).thenApply(data -> ProtobufBodies.decode(data.toArray()));
  }

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
      if (yaml) refuseAliases(text);
      return yaml ? YAML.readTree(text) : JSON.readTree(text);
    } catch (StreamConstraintsException e) {
      throw ApiException.badRequest("the body is nested too deeply: at most " + ObjectLimits.MAX_DEPTH
          + " levels of objects and arrays are allowed");
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("the body is not valid " + (yaml ? "YAML" : "JSON") + ": "
          + e.getOriginalMessage() + (e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      // SnakeYAML's own limits (nesting, code points) and scanner errors are unchecked exceptions
      throw ApiException.badRequest("the body is not valid " + (yaml ? "YAML" : "JSON") + ": "
          + firstLine(e.getMessage()));
    } catch (IOException e) {
      throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
    }
  }

  /**
   * Jackson reads a YAML alias ({@code *name}) as the anchor's name, a string, instead of the anchored node,
   * so an alias would be stored as the wrong value; and expanding aliases is how a "billion laughs" body grows
   * a few bytes into gigabytes. Kubernetes expands them within bounds; Troupe refuses them (anchors alone are
   * harmless and pass).
   */
  private static void refuseAliases(String text) throws IOException {
    try (JsonParser parser = YAML.createParser(text)) {
      while (parser.nextToken() != null) {
        if (parser instanceof YAMLParser y && y.isCurrentAlias()) {
          throw ApiException.badRequest("the body is not valid YAML: aliases (*" + parser.getText()
              + ") are not supported" + (parser.currentLocation() == null ? ""
              : " at line " + parser.currentLocation().getLineNr()));
        }
      }
    }
  }

  private static String firstLine(String message) {
    if (message == null) return "unreadable";
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static String describe(JsonNode n) {
    return n == null ? "nothing" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
