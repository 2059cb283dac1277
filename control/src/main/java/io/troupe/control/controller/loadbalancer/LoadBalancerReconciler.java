package io.troupe.control.controller.loadbalancer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.ipam.AllocationRange;
import io.troupe.control.ipam.HeldValues;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.List;

/**
 * What the service load-balancer controller does about one Service (pure): a Service of type LoadBalancer (without a
 * {@code loadBalancerClass}, which names another implementation) gets one address of the pool in
 * {@code status.loadBalancer.ingress}; one that is no longer of that type gives its pool addresses back.
 */
public final class LoadBalancerReconciler {
  private LoadBalancerReconciler() {}

  public sealed interface Decision {}

  /** Nothing to do. */
  public enum Converged implements Decision { INSTANCE }

  /** Allocate an address ({@code asked}: {@code spec.loadBalancerIP}, else null for any) and publish it. */
  public record Assign(String asked) implements Decision {}

  /** Remove these pool addresses from the status, then free them. */
  public record Withdraw(List<String> addresses) implements Decision {
    public Withdraw {
      addresses = List.copyOf(addresses);
    }
  }

  public static Decision decide(KubeObject service, AllocationRange pool) {
    JsonNode spec = service.spec();
    List<String> held = HeldValues.loadBalancerIps(service).stream().filter(ip -> pool.indexOf(ip) >= 0).toList();
    boolean wanted = spec != null && "LoadBalancer".equals(HeldValues.type(spec))
        && spec.path("loadBalancerClass").asText("").isEmpty();
    if (!wanted) return held.isEmpty() ? Converged.INSTANCE : new Withdraw(held);
    if (held.isEmpty()) {
      String asked = spec.path("loadBalancerIP").asText("");
      return new Assign(asked.isEmpty() ? null : asked);
    }
    return held.size() > 1 ? new Withdraw(held.subList(1, held.size())) : Converged.INSTANCE;
  }

  /** The status with {@code address} as its load balancer's ingress (other ingress entries kept). */
  public static ObjectNode withIngress(JsonNode status, String address) {
    ObjectNode next = status instanceof ObjectNode o ? o.deepCopy() : Json.object();
    ObjectNode loadBalancer = next.with("loadBalancer");
    ArrayNode ingress = loadBalancer.putArray("ingress");
    ingress.addObject().put("ip", address).put("ipMode", "VIP");
    JsonNode before = status == null ? Json.MAPPER.createArrayNode() : status.path("loadBalancer").path("ingress");
    for (JsonNode entry : before) {
      if (!address.equals(entry.path("ip").asText())) ingress.add(entry);
    }
    return next;
  }

  /** The status without {@code addresses} in its ingress. */
  public static ObjectNode withoutIngress(JsonNode status, List<String> addresses) {
    ObjectNode next = status instanceof ObjectNode o ? o.deepCopy() : Json.object();
    ObjectNode loadBalancer = next.with("loadBalancer");
    ArrayNode kept = Json.MAPPER.createArrayNode();
    for (JsonNode entry : loadBalancer.path("ingress")) {
      if (!addresses.contains(entry.path("ip").asText())) kept.add(entry);
    }
    if (kept.isEmpty()) loadBalancer.remove("ingress");
    else loadBalancer.set("ingress", kept);
    return next;
  }
}
