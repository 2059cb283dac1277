package io.troupe.control.auth.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.auth.Attributes;
import io.troupe.control.auth.UserInfo;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubernetes' RuleAllows, row by row: rule × request → allowed or not. */
class PolicyRuleTest {
  private static final UserInfo ALICE = new UserInfo("alice", "", List.of("system:authenticated"));

  private static PolicyRule rule(String verbs, String groups, String resources) {
    return PolicyRule.resources(split(verbs), split(groups), split(resources));
  }

  private static List<String> split(String csv) {
    return List.of(csv.split(",", -1));
  }

  /** {@code verb group resource[/sub] [namespace [name]]}; "-" for none. */
  private static Attributes request(String spec) {
    String[] p = spec.split(" ");
    String group = p[1].equals("core") ? "" : p[1];
    String[] resource = p[2].split("/", 2);
    String namespace = p.length > 3 && !p[3].equals("-") ? p[3] : null;
    String name = p.length > 4 ? p[4] : null;
    return Attributes.resource(ALICE, p[0], group, resource[0], resource.length > 1 ? resource[1] : null, namespace,
        name);
  }

  static Stream<Arguments> resourceRules() {
    PolicyRule readPods = rule("get,list,watch", "", "pods");
    PolicyRule everything = rule("*", "*", "*");
    PolicyRule podLogs = rule("get", "", "pods/log");
    PolicyRule anyScale = rule("get,update,patch", "apps", "*/scale");
    PolicyRule oneDeployment = rule("get,update", "apps", "deployments").withResourceNames(List.of("web"));
    PolicyRule allVerbsOnSecrets = rule("*", "", "secrets");
    return Stream.of(
        Arguments.of(readPods, "get core pods default web", true),
        Arguments.of(readPods, "list core pods default", true),
        Arguments.of(readPods, "list core pods", true),
        Arguments.of(readPods, "watch core pods default", true),
        Arguments.of(readPods, "create core pods default", false),
        Arguments.of(readPods, "delete core pods default web", false),
        Arguments.of(readPods, "get apps pods default web", false),
        Arguments.of(readPods, "get core services default web", false),
        Arguments.of(readPods, "get core pods/log default web", false),
        Arguments.of(readPods, "get core pods/status default web", false),
        Arguments.of(everything, "deletecollection apps deployments default", true),
        Arguments.of(everything, "get core pods/log default web", true),
        Arguments.of(everything, "escalate rbac.authorization.k8s.io clusterroles - admin", true),
        Arguments.of(podLogs, "get core pods/log default web", true),
        Arguments.of(podLogs, "get core pods default web", false),
        Arguments.of(podLogs, "get core pods/status default web", false),
        Arguments.of(anyScale, "update apps deployments/scale default web", true),
        Arguments.of(anyScale, "get apps replicasets/scale default web", true),
        Arguments.of(anyScale, "get apps deployments default web", false),
        Arguments.of(anyScale, "get apps deployments/status default web", false),
        Arguments.of(anyScale, "get core pods/scale default web", false),
        Arguments.of(oneDeployment, "get apps deployments default web", true),
        Arguments.of(oneDeployment, "update apps deployments default web", true),
        Arguments.of(oneDeployment, "get apps deployments default api", false),
        Arguments.of(oneDeployment, "list apps deployments default", false),
        Arguments.of(oneDeployment, "create apps deployments default", false),
        Arguments.of(oneDeployment, "get apps deployments/scale default web", false),
        Arguments.of(allVerbsOnSecrets, "watch core secrets kube-system", true),
        Arguments.of(allVerbsOnSecrets, "get core configmaps kube-system x", false));
  }

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @MethodSource("resourceRules")
  void resourceRequests(PolicyRule rule, String request, boolean allowed) {
    assertEquals(allowed, rule.allows(request(request)));
  }

  static Stream<Arguments> nonResourceRules() {
    PolicyRule health = PolicyRule.urls(List.of("get"), List.of("/healthz", "/livez", "/apis/*"));
    PolicyRule all = PolicyRule.urls(List.of("*"), List.of("*"));
    PolicyRule pods = rule("*", "*", "*");
    return Stream.of(
        Arguments.of(health, "get", "/healthz", true),
        Arguments.of(health, "get", "/healthz/ping", false),
        Arguments.of(health, "post", "/healthz", false),
        Arguments.of(health, "get", "/apis/apps/v1", true),
        Arguments.of(health, "get", "/apis/", true),
        Arguments.of(health, "get", "/apis", false),
        Arguments.of(health, "get", "/metrics", false),
        Arguments.of(all, "post", "/anything/at/all", true),
        Arguments.of(pods, "get", "/healthz", false));
  }

  @ParameterizedTest(name = "{0} / {1} {2} -> {3}")
  @MethodSource("nonResourceRules")
  void nonResourceRequests(PolicyRule rule, String verb, String path, boolean allowed) {
    assertEquals(allowed, rule.allows(Attributes.nonResource(ALICE, verb, path)));
  }
}
