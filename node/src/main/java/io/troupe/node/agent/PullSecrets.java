package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.node.image.RegistryCredential;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A pod's {@code imagePullSecrets} as registry credentials: each names a Secret of the pod's namespace of type
 * {@code kubernetes.io/dockerconfigjson} whose {@code .dockerconfigjson} holds {@code {"auths": {"<registry>":
 * {"username", "password"} or {"auth": base64(user:password)}}}} (as {@code kubectl create secret docker-registry}
 * writes it). A Secret that is missing, of another type or unreadable gives nothing, as the kubelet then pulls
 * without it.
 */
final class PullSecrets {
  static final String TYPE = "kubernetes.io/dockerconfigjson";
  static final String KEY = ".dockerconfigjson";

  private PullSecrets() {}

  static List<RegistryCredential> credentials(KubeObject pod, Function<String, Optional<KubeObject>> secrets) {
    List<RegistryCredential> out = new ArrayList<>();
    if (pod.spec() == null) return out;
    for (JsonNode ref : pod.spec().path("imagePullSecrets")) {
      String name = ref.path("name").asText("");
      if (name.isEmpty()) continue;
      secrets.apply(name).ifPresent(secret -> out.addAll(parse(secret.body())));
    }
    return out;
  }

  static List<RegistryCredential> parse(JsonNode secret) {
    List<RegistryCredential> out = new ArrayList<>();
    if (!TYPE.equals(secret.path("type").asText())) return out;
    String encoded = secret.path("data").path(KEY).asText("");
    JsonNode config;
    try {
      config = Json.MAPPER.readTree(new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
    } catch (Exception e) {
      return out;
    }
    config.path("auths").fields().forEachRemaining(e -> {
      JsonNode auth = e.getValue();
      String user = auth.path("username").asText("");
      String password = auth.path("password").asText("");
      if (user.isEmpty() && !auth.path("auth").asText("").isEmpty()) {
        try {
          String pair = new String(Base64.getDecoder().decode(auth.path("auth").asText()), StandardCharsets.UTF_8);
          int colon = pair.indexOf(':');
          if (colon > 0) {
            user = pair.substring(0, colon);
            password = pair.substring(colon + 1);
          }
        } catch (IllegalArgumentException ignored) {
          // not base64: no credential
        }
      }
      if (!user.isEmpty()) out.add(new RegistryCredential(registry(e.getKey()), user, password));
    });
    return out;
  }

  /** {@code https://index.docker.io/v1/} is Docker Hub's old name: {@code docker.io}; a scheme and path go. */
  static String registry(String key) {
    String host = key.replaceFirst("^[a-z]+://", "");
    int slash = host.indexOf('/');
    if (slash >= 0) host = host.substring(0, slash);
    return host.equals("index.docker.io") || host.equals("registry-1.docker.io") ? "docker.io" : host;
  }
}
