package io.troupe.control.api;

import static io.troupe.control.api.Fabric8Manifests.names;
import static io.troupe.control.api.Fabric8Manifests.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.troupe.control.ControlPlane;
import io.troupe.control.TestControlPlane;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Objects, their subresources and their patches through a real Kubernetes client (fabric8) against a real
 * Troupe: what a user of the client sees, field by field.
 */
class Fabric8ApiTest {
  private static ControlPlane plane;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    plane = TestControlPlane.start();
    client = Fabric8Clients.connect(TestControlPlane.url(plane));
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) client.close();
    if (plane != null) plane.close();
  }

  // ---- Pods ----

  @Test
  void podIsCreatedReadListedEditedUpdatedAndDeleted() {
    String ns = Fabric8Clients.newNamespace(client, "pods");
    Instant before = Instant.now().minusSeconds(1);

    Pod created = client.pods().inNamespace(ns).resource(Fabric8Manifests.pod("web-1", Map.of("app", "web"))).create();
    assertFalse(created.getMetadata().getUid().isBlank(), "the server gives the pod a uid");
    Instant createdAt = Instant.parse(created.getMetadata().getCreationTimestamp());
    assertFalse(createdAt.isBefore(before) || createdAt.isAfter(Instant.now().plusSeconds(1)),
        "creationTimestamp is the time of the create: " + createdAt);
    assertTrue(version(created) > 0, "resourceVersion is a positive number");
    assertEquals(ns, created.getMetadata().getNamespace());
    assertEquals("Pending", created.getStatus().getPhase(), "a new pod is Pending");

    Pod read = client.pods().inNamespace(ns).withName("web-1").get();
    assertEquals(created.getMetadata().getUid(), read.getMetadata().getUid());
    assertEquals(created.getMetadata().getResourceVersion(), read.getMetadata().getResourceVersion());
    assertEquals("nginx:1.27", read.getSpec().getContainers().get(0).getImage());

    var list = client.pods().inNamespace(ns).list();
    assertEquals(List.of("web-1"), names(list.getItems()));
    assertTrue(Long.parseLong(list.getMetadata().getResourceVersion()) >= version(created),
        "the list is at least as new as the pod");

    Pod edited = client.pods().inNamespace(ns).withName("web-1")
        .edit(p -> new PodBuilder(p).editMetadata().addToLabels("tier", "fe").endMetadata().build());
    assertEquals(Map.of("app", "web", "tier", "fe"), edited.getMetadata().getLabels());
    assertTrue(version(edited) > version(created), "an edit gives a newer resourceVersion");
    assertEquals(created.getMetadata().getUid(), edited.getMetadata().getUid(), "an edit keeps the uid");
    assertEquals(created.getMetadata().getCreationTimestamp(), edited.getMetadata().getCreationTimestamp());

    Pod newImage = new PodBuilder(edited).editSpec().editFirstContainer().withImage("nginx:1.28").endContainer()
        .endSpec().build();
    Pod updated = client.resource(newImage).update();
    assertEquals("nginx:1.28", updated.getSpec().getContainers().get(0).getImage(), "a pod's image may change");
    assertTrue(version(updated) > version(edited));

    Pod otherRestartPolicy = new PodBuilder(updated).editSpec().withRestartPolicy("Never").endSpec().build();
    KubernetesClientException forbidden =
        assertThrows(KubernetesClientException.class, () -> client.resource(otherRestartPolicy).update());
    assertEquals(422, forbidden.getCode(), "the rest of a pod's spec is immutable");

    List<StatusDetails> deleted = client.pods().inNamespace(ns).withName("web-1").delete();
    assertEquals(1, deleted.size());
    assertEquals("web-1", deleted.get(0).getName());
    assertNull(client.pods().inNamespace(ns).withName("web-1").get(), "a deleted pod is gone");
    assertTrue(client.pods().inNamespace(ns).list().getItems().isEmpty());
  }

  @Test
  void staleUpdateOfAPodIsAConflict() {
    String ns = Fabric8Clients.newNamespace(client, "stale");
    Pod stale = client.pods().inNamespace(ns).resource(Fabric8Manifests.pod("web-1", Map.of("app", "web"))).create();
    client.pods().inNamespace(ns).withName("web-1")
        .edit(p -> new PodBuilder(p).editMetadata().addToLabels("edited", "first").endMetadata().build());

    Pod late = new PodBuilder(stale).editMetadata().addToLabels("edited", "second").endMetadata().build();
    KubernetesClientException update = assertThrows(KubernetesClientException.class,
        () -> client.resource(late).update());
    assertEquals(409, update.getCode(), "an update from an old resourceVersion is a conflict");

    KubernetesClientException locked = assertThrows(KubernetesClientException.class,
        () -> client.pods().inNamespace(ns).withName("web-1")
            .lockResourceVersion(stale.getMetadata().getResourceVersion()).delete());
    assertEquals(409, locked.getCode(), "a delete locked to an old resourceVersion is a conflict");

    assertEquals("first", client.pods().inNamespace(ns).withName("web-1").get().getMetadata().getLabels()
        .get("edited"), "the conflicting writes changed nothing");
    Pod replaced = client.resource(late).replace();
    assertEquals("second", replaced.getMetadata().getLabels().get("edited"),
        "replace() re-reads the resourceVersion on a conflict and then succeeds");
  }

  // ---- Deployments ----

  @Test
  void deploymentGenerationCountsSpecChanges() {
    String ns = Fabric8Clients.newNamespace(client, "deploy");
    var deployments = client.apps().deployments().inNamespace(ns);

    Deployment created = deployments.resource(Fabric8Manifests.deployment("web", 2)).create();
    assertFalse(created.getMetadata().getUid().isBlank());
    assertEquals(1L, created.getMetadata().getGeneration(), "a new deployment is at generation 1");
    assertTrue(version(created) > 0);
    assertEquals(2, deployments.withName("web").get().getSpec().getReplicas());
    assertEquals(List.of("web"), names(deployments.list().getItems()));

    Deployment relabelled = deployments.withName("web")
        .edit(d -> new DeploymentBuilder(d).editMetadata().addToLabels("team", "a").endMetadata().build());
    assertEquals(1L, relabelled.getMetadata().getGeneration(), "metadata changes leave the generation alone");
    assertTrue(version(relabelled) > version(created));

    Deployment newImage = deployments.withName("web").edit(d -> new DeploymentBuilder(d).editSpec()
        .editTemplate().editSpec().editFirstContainer().withImage("nginx:1.28").endContainer().endSpec()
        .endTemplate().endSpec().build());
    assertEquals(2L, newImage.getMetadata().getGeneration(), "a spec change bumps the generation");

    Deployment moreReplicas = new DeploymentBuilder(newImage).editSpec().withReplicas(4).endSpec().build();
    Deployment updated = client.resource(moreReplicas).update();
    assertEquals(3L, updated.getMetadata().getGeneration());
    assertEquals(4, updated.getSpec().getReplicas());
    assertEquals(created.getMetadata().getUid(), updated.getMetadata().getUid());

    Deployment unchanged = client.resource(updated).update();
    assertEquals(3L, unchanged.getMetadata().getGeneration(), "an update that changes nothing keeps the generation");

    KubernetesClientException stale = assertThrows(KubernetesClientException.class,
        () -> client.resource(newImage).update());
    assertEquals(409, stale.getCode(), "a deployment from an old resourceVersion cannot be written back");

    assertEquals(1, deployments.withName("web").delete().size());
    assertNull(deployments.withName("web").get());
  }

  @Test
  void scaleSubresourceOfDeploymentsAndReplicaSets() {
    String ns = Fabric8Clients.newNamespace(client, "scale");
    client.apps().deployments().inNamespace(ns).resource(Fabric8Manifests.deployment("web", 1)).create();

    Deployment scaled = client.apps().deployments().inNamespace(ns).withName("web").scale(3);
    assertEquals(3, scaled.getSpec().getReplicas(), "scale(3) returns the deployment with 3 replicas");
    assertEquals(2L, scaled.getMetadata().getGeneration(), "scaling is a spec change");
    Scale scale = client.apps().deployments().inNamespace(ns).withName("web").scale();
    assertEquals(3, scale.getSpec().getReplicas());
    assertEquals("app=web", scale.getStatus().getSelector());
    assertEquals("web", scale.getMetadata().getName());

    ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withName("web-rs").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "rs").endSelector()
        .withTemplate(Fabric8Manifests.template("rs")).endSpec().build();
    client.apps().replicaSets().inNamespace(ns).resource(rs).create();
    ReplicaSet scaledRs = client.apps().replicaSets().inNamespace(ns).withName("web-rs").scale(5);
    assertEquals(5, scaledRs.getSpec().getReplicas());
    assertEquals(5, client.apps().replicaSets().inNamespace(ns).withName("web-rs").scale().getSpec().getReplicas());
    assertEquals(5, client.apps().replicaSets().inNamespace(ns).withName("web-rs").get().getSpec().getReplicas());
  }

  @Test
  void statusIsWrittenOnlyThroughTheStatusSubresource() {
    String ns = Fabric8Clients.newNamespace(client, "status");
    var web = client.apps().deployments().inNamespace(ns).withName("web");
    Deployment created =
        client.apps().deployments().inNamespace(ns).resource(Fabric8Manifests.deployment("web", 2)).create();

    Deployment statusAndSpec = new DeploymentBuilder(created)
        .editSpec().withReplicas(7).endSpec()
        .editMetadata().addToLabels("sneaky", "yes").endMetadata()
        .withNewStatus().withReplicas(2).withReadyReplicas(1).withObservedGeneration(1L).endStatus()
        .build();
    Deployment afterStatus = client.resource(statusAndSpec).updateStatus();
    assertEquals(2, afterStatus.getStatus().getReplicas(), "updateStatus writes the status");
    assertEquals(1, afterStatus.getStatus().getReadyReplicas());
    assertEquals(2, afterStatus.getSpec().getReplicas(), "updateStatus leaves the spec alone");
    assertNull(afterStatus.getMetadata().getLabels().get("sneaky"), "updateStatus leaves the labels alone");
    assertEquals(1L, afterStatus.getMetadata().getGeneration());

    Deployment patched = web.editStatus(d -> new DeploymentBuilder(d).editStatus().withReadyReplicas(2).endStatus()
        .editSpec().withReplicas(9).endSpec().build());
    assertEquals(2, patched.getStatus().getReadyReplicas(), "editStatus patches the status");
    assertEquals(2, patched.getSpec().getReplicas(), "a patch of /status leaves the spec alone");

    Deployment mergeStatus = new DeploymentBuilder(patched).editStatus().withAvailableReplicas(2).endStatus().build();
    Deployment merged = client.resource(mergeStatus).patchStatus();
    assertEquals(2, merged.getStatus().getAvailableReplicas(), "patchStatus merges into the status");
    assertEquals(2, merged.getStatus().getReadyReplicas());

    Deployment userWritesStatus = new DeploymentBuilder(merged).editStatus().withReplicas(99).endStatus()
        .editSpec().withReplicas(3).endSpec().build();
    Deployment updated = client.resource(userWritesStatus).update();
    assertEquals(3, updated.getSpec().getReplicas(), "a plain update writes the spec");
    assertEquals(2, updated.getStatus().getReplicas(), "a plain update cannot change the status");
    assertEquals(2, web.get().getStatus().getReplicas());

    Deployment staleStatus = new DeploymentBuilder(afterStatus).editStatus().withReplicas(0).endStatus().build();
    KubernetesClientException conflict =
        assertThrows(KubernetesClientException.class, () -> client.resource(staleStatus).updateStatus());
    assertEquals(409, conflict.getCode(), "a status update from an old resourceVersion is a conflict");
  }

  // ---- patches ----

  @Test
  void patchesOfADeploymentsImage() {
    String ns = Fabric8Clients.newNamespace(client, "patch");
    var web = client.apps().deployments().inNamespace(ns).withName("web");
    client.apps().deployments().inNamespace(ns).resource(Fabric8Manifests.deployment("web", 1)).create();

    Deployment strategic = web.patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.28\"}]}}}}");
    var container = strategic.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("nginx:1.28", container.getImage(), "a strategic merge patch sets the image");
    assertEquals(80, container.getPorts().get(0).getContainerPort(),
        "a strategic merge patch merges containers by name: the ports stay");
    assertEquals(2L, strategic.getMetadata().getGeneration());

    Deployment jsonPatch = web.patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"test\",\"path\":\"/spec/template/spec/containers/0/name\",\"value\":\"web\"},"
            + "{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\",\"value\":\"nginx:1.29\"}]");
    assertEquals("nginx:1.29", jsonPatch.getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
    assertEquals(3L, jsonPatch.getMetadata().getGeneration());

    Deployment mergePatch = web.patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"metadata\":{\"labels\":{\"patched\":\"merge\"}},"
            + "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.30\"}]}}}}");
    var merged = mergePatch.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, merged.size());
    assertEquals("nginx:1.30", merged.get(0).getImage(), "a JSON merge patch sets the image");
    assertTrue(merged.get(0).getPorts() == null || merged.get(0).getPorts().isEmpty(),
        "a JSON merge patch replaces the whole containers list: the ports are gone");
    assertEquals("merge", mergePatch.getMetadata().getLabels().get("patched"));
    assertEquals(4L, mergePatch.getMetadata().getGeneration());

    Deployment typed = new DeploymentBuilder(mergePatch).editSpec().withReplicas(2).endSpec().build();
    Deployment diffed = client.resource(typed).patch();
    assertEquals(2, diffed.getSpec().getReplicas(), "patch() of an edited object sends the difference");

    KubernetesClientException failedTest = assertThrows(KubernetesClientException.class,
        () -> web.patch(PatchContext.of(PatchType.JSON),
            "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":5},"
                + "{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":6}]"));
    assertEquals(422, failedTest.getCode(), "a JSON patch whose test fails is refused");
    assertEquals(version(diffed), version(web.get()), "and changes nothing");
  }

  // ---- selectors ----

  @Test
  void labelAndFieldSelectorsPickPods() {
    String ns = Fabric8Clients.newNamespace(client, "select");
    var pods = client.pods().inNamespace(ns);
    pods.resource(Fabric8Manifests.pod("a", Map.of("app", "web", "tier", "fe"))).create();
    pods.resource(Fabric8Manifests.pod("b", Map.of("app", "web", "tier", "be"))).create();
    pods.resource(Fabric8Manifests.pod("c", Map.of("app", "db", "tier", "be"))).create();
    pods.resource(Fabric8Manifests.pod("d", Map.of("app", "cache"))).create();
    pods.resource(Fabric8Manifests.pod("e", Map.of())).create();

    assertEquals(List.of("a", "b"), names(pods.withLabel("app", "web").list().getItems()));
    assertEquals(List.of("b"), names(pods.withLabel("app", "web").withLabel("tier", "be").list().getItems()));
    assertEquals(List.of("a", "b", "c"), names(pods.withLabel("tier").list().getItems()), "tier exists");
    assertEquals(List.of("a", "b", "c"), names(pods.withLabelIn("app", "web", "db").list().getItems()));
    assertEquals(List.of("c", "d", "e"), names(pods.withLabelNotIn("app", "web").list().getItems()),
        "notin also selects pods without the label");
    assertEquals(List.of("d", "e"), names(pods.withoutLabel("tier").list().getItems()), "tier does not exist");
    assertEquals(List.of("c", "d", "e"), names(pods.withoutLabel("app", "web").list().getItems()), "app!=web");
    assertEquals(List.of("c"), names(pods.withField("metadata.name", "c").list().getItems()));
    assertEquals(List.of("a", "b", "d", "e"), names(pods.withoutField("metadata.name", "c").list().getItems()));
    assertEquals(List.of("b"), names(pods.withLabel("tier", "be").withField("metadata.name", "b").list().getItems()));
    assertTrue(pods.withLabel("app", "nothing").list().getItems().isEmpty());

    KubernetesClientException unsupported = assertThrows(KubernetesClientException.class,
        () -> pods.withField("spec.nothing", "x").list());
    assertEquals(400, unsupported.getCode(), "a field selector on a field the server does not index");
  }

  // ---- manifests ----

  private static final String MANIFEST = """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: shop-config
      data:
        LOG_LEVEL: info
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: shop
        labels: {app: shop}
      spec:
        type: ClusterIP
        selector: {app: shop}
        ports:
        - {name: http, port: 80, targetPort: 8080, protocol: TCP}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: shop
      spec:
        replicas: 2
        selector:
          matchLabels: {app: shop}
        template:
          metadata:
            labels: {app: shop}
          spec:
            containers:
            - name: shop
              image: shop:1.0
              envFrom:
              - configMapRef: {name: shop-config}
              ports:
              - {containerPort: 8080}
      """;

  @Test
  void multiDocumentManifestIsCreatedReadBackAndDeleted() {
    String ns = Fabric8Clients.newNamespace(client, "manifest");

    List<HasMetadata> created = client.load(yaml(MANIFEST)).inNamespace(ns).create();
    assertEquals(List.of("ConfigMap", "Service", "Deployment"), created.stream().map(HasMetadata::getKind).toList());
    assertTrue(created.stream().allMatch(o -> o.getMetadata().getUid() != null && ns.equals(o.getMetadata()
        .getNamespace())), "every object comes back with a uid, in the namespace it was created in");

    assertEquals(Map.of("LOG_LEVEL", "info"), client.configMaps().inNamespace(ns).withName("shop-config").get()
        .getData());
    var service = client.services().inNamespace(ns).withName("shop").get();
    assertEquals(Map.of("app", "shop"), service.getSpec().getSelector());
    assertEquals(80, service.getSpec().getPorts().get(0).getPort());
    assertEquals(8080, service.getSpec().getPorts().get(0).getTargetPort().getIntVal());
    var deployment = client.apps().deployments().inNamespace(ns).withName("shop").get();
    assertEquals(2, deployment.getSpec().getReplicas());
    var container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals("shop:1.0", container.getImage());
    assertEquals("shop-config", container.getEnvFrom().get(0).getConfigMapRef().getName());

    List<HasMetadata> fromServer = client.load(yaml(MANIFEST)).inNamespace(ns).get();
    assertEquals(names(created), names(fromServer));
    assertEquals(created.stream().map(o -> o.getMetadata().getUid()).toList(),
        fromServer.stream().map(o -> o.getMetadata().getUid()).toList(), "reading the manifest back finds them");

    assertEquals(3, client.resourceList(fromServer).inNamespace(ns).delete().size());
    assertNull(client.configMaps().inNamespace(ns).withName("shop-config").get());
    assertNull(client.services().inNamespace(ns).withName("shop").get());
    assertNull(client.apps().deployments().inNamespace(ns).withName("shop").get());
  }

  private static InputStream yaml(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
