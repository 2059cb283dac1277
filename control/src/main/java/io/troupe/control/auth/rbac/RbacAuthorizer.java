package io.troupe.control.auth.rbac;

import io.troupe.control.auth.Attributes;
import io.troupe.control.auth.Authorizer;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.watch.WatchCache;
import java.util.List;

/**
 * Kubernetes' RBAC authorizer: a request is allowed when a Role or ClusterRole bound to its user (by name, by one
 * of its groups, or as a ServiceAccount) has a rule that allows it; nothing is allowed otherwise. Roles and
 * bindings are read from this JVM's watch cache: the index ({@link RbacPolicy}) is rebuilt on the first check
 * after one of the four kinds changed, so a check costs a look-up of the user's own grants, and a binding written
 * through this API server applies to the next request (the write answers after the cache has it).
 */
public final class RbacAuthorizer implements Authorizer {
  static final List<String> KINDS = List.of(ResourceTypes.ROLE.kind(), ResourceTypes.CLUSTER_ROLE.kind(),
      ResourceTypes.ROLE_BINDING.kind(), ResourceTypes.CLUSTER_ROLE_BINDING.kind());

  private record Snapshot(long revision, RbacPolicy policy) {}

  private final WatchCache cache;
  private volatile Snapshot current = new Snapshot(-1, RbacPolicy.empty());

  public RbacAuthorizer(WatchCache cache) {
    this.cache = cache;
  }

  @Override
  public Decision authorize(Attributes attributes) {
    return policy().authorize(attributes);
  }

  /** The policy as the watch cache holds it now. */
  public RbacPolicy policy() {
    long revision = cache.revisionOf(KINDS);
    Snapshot snapshot = current;
    if (snapshot.revision() == revision) return snapshot.policy();
    synchronized (this) {
      snapshot = current;
      if (snapshot.revision() == revision) return snapshot.policy();
      RbacPolicy policy = RbacPolicy.of(cache.items(ResourceTypes.ROLE.kind(), null),
          cache.items(ResourceTypes.CLUSTER_ROLE.kind(), null), cache.items(ResourceTypes.ROLE_BINDING.kind(), null),
          cache.items(ResourceTypes.CLUSTER_ROLE_BINDING.kind(), null));
      // labelled with the revision read before the items: a change in between only costs one more rebuild
      current = new Snapshot(revision, policy);
      return policy;
    }
  }
}
