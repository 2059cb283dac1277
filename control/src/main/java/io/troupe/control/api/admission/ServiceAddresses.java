package io.troupe.control.api.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.control.api.ApiException;
import io.troupe.control.api.validation.Cause;
import io.troupe.control.ipam.AllocatorRef;
import io.troupe.control.ipam.RangeAllocator;
import io.troupe.control.ipam.ServiceAllocators;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.StoreResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The Service admission step that hands out addresses, as kube-apiserver's Service REST storage does: a ClusterIP
 * (the one asked for, or a free one; none for headless and ExternalName Services), nodePorts for NodePort and
 * LoadBalancer Services, and the IP family fields filled in. An asked value that is taken or outside its range is a
 * 422 with Kubernetes' message. {@link #write} wraps the store write: what was allocated is released again when the
 * write fails (never a half-written object), and what an update gave up is released once it is written.
 */
public final class ServiceAddresses {
  private final ServiceAllocators allocators;

  public ServiceAddresses(ServiceAllocators allocators) {
    this.allocators = allocators;
  }

  /** The Service to write, what was allocated for it (freed if the write fails) and what to free once it is written. */
  public record Allocation(KubeObject service, List<Held> allocated, List<Held> releaseOnCommit) {
    public Allocation {
      allocated = List.copyOf(allocated);
      releaseOnCommit = List.copyOf(releaseOnCommit);
    }
  }

  /** Values of one range. */
  public record Held(AllocatorRef allocator, List<String> values) {
    public Held {
      values = List.copyOf(values);
    }
  }

  public CompletionStage<Allocation> forCreate(KubeObject service) {
    return allocate(service, null);
  }

  public CompletionStage<Allocation> forUpdate(KubeObject service, KubeObject old) {
    return allocate(service, old);
  }

  /**
   * Writes the allocated Service with {@code write}; then frees what an update gave up, or, when the write failed,
   * what was allocated for it. A write that removed the Service (its last finalizer gone) frees all it held.
   */
  public CompletionStage<StoreResult> write(Allocation allocation,
      Function<KubeObject, CompletionStage<StoreResult>> write) {
    CompletionStage<StoreResult> written;
    try {
      written = write.apply(allocation.service());
    } catch (RuntimeException e) {
      release(allocation.allocated());
      throw e;
    }
    return written.whenComplete((result, failure) -> {
      if (result instanceof StoreResult.Written w) {
        release(allocation.releaseOnCommit());
        if (w.removed()) allocators.releaseHeldBy(w.stored().object());
      } else {
        release(allocation.allocated());
      }
    });
  }

  /** After a write that removed a Service (a delete, the last finalizer removed): frees all it held. */
  public void afterWrite(StoreResult result) {
    if (result instanceof StoreResult.Written w && w.removed()) allocators.releaseHeldBy(w.stored().object());
  }

  private void release(List<Held> held) {
    for (Held h : held) if (!h.values().isEmpty()) h.allocator().release(h.values());
  }

  // ---- allocation ----

  private CompletionStage<Allocation> allocate(KubeObject service, KubeObject old) {
    ObjectNode tree = service.toTree();
    ObjectNode spec = tree.get("spec") instanceof ObjectNode s ? s : tree.putObject("spec");
    JsonNode oldSpec = old == null ? null : old.spec();
    ServicePlan plan = ServicePlan.of(spec, oldSpec);
    if (!plan.causes().isEmpty()) throw invalid(service, plan.causes());
    List<Held> releaseOnCommit = new ArrayList<>();
    if (!plan.releaseIps().isEmpty()) releaseOnCommit.add(new Held(allocators.clusterIps(), plan.releaseIps()));
    if (!plan.releasePorts().isEmpty()) releaseOnCommit.add(new Held(allocators.nodePorts(), plan.releasePorts()));
    List<Held> allocated = new ArrayList<>();
    return allocateIp(service, spec, plan, allocated)
        .thenCompose(ip -> allocatePorts(service, spec, plan, allocated))
        .handle((done, failure) -> {
          if (failure != null) {
            release(allocated);
            throw failure instanceof CompletionException c ? c : new CompletionException(failure);
          }
          return new Allocation(KubeObject.fromTree(tree), allocated, releaseOnCommit);
        });
  }

  private CompletionStage<Void> allocateIp(KubeObject service, ObjectNode spec, ServicePlan plan,
      List<Held> allocated) {
    if (plan.askedIp() == null && !plan.anyIp()) return CompletableFuture.completedFuture(null);
    AllocatorRef ips = allocators.clusterIps();
    List<String> asked = plan.askedIp() == null ? List.of() : List.of(plan.askedIp());
    return ips.allocate(asked, plan.anyIp() ? 1 : 0).thenAccept(result -> {
      if (result instanceof RangeAllocator.Done done) {
        allocated.add(new Held(ips, done.values()));
        String ip = done.values().get(0);
        spec.put("clusterIP", ip);
        spec.putArray("clusterIPs").add(ip);
        return;
      }
      if (result instanceof RangeAllocator.Refused refused) {
        if (refused.problem() == RangeAllocator.Problem.FULL) {
          throw ApiException.internal("failed to allocate a serviceIP: range is full");
        }
        String ip = refused.value();
        String why = refused.problem() == RangeAllocator.Problem.ALREADY_ALLOCATED
            ? "provided IP is already allocated"
            : "the provided IP (" + ip + ") is not in the valid range. The range of valid IPs is " + refused.range();
        throw invalid(service, List.of(Cause.invalid("spec.clusterIPs", new GoStrings(List.of(ip)),
            "failed to allocate IP " + ip + ": " + why)));
      }
      throw ApiException.internal("failed to allocate a serviceIP: " + ((RangeAllocator.Failed) result).message());
    });
  }

  private CompletionStage<Void> allocatePorts(KubeObject service, ObjectNode spec, ServicePlan plan,
      List<Held> allocated) {
    if (plan.askedPorts().isEmpty() && plan.dynamicPorts().isEmpty()) return CompletableFuture.completedFuture(null);
    AllocatorRef ports = allocators.nodePorts();
    List<String> asked = plan.askedPorts().stream().map(p -> Integer.toString(p.nodePort())).toList();
    return ports.allocate(asked, plan.dynamicPorts().size()).thenAccept(result -> {
      if (result instanceof RangeAllocator.Done done) {
        allocated.add(new Held(ports, done.values()));
        List<String> dynamic = done.values().subList(asked.size(), done.values().size());
        for (int i = 0; i < dynamic.size(); i++) {
          assign(spec, plan.dynamicPorts().get(i), Integer.parseInt(dynamic.get(i)));
        }
        return;
      }
      if (result instanceof RangeAllocator.Refused refused) {
        if (refused.problem() == RangeAllocator.Problem.FULL) {
          throw ApiException.internal("failed to allocate a nodePort: range is full");
        }
        ServicePlan.AskedPort port = plan.askedPorts().stream()
            .filter(p -> Integer.toString(p.nodePort()).equals(refused.value())).findFirst().orElseThrow();
        String why = refused.problem() == RangeAllocator.Problem.ALREADY_ALLOCATED
            ? "provided port is already allocated"
            : "provided port is not in the valid range. The range of valid ports is " + refused.range();
        throw invalid(service, List.of(Cause.invalid(port.field(), port.nodePort(), why)));
      }
      throw ApiException.internal("failed to allocate a nodePort: " + ((RangeAllocator.Failed) result).message());
    });
  }

  /** Puts a dynamically allocated nodePort where the plan said: on ports (by index) or as the health check port. */
  private static void assign(ObjectNode spec, List<Integer> target, int nodePort) {
    if (target.isEmpty()) {
      spec.put("healthCheckNodePort", nodePort);
      return;
    }
    ArrayNode ports = (ArrayNode) spec.get("ports");
    for (int index : target) ((ObjectNode) ports.get(index)).put("nodePort", nodePort);
  }

  private static ApiException invalid(KubeObject service, List<Cause> causes) {
    return ApiException.invalid("Service", "", service.metadata().name(), causes);
  }

  /** A list of strings as Go's {@code %#v} prints it in a field error: {@code []string{"127.32.0.10"}}. */
  private record GoStrings(List<String> values) {
    @Override
    public String toString() {
      return "[]string{" + String.join(", ", values.stream().map(Cause::goQuote).toList()) + "}";
    }
  }
}
