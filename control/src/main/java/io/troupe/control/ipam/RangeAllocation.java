package io.troupe.control.ipam;

import io.troupe.persistence.model.Ipv4Cidr;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ObjectMeta;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The stored state of one range, as Kubernetes keeps {@code RangeAllocation} objects in etcd: a cluster-scoped
 * object ({@code range}, {@code data}: the bitmap) written with optimistic concurrency, so that allocators on several
 * JVMs never hand out one value twice. Not served by the REST API (neither is Kubernetes' own); it lives in the store
 * under the key {@code RangeAllocation//<name>}.
 *
 * @param revision the entity revision it was read at; {@link #ABSENT} when no object exists yet
 */
public record RangeAllocation(String name, AllocationRange range, AllocationBitmap bitmap, KubeObject stored,
    long revision) {

  public static final String KIND = "RangeAllocation";
  /** ClusterIPs of Services (kube-apiserver's own name for it). */
  public static final String SERVICE_CLUSTER_IPS = "service-cluster-ips";
  /** nodePorts (and healthCheckNodePorts) of Services. */
  public static final String SERVICE_NODE_PORTS = "service-node-ports";
  /** status.loadBalancer.ingress[].ip of Services of type LoadBalancer. */
  public static final String SERVICE_LOAD_BALANCER_IPS = "service-load-balancer-ips";
  public static final long ABSENT = -1;

  public static String key(String name) {
    return ObjectKey.of(KIND, null, name);
  }

  /** An empty allocation, not stored yet. */
  public static RangeAllocation empty(String name, AllocationRange range) {
    return new RangeAllocation(name, range, new AllocationBitmap(range.size()), null, ABSENT);
  }

  /**
   * The allocation as stored. When the configured range differs from the stored one (the configuration changed),
   * the values taken in the old range that the new one holds stay taken; the rest are dropped, as Kubernetes'
   * allocator does when it restores a snapshot of another range (its repair loop then reports Services left outside).
   */
  public static RangeAllocation of(KubeObject stored, long revision, AllocationRange range) {
    String name = stored.metadata().name();
    String storedRange = stored.body().path("range").asText("");
    String data = stored.body().path("data").asText("");
    if (storedRange.equals(range.describe())) {
      return new RangeAllocation(name, range, AllocationBitmap.decode(range.size(), data), stored, revision);
    }
    AllocationBitmap bitmap = new AllocationBitmap(range.size());
    AllocationRange old = parseLike(range, storedRange);
    if (old != null) {
      AllocationBitmap before = AllocationBitmap.decode(old.size(), data);
      before.positions().forEach(i -> {
        int now = range.indexOf(old.valueAt(i));
        if (now >= 0) bitmap.set(now);
      });
    }
    return new RangeAllocation(name, range, bitmap, stored, revision);
  }

  private static AllocationRange parseLike(AllocationRange range, String text) {
    try {
      if (range instanceof AllocationRange.Addresses a) return new AllocationRange.Addresses(Ipv4Cidr.parse(text),
          a.random());
      return AllocationRange.Ports.parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The object to write for {@code next} bits: the stored object's metadata kept, range and data replaced. */
  public KubeObject toObject(AllocationBitmap next) {
    ObjectMeta meta = stored != null ? stored.metadata()
        : ObjectMeta.named(null, name).withCreation(UUID.randomUUID().toString(),
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    var body = Json.object();
    body.put("range", range.describe());
    body.put("data", next.encode());
    return new KubeObject("v1", KIND, meta, body);
  }
}
