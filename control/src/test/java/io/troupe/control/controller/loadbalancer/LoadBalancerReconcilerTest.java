package io.troupe.control.controller.loadbalancer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.troupe.control.ipam.AllocationRange;
import io.troupe.persistence.model.Ipv4Cidr;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancerReconcilerTest {
  static final AllocationRange POOL = new AllocationRange.Addresses(Ipv4Cidr.parse("127.48.0.0/24"), false);

  static KubeObject service(String spec, String status) {
    return KubeObject.fromTree(read("{'kind':'Service','apiVersion':'v1','metadata':{'name':'s','namespace':'d'},"
        + "'spec':" + spec + ",'status':" + status + "}"));
  }

  static com.fasterxml.jackson.databind.node.ObjectNode read(String json) {
    try {
      return (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Test
  void decides() {
    assertEquals(new LoadBalancerReconciler.Assign(null),
        LoadBalancerReconciler.decide(service("{'type':'LoadBalancer'}", "{}"), POOL));
    assertEquals(new LoadBalancerReconciler.Assign("127.48.0.9"), LoadBalancerReconciler.decide(
        service("{'type':'LoadBalancer','loadBalancerIP':'127.48.0.9'}", "{}"), POOL));
    assertEquals(LoadBalancerReconciler.Converged.INSTANCE, LoadBalancerReconciler.decide(
        service("{'type':'LoadBalancer'}", "{'loadBalancer':{'ingress':[{'ip':'127.48.0.1'}]}}"), POOL));
    assertEquals(LoadBalancerReconciler.Converged.INSTANCE, LoadBalancerReconciler.decide(
        service("{'type':'LoadBalancer','loadBalancerClass':'example.com/other'}", "{}"), POOL),
        "another implementation's");
    assertEquals(new LoadBalancerReconciler.Withdraw(List.of("127.48.0.1")), LoadBalancerReconciler.decide(
        service("{'type':'ClusterIP'}", "{'loadBalancer':{'ingress':[{'ip':'127.48.0.1'},{'ip':'10.1.1.1'}]}}"),
        POOL), "only the pool's addresses are taken back");
    assertEquals(LoadBalancerReconciler.Converged.INSTANCE,
        LoadBalancerReconciler.decide(service("{'type':'NodePort'}", "{}"), POOL));
  }

  @Test
  void writesAndRemovesIngress() {
    var status = LoadBalancerReconciler.withIngress(read("{'loadBalancer':{}}"), "127.48.0.3");
    assertEquals("{\"loadBalancer\":{\"ingress\":[{\"ip\":\"127.48.0.3\",\"ipMode\":\"VIP\"}]}}", status.toString());
    assertEquals("{\"loadBalancer\":{}}",
        LoadBalancerReconciler.withoutIngress(status, List.of("127.48.0.3")).toString());
  }
}
