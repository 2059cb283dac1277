package io.troupe.control.api;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** fabric8 clients pointed at a test's Troupe, fresh namespaces, and waiting on what a client sees. */
public final class Fabric8Clients {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private Fabric8Clients() {}

  /** A client for {@code url}, defaulting to namespace "default"; watches try a WebSocket first. */
  public static KubernetesClient connect(String url) {
    return connect(url, false);
  }

  /** A client whose watches are plain HTTP streams when {@code onlyHttpWatches}, never WebSockets. */
  public static KubernetesClient connect(String url, boolean onlyHttpWatches) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder()
            .withMasterUrl(url)
            .withNamespace("default")
            .withRequestTimeout((int) REQUEST_TIMEOUT.toMillis())
            .withOnlyHttpWatches(onlyHttpWatches)
            .build())
        .build();
  }

  /**
   * A client configured by a kubeconfig file (server, CA, client certificate or token: what {@code troupe server}
   * writes), in namespace "default".
   */
  public static KubernetesClient connect(java.nio.file.Path kubeconfig) {
    return connect(kubeconfig, false);
  }

  /** As {@link #connect(java.nio.file.Path)}, to the API server at {@code url} (another JVM of the cluster). */
  public static KubernetesClient connect(java.nio.file.Path kubeconfig, String url) {
    return connect(kubeconfig, false, url);
  }

  public static KubernetesClient connect(java.nio.file.Path kubeconfig, boolean onlyHttpWatches) {
    return connect(kubeconfig, onlyHttpWatches, null);
  }

  private static KubernetesClient connect(java.nio.file.Path kubeconfig, boolean onlyHttpWatches, String url) {
    io.fabric8.kubernetes.client.Config config;
    try {
      config = io.fabric8.kubernetes.client.Config.fromKubeconfig(java.nio.file.Files.readString(kubeconfig));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    config.setNamespace("default");
    if (url != null) config.setMasterUrl(url);
    config.setRequestTimeout((int) REQUEST_TIMEOUT.toMillis());
    config.setOnlyHttpWatches(onlyHttpWatches);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Creates a namespace of its own for one test, named {@code prefix} plus a random suffix. */
  public static String newNamespace(KubernetesClient client, String prefix) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /** Polls {@code condition} until it holds, failing with {@code what} once {@code deadline} has passed. */
  public static void awaitUntil(Duration deadline, BooleanSupplier condition, Supplier<String> what) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + deadline + ": " + what.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting: " + what.get(), e);
      }
    }
  }
}
