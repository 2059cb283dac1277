package io.troupe.control.api.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenAPI documents as kubectl reads them: one per group-version, every kind with its patch metadata. */
class OpenApiDocumentsTest {
  static final OpenApiDocuments DOCUMENTS = new OpenApiDocuments(ApiTypes.builtIn());
  static final Map<String, ObjectNode> V3 = DOCUMENTS.v3();
  static final ObjectNode V2 = DOCUMENTS.v2();

  @Test
  void everyGroupVersionServedHasAV3Document() {
    assertEquals(List.of("api/v1", "apis/apps/v1", "apis/networking.k8s.io/v1", "apis/storage.k8s.io/v1",
        "apis/node.k8s.io/v1", "apis/coordination.k8s.io/v1", "apis/rbac.authorization.k8s.io/v1"),
        List.copyOf(V3.keySet()));
  }

  @Test
  void everyKindHasASchemaMarkedWithItsGroupVersionKind() {
    for (ResourceType type : ResourceTypes.ALL) {
      ObjectNode doc = V3.get(type.groupVersionPath().substring(1));
      assertTrue(has(doc.path("components").path("schemas"), type, type.kind()), type.kind() + " in v3");
      assertTrue(has(doc.path("components").path("schemas"), type, type.listKind()), type.listKind() + " in v3");
      assertTrue(has(V2.path("definitions"), type, type.kind()), type.kind() + " in v2");
    }
  }

  /** kubectl lets the server validate only when the PATCH of the kind declares fieldValidation (v3, then v2). */
  @Test
  void everyPatchOperationDeclaresFieldValidationAndStrategicMergePatch() {
    for (ResourceType type : ResourceTypes.ALL) {
      String item = type.groupVersionPath() + (type.namespaced() ? "/namespaces/{namespace}/" : "/")
          + type.plural() + "/{name}";
      JsonNode v3 = V3.get(type.groupVersionPath().substring(1)).path("paths").path(item).path("patch");
      JsonNode v2 = V2.path("paths").path(item).path("patch");
      for (JsonNode op : List.of(v3, v2)) {
        assertEquals(type.kind(), op.path(OpenApiSchemas.GVK).path("kind").asText(), item);
        assertEquals(type.group(), op.path(OpenApiSchemas.GVK).path("group").asText(), item);
        assertTrue(names(op.path("parameters")).contains("fieldValidation"), item + ": " + op.path("parameters"));
      }
      assertTrue(v3.path("requestBody").path("content").has("application/strategic-merge-patch+json"), item);
      assertTrue(names(V3.get(type.groupVersionPath().substring(1)).path("paths").path(item).path("parameters"))
          .contains("name"), item);
    }
  }

  @Test
  void listsCarryTheirStrategicMergePatchTags() {
    JsonNode schemas = V3.get("api/v1").path("components").path("schemas");
    JsonNode podSpec = schemas.path("io.k8s.api.core.v1.PodSpec").path("properties");
    assertPatch(podSpec.path("containers"), "merge", "name");
    assertPatch(podSpec.path("volumes"), "merge,retainKeys", "name");
    JsonNode container = schemas.path("io.k8s.api.core.v1.Container").path("properties");
    assertPatch(container.path("env"), "merge", "name");
    assertPatch(container.path("ports"), "merge", "containerPort");
    assertPatch(container.path("volumeMounts"), "merge", "mountPath");
    assertPatch(schemas.path("io.k8s.api.core.v1.PodStatus").path("properties").path("conditions"), "merge", "type");
    JsonNode meta = schemas.path("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").path("properties");
    assertEquals("merge", meta.path("finalizers").path("x-kubernetes-patch-strategy").asText());
    assertPatch(meta.path("ownerReferences"), "merge", "uid");
    JsonNode deploymentSpec = V3.get("apis/apps/v1").path("components").path("schemas")
        .path("io.k8s.api.apps.v1.DeploymentSpec").path("properties");
    assertEquals("retainKeys", deploymentSpec.path("strategy").path("x-kubernetes-patch-strategy").asText());
    assertEquals("#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec",
        deploymentSpec.path("template").path("allOf").path(0).path("$ref").asText());
  }

  @Test
  void everyReferenceResolvesWithinItsDocument() {
    for (Map.Entry<String, ObjectNode> doc : V3.entrySet()) {
      for (String ref : refs(doc.getValue())) {
        String id = ref.substring("#/components/schemas/".length());
        assertTrue(doc.getValue().path("components").path("schemas").has(id), doc.getKey() + ": " + ref);
      }
    }
    for (String ref : refs(V2)) {
      assertTrue(V2.path("definitions").has(ref.substring("#/definitions/".length())), "v2: " + ref);
    }
  }

  @Test
  void aDocumentHoldsOnlyTheSchemasItUses() {
    JsonNode schemas = V3.get("apis/storage.k8s.io/v1").path("components").path("schemas");
    assertTrue(schemas.has("io.k8s.api.storage.v1.StorageClass"));
    assertFalse(schemas.has("io.k8s.api.core.v1.PodSpec"), "StorageClass does not refer to PodSpec");
  }

  private static void assertPatch(JsonNode field, String strategy, String mergeKey) {
    assertEquals(strategy, field.path("x-kubernetes-patch-strategy").asText(), field::toString);
    assertEquals(mergeKey, field.path("x-kubernetes-patch-merge-key").asText(), field::toString);
    assertEquals("array", field.path("type").asText(), field::toString);
  }

  private static boolean has(JsonNode schemas, ResourceType type, String kind) {
    for (JsonNode schema : schemas) {
      for (JsonNode gvk : schema.path(OpenApiSchemas.GVK)) {
        if (gvk.path("group").asText().equals(type.group()) && gvk.path("version").asText().equals(type.version())
            && gvk.path("kind").asText().equals(kind)) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<String> names(JsonNode parameters) {
    List<String> names = new ArrayList<>();
    parameters.forEach(p -> names.add(p.path("name").asText()));
    return names;
  }

  private static List<String> refs(JsonNode node) {
    List<String> refs = new ArrayList<>();
    if (node.has("$ref")) refs.add(node.get("$ref").asText());
    node.forEach(child -> refs.addAll(refs(child)));
    return refs;
  }
}
