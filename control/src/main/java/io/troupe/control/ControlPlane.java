package io.troupe.control;

import com.typesafe.config.Config;
import io.troupe.control.api.ApiServer;
import io.troupe.control.auth.ApiSecurity;
import io.troupe.control.auth.Authenticator;
import io.troupe.control.auth.rbac.BootstrapPolicy;
import io.troupe.control.auth.ServiceAccountTokenAuthenticator;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import io.troupe.control.api.admission.Admission;
import io.troupe.control.api.admission.ClaimAdmission;
import io.troupe.control.controller.ControlLoops;
import io.troupe.control.controller.Controllers;
import io.troupe.control.ipam.ServiceAllocators;
import io.troupe.control.pki.ApiTls;
import io.troupe.control.pki.ClusterTls;
import io.troupe.persistence.cluster.ClusterFormation;
import io.troupe.persistence.model.Heartbeats;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ObjectKey;
import io.troupe.persistence.model.ObjectMeta;
import io.troupe.persistence.model.ResourceTypes;
import io.troupe.persistence.store.Store;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Troupe JVM with the control role: the actor system in its cluster, the store (entities, journal, watch
 * cache) and the API server. Closing it (or SIGTERM, through Pekko's coordinated shutdown) unbinds the API and
 * stops the system.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
  /** The namespaces every cluster has from its first start. */
  static final List<String> INITIAL_NAMESPACES = List.of("default", "kube-system", "kube-public",
      Heartbeats.NODE_LEASE_NAMESPACE);
  /** The StorageClass of claims that name none (issue #10): node directories, provisioned once a pod needs one. */
  static final String DEFAULT_STORAGE_CLASS = "local-path";
  /** How long a start keeps trying to write the cluster's first objects (as long as it waits for the store). */
  static final Duration BOOTSTRAP_DEADLINE = Duration.ofMinutes(5);

  private final ActorSystem<Void> system;
  private final Store store;
  private final ServerBinding binding;
  private final Optional<ApiTls> tls;
  private boolean controllersStarted;

  private ControlPlane(ActorSystem<Void> system, Store store, ServerBinding binding, Optional<ApiTls> tls) {
    this.system = system;
    this.store = store;
    this.binding = binding;
    this.tls = tls;
  }

  /** Starts and returns once the API answers (the watch cache loaded, initial namespaces present). */
  public static ControlPlane start(Config config) {
    return start(config, null);
  }

  /**
   * As {@link #start(Config)}, with {@code authenticator} (when not null) in place of the configured ones: tests
   * that act as several users identify them their own way.
   */
  public static ControlPlane start(Config config, Authenticator authenticator) {
    ControlPlane plane = startWithoutControllers(config, authenticator);
    plane.startControllers();
    return plane;
  }

  /**
   * As {@link #start(Config)}, but the scheduler and the controllers wait for {@link #startControllers()}: a JVM
   * that is also a node registers its Node first, so that its controllers never take the Node's old JVM (before
   * a restart) for one that left the cluster.
   */
  public static ControlPlane startWithoutControllers(Config config) {
    return startWithoutControllers(config, null);
  }

  static ControlPlane startWithoutControllers(Config config, Authenticator authenticator) {
    long started = System.nanoTime();
    // Artery over mutual TLS when troupe.cluster.tls says so: the transport is fixed when the system starts
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe", ClusterTls.configure(config));
    // the CA and certificates (RSA keys: seconds on a busy machine at a first start) are made while the store starts
    Config settings = system.settings().config();
    CompletableFuture<Optional<ApiTls>> tlsReady = CompletableFuture.supplyAsync(() -> ApiTls.from(settings,
        List.of(io.troupe.control.ipam.IpamSettings.of(settings).kubernetesServiceIp())), command -> {
          Thread t = new Thread(command, "troupe-api-tls");
          t.setDaemon(true);
          t.start();
        });
    try {
      var up = ClusterFormation.join(system);
      Store store = Store.start(system);
      // entities (and so every write) need this member Up in its cluster
      up.toCompletableFuture().get(5, TimeUnit.MINUTES);
      store.cache().whenReady().toCompletableFuture().get(5, TimeUnit.MINUTES);
      log.info("store ready after {} ms", (System.nanoTime() - started) / 1_000_000);
      bootstrap(store.as("troupe-server"));
      ServiceAllocators allocators = ServiceAllocators.start(system, store);
      String host = config.getString("troupe.api.host");
      int port = config.getInt("troupe.api.port");
      // the CA first: client certificates are checked against it
      Optional<ApiTls> tls = tlsReady.get(5, TimeUnit.MINUTES);
      ServiceAccountTokens tokens = ServiceAccountTokens.fromConfig(settings);
      ApiSecurity security = ApiSecurity.from(settings, store.cache());
      if (tokens.settings().authenticate()) {
        security = ServiceAccountTokenAuthenticator.addTo(security, store, tokens);
      }
      if (authenticator != null) security = security.withAuthenticator(authenticator);
      ServerBinding binding = ApiServer.bind(system, store, host, port, security, tokens,
          tls.map(ApiTls::httpsServer))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
      BuiltInServices.ensure(store.as("troupe-server"), allocators, binding.localAddress());
      system.getWhenTerminated().thenRun(() -> closeQuietly(store));
      return new ControlPlane(system, store, binding, tls);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("Troupe did not start: " + e.getMessage(), e);
    }
  }

  /** The scheduler and the controllers (cluster singletons of the control role), if enabled; once. */
  public synchronized void startControllers() {
    if (controllersStarted || !system.settings().config().getBoolean("troupe.controllers.enabled")) return;
    controllersStarted = true;
    Controllers.start(system, store, ControlLoops.all(system, store));
  }

  /**
   * The objects every cluster has (namespaces, the default StorageClass, the RBAC bootstrap policy), written again
   * until they are or the start's deadline passes: a JVM that joins a cluster on a loaded machine may wait longer than
   * the store's ask timeout for the shard coordinator's first answer (PartitionTest saw one under a load of 30), and
   * that is no reason to give up starting. Each step writes only what is absent, so a write that timed out but
   * happened is not written twice.
   */
  private static void bootstrap(Store store) throws Exception {
    long deadline = System.nanoTime() + BOOTSTRAP_DEADLINE.toNanos();
    while (true) {
      try {
        createInitialNamespaces(store);
        createDefaultStorageClass(store);
        BootstrapPolicy.ensure(store);
        return;
      } catch (ExecutionException | TimeoutException e) {
        if (!timedOut(e) || System.nanoTime() > deadline) throw e;
        log.warn("the cluster's first objects could not be written yet ({}); trying again", e.getMessage());
      }
    }
  }

  /** A timeout anywhere in the chain (Pekko's AskTimeoutException is a TimeoutException). */
  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TimeoutException) return true;
    }
    return false;
  }

  private static void createInitialNamespaces(Store store) throws Exception {
    CompletableFuture<?>[] creates = INITIAL_NAMESPACES.stream()
        .filter(name -> store.get(ObjectKey.of("Namespace", null, name)).isEmpty())
        .map(name -> {
          var body = io.troupe.persistence.model.Json.object();
          body.putObject("spec").putArray("finalizers").add("kubernetes");
          body.putObject("status").put("phase", "Active");
          // labelled with its name, as Kubernetes labels every namespace (a namespaceSelector can name it)
          KubeObject ns = new KubeObject(ResourceTypes.NAMESPACE.apiVersion(), "Namespace",
              new ObjectMeta(name, null, null, null, null, null, null, null, null,
                  java.util.Map.of("kubernetes.io/metadata.name", name), null, null, null)
                  .withCreation(UUID.randomUUID().toString(), Admission.now()), body);
          return store.create(ns).toCompletableFuture();
        })
        .toArray(CompletableFuture[]::new);
    CompletableFuture.allOf(creates).get(60, TimeUnit.SECONDS);
  }

  /**
   * The default StorageClass, created at every start when absent (a deleted one comes back). Two JVMs starting at
   * once may both try: the store lets one create it and refuses the other, which is fine.
   */
  private static void createDefaultStorageClass(Store store) throws Exception {
    if (store.get(ObjectKey.of(ResourceTypes.STORAGE_CLASS.kind(), null, DEFAULT_STORAGE_CLASS)).isPresent()) return;
    var body = io.troupe.persistence.model.Json.object();
    var metadata = body.putObject("metadata").put("name", DEFAULT_STORAGE_CLASS);
    metadata.putObject("annotations").put(ClaimAdmission.IS_DEFAULT_CLASS, "true");
    body.put("provisioner", "troupe.io/local-path");
    body.put("reclaimPolicy", "Delete");
    body.put("volumeBindingMode", "WaitForFirstConsumer");
    body.put("allowVolumeExpansion", false);
    KubeObject storageClass = Admission.forCreate(ResourceTypes.STORAGE_CLASS, null, body);
    store.create(storageClass).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static void closeQuietly(Store store) {
    try {
      store.close();
    } catch (Exception e) {
      log.debug("closing the store", e);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Store store() {
    return store;
  }

  public InetSocketAddress apiAddress() {
    return binding.localAddress();
  }

  /** The API's TLS (its CA and certificates), empty when it serves plain HTTP ({@code troupe.api.tls.enabled = false}). */
  public Optional<ApiTls> tls() {
    return tls;
  }

  /** {@code https://host:port} (or {@code http://}), a wildcard address given as 127.0.0.1. */
  public String apiUrl() {
    InetSocketAddress address = apiAddress();
    String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
    if (host.contains(":")) host = "[" + host + "]";
    return (tls.isPresent() ? "https://" : "http://") + host + ":" + address.getPort();
  }

  @Override
  public void close() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
