package io.troupe.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.validation.Cause;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.serviceaccount.ServiceAccountTokenSettings;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;

/**
 * {@code POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token}: an {@code authentication.k8s.io/v1}
 * TokenRequest in, the same with {@code status.token} and {@code status.expirationTimestamp} out (201), as
 * kube-apiserver answers it. Nothing is stored. {@code spec.audiences} defaults to the API's audiences,
 * {@code spec.expirationSeconds} to {@code troupe.api.service-account.token-expiration} (at least 10 minutes; longer
 * than the maximum is cut to it, as kube-apiserver does); {@code spec.boundObjectRef} may name a Pod of the
 * namespace that runs as this service account (its uid, when given, must match): the token is then valid only
 * while that pod exists. Other bound kinds (Secret, Node) are refused (422).
 */
final class TokenRequests {
  static final String API_VERSION = "authentication.k8s.io/v1";
  private static final long MAX_SECONDS = 1L << 32;

  private final Store store;
  private final ServiceAccountTokens tokens;
  private final Materializer materializer;

  TokenRequests(Store store, ServiceAccountTokens tokens, Materializer materializer) {
    this.store = store;
    this.tokens = tokens;
    this.materializer = materializer;
  }

  CompletionStage<HttpResponse> create(ResourceRequest r) {
    return RequestBody.objectOrProtobuf(r.http(), materializer).thenApply(body -> ApiResponses.json(201, answer(r, body)));
  }

  private ObjectNode answer(ResourceRequest r, ObjectNode body) {
    String kind = body.path("kind").asText("");
    String apiVersion = body.path("apiVersion").asText("");
    if (!kind.isEmpty() && !kind.equals("TokenRequest")) {
      throw ApiException.badRequest("the kind in the body (" + kind + ") does not match the kind of the endpoint "
          + "(TokenRequest)");
    }
    if (!apiVersion.isEmpty() && !apiVersion.equals(API_VERSION)) {
      throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the expected "
          + "API version (" + API_VERSION + ")");
    }
    KubeObject account = store.get(r.key()).map(Stored::object).filter(a -> !a.metadata().isDeleting())
        .orElseThrow(r::notFound);
    ServiceAccountTokenSettings settings = tokens.settings();
    JsonNode spec = body.path("spec");
    List<Cause> causes = new ArrayList<>();
    List<String> audiences = new ArrayList<>();
    JsonNode asked = spec.path("audiences");
    if (!asked.isMissingNode() && !asked.isNull() && !asked.isArray()) {
      causes.add(Cause.invalid("spec.audiences", asked.toString(), "must be a list of strings"));
    }
    for (JsonNode a : asked) {
      if (!a.isTextual() || a.asText().isEmpty()) causes.add(Cause.invalid("spec.audiences", a.toString(), ""));
      else audiences.add(a.asText());
    }
    if (audiences.isEmpty()) audiences.addAll(settings.apiAudiences());
    long seconds = settings.tokenExpiration().toSeconds();
    JsonNode expiration = spec.get("expirationSeconds");
    if (expiration != null && !expiration.isNull()) {
      if (!expiration.isIntegralNumber()) {
        causes.add(Cause.invalid("spec.expirationSeconds", expiration.toString(), "must be an integer"));
      } else {
        seconds = expiration.longValue();
        if (seconds < ServiceAccountTokenSettings.MIN_EXPIRATION.toSeconds()) {
          causes.add(Cause.invalid("spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes"));
        } else if (seconds > MAX_SECONDS) {
          causes.add(Cause.invalid("spec.expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds"));
        }
      }
    }
    seconds = Math.min(seconds, settings.maxTokenExpiration().toSeconds());
    Optional<KubeObject> pod = boundPod(r, spec.path("boundObjectRef"), causes);
    if (!causes.isEmpty()) throw ApiException.invalid("TokenRequest", "authentication.k8s.io", r.name(), causes);
    pod.ifPresent(p -> {
      String runsAs = p.spec().path("serviceAccountName").asText("");
      if (!runsAs.equals(r.name())) {
        throw ApiException.badRequest("cannot bind token for serviceaccount \"" + r.name() + "\" to pod running "
            + "with different serviceaccount name.");
      }
    });
    ServiceAccountTokens.Subject subject = new ServiceAccountTokens.Subject(r.namespace(), r.name(),
        account.metadata().uid(),
        pod.map(p -> new ServiceAccountTokens.BoundObject("Pod", p.metadata().name(), p.metadata().uid())),
        pod.map(p -> p.spec().path("nodeName").asText("")).filter(n -> !n.isEmpty()));
    ServiceAccountTokens.Issued issued = tokens.issue(subject, audiences, Instant.now(), Duration.ofSeconds(seconds));

    ObjectNode out = Json.object();
    out.put("kind", "TokenRequest");
    out.put("apiVersion", API_VERSION);
    ObjectNode meta = out.putObject("metadata");
    meta.put("name", r.name());
    meta.put("namespace", r.namespace());
    meta.put("creationTimestamp", issued.issuedAt().toString());
    ObjectNode outSpec = out.putObject("spec");
    audiences.forEach(outSpec.putArray("audiences")::add);
    outSpec.put("expirationSeconds", seconds);
    pod.ifPresent(p -> outSpec.putObject("boundObjectRef").put("kind", "Pod").put("apiVersion", "v1")
        .put("name", p.metadata().name()).put("uid", p.metadata().uid()));
    ObjectNode status = out.putObject("status");
    status.put("token", issued.token());
    status.put("expirationTimestamp", issued.expiresAt().toString());
    return out;
  }

  /** The pod a token is to be bound to (404 when it does not exist, 409 when its uid is another). */
  private Optional<KubeObject> boundPod(ResourceRequest r, JsonNode ref, List<Cause> causes) {
    if (ref.isMissingNode() || ref.isNull()) return Optional.empty();
    String kind = ref.path("kind").asText("");
    if (!kind.equals("Pod")) {
      causes.add(Cause.notSupported("spec.boundObjectRef.kind", kind, List.of("Pod")));
      return Optional.empty();
    }
    String apiVersion = ref.path("apiVersion").asText("v1");
    if (!apiVersion.isEmpty() && !apiVersion.equals("v1")) {
      causes.add(Cause.notSupported("spec.boundObjectRef.apiVersion", apiVersion, List.of("v1")));
      return Optional.empty();
    }
    String name = ref.path("name").asText("");
    if (name.isEmpty()) {
      causes.add(Cause.required("spec.boundObjectRef.name", ""));
      return Optional.empty();
    }
    KubeObject pod = store.get(ObjectKey.of("Pod", r.namespace(), name)).map(Stored::object)
        .orElseThrow(() -> ApiException.notFound("pods", "", name));
    String uid = ref.path("uid").asText("");
    if (!uid.isEmpty() && !uid.equals(pod.metadata().uid())) {
      throw ApiException.conflict("pods", "", name, "Operation cannot be fulfilled on pods \"" + name + "\": the "
          + "UID in the bound object reference (" + uid + ") does not match the UID in record. The object might "
          + "have been deleted and then recreated");
    }
    return Optional.of(pod);
  }
}
