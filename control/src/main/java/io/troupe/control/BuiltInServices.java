package io.troupe.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.ApiException;
import io.troupe.control.api.admission.Admission;
import io.troupe.control.api.admission.ServiceAddresses;
import io.troupe.control.ipam.ServiceAllocators;
import io.troupe.persistence.entity.ResourceEntity;
import io.troupe.persistence.model.Ipv4Cidr;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.store.StoreResult;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Services every cluster has, made at each start of a control JVM when missing (a deleted one comes back):
 * {@code default/kubernetes}, the API server at the service range's first address, port https 443, with Endpoints
 * listing the API servers (kube-apiserver's kubernetes-service controller does the same); and
 * {@code kube-system/kube-dns} at the range's 10th address, ports dns 53/UDP and dns-tcp 53/TCP, without selector:
 * the DNS server runs in every worker JVM and listens on that address itself.
 */
final class BuiltInServices {
  private static final Logger log = LoggerFactory.getLogger(BuiltInServices.class);
  private static final int ATTEMPTS = 5;

  private BuiltInServices() {}

  static void ensure(Store store, ServiceAllocators allocators, InetSocketAddress api) throws Exception {
    ServiceAddresses addresses = new ServiceAddresses(allocators);
    String ip = allocators.settings().kubernetesServiceIp();
    ObjectNode kubernetes = service("kubernetes", ip, Map.of("component", "apiserver", "provider", "kubernetes"));
    kubernetes.with("spec").putArray("ports").addObject()
        .put("name", "https").put("port", 443).put("protocol", "TCP").put("targetPort", api.getPort());
    create(store, addresses, "default", kubernetes);
    ObjectNode dns = service("kube-dns", allocators.settings().dnsServiceIp(), Map.of("k8s-app", "kube-dns",
        "kubernetes.io/cluster-service", "true", "kubernetes.io/name", "CoreDNS"));
    ArrayNode ports = dns.with("spec").putArray("ports");
    ports.addObject().put("name", "dns").put("port", 53).put("protocol", "UDP").put("targetPort", 53);
    ports.addObject().put("name", "dns-tcp").put("port", 53).put("protocol", "TCP").put("targetPort", 53);
    create(store, addresses, "kube-system", dns);
    apiEndpoints(store, api);
  }

  private static ObjectNode service(String name, String clusterIp, Map<String, String> labels) {
    ObjectNode body = Json.object();
    ObjectNode meta = body.putObject("metadata").put("name", name);
    ObjectNode labelNode = meta.putObject("labels");
    new TreeMap<>(labels).forEach(labelNode::put);
    body.putObject("spec").put("type", "ClusterIP").put("clusterIP", clusterIp).put("sessionAffinity", "None");
    return body;
  }

  private static void create(Store store, ServiceAddresses addresses, String namespace, ObjectNode body)
      throws Exception {
    String name = body.path("metadata").path("name").asText();
    if (store.get(ObjectKey.of("Service", namespace, name)).isPresent()) return;
    KubeObject service = Admission.forCreate(ResourceTypes.SERVICE, namespace, body);
    try {
      StoreResult result = addresses.forCreate(service)
          .thenCompose(allocation -> addresses.write(allocation, store::create))
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (result instanceof StoreResult.Written) log.info("Service {}/{} created", namespace, name);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause()
          : e.getCause();
      if (!(cause instanceof ApiException refused)) throw e;
      // its address is held: by another control JVM creating it at this moment (it exists once that one is done),
      // or by another Service (the cluster then runs without it rather than not at all)
      boolean exists = store.current(ObjectKey.of("Service", namespace, name)).toCompletableFuture()
          .get(30, TimeUnit.SECONDS).isPresent();
      if (!exists) {
        log.info("Service {}/{} not created here ({}): another control JVM may be creating it", namespace, name,
            refused.getMessage());
      }
    }
  }

  /** Endpoints default/kubernetes with this API server in them (those of other control JVMs kept). */
  private static void apiEndpoints(Store store, InetSocketAddress api) throws Exception {
    String key = ObjectKey.of("Endpoints", "default", "kubernetes");
    String host = api.getAddress() == null || api.getAddress().isAnyLocalAddress()
        || !Ipv4Cidr.isAddress(api.getAddress().getHostAddress()) ? "127.0.0.1" : api.getAddress().getHostAddress();
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      var current = store.current(key).toCompletableFuture().get(30, TimeUnit.SECONDS);
      KubeObject existing = current.map(Store.Current::object).orElse(null);
      ObjectNode subsets = withAddress(existing == null ? null : existing.body().get("subsets"), host, api.getPort());
      if (existing != null && subsets.get("subsets").equals(existing.body().get("subsets"))) return;
      StoreResult result;
      if (existing == null) {
        ObjectNode body = Json.object();
        ObjectNode meta = body.putObject("metadata").put("name", "kubernetes");
        meta.putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
        body.set("subsets", subsets.get("subsets"));
        result = store.create(Admission.forCreate(ResourceTypes.ENDPOINTS, "default", body))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
      } else {
        result = store.replace(existing.withField("subsets", subsets.get("subsets")), false,
            current.get().revision()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      if (result instanceof StoreResult.Written) return;
      StoreResult.Refused refused = (StoreResult.Refused) result;
      if (refused.reason() != ResourceEntity.Reason.CONFLICT
          && refused.reason() != ResourceEntity.Reason.ALREADY_EXISTS) {
        log.warn("Endpoints default/kubernetes not written: {}", refused.message());
        return;
      }
    }
  }

  /** The subsets with {@code host:port} added: one subset per API port, addresses sorted. */
  private static ObjectNode withAddress(JsonNode subsets, String host, int port) {
    Map<Integer, TreeSet<String>> byPort = new TreeMap<>();
    if (subsets != null) {
      for (JsonNode subset : subsets) {
        int p = subset.path("ports").path(0).path("port").asInt(0);
        if (p == 0) continue;
        for (JsonNode a : subset.path("addresses")) {
          byPort.computeIfAbsent(p, k -> new TreeSet<>()).add(a.path("ip").asText());
        }
      }
    }
    byPort.computeIfAbsent(port, k -> new TreeSet<>()).add(host);
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("subsets");
    byPort.forEach((p, hosts) -> {
      ObjectNode subset = list.addObject();
      ArrayNode addresses = subset.putArray("addresses");
      hosts.forEach(h -> addresses.addObject().put("ip", h));
      subset.putArray("ports").addObject().put("name", "https").put("port", p).put("protocol", "TCP");
    });
    return out;
  }
}
