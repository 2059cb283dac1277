package io.troupe.control.api.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.ApiException;
import io.troupe.control.api.validation.Cause;
import io.troupe.control.api.validation.ObjectValidation;
import io.troupe.persistence.model.GenerateName;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.model.ResourceType;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What stands between a request body and the store: the object must be of the endpoint's kind and namespace,
 * gets its defaults and server-owned fields, and must be valid. Anything wrong is an {@link ApiException}
 * (400 or 422) before anything is written.
 */
public final class Admission {
  /** Kinds whose status is the system's to write: a create starts them with a fresh status. */
  private static final Set<String> STATUS_RESET_ON_CREATE = Set.of("Pod", "ReplicaSet", "Deployment", "DaemonSet",
      "Service", "Ingress", "ResourceQuota", "PersistentVolume", "PersistentVolumeClaim");
  /** Kinds whose fresh status says {@code phase: Pending}. */
  private static final Set<String> PENDING_ON_CREATE = Set.of("Pod", "PersistentVolume", "PersistentVolumeClaim");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Admission() {}

  public static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** A new object from a POST body, ready for the store; a claim that names no class gets none. */
  public static KubeObject forCreate(ResourceType type, String pathNamespace, ObjectNode body) {
    return forCreate(type, pathNamespace, body, List::of);
  }

  /**
   * A new object from a POST body, ready for the store. {@code storageClasses} gives the cluster's StorageClasses,
   * asked for only when a PersistentVolumeClaim names none (it then gets the default one).
   */
  public static KubeObject forCreate(ResourceType type, String pathNamespace, ObjectNode body,
      Supplier<List<KubeObject>> storageClasses) {
    ObjectNode tree = body.deepCopy();
    checkKind(type, tree);
    KubeObject parsed = parse(type, tree);
    ObjectMeta meta = parsed.metadata().withNamespace(namespace(type, pathNamespace, parsed.metadata()));
    if ((meta.name() == null || meta.name().isEmpty()) && meta.generateName() != null
        && !meta.generateName().isEmpty()) {
      meta = meta.withName(GenerateName.from(meta.generateName(), RANDOM));
    }
    KubeObject object = parsed.withMetadata(meta.withCreation(UUID.randomUUID().toString(), now()));
    if (STATUS_RESET_ON_CREATE.contains(type.kind())) {
      object = object.withField("status", PENDING_ON_CREATE.contains(type.kind())
          ? object.body().objectNode().put("phase", "Pending") : object.body().objectNode());
    }
    ObjectNode defaulted = object.toTree();
    Defaults.apply(type.kind(), defaulted);
    if (type.kind().equals("PersistentVolumeClaim")) ClaimAdmission.admit(defaulted, storageClasses.get());
    KubeObject result = KubeObject.fromTree(defaulted);
    refuseInvalid(type, result, ObjectValidation.validate(defaulted));
    return result;
  }

  /** The object a PUT (or a patch) asks for, checked against the endpoint and against the current object. */
  public static KubeObject forUpdate(ResourceType type, String pathNamespace, String pathName, ObjectNode body,
      KubeObject current) {
    ObjectNode tree = body.deepCopy();
    checkKind(type, tree);
    KubeObject parsed = parse(type, tree);
    ObjectMeta meta = parsed.metadata();
    if (meta.name() != null && !meta.name().equals(pathName)) {
      throw ApiException.badRequest("the name of the object (" + meta.name()
          + ") does not match the name on the URL (" + pathName + ")");
    }
    meta = meta.withName(pathName).withNamespace(namespace(type, pathNamespace, meta));
    ObjectNode defaulted = parsed.withMetadata(meta).toTree();
    Defaults.apply(type.kind(), defaulted);
    ObjectNode currentTree = current == null ? null : current.toTree();
    // as Kubernetes defaults what it reads from storage: an object stored before a default existed does not
    // count the newly defaulted fields as a change
    if (currentTree != null) Defaults.apply(type.kind(), currentTree);
    if (currentTree != null && type.kind().equals("Service")) ServiceFields.prepareForUpdate(defaulted, currentTree);
    KubeObject result = KubeObject.fromTree(defaulted);
    List<Cause> causes = new java.util.ArrayList<>(ObjectValidation.validate(defaulted));
    if (current != null) {
      // the server owns uid and the timestamps: a client leaving them out changes nothing
      ObjectNode candidate = result.withMetadata(result.metadata().withServerFieldsOf(current.metadata())).toTree();
      causes.addAll(ObjectValidation.validateUpdate(currentTree, candidate));
    }
    refuseInvalid(type, result, causes);
    return result;
  }

  private static void refuseInvalid(ResourceType type, KubeObject object, List<Cause> causes) {
    if (!causes.isEmpty()) {
      throw ApiException.invalid(type.kind(), type.group(), object.metadata().name(), causes);
    }
    ObjectLimits.check(type, object);
  }

  /** ObjectMeta's string fields: reading the object would turn a number or a boolean there into text. */
  private static final List<String> META_STRINGS = List.of("name", "generateName", "namespace", "uid",
      "resourceVersion", "creationTimestamp", "deletionTimestamp");

  private static KubeObject parse(ResourceType type, ObjectNode tree) {
    JsonNode meta = tree.get("metadata");
    if (meta != null && !meta.isNull() && !meta.isObject()) {
      throw ApiException.badRequest("metadata must be an object");
    }
    if (meta != null && meta.isObject()) {
      List<Cause> causes = new java.util.ArrayList<>();
      for (String field : META_STRINGS) {
        JsonNode value = meta.get(field);
        if (value != null && !value.isNull() && !value.isTextual()) {
          causes.add(Cause.invalid("metadata." + field, value, "must be a string"));
        }
      }
      if (!causes.isEmpty()) throw ApiException.invalid(type.kind(), type.group(), null, causes);
    }
    try {
      return KubeObject.fromTree(tree);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("cannot read the object's " + e.getMessage());
    }
  }

  private static void checkKind(ResourceType type, ObjectNode tree) {
    JsonNode kind = tree.get("kind");
    JsonNode apiVersion = tree.get("apiVersion");
    if (kind != null && !kind.isNull() && !kind.asText().isEmpty() && !kind.asText().equals(type.kind())) {
      throw ApiException.badRequest("the kind in the body (" + kind.asText()
          + ") does not match the kind of the endpoint (" + type.kind() + ")");
    }
    if (apiVersion != null && !apiVersion.isNull() && !apiVersion.asText().isEmpty()
        && !apiVersion.asText().equals(type.apiVersion())) {
      throw ApiException.badRequest("the API version in the data (" + apiVersion.asText()
          + ") does not match the expected API version (" + type.apiVersion() + ")");
    }
    tree.put("kind", type.kind());
    tree.put("apiVersion", type.apiVersion());
  }

  private static String namespace(ResourceType type, String pathNamespace, ObjectMeta meta) {
    if (!type.namespaced()) return null;
    String ns = meta.namespace();
    if (ns != null && !ns.isEmpty() && !ns.equals(pathNamespace)) {
      throw ApiException.badRequest("the namespace of the provided object (" + ns
          + ") does not match the namespace sent on the request (" + pathNamespace + ")");
    }
    return pathNamespace;
  }
}
