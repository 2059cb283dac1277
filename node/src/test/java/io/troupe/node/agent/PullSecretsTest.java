package io.troupe.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.image.RegistryCredential;
import io.troupe.node.runtime.ContainerSpec;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** imagePullSecrets read as the kubelet reads them, and securityContext merged as it merges it. */
class PullSecretsTest {

  private static KubeObject object(String json) throws Exception {
    return KubeObject.fromTree((ObjectNode) Json.MAPPER.readTree(json));
  }

  private static KubeObject dockerConfigSecret(String name, String config) throws Exception {
    String data = Base64.getEncoder().encodeToString(config.getBytes(StandardCharsets.UTF_8));
    return object("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name + "\","
        + "\"namespace\":\"default\"},\"type\":\"kubernetes.io/dockerconfigjson\",\"data\":{\".dockerconfigjson\":\""
        + data + "\"}}");
  }

  @Test
  void dockerConfigSecretsGiveOneCredentialPerRegistry() throws Exception {
    String auth = Base64.getEncoder().encodeToString("bob:s3cret".getBytes(StandardCharsets.UTF_8));
    Map<String, KubeObject> secrets = Map.of(
        "regcred", dockerConfigSecret("regcred", "{\"auths\":{\"localhost:5000\":{\"username\":\"alice\","
            + "\"password\":\"pw\"},\"https://index.docker.io/v1/\":{\"auth\":\"" + auth + "\"}}}"),
        "opaque", object("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"opaque\","
            + "\"namespace\":\"default\"},\"type\":\"Opaque\",\"data\":{}}"));
    KubeObject pod = object("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":"
        + "\"default\"},\"spec\":{\"imagePullSecrets\":[{\"name\":\"regcred\"},{\"name\":\"opaque\"},"
        + "{\"name\":\"missing\"}],\"containers\":[]}}");
    List<RegistryCredential> credentials = PullSecrets.credentials(pod, n -> Optional.ofNullable(secrets.get(n)));
    assertEquals(List.of(new RegistryCredential("localhost:5000", "alice", "pw"),
        new RegistryCredential("docker.io", "bob", "s3cret")), credentials);
  }

  @Test
  void theContainersSecurityContextOverridesThePods() throws Exception {
    KubeObject pod = object("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":"
        + "\"default\"},\"spec\":{\"securityContext\":{\"runAsUser\":1000,\"runAsGroup\":3000},\"containers\":[]}}");
    ObjectNode container = (ObjectNode) Json.MAPPER.readTree("{\"name\":\"c\",\"securityContext\":{\"runAsUser\":"
        + "2000,\"readOnlyRootFilesystem\":true,\"capabilities\":{\"add\":[\"NET_ADMIN\"],\"drop\":[\"ALL\"]}}}");
    assertEquals(new ContainerSpec.SecurityContext(2000L, 3000L, true, false, List.of("NET_ADMIN"), List.of("ALL")),
        ContainerSpecs.securityContext(pod, container));
    ObjectNode plain = (ObjectNode) Json.MAPPER.readTree("{\"name\":\"c\"}");
    KubeObject bare = object("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
        + "\"namespace\":\"default\"},\"spec\":{\"containers\":[]}}");
    assertEquals(ContainerSpec.SecurityContext.NONE, ContainerSpecs.securityContext(bare, plain));
  }
}
