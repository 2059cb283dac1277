package io.troupe.control.api.table;

import java.util.Map;

/** The printer of each kind; NAME AGE for the others. */
public final class Printers {
  private static final Map<String, Printer> BY_KIND = Map.ofEntries(
      Map.entry("Pod", PodPrinter.PRINTER),
      Map.entry("Deployment", WorkloadPrinters.DEPLOYMENT),
      Map.entry("ReplicaSet", WorkloadPrinters.REPLICA_SET),
      Map.entry("DaemonSet", WorkloadPrinters.DAEMON_SET),
      Map.entry("Node", CorePrinters.NODE),
      Map.entry("Service", CorePrinters.SERVICE),
      Map.entry("Endpoints", CorePrinters.ENDPOINTS),
      Map.entry("Namespace", CorePrinters.NAMESPACE),
      Map.entry("Event", CorePrinters.EVENT),
      Map.entry("Ingress", CorePrinters.INGRESS),
      Map.entry("ConfigMap", CorePrinters.CONFIG_MAP),
      Map.entry("Secret", CorePrinters.SECRET),
      Map.entry("ServiceAccount", CorePrinters.SERVICE_ACCOUNT),
      Map.entry("PersistentVolumeClaim", StoragePrinters.CLAIM),
      Map.entry("PersistentVolume", StoragePrinters.VOLUME),
      Map.entry("StorageClass", StoragePrinters.STORAGE_CLASS_PRINTER),
      Map.entry("RuntimeClass", CorePrinters.RUNTIME_CLASS),
      Map.entry("Lease", CorePrinters.LEASE),
      Map.entry("Role", RbacPrinters.ROLE),
      Map.entry("ClusterRole", RbacPrinters.ROLE),
      Map.entry("RoleBinding", RbacPrinters.BINDING),
      Map.entry("ClusterRoleBinding", RbacPrinters.BINDING));

  private Printers() {}

  public static Printer of(String kind) {
    return BY_KIND.getOrDefault(kind, Printer.DEFAULT);
  }
}
