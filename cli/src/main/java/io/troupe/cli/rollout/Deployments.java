package io.troupe.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.ObjectRef;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import io.troupe.persistence.model.ResourceTypes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** What the rollout commands read: a Deployment's rollout state as kubectl words it, and its ReplicaSets. */
final class Deployments {
  static final String REVISION = "deployment.kubernetes.io/revision";
  static final String CHANGE_CAUSE = "kubernetes.io/change-cause";

  private Deployments() {}

  static ObjectRef deployment(List<String> args) {
    ObjectRef ref = ObjectRef.parse(args).get(0);
    if (!ref.type().equals(ResourceTypes.DEPLOYMENT)) {
      throw new CliException("error: no rollout for " + ref.type().plural() + ": only deployments are supported");
    }
    return ref;
  }

  /** Where a rollout stands, as kubectl's DeploymentStatusViewer words it; {@code done} once it has finished. */
  record Progress(String message, boolean done) {}

  static Progress progress(JsonNode d) {
    String name = d.path("metadata").path("name").asText();
    JsonNode status = d.path("status");
    if (d.path("metadata").path("generation").asLong() <= status.path("observedGeneration").asLong()) {
      for (JsonNode c : status.path("conditions")) {
        if ("Progressing".equals(c.path("type").asText())
            && "ProgressDeadlineExceeded".equals(c.path("reason").asText())) {
          throw new CliException("error: deployment \"" + name + "\" exceeded its progress deadline");
        }
      }
      long replicas = d.path("spec").path("replicas").asLong(1);
      long updated = status.path("updatedReplicas").asLong();
      long total = status.path("replicas").asLong();
      long available = status.path("availableReplicas").asLong();
      if (updated < replicas) {
        return new Progress("Waiting for deployment \"" + name + "\" rollout to finish: " + updated + " out of "
            + replicas + " new replicas have been updated...", false);
      }
      if (total > updated) {
        return new Progress("Waiting for deployment \"" + name + "\" rollout to finish: " + (total - updated)
            + " old replicas are pending termination...", false);
      }
      if (available < updated) {
        return new Progress("Waiting for deployment \"" + name + "\" rollout to finish: " + available + " of "
            + updated + " updated replicas are available...", false);
      }
      return new Progress("deployment \"" + name + "\" successfully rolled out", true);
    }
    return new Progress("Waiting for deployment spec update to be observed...", false);
  }

  /** The ReplicaSets the Deployment controls, oldest revision first. */
  static List<JsonNode> replicaSets(KubeClient client, String namespace, JsonNode deployment) {
    String uid = deployment.path("metadata").path("uid").asText();
    JsonNode list = client.get("/apis/apps/v1/namespaces/" + namespace + "/replicasets");
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode rs : list.path("items")) {
      for (JsonNode ref : rs.path("metadata").path("ownerReferences")) {
        if (uid.equals(ref.path("uid").asText()) && ref.path("controller").asBoolean(false)) out.add(rs);
      }
    }
    out.sort(Comparator.comparingLong(Deployments::revision));
    return out;
  }

  static long revision(JsonNode object) {
    try {
      return Long.parseLong(object.path("metadata").path("annotations").path(REVISION).asText("0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static String path(ObjectRef ref, String namespace) {
    return ref.path(namespace);
  }

}
