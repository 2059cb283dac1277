package io.troupe.control.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.validation.Cause;
import io.troupe.control.auth.Attributes;
import io.troupe.control.auth.Authorizer;
import io.troupe.control.auth.UserInfo;
import io.troupe.control.auth.rbac.PolicyRule;
import io.troupe.control.auth.rbac.RbacAuthorizer;
import io.troupe.control.auth.rbac.RbacPolicy;
import io.troupe.persistence.model.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;

/**
 * authorization.k8s.io/v1, the questions one asks the authorizer (answered, never stored; POST only, 201):
 * SelfSubjectAccessReview (may I?), SubjectAccessReview (may this user?), LocalSubjectAccessReview (the same,
 * within one namespace) and SelfSubjectRulesReview (what may I do in this namespace?). {@code kubectl auth can-i}
 * asks the first and, with {@code --list}, the last.
 */
final class AccessReviews {
  static final String GROUP = "authorization.k8s.io";
  static final String API_VERSION = GROUP + "/v1";
  /** plural → kind, namespaced. */
  static final List<String[]> RESOURCES = List.of(
      new String[] {"localsubjectaccessreviews", "LocalSubjectAccessReview", "true"},
      new String[] {"selfsubjectaccessreviews", "SelfSubjectAccessReview", "false"},
      new String[] {"selfsubjectrulesreviews", "SelfSubjectRulesReview", "false"},
      new String[] {"subjectaccessreviews", "SubjectAccessReview", "false"});

  private final Authorizer authorizer;
  private final RbacAuthorizer rules;
  private final boolean rbac;
  private final Materializer materializer;

  AccessReviews(Authorizer authorizer, RbacAuthorizer rules, Materializer materializer) {
    this.authorizer = authorizer;
    this.rules = rules;
    this.rbac = authorizer instanceof RbacAuthorizer;
    this.materializer = materializer;
  }

  static boolean handles(RequestInfo info) {
    return info.group().equals(GROUP) && info.version().equals("v1");
  }

  CompletionStage<HttpResponse> create(HttpRequest request, RequestInfo info, UserInfo user) {
    String[] resource = RESOURCES.stream().filter(r -> r[0].equals(info.resource())).findFirst()
        .orElseThrow(() -> ApiException.pathNotFound(request.getUri().path()));
    boolean namespaced = resource[2].equals("true");
    if (info.name() != null || info.subresource() != null || namespaced != (info.namespace() != null)) {
      throw ApiException.pathNotFound(request.getUri().path());
    }
    if (!request.method().value().equals("POST")) {
      throw ApiException.methodNotAllowed(request.method().value(), request.getUri().path());
    }
    String kind = resource[1];
    CompletionStage<ObjectNode> read = RequestBody.objectOrProtobuf(request, materializer);
    return read.thenApply(body -> {
      String bodyKind = body.path("kind").asText("");
      if (!bodyKind.isEmpty() && !bodyKind.equals(kind)) {
        throw ApiException.badRequest("the kind in the body (" + bodyKind + ") does not match the kind of the "
            + "endpoint (" + kind + ")");
      }
      ObjectNode spec = body.get("spec") instanceof ObjectNode s ? s : Json.object();
      ObjectNode status = kind.equals("SelfSubjectRulesReview") ? rulesReview(user, spec)
          : accessReview(kind, subject(kind, user, spec), info.namespace(), spec);
      ObjectNode answer = Json.object();
      answer.put("kind", kind);
      answer.put("apiVersion", API_VERSION);
      ObjectNode metadata = body.get("metadata") instanceof ObjectNode m ? m.deepCopy() : Json.object();
      metadata.putNull("creationTimestamp");
      answer.set("metadata", metadata);
      answer.set("spec", spec);
      answer.set("status", status);
      return ApiResponses.json(201, answer);
    });
  }

  /** Whose access: the requester's own for a self review; the spec's user and groups for the others. */
  private static UserInfo subject(String kind, UserInfo requester, ObjectNode spec) {
    if (kind.equals("SelfSubjectAccessReview")) return requester;
    String user = spec.path("user").asText("");
    List<String> groups = new ArrayList<>();
    for (JsonNode g : spec.path("groups")) groups.add(g.asText());
    if (user.isEmpty() && groups.isEmpty()) {
      throw ApiException.invalid(kind, GROUP, "", List.of(Cause.invalid("spec.user", "",
          "at least one of user or group must be specified")));
    }
    return new UserInfo(user, spec.path("uid").asText(""), groups);
  }

  private ObjectNode accessReview(String kind, UserInfo subject, String pathNamespace, ObjectNode spec) {
    JsonNode resource = spec.get("resourceAttributes");
    JsonNode nonResource = spec.get("nonResourceAttributes");
    boolean hasResource = resource != null && resource.isObject();
    boolean hasNonResource = nonResource != null && nonResource.isObject();
    if (hasResource == hasNonResource) {
      throw ApiException.invalid(kind, GROUP, "", List.of(hasResource
          ? Cause.invalid("spec.nonResourceAttributes", nonResource, "cannot be specified in combination with "
              + "resourceAttributes")
          : Cause.invalid("spec.resourceAttributes", null, "exactly one of nonResourceAttributes or "
              + "resourceAttributes must be specified")));
    }
    Attributes attributes;
    if (hasResource) {
      String namespace = text(resource, "namespace");
      if (pathNamespace != null) {
        if (namespace != null && !namespace.equals(pathNamespace)) {
          throw ApiException.invalid(kind, GROUP, "", List.of(Cause.invalid("spec.resourceAttributes.namespace",
              namespace, "must match metadata.namespace")));
        }
        namespace = pathNamespace;
      }
      attributes = Attributes.resource(subject, resource.path("verb").asText(""), resource.path("group").asText(""),
          resource.path("resource").asText(""), text(resource, "subresource"), namespace, text(resource, "name"));
    } else {
      attributes = Attributes.nonResource(subject, nonResource.path("verb").asText(""),
          nonResource.path("path").asText(""));
    }
    Authorizer.Decision decision = authorizer.authorize(attributes);
    ObjectNode status = Json.object().put("allowed", decision.allowed());
    if (decision.reason() != null && !decision.reason().isEmpty()) status.put("reason", decision.reason());
    return status;
  }

  /**
   * The rules the requester holds in {@code spec.namespace} (and cluster-wide); complete under RBAC, everything
   * under an authorizer that allows everything.
   */
  private ObjectNode rulesReview(UserInfo user, ObjectNode spec) {
    String namespace = spec.path("namespace").asText("");
    List<PolicyRule> held;
    List<String> errors = List.of();
    if (rbac) {
      RbacPolicy.Rules r = rules.policy().rulesFor(user, namespace);
      held = r.rules();
      errors = r.errors();
    } else {
      held = List.of(PolicyRule.resources(List.of("*"), List.of("*"), List.of("*")),
          PolicyRule.urls(List.of("*"), List.of("*")));
    }
    ObjectNode status = Json.object();
    ArrayNode resourceRules = status.putArray("resourceRules");
    ArrayNode nonResourceRules = status.putArray("nonResourceRules");
    for (PolicyRule rule : held) {
      ObjectNode json = rule.toJson();
      if (!rule.nonResourceURLs().isEmpty()) {
        ObjectNode n = nonResourceRules.addObject();
        n.set("verbs", json.get("verbs"));
        n.set("nonResourceURLs", json.get("nonResourceURLs"));
      } else {
        json.remove("nonResourceURLs");
        resourceRules.add(json);
      }
    }
    status.put("incomplete", !errors.isEmpty());
    if (!errors.isEmpty()) status.put("evaluationError", String.join(", ", errors));
    return status;
  }

  private static String text(JsonNode node, String field) {
    String value = node.path(field).asText("");
    return value.isEmpty() ? null : value;
  }
}
