package io.troupe.node.volume;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.Stored;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's service account tokens for the pods of this node, signed here (this JVM holds the cluster's signing
 * key, as the API server does; nothing goes over HTTP): the files of the volume Kubernetes' admission adds to every
 * pod ({@code kube-api-access-*}), {@code token}, {@code namespace} and, when the cluster has a CA, {@code ca.crt},
 * mounted read-only at {@code /var/run/secrets/kubernetes.io/serviceaccount} in every container, unless
 * {@code automountServiceAccountToken} is false on the pod (or, when the pod does not say, on its account), or the
 * container mounts something else there. Also the tokens of {@code serviceAccountToken} sources in projected
 * volumes. Each token is bound to its pod (valid while the pod exists) and renewed once 80% of its lifetime has
 * passed, as the kubelet's token manager does; the volume is rewritten atomically then.
 */
final class ServiceAccountTokenFiles {
  static final String MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";
  /** The volume's name among the pod's prepared volumes (not in the pod's spec, which Troupe leaves as written). */
  static final String VOLUME = "kube-api-access";

  private final ServiceAccountTokens tokens;
  private final Store store;
  private final Clock clock;
  /** The token each pod's file holds now, by pod uid and what the token is for. */
  private final Map<String, ServiceAccountTokens.Issued> issued = new ConcurrentHashMap<>();

  ServiceAccountTokenFiles(ServiceAccountTokens tokens, Store store, Clock clock) {
    this.tokens = tokens;
    this.store = store;
    this.clock = clock;
  }

  /** Whether the pod gets the token volume: automount is on (pod first, then its account) and no volume has the name. */
  boolean automount(KubeObject pod) {
    JsonNode spec = pod.spec();
    for (JsonNode v : spec.path("volumes")) if (VOLUME.equals(v.path("name").asText())) return false;
    JsonNode own = spec.get("automountServiceAccountToken");
    if (own != null && own.isBoolean()) return own.booleanValue();
    return account(pod).map(a -> a.body().path("automountServiceAccountToken"))
        .filter(JsonNode::isBoolean).map(JsonNode::booleanValue).orElse(true);
  }

  /** The files of the pod's token volume. */
  void defaultFiles(KubeObject pod, int mode, SortedMap<String, ProjectedFiles.File> out) throws IOException {
    out.put("token", new ProjectedFiles.File(token(pod, List.of(), tokens.settings().tokenExpiration())
        .getBytes(StandardCharsets.UTF_8), mode));
    out.put("namespace", new ProjectedFiles.File(pod.metadata().namespace().getBytes(StandardCharsets.UTF_8), mode));
    Optional<java.nio.file.Path> ca = tokens.settings().ca();
    if (ca.isPresent()) out.put("ca.crt", new ProjectedFiles.File(Files.readAllBytes(ca.get()), mode));
  }

  /** A projected volume's {@code serviceAccountToken} source: {@code audience}, {@code expirationSeconds}, {@code path}. */
  byte[] projectedToken(KubeObject pod, JsonNode source) {
    String audience = source.path("audience").asText("");
    long seconds = source.path("expirationSeconds").asLong(3600);
    if (seconds < 600) throw new IllegalArgumentException("serviceAccountToken expirationSeconds must be at least 600");
    Duration expiration = Duration.ofSeconds(Math.min(seconds, tokens.settings().maxTokenExpiration().toSeconds()));
    return token(pod, audience.isEmpty() ? List.of() : List.of(audience), expiration).getBytes(StandardCharsets.UTF_8);
  }

  /** Forgets a pod's tokens (it is gone from this node). */
  void forget(String podUid) {
    issued.keySet().removeIf(k -> k.startsWith(podUid + "/"));
  }

  /** The pod's token for these audiences: the one it has while younger than 80% of its lifetime, else a new one. */
  private String token(KubeObject pod, List<String> audiences, Duration expiration) {
    String key = pod.metadata().uid() + "/" + String.join(",", audiences) + "/" + expiration.toSeconds();
    Instant now = clock.instant();
    ServiceAccountTokens.Issued current = issued.get(key);
    if (current != null && now.isBefore(renewAt(current))) return current.token();
    KubeObject account = account(pod).orElseThrow(() -> new IllegalArgumentException("serviceaccount \""
        + serviceAccountName(pod) + "\" not found"));
    String nodeName = pod.spec().path("nodeName").asText("");
    ServiceAccountTokens.Subject subject = new ServiceAccountTokens.Subject(pod.metadata().namespace(),
        account.metadata().name(), account.metadata().uid(),
        Optional.of(new ServiceAccountTokens.BoundObject("Pod", pod.metadata().name(), pod.metadata().uid())),
        nodeName.isEmpty() ? Optional.empty() : Optional.of(nodeName));
    ServiceAccountTokens.Issued fresh = tokens.issue(subject, audiences, now, expiration);
    issued.put(key, fresh);
    return fresh.token();
  }

  /** 80% into the token's lifetime. */
  static Instant renewAt(ServiceAccountTokens.Issued token) {
    Duration lifetime = Duration.between(token.issuedAt(), token.expiresAt());
    return token.issuedAt().plus(lifetime.multipliedBy(8).dividedBy(10));
  }

  private Optional<KubeObject> account(KubeObject pod) {
    return store.get(ObjectKey.of(ResourceTypes.SERVICE_ACCOUNT.kind(), pod.metadata().namespace(),
        serviceAccountName(pod))).map(Stored::object);
  }

  private static String serviceAccountName(KubeObject pod) {
    String name = pod.spec().path("serviceAccountName").asText("");
    return name.isEmpty() ? "default" : name;
  }
}
