package io.troupe.control.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** PersistentVolumeClaims, PersistentVolumes and StorageClasses as kubectl prints them. */
final class StoragePrinters {
  private StoragePrinters() {}

  private static final Column ACCESS_MODES = Column.of("Access Modes", "AccessModes contains the desired access "
      + "modes the volume should have.");
  private static final Column STORAGE_CLASS = Column.of("StorageClass", "StorageClassName is the name of the "
      + "StorageClass required by the claim.");
  private static final Column ATTRIBUTES_CLASS = Column.of("VolumeAttributesClass", "VolumeAttributesClassName may "
      + "be used to set the VolumeAttributesClass used by this claim.");

  static final Printer CLAIM = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Status", "Phase represents the current phase of PersistentVolumeClaim."),
      Column.of("Volume", "VolumeName is the binding reference to the PersistentVolume backing this claim."),
      Column.of("Capacity", "capacity represents the actual resources of the underlying volume."),
      ACCESS_MODES, STORAGE_CLASS, ATTRIBUTES_CLASS, Column.ageColumn(),
      Column.wide("VolumeMode", "volumeMode defines what type of volume is required by the claim.")),
      (o, now) -> {
        JsonNode spec = o.path("spec");
        JsonNode status = o.path("status");
        boolean bound = !spec.path("volumeName").asText().isEmpty();
        return List.of(Printer.name(o), Printer.text(status.path("phase"), "Pending"),
            spec.path("volumeName").asText(), bound ? status.path("capacity").path("storage").asText() : "",
            bound ? accessModes(status.path("accessModes")) : "", storageClass(spec),
            Printer.text(spec.path("volumeAttributesClassName"), "<unset>"), Printer.age(o, now),
            Printer.text(spec.path("volumeMode"), "Filesystem"));
      });

  static final Printer VOLUME = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Capacity", "capacity is the description of the persistent volume's resources and capacity."),
      ACCESS_MODES,
      Column.of("Reclaim Policy", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when "
          + "released from its claim."),
      Column.of("Status", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
      Column.of("Claim", "claimRef is part of a bi-directional binding between PersistentVolume and "
          + "PersistentVolumeClaim."),
      STORAGE_CLASS, ATTRIBUTES_CLASS,
      Column.of("Reason", "reason is a brief CamelCase string that describes any failure."),
      Column.ageColumn(),
      Column.wide("VolumeMode", "volumeMode defines if a volume is intended to be used with a formatted "
          + "filesystem or to remain in raw block state.")),
      (o, now) -> {
        JsonNode spec = o.path("spec");
        JsonNode claim = spec.path("claimRef");
        String claimText = claim.isMissingNode() ? ""
            : claim.path("namespace").asText() + "/" + claim.path("name").asText();
        return List.of(Printer.name(o), spec.path("capacity").path("storage").asText(),
            accessModes(spec.path("accessModes")),
            Printer.text(spec.path("persistentVolumeReclaimPolicy"), "Retain"),
            Printer.text(o.path("status").path("phase"), "Pending"), claimText, storageClass(spec),
            Printer.text(spec.path("volumeAttributesClassName"), "<unset>"),
            o.path("status").path("reason").asText(), Printer.age(o, now),
            Printer.text(spec.path("volumeMode"), "Filesystem"));
      });

  static final Printer STORAGE_CLASS_PRINTER = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Provisioner", "provisioner indicates the type of the provisioner."),
      Column.of("ReclaimPolicy", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned "
          + "PersistentVolumes of this storage class."),
      Column.of("VolumeBindingMode", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned "
          + "and bound."),
      Column.of("AllowVolumeExpansion", "allowVolumeExpansion shows whether the storage class allow volume expand."),
      Column.ageColumn()),
      (o, now) -> {
        String name = Printer.name(o);
        JsonNode annotations = o.path("metadata").path("annotations");
        if ("true".equals(annotations.path("storageclass.kubernetes.io/is-default-class").asText())
            || "true".equals(annotations.path("storageclass.beta.kubernetes.io/is-default-class").asText())) {
          name += " (default)";
        }
        return List.of(name, o.path("provisioner").asText(), Printer.text(o.path("reclaimPolicy"), "Delete"),
            Printer.text(o.path("volumeBindingMode"), "Immediate"),
            Boolean.toString(o.path("allowVolumeExpansion").asBoolean(false)), Printer.age(o, now));
      });

  private static String storageClass(JsonNode spec) {
    return spec.path("storageClassName").asText("");
  }

  private static String accessModes(JsonNode modes) {
    List<String> out = new ArrayList<>();
    for (JsonNode m : Printer.items(modes)) {
      switch (m.asText()) {
        case "ReadWriteOnce": out.add("RWO"); break;
        case "ReadOnlyMany": out.add("ROX"); break;
        case "ReadWriteMany": out.add("RWX"); break;
        case "ReadWriteOncePod": out.add("RWOP"); break;
        default: break;
      }
    }
    return String.join(",", out);
  }
}
