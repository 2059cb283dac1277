package io.troupe.control.api.validation;

import static io.troupe.control.api.validation.ValidationCase.LABEL;
import static io.troupe.control.api.validation.ValidationCase.LABEL_VALUE;
import static io.troupe.control.api.validation.ValidationCase.QUALIFIED_NAME;
import static io.troupe.control.api.validation.ValidationCase.of;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class WorkloadValidationTest {

  private static final String MISMATCH = "`selector` does not match template `labels`";

  /** The rules all three workloads share, run against each. */
  static Stream<ValidationCase> shared() {
    List<ValidationCase> rows = new ArrayList<>();
    for (String kind : List.of("ReplicaSet", "Deployment", "DaemonSet")) {
      String empty = kind.equals("DaemonSet") ? "daemonset" : "deployment";
      String owner = kind.equals("DaemonSet") ? "DaemonSet" : "ReplicaSet";
      rows.addAll(List.of(
          of(kind, "valid"),
          of(kind, "selector with expressions").set("spec.selector",
              "{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"NotIn\","
                  + "\"values\":[\"db\"]},{\"key\":\"canary\",\"operator\":\"DoesNotExist\"}]}"),
          of(kind, "missing selector").remove("spec.selector").expect("spec.selector: Required value"),
          of(kind, "empty selector").set("spec.selector", "{}")
              .expect("spec.selector: Invalid value: {}: empty selector is invalid for " + empty),
          of(kind, "selector not matching the template").set("spec.selector", "{\"matchLabels\":{\"app\":\"db\"}}")
              .expect("spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\", "
                  + "\"tier\":\"fe\"}: " + MISMATCH),
          of(kind, "template without labels").remove("spec.template.metadata")
              .expect("spec.template.metadata.labels: Invalid value: map[string]string{}: " + MISMATCH),
          of(kind, "expression excluding the template").set("spec.selector",
                  "{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"NotIn\",\"values\":[\"fe\"]}]}")
              .expect("spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\", "
                  + "\"tier\":\"fe\"}: " + MISMATCH),
          of(kind, "In without values").set("spec.selector",
                  "{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"In\",\"values\":[]}]}")
              .expect("spec.selector.matchExpressions[0].values: Required value: must be specified when "
                  + "`operator` is 'In' or 'NotIn'"),
          of(kind, "Exists with values").set("spec.selector",
                  "{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Exists\",\"values\":[\"web\"]}]}")
              .expect("spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` "
                  + "is 'Exists' or 'DoesNotExist'"),
          of(kind, "unknown operator").set("spec.selector",
                  "{\"matchExpressions\":[{\"key\":\"app\",\"operator\":\"Equals\",\"values\":[\"web\"]}]}")
              .expect("spec.selector.matchExpressions[0].operator: Invalid value: \"Equals\": not a valid "
                  + "selector operator"),
          of(kind, "bad key in expression").set("spec.selector",
                  "{\"matchExpressions\":[{\"key\":\"a b\",\"operator\":\"Exists\"}]}")
              .expect("spec.selector.matchExpressions[0].key: Invalid value: \"a b\": name part " + QUALIFIED_NAME),
          of(kind, "bad value in matchLabels").set("spec.selector", "{\"matchLabels\":{\"app\":\"-web\"}}")
              .expect("spec.selector.matchLabels: Invalid value: \"-web\": " + LABEL_VALUE),
          of(kind, "bad template label").set("spec.template.metadata.labels",
                  "{\"app\":\"web\",\"tier\":\"fe\",\"x\":\"a b\"}")
              .expect("spec.template.metadata.labels: Invalid value: \"a b\": " + LABEL_VALUE),
          of(kind, "template without containers").set("spec.template.spec.containers", "[]")
              .expect("spec.template.spec.containers: Required value"),
          of(kind, "template container without image").remove("spec.template.spec.containers[0].image")
              .expect("spec.template.spec.containers[0].image: Required value"),
          of(kind, "template container name invalid").set("spec.template.spec.containers[0].name", "\"Web\"")
              .expect("spec.template.spec.containers[0].name: Invalid value: \"Web\": " + LABEL),
          of(kind, "template pods that stop").set("spec.template.spec.restartPolicy", "\"Never\"")
              .expect("spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: "
                  + "\"Always\""),
          of(kind, "template restart policy defaults").remove("spec.template.spec.restartPolicy"),
          of(kind, "template with deadline").set("spec.template.spec.activeDeadlineSeconds", "60")
              .expect("spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in " + owner
                  + " is not Supported"),
          of(kind, "negative minReadySeconds").set("spec.minReadySeconds", "-5")
              .expect("spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0")));
    }
    return rows.stream();
  }

  static Stream<ValidationCase> perKind() {
    return Stream.of(
        of("ReplicaSet", "zero replicas").set("spec.replicas", "0"),
        of("ReplicaSet", "negative replicas").set("spec.replicas", "-1")
            .expect("spec.replicas: Invalid value: -1: must be greater than or equal to 0"),
        of("Deployment", "negative replicas").set("spec.replicas", "-2")
            .expect("spec.replicas: Invalid value: -2: must be greater than or equal to 0"),
        of("Deployment", "replicas defaulted").remove("spec.replicas"),
        of("Deployment", "replicas as a string").set("spec.replicas", "\"3\"")
            .expect("spec.replicas: Invalid value: \"3\": must be an integer"),
        of("Deployment", "Recreate").set("spec.strategy", "{\"type\":\"Recreate\"}"),
        of("Deployment", "strategy defaulted").remove("spec.strategy"),
        of("Deployment", "unknown strategy").set("spec.strategy.type", "\"BlueGreen\"")
            .expect("spec.strategy.type: Unsupported value: \"BlueGreen\": supported values: \"Recreate\", "
                + "\"RollingUpdate\""),
        of("Deployment", "Recreate with rollingUpdate").set("spec.strategy.type", "\"Recreate\"")
            .expect("spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is "
                + "'Recreate'"),
        of("Deployment", "both zero").set("spec.strategy.rollingUpdate", "{\"maxUnavailable\":0,\"maxSurge\":\"0%\"}")
            .expect("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` "
                + "is 0"),
        of("Deployment", "surge only").set("spec.strategy.rollingUpdate", "{\"maxUnavailable\":0,\"maxSurge\":1}"),
        of("Deployment", "bad percent").set("spec.strategy.rollingUpdate.maxSurge", "\"ten%\"")
            .expect("spec.strategy.rollingUpdate.maxSurge: Invalid value: \"ten%\": a valid percent string must "
                + "be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation "
                + "is '[0-9]+%')"),
        of("Deployment", "negative surge").set("spec.strategy.rollingUpdate.maxSurge", "-1")
            .expect("spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"),
        of("Deployment", "over 100% unavailable").set("spec.strategy.rollingUpdate.maxUnavailable", "\"101%\"")
            .expect("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"101%\": must not be greater "
                + "than 100%"),
        of("DaemonSet", "replicas are not checked on a DaemonSet").set("spec.replicas", "-1"),
        of("DaemonSet", "OnDelete").set("spec.updateStrategy.type", "\"OnDelete\""),
        of("DaemonSet", "unknown update strategy").set("spec.updateStrategy.type", "\"Recreate\"")
            .expect("spec.updateStrategy.type: Unsupported value: \"Recreate\": supported values: "
                + "\"RollingUpdate\", \"OnDelete\""));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource({"shared", "perKind"})
  void validatesWorkloads(ValidationCase row) {
    row.check();
  }
}
