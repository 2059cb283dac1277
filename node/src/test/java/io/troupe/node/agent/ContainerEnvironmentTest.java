package io.troupe.node.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ContainerEnvironmentTest {
  private static final String POD_IP = "127.1.0.5";
  private static final String HOST_IP = "192.168.1.10";
  private static final KubeObject POD = pod();
  private static final Map<String, Map<String, String>> CONFIG_MAPS = Map.of(
      "cfg", Map.of("k", "v", "color", "blue"),
      "env", Map.of("A", "1", "B", "2", "bad key", "x", "1X", "y"));
  private static final Function<String, Optional<Map<String, String>>> LOOKUP =
      name -> Optional.ofNullable(CONFIG_MAPS.get(name));
  private static final Map<String, Map<String, String>> SECRETS = Map.of(
      "db", Map.of("password", "s3cr3t", "user", "app"));
  private static final Function<String, Optional<Map<String, String>>> SECRET_LOOKUP =
      name -> Optional.ofNullable(SECRETS.get(name));
  private static final Map<String, String> ALLOCATABLE = Map.of("cpu", "4", "memory", "8Gi");

  static Stream<Arguments> environments() {
    return Stream.of(
        env("a literal; POD_IP is always set",
            "[{'name':'A','value':'x'},{'name':'EMPTY'}]",
            "A=x", "EMPTY=", "POD_IP=" + POD_IP),
        env("$(VAR) refers to earlier entries only; unknown references stay",
            "[{'name':'A','value':'x'},{'name':'B','value':'$(A)-y'},{'name':'C','value':'$(LATER)'},"
                + "{'name':'LATER','value':'z'}]",
            "A=x", "B=x-y", "C=$(LATER)", "LATER=z", "POD_IP=" + POD_IP),
        env("$$ escapes; a lone or unclosed $ stays",
            "[{'name':'A','value':'x'},{'name':'B','value':'$$(A)'},{'name':'C','value':'a$$b$'},"
                + "{'name':'D','value':'$(A'},{'name':'E','value':'$A $$$(A)'}]",
            "A=x", "B=$(A)", "C=a$b$", "D=$(A", "E=$A $x", "POD_IP=" + POD_IP),
        env("$(POD_IP) expands; a later entry overrides an earlier one",
            "[{'name':'URL','value':'http://$(POD_IP):8080'},{'name':'URL2','value':'a'},{'name':'URL2','value':'b'}]",
            "URL=http://" + POD_IP + ":8080", "URL2=b", "POD_IP=" + POD_IP),
        env("the container's own POD_IP wins",
            "[{'name':'POD_IP','value':'mine'}]",
            "POD_IP=mine"),
        env("fieldRef paths",
            "[" + field("NAME", "metadata.name") + "," + field("NS", "metadata.namespace") + ","
                + field("UID", "metadata.uid") + "," + field("APP", "metadata.labels['app']") + ","
                + field("NOPE", "metadata.labels['nope']") + "," + field("NOTE", "metadata.annotations['note']") + ","
                + field("NODE", "spec.nodeName") + "," + field("SA", "spec.serviceAccountName") + ","
                + field("IP", "status.podIP") + "," + field("IPS", "status.podIPs") + ","
                + field("HOST", "status.hostIP") + "," + field("HOSTS", "status.hostIPs") + "]",
            "NAME=web-1", "NS=shop", "UID=u-1", "APP=web", "NOPE=", "NOTE=say \"hi\"", "NODE=node-1", "SA=default",
            "IP=" + POD_IP, "IPS=" + POD_IP, "HOST=" + HOST_IP, "HOSTS=" + HOST_IP, "POD_IP=" + POD_IP),
        env("all labels, as the downward API formats them",
            "[" + field("LABELS", "metadata.labels") + "," + field("NOTES", "metadata.annotations") + "]",
            "LABELS=app=\"web\"\ntier=\"front\"", "NOTES=note=\"say \\\"hi\\\"\"", "POD_IP=" + POD_IP),
        failed("an unsupported fieldPath",
            "[" + field("P", "spec.restartPolicy") + "]", "unsupported fieldPath: spec.restartPolicy"),
        failed("a subscript on a field that has none",
            "[" + field("P", "metadata.name['x']") + "]", "fieldPath \"metadata.name['x']\" does not support subscript"),
        failed("another API version",
            "[{'name':'P','valueFrom':{'fieldRef':{'apiVersion':'v2','fieldPath':'metadata.name'}}}]",
            "unsupported pod version: v2"),
        env("configMapKeyRef; optional sources that are missing are skipped",
            "[" + cmKey("K", "cfg", "k", false) + "," + cmKey("X", "nope", "k", true) + ","
                + cmKey("Y", "cfg", "nope", true) + "]",
            "K=v", "POD_IP=" + POD_IP),
        failed("configMapKeyRef to a missing ConfigMap",
            "[" + cmKey("K", "nope", "k", false) + "]", "configmap \"nope\" not found"),
        failed("configMapKeyRef to a missing key",
            "[" + cmKey("K", "cfg", "nope", false) + "]", "couldn't find key nope in ConfigMap shop/cfg"),
        env("secretKeyRef: the Secret's value, decoded",
            "[{'name':'S','valueFrom':{'secretKeyRef':{'name':'db','key':'password'}}}]",
            "S=s3cr3t", "POD_IP=" + POD_IP),
        failed("secretKeyRef: a missing Secret",
            "[{'name':'S','valueFrom':{'secretKeyRef':{'name':'nope','key':'password'}}}]",
            "secret \"nope\" not found"),
        failed("secretKeyRef: a missing key",
            "[{'name':'S','valueFrom':{'secretKeyRef':{'name':'db','key':'nope'}}}]",
            "couldn't find key nope in Secret shop/db"),
        env("an optional secretKeyRef is skipped",
            "[{'name':'S','valueFrom':{'secretKeyRef':{'name':'nope','key':'password','optional':true}}}]",
            "POD_IP=" + POD_IP),
        resources("resourceFieldRef: cpu rounds up to the divisor, memory too; an unset request is the limit",
            "{'limits':{'cpu':'250m','memory':'1.5Gi'}}",
            "[" + resource("CPU", "limits.cpu", null) + "," + resource("MCPU", "limits.cpu", "1m") + ","
                + resource("MEM", "limits.memory", null) + "," + resource("GIB", "limits.memory", "1Gi") + ","
                + resource("MIB", "requests.memory", "1Mi") + "," + resource("RCPU", "requests.cpu", "1m") + "]",
            "CPU=1", "MCPU=250", "MEM=1610612736", "GIB=2", "MIB=1536", "RCPU=250", "POD_IP=" + POD_IP),
        resources("resourceFieldRef: requests; an unset limit is the node's allocatable; an unset request 0",
            "{'requests':{'cpu':'0.5','memory':'100M'}}",
            "[" + resource("RCPU", "requests.cpu", "1m") + "," + resource("RMEM", "requests.memory", "1k") + ","
                + resource("LCPU", "limits.cpu", null) + "," + resource("LMEM", "limits.memory", "1Mi") + ","
                + resource("EPH", "requests.ephemeral-storage", null) + "]",
            "RCPU=500", "RMEM=100000", "LCPU=4", "LMEM=8192", "EPH=0", "POD_IP=" + POD_IP),
        env("resourceFieldRef to another container of the pod",
            "[{'name':'SIDE','valueFrom':{'resourceFieldRef':{'containerName':'sidecar','resource':'limits.memory',"
                + "'divisor':'1Mi'}}}]",
            "SIDE=64", "POD_IP=" + POD_IP),
        failed("resourceFieldRef to an unsupported resource",
            "[" + resource("X", "limits.pods", null) + "]", "unsupported container resource : limits.pods"),
        failed("resourceFieldRef with a divisor that is not a quantity",
            "[" + resource("X", "limits.cpu", "lots") + "]",
            "invalid quantity \"lots\": quantities must match the regular expression "
                + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
        failed("resourceFieldRef to a container the pod does not have",
            "[{'name':'X','valueFrom':{'resourceFieldRef':{'containerName':'ghost','resource':'limits.cpu'}}}]",
            "container ghost not found"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("environments")
  void resolvesTheEnvironment(String name, String container, Object expected) {
    ContainerEnvironment.Result result = ContainerEnvironment.resolve(POD, object(container), POD_IP, HOST_IP,
        ALLOCATABLE, LOOKUP, SECRET_LOOKUP);
    if (expected instanceof String) {
      assertEquals(new ContainerEnvironment.Failed("CreateContainerConfigError", (String) expected), result);
    } else {
      assertEquals(expected, assertInstanceOf(ContainerEnvironment.Resolved.class, result).env());
    }
  }

  static Stream<Arguments> envFrom() {
    return Stream.of(
        Arguments.of("every key of a ConfigMap; invalid names are skipped with a warning",
            "[{'configMapRef':{'name':'env'}}]", "[]",
            Map.of("A", "1", "B", "2", "POD_IP", POD_IP),
            List.of("Keys [1X, bad key] from the EnvFrom configMap shop/env were skipped since they are considered "
                + "invalid environment variable names.")),
        Arguments.of("a prefix makes 1X valid; later sources override earlier ones; env overrides envFrom",
            "[{'configMapRef':{'name':'env'},'prefix':'P_'},{'configMapRef':{'name':'cfg'},'prefix':'P_'},"
                + "{'configMapRef':{'name':'cfg'}}]",
            "[{'name':'k','value':'mine'},{'name':'AB','value':'$(P_A)$(P_B)'}]",
            Map.of("P_A", "1", "P_B", "2", "P_1X", "y", "P_k", "v", "P_color", "blue", "k", "mine", "color", "blue",
                "AB", "12", "POD_IP", POD_IP),
            List.of("Keys [P_bad key] from the EnvFrom configMap shop/env were skipped since they are considered "
                + "invalid environment variable names.")),
        Arguments.of("a missing optional ConfigMap and an optional Secret are skipped",
            "[{'configMapRef':{'name':'nope','optional':true}},{'secretRef':{'name':'s','optional':true}}]", "[]",
            Map.of("POD_IP", POD_IP), List.of()),
        Arguments.of("a Secret's keys, with a prefix", "[{'secretRef':{'name':'db'},'prefix':'DB_'}]", "[]",
            Map.of("DB_password", "s3cr3t", "DB_user", "app", "POD_IP", POD_IP), List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("envFrom")
  void readsEnvFrom(String name, String envFrom, String env, Map<String, String> expected, List<String> warnings) {
    ContainerEnvironment.Result result = ContainerEnvironment.resolve(POD,
        object("{'name':'app','envFrom':" + envFrom + ",'env':" + env + "}"), POD_IP, HOST_IP, Map.of(), LOOKUP,
        SECRET_LOOKUP);
    ContainerEnvironment.Resolved resolved = assertInstanceOf(ContainerEnvironment.Resolved.class, result);
    assertEquals(expected, resolved.env());
    assertEquals(warnings, resolved.warnings());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a missing ConfigMap | [{'configMapRef':{'name':'nope'}}] | configmap "nope" not found
      a missing Secret    | [{'secretRef':{'name':'s'}}]       | secret "s" not found
      """)
  void envFromFails(String name, String envFrom, String message) {
    assertEquals(new ContainerEnvironment.Failed("CreateContainerConfigError", message),
        ContainerEnvironment.resolve(POD, object("{'name':'app','envFrom':" + envFrom + "}"), POD_IP, HOST_IP,
            LOOKUP));
  }

  @Test
  void commandAndArgsAreExpandedAgainstTheFinalEnvironment() {
    ContainerEnvironment.Result result = ContainerEnvironment.resolve(POD, object("{'name':'app',"
        + "'command':['sh','-c','echo $(GREETING) $$(GREETING) $(NOPE)'],'args':['--listen=$(POD_IP):$(PORT)'],"
        + "'env':[{'name':'GREETING','value':'hello'},{'name':'PORT','valueFrom':{'configMapKeyRef':"
        + "{'name':'cfg','key':'k'}}}]}"), POD_IP, HOST_IP, LOOKUP);
    ContainerEnvironment.Resolved resolved = assertInstanceOf(ContainerEnvironment.Resolved.class, result);
    assertEquals(List.of("sh", "-c", "echo hello $(GREETING) $(NOPE)"), resolved.command());
    assertEquals(List.of("--listen=" + POD_IP + ":v"), resolved.args());
    assertEquals(List.of(), ContainerEnvironment.resolve(POD, object("{'name':'app'}"), POD_IP, HOST_IP, LOOKUP)
        instanceof ContainerEnvironment.Resolved r ? r.command() : null);
  }

  @Test
  void eachConfigMapIsLookedUpOnce() {
    Map<String, Integer> lookups = new HashMap<>();
    ContainerEnvironment.resolve(POD, object("{'name':'app','envFrom':[{'configMapRef':{'name':'cfg'}}],"
        + "'env':[" + cmKey("A", "cfg", "k", false) + "," + cmKey("B", "cfg", "color", false) + "]}"),
        POD_IP, HOST_IP, name -> {
          lookups.merge(name, 1, Integer::sum);
          return LOOKUP.apply(name);
        });
    assertEquals(Map.of("cfg", 1), lookups);
  }

  @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
  @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
      plain          | plain
      $(A)           | x
      $(A)$(A)       | xx
      $$(A)          | $(A)
      $$$(A)         | $x
      $              | $
      a$             | a$
      $$             | $
      $(             | $(
      $()            | $()
      $(B            | $(B
      $(UNKNOWN)     | $(UNKNOWN)
      $A             | $A
      ($(A))         | (x)
      """)
  void expandsAsKubernetes(String input, String expected) {
    assertEquals(expected, ContainerEnvironment.expand(input, List.of(Map.of("A", "x"))));
  }

  private static KubeObject pod() {
    ObjectNode tree = object("{'apiVersion':'v1','kind':'Pod',"
        + "'metadata':{'name':'web-1','namespace':'shop','uid':'u-1','labels':{'app':'web','tier':'front'}},"
        + "'spec':{'nodeName':'node-1','containers':[{'name':'app'},"
        + "{'name':'sidecar','resources':{'limits':{'memory':'64Mi'}}}]}}");
    ((ObjectNode) tree.get("metadata")).putObject("annotations").put("note", "say \"hi\"");
    return KubeObject.fromTree(tree);
  }

  private static Arguments env(String name, String env, String... expected) {
    Map<String, String> map = new HashMap<>();
    for (String pair : expected) {
      String[] kv = pair.split("=", 2);
      map.put(kv[0], kv[1]);
    }
    return Arguments.of(name, "{'name':'app','env':" + env + "}", map);
  }

  private static Arguments resources(String name, String resources, String env, String... expected) {
    Arguments base = env(name, env, expected);
    return Arguments.of(name, "{'name':'app','resources':" + resources + ",'env':" + env + "}", base.get()[2]);
  }

  private static Arguments failed(String name, String env, String message) {
    return Arguments.of(name, "{'name':'app','env':" + env + "}", message);
  }

  private static String field(String name, String path) {
    return "{'name':'" + name + "','valueFrom':{'fieldRef':{'fieldPath':\"" + path + "\"}}}";
  }

  private static String cmKey(String name, String configMap, String key, boolean optional) {
    return "{'name':'" + name + "','valueFrom':{'configMapKeyRef':{'name':'" + configMap + "','key':'" + key
        + "','optional':" + optional + "}}}";
  }

  private static String resource(String name, String resource, String divisor) {
    return "{'name':'" + name + "','valueFrom':{'resourceFieldRef':{'resource':'" + resource + "'"
        + (divisor == null ? "" : ",'divisor':'" + divisor + "'") + "}}}";
  }

  /** JSON written with single quotes; a path in double quotes keeps its own single quotes. */
  private static ObjectNode object(String json) {
    StringBuilder out = new StringBuilder();
    boolean inDouble = false;
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c == '\\' && i + 1 < json.length()) {
        out.append(json.charAt(i + 1) == '\'' ? "'" : "\\" + json.charAt(i + 1));
        i++;
      } else if (c == '"') {
        inDouble = !inDouble;
        out.append(c);
      } else {
        out.append(c == '\'' && !inDouble ? '"' : c);
      }
    }
    try {
      return (ObjectNode) Json.MAPPER.readTree(out.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(out.toString(), e);
    }
  }
}
