package io.troupe.control.api;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
import java.util.Map;

/** Valid objects built with fabric8's model, as a user of the client writes them, and what tests read of them. */
final class Fabric8Manifests {
  private Fabric8Manifests() {}

  /** One nginx container named "web" with an "http" port 80. */
  static PodSpec podSpec() {
    return new PodSpecBuilder()
        .addNewContainer().withName("web").withImage("nginx:1.27")
        .addNewPort().withName("http").withContainerPort(80).withProtocol("TCP").endPort()
        .endContainer()
        .withRestartPolicy("Always")
        .build();
  }

  static Pod pod(String name, Map<String, String> labels) {
    return new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .withSpec(podSpec()).build();
  }

  /** A pod template labelled {@code app=<app>}. */
  static PodTemplateSpec template(String app) {
    return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata()
        .withSpec(podSpec()).build();
  }

  /** A Deployment selecting {@code app=<name>}. */
  static Deployment deployment(String name, int replicas) {
    return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withReplicas(replicas)
        .withNewSelector().addToMatchLabels("app", name).endSelector()
        .withTemplate(template(name))
        .endSpec().build();
  }

  static ConfigMap configMap(String name, Map<String, String> data) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().withData(data).build();
  }

  /** The object's resourceVersion as the number Troupe makes it (the journal's ordering). */
  static long version(HasMetadata object) {
    return Long.parseLong(object.getMetadata().getResourceVersion());
  }

  static List<String> names(List<? extends HasMetadata> items) {
    return items.stream().map(o -> o.getMetadata().getName()).toList();
  }
}
