package io.troupe.node.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProbeSpecTest {

  private static final String CONTAINER =
      "{'name':'web','ports':[{'name':'http','containerPort':8080},{'name':'admin','containerPort':9090}]}";

  static Stream<Arguments> probes() {
    return Stream.of(
        Arguments.of("exec with every default",
            "{'exec':{'command':['cat','/tmp/healthy']}}",
            spec(new ProbeSpec.Exec(List.of("cat", "/tmp/healthy")), 0, 10, 1, 1, 3)),
        Arguments.of("httpGet with a number port and timings",
            "{'httpGet':{'path':'/healthz','port':8080},'initialDelaySeconds':3,'periodSeconds':5,"
                + "'timeoutSeconds':2,'successThreshold':2,'failureThreshold':6}",
            spec(new ProbeSpec.HttpGet("HTTP", null, "/healthz", 8080, List.of()), 3, 5, 2, 2, 6)),
        Arguments.of("httpGet: a named port resolves against the container's ports; path defaults to /",
            "{'httpGet':{'port':'admin'}}",
            spec(new ProbeSpec.HttpGet("HTTP", null, "/", 9090, List.of()), 0, 10, 1, 1, 3)),
        Arguments.of("httpGet: a number in a string",
            "{'httpGet':{'port':'8081','path':'ready'}}",
            spec(new ProbeSpec.HttpGet("HTTP", null, "/ready", 8081, List.of()), 0, 10, 1, 1, 3)),
        Arguments.of("httpGet: scheme, host and headers",
            "{'httpGet':{'scheme':'https','host':'10.1.2.3','port':443,'path':'/q?x=1',"
                + "'httpHeaders':[{'name':'Host','value':'web.local'},{'name':'X-Probe','value':'1'}]}}",
            spec(new ProbeSpec.HttpGet("HTTPS", "10.1.2.3", "/q?x=1", 443, List.of(
                new ProbeSpec.Header("Host", "web.local"), new ProbeSpec.Header("X-Probe", "1"))), 0, 10, 1, 1, 3)),
        Arguments.of("tcpSocket with a named port",
            "{'tcpSocket':{'port':'http'},'periodSeconds':1}",
            spec(new ProbeSpec.TcpSocket(null, 8080), 0, 1, 1, 1, 3)),
        Arguments.of("zero or negative values take the defaults",
            "{'tcpSocket':{'port':80,'host':'db'},'initialDelaySeconds':-1,'periodSeconds':0,'timeoutSeconds':0,"
                + "'successThreshold':0,'failureThreshold':-2}",
            spec(new ProbeSpec.TcpSocket("db", 80), 0, 10, 1, 1, 3)),
        Arguments.of("an unknown named port fails when probed",
            "{'httpGet':{'port':'metrics'}}",
            spec(new ProbeSpec.Invalid("port metrics not found in the container's ports"), 0, 10, 1, 1, 3)),
        Arguments.of("a port out of range",
            "{'tcpSocket':{'port':70000}}",
            spec(new ProbeSpec.Invalid("invalid port number: 70000"), 0, 10, 1, 1, 3)),
        Arguments.of("an unknown scheme",
            "{'httpGet':{'port':80,'scheme':'FTP'}}",
            spec(new ProbeSpec.Invalid("unsupported scheme: FTP"), 0, 10, 1, 1, 3)),
        Arguments.of("gRPC is not supported",
            "{'grpc':{'port':9000}}",
            spec(new ProbeSpec.Invalid("gRPC probes are not supported by Troupe"), 0, 10, 1, 1, 3)),
        Arguments.of("no handler",
            "{'periodSeconds':3}",
            spec(new ProbeSpec.Invalid("the probe has no handler: exec, httpGet or tcpSocket"), 0, 3, 1, 1, 3)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("probes")
  void readsAProbe(String name, String probe, ProbeSpec expected) {
    assertEquals(expected, ProbeSpec.parse(ProbeType.LIVENESS, json(probe), json(CONTAINER)));
  }

  @Test
  void readsTheContainersProbesInStartupLivenessReadinessOrder() {
    JsonNode container = json("{'name':'web','readinessProbe':{'tcpSocket':{'port':80}},"
        + "'livenessProbe':{'exec':{'command':['true']},'terminationGracePeriodSeconds':5},"
        + "'startupProbe':{'httpGet':{'port':80},'failureThreshold':30}}");
    List<ProbeSpec> probes = ProbeSpec.forContainer(container);
    assertEquals(List.of(ProbeType.STARTUP, ProbeType.LIVENESS, ProbeType.READINESS),
        probes.stream().map(ProbeSpec::type).toList());
    assertEquals(30, probes.get(0).failureThreshold());
    assertEquals(5L, probes.get(1).terminationGracePeriodSeconds());
    assertEquals(null, probes.get(2).terminationGracePeriodSeconds());
    assertEquals(List.of(), ProbeSpec.forContainer(json("{'name':'plain'}")));
  }

  private static ProbeSpec spec(ProbeSpec.Handler handler, int delay, int period, int timeout, int success,
      int failure) {
    return new ProbeSpec(ProbeType.LIVENESS, handler, delay, period, timeout, success, failure, null);
  }

  static JsonNode json(String singleQuoted) {
    try {
      return Json.MAPPER.readTree(singleQuoted.replace('\'', '"'));
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
