package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.JsonFields.bool;
import static io.troupe.control.api.validation.JsonFields.index;
import static io.troupe.control.api.validation.JsonFields.integer;
import static io.troupe.control.api.validation.JsonFields.member;
import static io.troupe.control.api.validation.JsonFields.object;
import static io.troupe.control.api.validation.JsonFields.objects;
import static io.troupe.control.api.validation.JsonFields.quantity;
import static io.troupe.control.api.validation.JsonFields.text;
import static io.troupe.control.api.validation.JsonFields.textOrEmpty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.selector.NameSyntax;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ValidateVolumes: a pod's {@code spec.volumes}, each with a unique DNS label name and exactly one source, and only
 * of the sources a Troupe node provides. Kubernetes accepts many more (nfs, csi, cloud disks...); a pod using one
 * could never start here, so it is refused with a Forbidden cause naming what is supported. Projections and
 * downward API files are checked in {@link ProjectionValidation}.
 */
final class VolumeValidation {
  /** The volume sources a Troupe node provides. */
  static final List<String> SUPPORTED = List.of("configMap", "downwardAPI", "emptyDir", "hostPath",
      "persistentVolumeClaim", "projected", "secret");
  /** Every source of Kubernetes' v1 VolumeSource, in the order validateVolumeSource checks them. */
  private static final List<String> SOURCES = List.of("emptyDir", "hostPath", "gitRepo", "gcePersistentDisk",
      "awsElasticBlockStore", "secret", "nfs", "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd",
      "cinder", "cephfs", "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile", "vsphereVolume",
      "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO", "csi", "ephemeral",
      "image");
  /** supportedHostPathTypes, sorted as Kubernetes lists them. */
  static final List<String> HOST_PATH_TYPES = List.of("", "BlockDevice", "CharDevice", "Directory",
      "DirectoryOrCreate", "File", "FileOrCreate", "Socket");
  /** What backs an emptyDir on a Troupe node: the node's disk, or memory (tmpfs). */
  static final List<String> EMPTY_DIR_MEDIA = List.of("", "Memory");
  static final String FILE_MODE_ERROR = "must be a number between 0 and 0777 (octal), both inclusive";
  static final String MORE_THAN_ONE_TYPE = "may not specify more than 1 volume type";
  private static final long MAX_FILE_MODE = 0777;

  private VolumeValidation() {
  }

  /**
   * Validates the volumes at {@code path} and returns the names of the valid ones: the names containers may
   * mount (as in Kubernetes, a mount of an invalid volume is also "Not found").
   */
  static Set<String> validateVolumes(JsonNode spec, String path, List<Cause> causes) {
    Set<String> names = new HashSet<>();
    List<ObjectNode> volumes = objects(spec, "volumes", path, causes);
    for (int i = 0; i < volumes.size(); i++) {
      ObjectNode volume = volumes.get(i);
      if (volume == null) {
        continue;
      }
      String at = index(path, i);
      List<Cause> errors = new ArrayList<>();
      validateSource(volume, at, errors);
      String name = textOrEmpty(volume, "name", at + ".name", errors);
      if (name.isEmpty()) {
        errors.add(Cause.required(at + ".name", ""));
      } else {
        for (String message : NameSyntax.isDns1123Label(name)) {
          errors.add(Cause.invalid(at + ".name", name, message));
        }
      }
      if (names.contains(name)) {
        errors.add(Cause.duplicate(at + ".name", name));
      }
      if (errors.isEmpty()) {
        names.add(name);
      }
      causes.addAll(errors);
    }
    return names;
  }

  private static void validateSource(ObjectNode volume, String path, List<Cause> causes) {
    int sources = 0;
    for (String source : SOURCES) {
      if (member(volume, source) == null) {
        continue;
      }
      String at = path + "." + source;
      if (sources++ > 0) {
        causes.add(Cause.forbidden(at, MORE_THAN_ONE_TYPE));
      } else if (!SUPPORTED.contains(source)) {
        causes.add(Cause.forbidden(at, source + " volumes are not supported by Troupe; supported volume types: "
            + String.join(", ", SUPPORTED)));
      } else {
        ObjectNode fields = object(volume, source, at, causes);
        if (fields != null) {
          validateSupportedSource(source, fields, at, causes);
        }
      }
    }
    if (sources == 0) {
      causes.add(Cause.required(path, "must specify a volume type"));
    }
  }

  private static void validateSupportedSource(String source, ObjectNode fields, String path, List<Cause> causes) {
    switch (source) {
      case "emptyDir" -> validateEmptyDir(fields, path, causes);
      case "hostPath" -> validateHostPath(fields, path, false, causes);
      case "secret" -> {
        if (textOrEmpty(fields, "secretName", path + ".secretName", causes).isEmpty()) {
          causes.add(Cause.required(path + ".secretName", ""));
        }
        validateKeyFiles(fields, path, causes);
      }
      case "configMap" -> {
        if (textOrEmpty(fields, "name", path + ".name", causes).isEmpty()) {
          causes.add(Cause.required(path + ".name", ""));
        }
        validateKeyFiles(fields, path, causes);
      }
      case "persistentVolumeClaim" -> {
        if (textOrEmpty(fields, "claimName", path + ".claimName", causes).isEmpty()) {
          causes.add(Cause.required(path + ".claimName", ""));
        }
        bool(fields, "readOnly", path + ".readOnly", causes);
      }
      case "downwardAPI" -> {
        validateFileMode(fields, "defaultMode", path, causes);
        List<ObjectNode> items = objects(fields, "items", path + ".items", causes);
        for (int i = 0; i < items.size(); i++) {
          if (items.get(i) != null) {
            ProjectionValidation.validateDownwardAPIFile(items.get(i), index(path + ".items", i), causes);
          }
        }
      }
      case "projected" -> ProjectionValidation.validateProjected(fields, path, causes);
      default -> throw new IllegalStateException("no rules for supported volume type " + source);
    }
  }

  private static void validateEmptyDir(ObjectNode emptyDir, String path, List<Cause> causes) {
    String medium = text(emptyDir, "medium", path + ".medium", causes);
    if (medium != null && !EMPTY_DIR_MEDIA.contains(medium)) {
      causes.add(Cause.notSupported(path + ".medium", medium, EMPTY_DIR_MEDIA));
    }
    Quantity sizeLimit = quantity(emptyDir, "sizeLimit", path + ".sizeLimit", causes);
    if (sizeLimit != null && sizeLimit.amount().signum() < 0) {
      causes.add(Cause.forbidden(path + ".sizeLimit", "SizeLimit field must be a valid resource quantity"));
    }
  }

  /** validateHostPathVolumeSource, for pods and (with {@code absolute}) for PersistentVolumes. */
  static void validateHostPath(ObjectNode hostPath, String path, boolean absolute, List<Cause> causes) {
    String hostDirectory = textOrEmpty(hostPath, "path", path + ".path", causes);
    if (hostDirectory.isEmpty()) {
      causes.add(Cause.required(path + ".path", ""));
      return;
    }
    if (absolute && !hostDirectory.startsWith("/")) {
      causes.add(Cause.invalid(path + ".path", hostDirectory, "must be an absolute path"));
    }
    validateNoBacksteps(hostDirectory, path + ".path", causes);
    String type = text(hostPath, "type", path + ".type", causes);
    if (type != null && !HOST_PATH_TYPES.contains(type)) {
      causes.add(Cause.notSupported(path + ".type", type, HOST_PATH_TYPES));
    }
  }

  /** The files of a secret or configMap volume: defaultMode, items and optional. */
  private static void validateKeyFiles(ObjectNode source, String path, List<Cause> causes) {
    validateFileMode(source, "defaultMode", path, causes);
    validateItems(source, path + ".items", causes);
    bool(source, "optional", path + ".optional", causes);
  }

  /** validateKeyToPath for the items of a secret or configMap source; returns the file paths they name. */
  static List<String> validateItems(ObjectNode source, String path, List<Cause> causes) {
    List<String> files = new ArrayList<>();
    List<ObjectNode> items = objects(source, "items", path, causes);
    for (int i = 0; i < items.size(); i++) {
      ObjectNode item = items.get(i);
      if (item == null) {
        continue;
      }
      String at = index(path, i);
      String key = textOrEmpty(item, "key", at + ".key", causes);
      if (key.isEmpty()) {
        causes.add(Cause.required(at + ".key", ""));
      } else {
        // a key that no ConfigMap or Secret can hold would leave the volume unmountable
        for (String message : NameSyntax.isConfigMapKey(key)) {
          causes.add(Cause.invalid(at + ".key", key, message));
        }
      }
      String file = textOrEmpty(item, "path", at + ".path", causes);
      if (file.isEmpty()) {
        causes.add(Cause.required(at + ".path", ""));
      }
      validateLocalNonReservedPath(file, at + ".path", causes);
      validateFileMode(item, "mode", at, causes);
      if (!file.isEmpty()) {
        files.add(file);
      }
    }
    return files;
  }

  /** A file mode (mode or defaultMode of the object at {@code path}): 0 to 0777. */
  static void validateFileMode(ObjectNode parent, String field, String path, List<Cause> causes) {
    String at = path + "." + field;
    Long mode = integer(parent, field, at, causes);
    if (mode != null && (mode < 0 || mode > MAX_FILE_MODE)) {
      causes.add(Cause.invalid(at, mode, FILE_MODE_ERROR));
    }
  }

  /** validateLocalDescendingPath: relative, without a ".." element. */
  static void validateLocalDescendingPath(String target, String path, List<Cause> causes) {
    if (target.startsWith("/")) {
      causes.add(Cause.invalid(path, target, "must be a relative path"));
    }
    validateNoBacksteps(target, path, causes);
  }

  /** ValidateLocalNonReservedPath: also not starting with "..", which the atomic writer uses for itself. */
  static void validateLocalNonReservedPath(String target, String path, List<Cause> causes) {
    validateLocalDescendingPath(target, path, causes);
    if (target.startsWith("..") && !target.startsWith("../")) {
      causes.add(Cause.invalid(path, target, "must not start with '..'"));
    }
  }

  static void validateNoBacksteps(String target, String path, List<Cause> causes) {
    for (String element : target.split("/", -1)) {
      if (element.equals("..")) {
        causes.add(Cause.invalid(path, target, "must not contain '..'"));
        return;
      }
    }
  }
}
