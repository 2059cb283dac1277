package io.troupe.cli.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.cli.ClientCommand;
import io.troupe.cli.ObjectRef;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import io.troupe.persistence.model.Json;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code troupe rollout undo deployment/NAME [--to-revision=N]}: puts the pod template of that revision's
 * ReplicaSet (the previous one by default) back into the Deployment, as kubectl does; the controller then rolls
 * back to it (reusing that ReplicaSet, which takes the next revision number).
 */
@Command(name = "undo", mixinStandardHelpOptions = true, description = "Undo a previous rollout.")
public final class RolloutUndoCommand extends ClientCommand {
  private static final String HASH = "pod-template-hash";

  @Parameters(paramLabel = "deployment/NAME", arity = "1..2")
  List<String> args;

  @Option(names = "--to-revision", defaultValue = "0", description = "The revision to roll back to (0: the last).")
  long toRevision;

  @Override
  public Integer call() {
    ObjectRef ref = Deployments.deployment(args);
    JsonNode deployment = client().get(ref.path(namespace()));
    List<JsonNode> sets = Deployments.replicaSets(client(), namespace(), deployment);
    long current = Deployments.revision(deployment);
    JsonNode target = null;
    if (toRevision == 0) {
      for (JsonNode rs : sets) {
        long r = Deployments.revision(rs);
        if (r != current && r > 0 && (target == null || r > Deployments.revision(target))) target = rs;
      }
      if (target == null) throw new CliException("error: no rollout history found for " + ref);
    } else {
      for (JsonNode rs : sets) {
        if (Deployments.revision(rs) == toRevision) target = rs;
      }
      if (target == null) throw new CliException("error: unable to find specified revision " + toRevision
          + " in history");
    }
    ObjectNode template = target.path("spec").path("template").deepCopy();
    ObjectNode labels = (ObjectNode) template.path("metadata").path("labels");
    if (labels.isObject()) labels.remove(HASH);
    if (template.equals(withoutHash(deployment.path("spec").path("template")))) {
      out().println(ref + " skipped rollback (current template already matches revision "
          + Deployments.revision(target) + ")");
      out().flush();
      return 0;
    }
    var ops = Json.MAPPER.createArrayNode();
    ObjectNode op = ops.addObject();
    op.put("op", "replace");
    op.put("path", "/spec/template");
    op.set("value", template);
    client().patch(ref.path(namespace()), KubeClient.JSON_PATCH, ops);
    out().println(ref + " rolled back");
    out().flush();
    return 0;
  }

  private static JsonNode withoutHash(JsonNode template) {
    ObjectNode copy = template.deepCopy();
    JsonNode labels = copy.path("metadata").path("labels");
    if (labels.isObject()) ((ObjectNode) labels).remove(HASH);
    return copy;
  }
}
