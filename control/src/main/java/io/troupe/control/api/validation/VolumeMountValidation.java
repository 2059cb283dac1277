package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.array;
import static io.troupe.control.api.validation.JsonFields.bool;
import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.text;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** ValidateVolumeMounts: what a container mounts, from the volumes of its pod. */
final class VolumeMountValidation {
  /** supportedMountPropagations, sorted. */
  static final List<String> MOUNT_PROPAGATIONS = List.of("Bidirectional", "HostToContainer", "None");

  private VolumeMountValidation() {
  }

  /**
   * The mounts of the container at {@code path}: each names a (valid) volume of the pod and a mount path of its
   * own, and reaches into the volume only downwards. Raw block devices ({@code volumeDevices}) are refused: a
   * Troupe node cannot provide them.
   */
  static void validateVolumeMounts(ObjectNode container, Set<String> volumes, String path, List<Cause> causes) {
    String mountsPath = path + ".volumeMounts";
    Set<String> mountPaths = new HashSet<>();
    List<ObjectNode> mounts = objects(container, "volumeMounts", mountsPath, causes);
    for (int i = 0; i < mounts.size(); i++) {
      ObjectNode mount = mounts.get(i);
      if (mount == null) {
        continue;
      }
      String at = index(mountsPath, i);
      String name = textOrEmpty(mount, "name", at + ".name", causes);
      if (name.isEmpty()) {
        causes.add(Cause.required(at + ".name", ""));
      }
      if (!volumes.contains(name)) {
        causes.add(Cause.notFound(at + ".name", name));
      }
      String mountPath = textOrEmpty(mount, "mountPath", at + ".mountPath", causes);
      if (mountPath.isEmpty()) {
        causes.add(Cause.required(at + ".mountPath", ""));
      }
      if (!mountPaths.add(mountPath)) {
        causes.add(Cause.invalid(at + ".mountPath", mountPath, "must be unique"));
      }
      String subPath = textOrEmpty(mount, "subPath", at + ".subPath", causes);
      if (!subPath.isEmpty()) {
        VolumeValidation.validateLocalDescendingPath(subPath, at + ".subPath", causes);
      }
      String subPathExpr = textOrEmpty(mount, "subPathExpr", at + ".subPathExpr", causes);
      if (!subPathExpr.isEmpty()) {
        if (!subPath.isEmpty()) {
          causes.add(Cause.invalid(at + ".subPathExpr", subPathExpr, "subPathExpr and subPath are mutually exclusive"));
        }
        VolumeValidation.validateLocalDescendingPath(subPathExpr, at + ".subPathExpr", causes);
      }
      bool(mount, "readOnly", at + ".readOnly", causes);
      validateMountPropagation(mount, container, at + ".mountPropagation", causes);
    }
    ArrayNode devices = array(container, "volumeDevices", path + ".volumeDevices", causes);
    if (devices != null && !devices.isEmpty()) {
      causes.add(Cause.forbidden(path + ".volumeDevices",
          "raw block devices are not supported by Troupe: a node cannot provide them"));
    }
  }

  private static void validateMountPropagation(ObjectNode mount, ObjectNode container, String path,
      List<Cause> causes) {
    String propagation = text(mount, "mountPropagation", path, causes);
    if (propagation == null) {
      return;
    }
    if (!MOUNT_PROPAGATIONS.contains(propagation)) {
      causes.add(Cause.notSupported(path, propagation, MOUNT_PROPAGATIONS));
    }
    boolean privileged = container.path("securityContext").path("privileged").asBoolean(false);
    if (propagation.equals("Bidirectional") && !privileged) {
      causes.add(Cause.forbidden(path, "Bidirectional mount propagation is available only to privileged containers"));
    }
  }
}
