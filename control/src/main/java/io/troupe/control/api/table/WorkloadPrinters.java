package io.troupe.control.api.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Deployments, ReplicaSets and DaemonSets as kubectl prints them. */
final class WorkloadPrinters {
  private WorkloadPrinters() {}

  private static final Column CONTAINERS = Column.wide("Containers", "Names of each container in the template.");
  private static final Column IMAGES = Column.wide("Images", "Images referenced by each container in the template.");
  private static final Column SELECTOR = Column.wide("Selector", "Label selector for pods.");

  static final Printer DEPLOYMENT = new Printer(List.of(
      Column.nameColumn(),
      Column.of("Ready", "Number of the pod with ready state"),
      Column.integer("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the "
          + "desired template spec."),
      Column.integer("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by "
          + "this deployment."),
      Column.ageColumn(), CONTAINERS, IMAGES, SELECTOR),
      (o, now) -> {
        JsonNode status = o.path("status");
        List<String> ci = Printer.containersAndImages(o.path("spec").path("template").path("spec"));
        return List.of(Printer.name(o),
            Printer.number(status.path("readyReplicas")) + "/" + o.path("spec").path("replicas").asLong(1),
            Printer.number(status.path("updatedReplicas")), Printer.number(status.path("availableReplicas")),
            Printer.age(o, now), ci.get(0), ci.get(1), Printer.selector(o.path("spec").path("selector")));
      });

  static final Printer REPLICA_SET = new Printer(List.of(
      Column.nameColumn(),
      Column.integer("Desired", "Replicas is the number of desired replicas."),
      Column.integer("Current", "Replicas is the most recently observed number of replicas."),
      Column.integer("Ready", "The number of ready replicas for this replica set."),
      Column.ageColumn(), CONTAINERS, IMAGES, SELECTOR),
      (o, now) -> {
        JsonNode status = o.path("status");
        List<String> ci = Printer.containersAndImages(o.path("spec").path("template").path("spec"));
        return List.of(Printer.name(o), o.path("spec").path("replicas").asLong(1),
            Printer.number(status.path("replicas")), Printer.number(status.path("readyReplicas")),
            Printer.age(o, now), ci.get(0), ci.get(1), Printer.selector(o.path("spec").path("selector")));
      });

  static final Printer DAEMON_SET = new Printer(List.of(
      Column.nameColumn(),
      Column.integer("Desired", "The total number of nodes that should be running the daemon pod."),
      Column.integer("Current", "The number of nodes that are running at least 1 daemon pod."),
      Column.integer("Ready", "The number of nodes that should be running the daemon pod and have one or more of "
          + "the daemon pod running and ready."),
      Column.integer("Up-to-date", "The total number of nodes that are running updated daemon pod"),
      Column.integer("Available", "The number of nodes that should be running the daemon pod and have one or more "
          + "of the daemon pod running and available."),
      Column.of("Node Selector", "NodeSelector is a selector which must be true for the pod to fit on a node."),
      Column.ageColumn(), CONTAINERS, IMAGES, SELECTOR),
      (o, now) -> {
        JsonNode status = o.path("status");
        JsonNode podSpec = o.path("spec").path("template").path("spec");
        List<String> ci = Printer.containersAndImages(podSpec);
        return List.of(Printer.name(o), Printer.number(status.path("desiredNumberScheduled")),
            Printer.number(status.path("currentNumberScheduled")), Printer.number(status.path("numberReady")),
            Printer.number(status.path("updatedNumberScheduled")), Printer.number(status.path("numberAvailable")),
            Printer.selector(podSpec.path("nodeSelector")), Printer.age(o, now), ci.get(0), ci.get(1),
            Printer.selector(o.path("spec").path("selector")));
      });
}
