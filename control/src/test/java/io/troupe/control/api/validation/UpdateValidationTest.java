package io.troupe.control.api.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class UpdateValidationTest {

  private static final String POD_FORBIDDEN = "spec: Forbidden: pod updates may not change fields other than "
      + "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
      + "`spec.tolerations` (only additions to existing tolerations),"
      + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n";
  private static final String TOLERATION = "{\"key\":\"gpu\",\"operator\":\"Exists\",\"effect\":\"NoExecute\","
      + "\"tolerationSeconds\":60}";

  /** A row: edits to the stored object, edits to the update, and the expected field errors. */
  static final class UpdateCase {
    private final String kind;
    private final String description;
    private final List<String[]> oldEdits = new ArrayList<>();
    private final List<String[]> newEdits = new ArrayList<>();
    private List<String> expected = List.of();

    UpdateCase(String kind, String description) {
      this.kind = kind;
      this.description = description;
    }

    UpdateCase both(String path, String json) {
      return old(path, json).updated(path, json);
    }

    UpdateCase old(String path, String json) {
      oldEdits.add(new String[] {path, json});
      return this;
    }

    UpdateCase updated(String path, String json) {
      newEdits.add(new String[] {path, json});
      return this;
    }

    UpdateCase expect(String... errors) {
      expected = Arrays.asList(errors);
      return this;
    }

    void check() {
      ValidationCase.assertCauses(expected, ObjectValidation.validateUpdate(apply(oldEdits), apply(newEdits)));
    }

    private ObjectNode apply(List<String[]> edits) {
      ObjectNode object = Manifests.valid(kind);
      for (String[] edit : edits) {
        Manifests.edit(object, edit[0], edit[1]);
      }
      return object;
    }

    @Override
    public String toString() {
      return kind + ": " + description;
    }
  }

  static UpdateCase of(String kind, String description) {
    return new UpdateCase(kind, description);
  }

  static Stream<UpdateCase> metadata() {
    return Stream.of(
        of("Pod", "no change"),
        of("Pod", "labels and annotations change").updated("metadata.labels", "{\"app\":\"web\",\"v\":\"2\"}")
            .updated("metadata.annotations", "{\"note\":\"x\"}"),
        of("Pod", "rename").updated("metadata.name", "\"web-2\"")
            .expect("metadata.name: Invalid value: \"web-2\": field is immutable"),
        of("ConfigMap", "name removed").updated("metadata.name", null)
            .expect("metadata.name: Invalid value: \"\": field is immutable"),
        of("Pod", "move namespace").updated("metadata.namespace", "\"prod\"")
            .expect("metadata.namespace: Invalid value: \"prod\": field is immutable"),
        of("Pod", "namespace left out").updated("metadata.namespace", null),
        of("Pod", "change uid").old("metadata.uid", "\"u1\"").updated("metadata.uid", "\"u2\"")
            .expect("metadata.uid: Invalid value: \"u2\": field is immutable"),
        of("Pod", "uid left out").old("metadata.uid", "\"u1\""),
        of("Namespace", "rename a namespace").updated("metadata.name", "\"team-b\"")
            .expect("metadata.name: Invalid value: \"team-b\": field is immutable"));
  }

  static Stream<UpdateCase> pods() {
    String container = "spec.containers[0]";
    return Stream.of(
        of("Pod", "new image").updated(container + ".image", "\"nginx:1.28\""),
        of("Pod", "new init container image").both("spec.initContainers", "[{\"name\":\"init\",\"image\":\"a\"}]")
            .updated("spec.initContainers[0].image", "\"b\""),
        of("Pod", "restart policy").updated("spec.restartPolicy", "\"Never\"")
            .expect(POD_FORBIDDEN + "  spec.restartPolicy: \"Always\" -> \"Never\""),
        of("Pod", "container port").updated(container + ".ports[0].containerPort", "8080")
            .expect(POD_FORBIDDEN + "  spec.containers[0].ports[0].containerPort: 80 -> 8080"),
        of("Pod", "image and port").updated(container + ".image", "\"x\"")
            .updated(container + ".ports[0].containerPort", "8080")
            .expect(POD_FORBIDDEN + "  spec.containers[0].ports[0].containerPort: 80 -> 8080"),
        of("Pod", "node name set by update").updated("spec.nodeName", "\"node-1\"")
            .expect(POD_FORBIDDEN + "  spec.nodeName: <unset> -> \"node-1\""),
        of("Pod", "add a container").updated("spec.containers[1]", "{\"name\":\"log\",\"image\":\"busybox\"}")
            .expect("spec.containers: Forbidden: pod updates may not add or remove containers"),
        of("Pod", "remove an init container").old("spec.initContainers", "[{\"name\":\"init\",\"image\":\"a\"}]")
            .expect("spec.initContainers: Forbidden: pod updates may not add or remove containers"),
        of("Pod", "zero values equal absent ones").updated("spec.hostNetwork", "false")
            .updated("spec.nodeSelector", "{}").updated("spec.nodeName", "\"\"").updated("spec.volumes", "null"),
        of("Pod", "set a deadline").updated("spec.activeDeadlineSeconds", "60"),
        of("Pod", "shorten the deadline").old("spec.activeDeadlineSeconds", "60")
            .updated("spec.activeDeadlineSeconds", "30"),
        of("Pod", "extend the deadline").old("spec.activeDeadlineSeconds", "30")
            .updated("spec.activeDeadlineSeconds", "60")
            .expect("spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value"),
        of("Pod", "drop the deadline").old("spec.activeDeadlineSeconds", "30")
            .expect("spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to "
                + "nil value"),
        of("Pod", "add a toleration").updated("spec.tolerations", "[" + TOLERATION + "]"),
        of("Pod", "shorten tolerationSeconds").both("spec.tolerations", "[" + TOLERATION + "]")
            .updated("spec.tolerations[0].tolerationSeconds", "10"),
        of("Pod", "change a toleration's effect").both("spec.tolerations", "[" + TOLERATION + "]")
            .updated("spec.tolerations[0].effect", "\"NoSchedule\"")
            .expect("spec.tolerations: Forbidden: existing toleration can not be modified except its "
                + "tolerationSeconds"),
        of("Pod", "remove a toleration").old("spec.tolerations", "[" + TOLERATION + "]")
            .expect("spec.tolerations: Forbidden: existing toleration can not be modified except its "
                + "tolerationSeconds"),
        of("Pod", "negative grace period to 1").old("spec.terminationGracePeriodSeconds", "-1")
            .updated("spec.terminationGracePeriodSeconds", "1"),
        of("Pod", "grace period change").old("spec.terminationGracePeriodSeconds", "30")
            .updated("spec.terminationGracePeriodSeconds", "10")
            .expect(POD_FORBIDDEN + "  spec.terminationGracePeriodSeconds: 30 -> 10"));
  }

  static Stream<UpdateCase> others() {
    return Stream.of(
        of("Deployment", "scale and new image").updated("spec.replicas", "10")
            .updated("spec.template.spec.containers[0].image", "\"nginx:2\""),
        of("Deployment", "new selector").updated("spec.selector", "{\"matchLabels\":{\"app\":\"web2\"}}")
            .expect("spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web2\"}}: field is immutable"),
        of("Deployment", "selector restated with empty expressions")
            .updated("spec.selector", "{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":[]}"),
        of("ReplicaSet", "new selector").updated("spec.selector", "{\"matchLabels\":{\"app\":\"web\",\"v\":\"2\"}}")
            .expect("spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\",\"v\":\"2\"}}: field is "
                + "immutable"),
        of("ReplicaSet", "selector outside apps/v1 may change").both("apiVersion", "\"extensions/v1beta1\"")
            .updated("spec.selector", "{\"matchLabels\":{\"app\":\"web\",\"v\":\"2\"}}"),
        of("DaemonSet", "new selector").updated("spec.selector", "{\"matchLabels\":{\"app\":\"web\"}}")
            .expect("spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web\"}}: field is immutable"),
        of("Service", "new cluster IP").old("spec.clusterIP", "\"10.96.0.10\"")
            .updated("spec.clusterIP", "\"10.96.0.11\"")
            .expect("spec.clusterIP: Invalid value: \"10.96.0.11\": field is immutable"),
        of("Service", "cluster IP left out").old("spec.clusterIP", "\"10.96.0.10\""),
        of("Service", "cluster IP restated").both("spec.clusterIP", "\"10.96.0.10\""),
        of("Service", "to ExternalName").old("spec.clusterIP", "\"10.96.0.10\"")
            .updated("spec.type", "\"ExternalName\"").updated("spec.clusterIP", "\"\""),
        of("Service", "ports change").updated("spec.ports[0].port", "8080"),
        of("ConfigMap", "data changes").updated("data", "{\"a\":\"b\"}"),
        of("ConfigMap", "immutable data changes").both("immutable", "true").updated("data", "{\"a\":\"b\"}")
            .expect("data: Forbidden: field is immutable when `immutable` is set"),
        of("ConfigMap", "immutable made mutable").old("immutable", "true")
            .expect("immutable: Forbidden: field is immutable when `immutable` is set"),
        of("ConfigMap", "immutable labels change").both("immutable", "true")
            .updated("metadata.labels", "{\"v\":\"2\"}"),
        of("Node", "node labels change").updated("metadata.labels", "{\"zone\":\"a\"}"),
        of("Node", "pod CIDR assigned").updated("spec", "{\"podCIDR\":\"127.64.0.0/24\","
            + "\"podCIDRs\":[\"127.64.0.0/24\"]}"),
        of("Node", "pod CIDR changed").old("spec", "{\"podCIDR\":\"127.64.0.0/24\",\"podCIDRs\":[\"127.64.0.0/24\"]}")
            .updated("spec", "{\"podCIDR\":\"127.64.1.0/24\",\"podCIDRs\":[\"127.64.1.0/24\"]}")
            .expect("spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid"),
        of("Node", "pod CIDR left out").old("spec", "{\"podCIDR\":\"127.64.0.0/24\",\"podCIDRs\":[\"127.64.0.0/24\"]}")
            .updated("spec", "{\"unschedulable\":true}")
            .expect("spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid"),
        of("Node", "pod CIDR kept, node cordoned")
            .both("spec", "{\"podCIDR\":\"127.64.0.0/24\",\"podCIDRs\":[\"127.64.0.0/24\"]}")
            .updated("spec.unschedulable", "true"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"metadata", "pods", "others"})
  void validatesUpdates(UpdateCase row) {
    row.check();
  }

  @Test
  void longDiffsAreCut() {
    ObjectNode old = Manifests.valid("Pod");
    ObjectNode updated = Manifests.valid("Pod");
    for (int i = 0; i < 30; i++) {
      Manifests.edit(updated, "spec.field" + i, "\"x\"");
    }
    List<Cause> causes = ObjectValidation.validateUpdate(old, updated);
    assertEquals(1, causes.size());
    assertEquals(20, causes.get(0).message().split("\n").length - 1);
  }
}
