package io.troupe.control.auth.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubernetes' Covers: held rules × granted rules → covered or not. */
class RuleCoverageTest {
  private static PolicyRule rule(String verbs, String groups, String resources) {
    return PolicyRule.resources(List.of(verbs.split(",")), List.of(groups.split(",", -1)),
        List.of(resources.split(",")));
  }

  static Stream<Arguments> cases() {
    PolicyRule readPods = rule("get,list,watch", "", "pods");
    PolicyRule all = rule("*", "*", "*");
    PolicyRule anyStatus = rule("get", "", "*/status");
    PolicyRule webOnly = rule("get", "apps", "deployments").withResourceNames(List.of("web"));
    PolicyRule health = PolicyRule.urls(List.of("get"), List.of("/healthz", "/livez/*"));
    return Stream.of(
        Arguments.of(List.of(readPods), rule("get,list", "", "pods"), true),
        Arguments.of(List.of(readPods), rule("get,delete", "", "pods"), false),
        Arguments.of(List.of(readPods), rule("get", "", "pods,secrets"), false),
        Arguments.of(List.of(readPods), rule("get", "apps", "pods"), false),
        Arguments.of(List.of(readPods), rule("get", "", "pods/log"), false),
        Arguments.of(List.of(readPods), rule("get", "", "pods").withResourceNames(List.of("web")), true),
        Arguments.of(List.of(all), rule("escalate,bind", "rbac.authorization.k8s.io", "roles"), true),
        Arguments.of(List.of(all), PolicyRule.urls(List.of("get"), List.of("/metrics")), false),
        Arguments.of(List.of(anyStatus), rule("get", "", "pods/status,services/status"), true),
        Arguments.of(List.of(anyStatus), rule("get", "", "pods"), false),
        Arguments.of(List.of(webOnly), rule("get", "apps", "deployments").withResourceNames(List.of("web")), true),
        Arguments.of(List.of(webOnly), rule("get", "apps", "deployments").withResourceNames(List.of("api")), false),
        Arguments.of(List.of(webOnly), rule("get", "apps", "deployments"), false),
        Arguments.of(List.of(health), PolicyRule.urls(List.of("get"), List.of("/healthz", "/livez/ping")), true),
        Arguments.of(List.of(health), PolicyRule.urls(List.of("get"), List.of("/livez")), false),
        Arguments.of(List.of(health), PolicyRule.urls(List.of("post"), List.of("/healthz")), false),
        Arguments.of(List.of(readPods, health), rule("watch", "", "pods"), true),
        Arguments.of(List.of(), rule("get", "", "pods"), false));
  }

  @ParameterizedTest(name = "{0} covers {1}: {2}")
  @MethodSource("cases")
  void covers(List<PolicyRule> held, PolicyRule granted, boolean covered) {
    assertEquals(covered, RuleCoverage.uncovered(held, List.of(granted)).isEmpty());
  }

  @Test
  void theMissingRulesAreListedAsKubernetesDoes() {
    List<PolicyRule> missing = RuleCoverage.uncovered(List.of(rule("get", "", "pods")), List.of(
        rule("get,list,watch", "", "pods,secrets"), rule("get", "apps", "deployments").withResourceNames(List.of("web")),
        PolicyRule.urls(List.of("get"), List.of("/metrics"))));
    assertEquals("""
        {APIGroups:[""], Resources:["pods"], Verbs:["list" "watch"]}
        {APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "watch"]}
        {APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get"]}
        {NonResourceURLs:["/metrics"], Verbs:["get"]}""", RuleCoverage.describe(missing));
  }
}
