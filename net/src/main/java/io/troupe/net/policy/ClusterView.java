package io.troupe.net.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.selector.LabelSelector;
import io.troupe.persistence.selector.SelectorException;
import io.troupe.persistence.watch.WatchCache;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What NetworkPolicy enforcement reads of the cluster at one moment: the policies, the pods that have IPs of their
 * own, the labels of the namespaces.
 */
record ClusterView(List<Policy> policies, List<PolicyPod> pods, Map<String, Map<String, String>> namespaceLabels) {
  /** Every namespace carries it (Kubernetes sets it), so that a namespaceSelector can name one namespace. */
  static final String NAME_LABEL = "kubernetes.io/metadata.name";

  /**
   * A NetworkPolicy, parsed once.
   *
   * @param ingress whether it polices the ingress of the pods it selects (its {@code policyTypes}, or as Kubernetes
   *     defaults them: Ingress always, Egress when it has egress rules)
   */
  record Policy(String namespace, String name, LabelSelector podSelector, boolean ingress, boolean egress,
      JsonNode ingressRules, JsonNode egressRules) {

    static Optional<Policy> of(KubeObject object) {
      JsonNode spec = object.spec();
      LabelSelector selector;
      try {
        selector = LabelSelector.fromJson(spec.path("podSelector"));
      } catch (SelectorException e) {
        return Optional.empty(); // refused by validation; never stored
      }
      JsonNode types = spec.path("policyTypes");
      boolean ingress;
      boolean egress;
      if (types.isArray() && !types.isEmpty()) {
        ingress = contains(types, "Ingress");
        egress = contains(types, "Egress");
      } else {
        ingress = true;
        egress = spec.path("egress").isArray() && !spec.path("egress").isEmpty();
      }
      return Optional.of(new Policy(object.metadata().namespace(), object.metadata().name(), selector, ingress,
          egress, spec.path("ingress"), spec.path("egress")));
    }

    boolean selects(PolicyPod pod) {
      return pod.namespace().equals(namespace) && podSelector.matches(pod.labels());
    }

    String key() {
      return namespace + "/" + name;
    }

    private static boolean contains(JsonNode array, String value) {
      for (JsonNode item : array) if (value.equals(item.asText())) return true;
      return false;
    }
  }

  ClusterView {
    policies = List.copyOf(policies);
    pods = List.copyOf(pods);
    namespaceLabels = Map.copyOf(namespaceLabels);
  }

  /**
   * The view of what {@code cache} holds now. Without any NetworkPolicy no pod is isolated, so the pods are not read:
   * this runs after every burst of pod changes, and reading all pods each time made a cluster's pod churn quadratic
   * (a quarter of a control plane's CPU under a stream of pod creates, JFR).
   */
  static ClusterView read(WatchCache cache) {
    List<KubeObject> policies = cache.items("NetworkPolicy", null);
    List<KubeObject> pods = policies.isEmpty() ? List.of() : cache.items("Pod", null);
    return of(policies, pods, cache.items("Namespace", null));
  }

  static ClusterView of(Collection<KubeObject> policies, Collection<KubeObject> pods,
      Collection<KubeObject> namespaces) {
    List<Policy> parsed = new ArrayList<>();
    for (KubeObject p : policies) Policy.of(p).ifPresent(parsed::add);
    parsed.sort(Comparator.comparing(Policy::key));
    List<PolicyPod> withIps = new ArrayList<>();
    for (KubeObject p : pods) PolicyPod.of(p).ifPresent(withIps::add);
    // each IP parsed once, not in every comparison (ClusterView.of sorts every pod on each change)
    Map<String, Long> addresses = new HashMap<>();
    for (PolicyPod p : withIps) addresses.computeIfAbsent(p.ip(), ip -> Integer.toUnsignedLong(IpBlock.address(ip)));
    withIps.sort(Comparator.comparingLong((PolicyPod p) -> addresses.get(p.ip())).thenComparing(PolicyPod::key));
    Map<String, Map<String, String>> labels = new HashMap<>();
    for (KubeObject ns : namespaces) labels.put(ns.metadata().name(), ns.metadata().labels());
    return new ClusterView(parsed, withIps, labels);
  }

  /** A namespace's labels, with its name label (whether it was stored with it or not). */
  Map<String, String> labelsOf(String namespace) {
    Map<String, String> labels = new HashMap<>(namespaceLabels.getOrDefault(namespace, Map.of()));
    labels.put(NAME_LABEL, namespace);
    return labels;
  }
}
