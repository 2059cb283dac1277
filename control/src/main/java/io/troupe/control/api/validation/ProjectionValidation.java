package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.bool;
import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.member;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.quantity;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The files of downwardAPI and projected volumes (validateDownwardAPIVolumeFile, validateProjectionSources): a pod
 * field or a container resource per file, and, for projections, one source per entry and no path twice.
 */
final class ProjectionValidation {
  /** validVolumeDownwardAPIFieldPathExpressions, sorted: what a file may hold (labels and annotations also by key). */
  static final List<String> FIELD_PATHS = List.of("metadata.annotations", "metadata.labels", "metadata.name",
      "metadata.namespace", "metadata.uid");
  /** The container resources a Troupe node writes into a file. */
  static final List<String> RESOURCES = List.of("limits.cpu", "limits.memory", "requests.cpu", "requests.memory");
  /** The projection sources a Troupe node provides. */
  static final List<String> SUPPORTED = List.of("configMap", "downwardAPI", "secret", "serviceAccountToken");
  /** Every source of Kubernetes' VolumeProjection, in the order validateProjectionSources checks them. */
  private static final List<String> SOURCES = List.of("secret", "configMap", "downwardAPI", "serviceAccountToken",
      "clusterTrustBundle", "podCertificate");

  private ProjectionValidation() {
  }

  /** A downward API file at {@code path}: a relative path, exactly one of fieldRef and resourceFieldRef, a mode. */
  static void validateDownwardAPIFile(ObjectNode file, String path, List<Cause> causes) {
    String target = textOrEmpty(file, "path", path + ".path", causes);
    if (target.isEmpty()) {
      causes.add(Cause.required(path + ".path", ""));
    }
    VolumeValidation.validateLocalNonReservedPath(target, path + ".path", causes);
    ObjectNode fieldRef = object(file, "fieldRef", path + ".fieldRef", causes);
    ObjectNode resourceFieldRef = object(file, "resourceFieldRef", path + ".resourceFieldRef", causes);
    if (fieldRef != null) {
      EnvValidation.validateFieldRef(fieldRef, FIELD_PATHS, path + ".fieldRef", causes);
      if (resourceFieldRef != null) {
        causes.add(Cause.invalid(path, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
      }
    } else if (resourceFieldRef != null) {
      validateResourceFieldRef(resourceFieldRef, path + ".resourceFieldRef", causes);
    } else {
      causes.add(Cause.required(path, "one of fieldRef and resourceFieldRef is required"));
    }
    VolumeValidation.validateFileMode(file, "mode", path, causes);
  }

  /** validateContainerResourceFieldSelector for a volume: the container must be named, its files read per container. */
  private static void validateResourceFieldRef(ObjectNode ref, String path, List<Cause> causes) {
    String resource = textOrEmpty(ref, "resource", path + ".resource", causes);
    if (textOrEmpty(ref, "containerName", path + ".containerName", causes).isEmpty()) {
      causes.add(Cause.required(path + ".containerName", ""));
    } else if (resource.isEmpty()) {
      causes.add(Cause.required(path + ".resource", ""));
    } else if (!RESOURCES.contains(resource)) {
      causes.add(Cause.notSupported(path + ".resource", resource, RESOURCES));
    }
    quantity(ref, "divisor", path + ".divisor", causes);
  }

  /** validateProjectedVolumeSource: defaultMode, then each source; all sources write into one directory. */
  static void validateProjected(ObjectNode projected, String path, List<Cause> causes) {
    VolumeValidation.validateFileMode(projected, "defaultMode", path, causes);
    Set<String> paths = new HashSet<>();
    List<ObjectNode> sources = objects(projected, "sources", path + ".sources", causes);
    for (int i = 0; i < sources.size(); i++) {
      ObjectNode source = sources.get(i);
      if (source == null) {
        continue;
      }
      String at = index(path + ".sources", i);
      int kinds = 0;
      for (String kind : SOURCES) {
        if (member(source, kind) == null) {
          continue;
        }
        kinds++;
        String kindPath = at + "." + kind;
        if (!SUPPORTED.contains(kind)) {
          causes.add(Cause.forbidden(kindPath, kind + " projections are not supported by Troupe; supported sources: "
              + String.join(", ", SUPPORTED)));
          continue;
        }
        ObjectNode fields = object(source, kind, kindPath, causes);
        if (fields == null) {
          continue;
        }
        if (kind.equals("downwardAPI")) {
          validateProjectedDownwardAPI(fields, kindPath, path, paths, causes);
        } else if (kind.equals("serviceAccountToken")) {
          validateServiceAccountToken(fields, kindPath, path, paths, causes);
        } else {
          String name = textOrEmpty(fields, "name", kindPath + ".name", causes);
          if (name.isEmpty()) {
            causes.add(Cause.required(kindPath + ".name", ""));
          }
          for (String file : VolumeValidation.validateItems(fields, kindPath + ".items", causes)) {
            if (!paths.add(file)) {
              causes.add(Cause.invalid(path, name, "conflicting duplicate paths"));
            }
          }
          bool(fields, "optional", kindPath + ".optional", causes);
        }
      }
      if (kinds > 1) {
        causes.add(Cause.forbidden(at, VolumeValidation.MORE_THAN_ONE_TYPE));
      }
    }
  }

  /** Kubernetes' ValidateServiceAccountTokenProjection: 10 minutes to 2^32 seconds (default 1 h), a path. */
  private static void validateServiceAccountToken(ObjectNode token, String path, String projectedPath,
      Set<String> paths, List<Cause> causes) {
    com.fasterxml.jackson.databind.JsonNode seconds = member(token, "expirationSeconds");
    if (seconds != null && !seconds.isNull()) {
      if (!seconds.isIntegralNumber()) {
        causes.add(Cause.invalid(path + ".expirationSeconds", seconds.toString(), "must be an integer"));
      } else if (seconds.longValue() < 600) {
        causes.add(Cause.invalid(path + ".expirationSeconds", seconds.longValue(),
            "may not specify a duration less than 10 minutes"));
      } else if (seconds.longValue() > (1L << 32)) {
        causes.add(Cause.invalid(path + ".expirationSeconds", seconds.longValue(),
            "may not specify a duration larger than 2^32 seconds"));
      }
    }
    String file = textOrEmpty(token, "path", path + ".path", causes);
    if (file.isEmpty()) {
      causes.add(Cause.required(path + ".path", ""));
    } else if (!paths.add(file)) {
      causes.add(Cause.invalid(projectedPath, file, "conflicting duplicate paths"));
    }
    textOrEmpty(token, "audience", path + ".audience", causes);
  }

  private static void validateProjectedDownwardAPI(ObjectNode downwardAPI, String path, String projectedPath,
      Set<String> paths, List<Cause> causes) {
    List<ObjectNode> items = objects(downwardAPI, "items", path + ".items", causes);
    for (int i = 0; i < items.size(); i++) {
      ObjectNode item = items.get(i);
      if (item == null) {
        continue;
      }
      validateDownwardAPIFile(item, index(path + ".items", i), causes);
      String file = item.path("path").asText("");
      if (!file.isEmpty() && !paths.add(file)) {
        causes.add(Cause.invalid(projectedPath, file, "conflicting duplicate paths"));
      }
    }
  }
}
