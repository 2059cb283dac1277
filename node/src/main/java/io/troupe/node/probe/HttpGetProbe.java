package io.troupe.node.probe;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.OutgoingConnectionBuilder;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.settings.ClientConnectionSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * An httpGet probe on Pekko HTTP's connection-level client: one connection per probe, closed after the
 * response, so that probing thousands of pods keeps no pool, and no connection, per pod between probes.
 */
final class HttpGetProbe {
  /** The kubelet sends {@code kube-probe/<version>}; applications match the prefix. */
  static final String USER_AGENT = "kube-probe/troupe";

  private final ActorSystem<?> system;
  private final Http http;
  private final ClientConnectionSettings settings;
  private final HttpsConnectionContext insecure;

  HttpGetProbe(ActorSystem<?> system) {
    this.system = system;
    this.http = Http.get(system);
    this.settings = ClientConnectionSettings.create(system.classicSystem());
    this.insecure = insecureHttps();
  }

  CompletionStage<ProbeResult> run(ProbeSpec spec, ProbeSpec.HttpGet get, String host) {
    String url = get.scheme().toLowerCase(Locale.ROOT) + "://" + Prober.hostPort(host, get.port()) + get.path();
    String failedGet = "Get " + Prober.quote(url) + ": ";
    OutgoingConnectionBuilder connection = http.connectionTo(host).toPort(get.port())
        .withClientConnectionSettings(settings
            .withConnectingTimeout(spec.timeout())
            .withIdleTimeout(spec.timeout().multipliedBy(2)));
    var flow = get.scheme().equals("HTTPS")
        ? connection.withCustomHttpsConnectionContext(insecure).https()
        : connection.http();
    Pair<UniqueKillSwitch, CompletionStage<HttpResponse>> running = Source.single(request(get))
        .via(flow)
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.head(), Keep.both())
        .run(system);
    CompletionStage<ProbeResult> work = running.second().handle((response, error) -> {
      if (error != null) {
        return ProbeResult.failed(spec.type(), failedGet + describe(error, host, get.port()));
      }
      response.entity().discardBytes(system);
      int status = response.status().intValue();
      if (status >= 200 && status < 400) return ProbeResult.succeeded();
      return ProbeResult.failed(spec.type(), "HTTP probe failed with statuscode: " + status);
    });
    return Prober.within(system, spec.timeout(), work,
        () -> ProbeResult.failed(spec.type(),
            failedGet + "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"),
        () -> running.first().abort(new java.util.concurrent.TimeoutException("probe timed out")));
  }

  private static HttpRequest request(ProbeSpec.HttpGet get) {
    List<HttpHeader> headers = new ArrayList<>();
    boolean userAgent = false;
    boolean accept = false;
    for (ProbeSpec.Header h : get.headers()) {
      userAgent |= h.name().equalsIgnoreCase("User-Agent");
      accept |= h.name().equalsIgnoreCase("Accept");
      headers.add(HttpHeader.parse(h.name(), h.value()));
    }
    if (!userAgent) headers.add(HttpHeader.parse("User-Agent", USER_AGENT));
    if (!accept) headers.add(HttpHeader.parse("Accept", "*/*"));
    headers.add(HttpHeader.parse("Connection", "close"));
    return HttpRequest.GET(get.path()).addHeaders(headers);
  }

  private static String describe(Throwable error, String host, int port) {
    String message = Prober.rootMessage(error);
    if (message.contains("idle-timeout") || error instanceof java.util.concurrent.TimeoutException) {
      return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
    }
    if (message.contains("SSL") || message.contains("TLS") || message.contains("handshake")) {
      return "remote error: tls: " + message;
    }
    return Prober.dialError(Prober.hostPort(host, port), error);
  }

  /**
   * TLS that trusts any certificate and checks no host name, as the kubelet's probes
   * ({@code InsecureSkipVerify}). An {@link X509ExtendedTrustManager} is needed: the JDK wraps a plain
   * {@code X509TrustManager} in one that verifies the host name anyway.
   */
  private static HttpsConnectionContext insecureHttps() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustAnyCertificate()}, null);
      return ConnectionContext.httpsClient((String host, Integer port) -> {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        return engine;
      });
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
    }
  }

  private static final class TrustAnyCertificate extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
