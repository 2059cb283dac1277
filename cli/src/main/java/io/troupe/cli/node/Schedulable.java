package io.troupe.cli.node;

import io.troupe.cli.client.KubeClient;
import io.troupe.persistence.model.Json;
import java.io.PrintWriter;

/** A node's {@code spec.unschedulable}, set as kubectl cordon and uncordon set it. */
final class Schedulable {
  private Schedulable() {}

  static void set(KubeClient client, String node, boolean schedulable, PrintWriter out) {
    String name = node.startsWith("node/") ? node.substring(5) : node;
    String path = "/api/v1/nodes/" + name;
    boolean unschedulable = client.get(path).path("spec").path("unschedulable").asBoolean(false);
    String verb = schedulable ? "uncordoned" : "cordoned";
    if (unschedulable != schedulable) {
      out.println("node/" + name + " already " + verb);
    } else {
      var patch = Json.object();
      // uncordon removes the field, as kubectl does; cordon sets it
      if (schedulable) patch.putObject("spec").putNull("unschedulable");
      else patch.putObject("spec").put("unschedulable", true);
      client.patch(path, KubeClient.MERGE_PATCH, patch);
      out.println("node/" + name + " " + verb);
    }
    out.flush();
  }
}
