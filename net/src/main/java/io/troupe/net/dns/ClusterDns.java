package io.troupe.net.dns;

import com.typesafe.config.Config;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.store.Store;
import io.troupe.persistence.watch.WatchEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * The cluster DNS server of one worker JVM (CoreDNS's place in Kubernetes): answers the cluster domain from this
 * JVM's watch cache ({@link KubernetesZone}), over UDP and TCP, on the ClusterIP of the Service {@code
 * kube-system/kube-dns} at {@code troupe.net.dns.port}. It binds once that Service has a ClusterIP, moves when
 * it changes, and stops listening while it is gone. Every socket is bound with {@code SO_REUSEPORT}: the other
 * worker JVMs of the host listen on the same address and any of them may answer.
 *
 * <p>A bind that fails (a port below 1024 without root) is logged once per address, and the server keeps
 * following the Service; pods then see no cluster DNS.
 */
public final class ClusterDns implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClusterDns.class);

  private final ActorSystem<?> system;
  private final DnsSettings settings;
  private final ClusterRecords records = new ClusterRecords();
  private final DnsExchange exchange;
  private final List<Reflector> reflectors = new ArrayList<>();
  private final Set<String> failedBinds = new HashSet<>();
  private volatile String boundIp;
  private UdpListener udp;
  private CompletionStage<Tcp.ServerBinding> tcp;
  private boolean closed;

  private ClusterDns(ActorSystem<?> system, DnsSettings settings) {
    this.system = system;
    this.settings = settings;
    this.exchange = new DnsExchange(new KubernetesZone(settings, records, () -> boundIp));
  }

  /**
   * Starts following the cluster and serving.
   *
   * @param nodeAddress the node agent's address; the server does not listen there (pods reach it at the
   *     kube-dns ClusterIP), it is taken for the shape every net feature shares
   */
  public static ClusterDns start(ActorSystem<?> system, Store store, Config config, String nodeAddress) {
    ClusterDns dns = new ClusterDns(system, DnsSettings.of(config));
    dns.reflectors.add(Reflector.start(system, store.cache(), "Service", dns.new Services()));
    dns.reflectors.add(Reflector.start(system, store.cache(), "Endpoints", dns.records));
    dns.reflectors.add(Reflector.start(system, store.cache(), "Pod", dns.records));
    return dns;
  }

  public DnsSettings settings() {
    return settings;
  }

  /** Where the server listens now (UDP and TCP), if anywhere. */
  public synchronized Optional<InetSocketAddress> address() {
    return udp == null ? Optional.empty() : Optional.of(new InetSocketAddress(boundIp, settings.port()));
  }

  /**
   * Completes once the server listens on {@code ip} over both UDP and TCP (for tests and start-up checks); fails
   * if its TCP bind fails, or after a minute.
   */
  public CompletionStage<InetSocketAddress> whenListening(String ip) {
    CompletableFuture<InetSocketAddress> done = new CompletableFuture<>();
    done.orTimeout(1, TimeUnit.MINUTES);
    poll(ip, done);
    return done;
  }

  private void poll(String ip, CompletableFuture<InetSocketAddress> done) {
    CompletionStage<Tcp.ServerBinding> binding;
    synchronized (this) {
      binding = ip.equals(boundIp) && udp != null ? tcp : null;
    }
    if (binding != null) {
      binding.whenComplete((b, failure) -> {
        if (failure == null) done.complete(new InetSocketAddress(ip, settings.port()));
        else done.completeExceptionally(failure);
      });
    } else if (!done.isDone()) {
      CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> poll(ip, done));
    }
  }

  /** The Services go to the records; a change of the DNS Service moves the listeners. */
  private final class Services implements Reflector.Target {
    @Override
    public void replace(String kind, List<KubeObject> objects) {
      records.replace(kind, objects);
      follow();
    }

    @Override
    public void apply(WatchEvent event) {
      records.apply(event);
      var m = event.object().metadata();
      if (settings.serviceName().equals(m.name()) && settings.serviceNamespace().equals(m.namespace())) follow();
    }
  }

  /** Listens on the DNS Service's (first IPv4) ClusterIP, or nowhere while it has none. */
  private synchronized void follow() {
    if (closed) return;
    String wanted = records.service(settings.serviceNamespace(), settings.serviceName())
        .flatMap(s -> s.clusterIps().stream().filter(ip -> !ip.contains(":")).findFirst())
        .orElse(null);
    if (java.util.Objects.equals(wanted, boundIp) && (wanted == null || udp != null)) return;
    unbind();
    if (wanted == null) return;
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(literal(wanted), settings.port());
      udp = UdpListener.bind(address, exchange);
    } catch (IOException | RuntimeException e) {
      bindFailed(wanted, "UDP", e);
      return;
    }
    boundIp = wanted;
    tcp = TcpListener.bind(system, address, exchange, settings.tcpIdleTimeout());
    tcp.whenComplete((b, failure) -> {
      if (failure != null) bindFailed(wanted, "TCP", failure);
      else log.info("cluster DNS listening on {}:{} (UDP and TCP) for {}", wanted, settings.port(),
          settings.domain());
    });
    failedBinds.remove(wanted);
  }

  private synchronized void bindFailed(String ip, String transport, Throwable e) {
    String why = e.getCause() != null && e.getMessage() != null && !e.getMessage().contains("ermission")
        ? e.getMessage() + " (" + e.getCause().getMessage() + ")" : String.valueOf(e.getMessage());
    if (failedBinds.add(ip + "/" + transport)) {
      log.warn("cluster DNS cannot listen on {}:{} over {}: {}{}", ip, settings.port(), transport, why,
          settings.port() < 1024 && !"root".equals(System.getProperty("user.name"))
              ? "; a port below 1024 needs root (or CAP_NET_BIND_SERVICE): run as root or set troupe.net.dns.port"
              : "");
    }
  }

  private void unbind() {
    if (udp != null) udp.close();
    udp = null;
    if (tcp != null) tcp.thenAccept(Tcp.ServerBinding::unbind);
    tcp = null;
    boundIp = null;
  }

  private static InetAddress literal(String ip) {
    try {
      return org.xbill.DNS.Address.getByAddress(ip);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }

  @Override
  public void close() {
    reflectors.forEach(Reflector::close);
    CompletionStage<Tcp.ServerBinding> binding;
    synchronized (this) {
      closed = true;
      binding = tcp;
      if (udp != null) udp.close();
      udp = null;
      tcp = null;
      boundIp = null;
    }
    if (binding != null) {
      try {
        binding.thenCompose(Tcp.ServerBinding::unbind).toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("unbinding the DNS TCP listener: {}", e.toString());
      }
    }
  }
}
