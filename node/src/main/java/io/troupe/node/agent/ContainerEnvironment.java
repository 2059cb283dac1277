package io.troupe.node.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.node.runtime.ContainerStartException;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.Quantity;
import io.troupe.persistence.model.QuantityFormatException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One container's environment and command line, resolved as the kubelet resolves them
 * ({@code makeEnvironmentVariables}, {@code ExpandContainerCommandAndArgs}). Pure: ConfigMaps come from the
 * given lookup.
 *
 * <ul>
 *   <li>{@code envFrom[].configMapRef} and {@code secretRef} first, with {@code prefix}; keys that are not valid variable names are
 *       skipped (and named in a warning, the kubelet's {@code InvalidEnvironmentVariableNames} event); later
 *       sources override earlier ones.
 *   <li>Then {@code env[]} in order, overriding: a {@code value} with {@code $(VAR)} references expanded
 *       against what is defined so far ({@code $$} escapes a {@code $}; an unknown reference stays as
 *       written); or {@code valueFrom}: {@code fieldRef} (metadata.name, namespace, uid, labels, annotations,
 *       labels['k'], annotations['k'], spec.nodeName, spec.serviceAccountName, status.podIP(s),
 *       status.hostIP(s)), {@code resourceFieldRef} (limits and requests of cpu, memory, ephemeral-storage
 *       and hugepages-*, divided by {@code divisor} and rounded up; an unset request is the limit, an unset
 *       limit the node's allocatable), {@code configMapKeyRef} and {@code secretKeyRef} (a missing object
 *       or key is an error unless optional).
 *   <li>{@code POD_IP} is set unless the container sets it (a Troupe addition; {@code $(POD_IP)} expands).
 *   <li>The Service variables ({@code <SVC>_SERVICE_HOST}..., see {@link ServiceLinks}) are set unless the
 *       container sets them; {@code $(VAR)} references to them expand, as in the kubelet.
 *   <li>{@code command} and {@code args} are expanded against the final environment.
 * </ul>
 */
public final class ContainerEnvironment {
  /** The reason of a container that waits because its configuration cannot be resolved. */
  public static final String CONFIG_ERROR = "CreateContainerConfigError";
  public static final String POD_IP = "POD_IP";

  private static final Pattern ENV_VAR_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  /** The outcome: a resolved environment and command line, or why the container cannot be created. */
  public sealed interface Result permits Resolved, Failed {}

  /**
   * @param warnings messages of {@code InvalidEnvironmentVariableNames} Warning events, one per envFrom
   *     source with skipped keys
   */
  public record Resolved(Map<String, String> env, List<String> command, List<String> args, List<String> warnings)
      implements Result {
    public Resolved {
      env = Map.copyOf(env);
      command = List.copyOf(command);
      args = List.copyOf(args);
      warnings = List.copyOf(warnings);
    }
  }

  /** @param message as the kubelet writes it: {@code configmap "x" not found} */
  public record Failed(String reason, String message) implements Result {
    public ContainerStartException toException() {
      return new ContainerStartException(reason, message);
    }
  }

  private final KubeObject pod;
  private final ObjectNode container;
  private final String podIp;
  private final String hostIp;
  private final Map<String, String> nodeAllocatable;
  private final Function<String, Optional<Map<String, String>>> configMaps;
  private final Function<String, Optional<Map<String, String>>> secrets;
  private final Map<String, Optional<Map<String, String>>> readConfigMaps = new HashMap<>();
  private final Map<String, Optional<Map<String, String>>> readSecrets = new HashMap<>();

  private ContainerEnvironment(KubeObject pod, ObjectNode container, String podIp, String hostIp,
      Map<String, String> nodeAllocatable, Function<String, Optional<Map<String, String>>> configMaps,
      Function<String, Optional<Map<String, String>>> secrets) {
    this.pod = pod;
    this.container = container;
    this.podIp = podIp == null ? "" : podIp;
    this.hostIp = hostIp == null ? "" : hostIp;
    this.nodeAllocatable = nodeAllocatable;
    this.configMaps = configMaps;
    this.secrets = secrets;
  }

  /** As {@link #resolve(KubeObject, ObjectNode, String, String, Map, Function)} on a node whose allocatable is unknown (an unset limit reads 0). */
  public static Result resolve(KubeObject pod, ObjectNode container, String podIp, String hostIp,
      Function<String, Optional<Map<String, String>>> configMaps) {
    return resolve(pod, container, podIp, hostIp, Map.of(), configMaps);
  }

  /**
   * Resolves {@code container} of {@code pod}.
   *
   * @param nodeAllocatable the node's {@code status.allocatable} ({@code cpu: "4"}, {@code memory: 8Gi}): what
   *     a {@code resourceFieldRef} to an unset limit reads
   * @param configMaps the {@code data} of a ConfigMap of the pod's namespace by name; empty when it does not
   *     exist
   */
  public static Result resolve(KubeObject pod, ObjectNode container, String podIp, String hostIp,
      Map<String, String> nodeAllocatable, Function<String, Optional<Map<String, String>>> configMaps) {
    return resolve(pod, container, podIp, hostIp, nodeAllocatable, configMaps, name -> Optional.empty());
  }

  /**
   * As above, with Secrets.
   *
   * @param secrets the decoded {@code data} of a Secret of the pod's namespace by name; empty when it does not
   *     exist
   */
  public static Result resolve(KubeObject pod, ObjectNode container, String podIp, String hostIp,
      Map<String, String> nodeAllocatable, Function<String, Optional<Map<String, String>>> configMaps,
      Function<String, Optional<Map<String, String>>> secrets) {
    return resolve(pod, container, podIp, hostIp, nodeAllocatable, configMaps, secrets, Map.of());
  }

  /**
   * As above, with the Services' variables.
   *
   * @param serviceEnv the variables of the Services the container sees ({@link ServiceLinks})
   */
  public static Result resolve(KubeObject pod, ObjectNode container, String podIp, String hostIp,
      Map<String, String> nodeAllocatable, Function<String, Optional<Map<String, String>>> configMaps,
      Function<String, Optional<Map<String, String>>> secrets, Map<String, String> serviceEnv) {
    try {
      return new ContainerEnvironment(pod, container, podIp, hostIp, nodeAllocatable, configMaps, secrets)
          .resolve(serviceEnv);
    } catch (ConfigException | QuantityFormatException e) {
      return new Failed(CONFIG_ERROR, e.getMessage());
    }
  }

  /**
   * The content of a {@code downwardAPI} volume's item: its {@code fieldRef} (the pod's metadata: name,
   * namespace, uid, labels, annotations, one label or annotation) or its {@code resourceFieldRef} (a container's
   * limits and requests, by {@code containerName}).
   *
   * @throws IllegalArgumentException when it names what a volume cannot show
   */
  public static String downwardApiFile(KubeObject pod, JsonNode item, Map<String, String> nodeAllocatable) {
    ContainerEnvironment e = new ContainerEnvironment(pod, Json.object(), "", "", nodeAllocatable,
        name -> Optional.empty(), name -> Optional.empty());
    try {
      if (item.hasNonNull("resourceFieldRef")) {
        return ContainerResources.resourceFieldRef(item.get("resourceFieldRef"), pod, Json.object(), nodeAllocatable);
      }
      String path = item.path("fieldRef").path("fieldPath").asText("");
      if (!path.startsWith("metadata.")) throw new ConfigException("unsupported fieldPath in a volume: " + path);
      return e.fieldRef(item.get("fieldRef"));
    } catch (ConfigException | QuantityFormatException ex) {
      throw new IllegalArgumentException(ex.getMessage());
    }
  }

  private Result resolve(Map<String, String> serviceEnv) {
    Map<String, String> env = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    for (JsonNode source : container.path("envFrom")) {
      addEnvFrom(source, env, warnings);
    }
    Map<String, String> troupe = Map.of(POD_IP, podIp);
    List<Map<String, String>> contexts = List.of(env, troupe, serviceEnv);
    for (JsonNode var : container.path("env")) {
      String name = var.path("name").asText("");
      String value = var.path("value").asText("");
      JsonNode from = var.get("valueFrom");
      if (!value.isEmpty()) {
        env.put(name, expand(value, contexts));
      } else if (from != null && from.isObject()) {
        String resolved = valueFrom(from);
        if (resolved != null) env.put(name, resolved);
      } else {
        env.put(name, "");
      }
    }
    env.putIfAbsent(POD_IP, podIp);
    serviceEnv.forEach(env::putIfAbsent);
    List<Map<String, String>> finalEnv = List.of(env);
    return new Resolved(env, expandAll(container.path("command"), finalEnv),
        expandAll(container.path("args"), finalEnv), warnings);
  }

  private void addEnvFrom(JsonNode source, Map<String, String> env, List<String> warnings) {
    JsonNode ref = source.get("configMapRef");
    if (ref != null && ref.isObject()) {
      addAll("configmap", "configMap", ref, configMap(ref.path("name").asText("")), source, env, warnings);
      return;
    }
    ref = source.get("secretRef");
    if (ref != null && ref.isObject()) {
      addAll("secret", "secret", ref, secret(ref.path("name").asText("")), source, env, warnings);
    }
  }

  /** Every key of a ConfigMap or Secret as a variable, with the source's prefix; invalid names skipped. */
  private void addAll(String kind, String warningKind, JsonNode ref, Optional<Map<String, String>> data,
      JsonNode source, Map<String, String> env, List<String> warnings) {
    String name = ref.path("name").asText("");
    if (data.isEmpty()) {
      if (optional(ref)) return;
      throw new ConfigException(kind + " \"" + name + "\" not found");
    }
    String prefix = source.path("prefix").asText("");
    List<String> invalid = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(data.get()).entrySet()) {
      String key = prefix + e.getKey();
      if (ENV_VAR_NAME.matcher(key).matches()) env.put(key, e.getValue());
      else invalid.add(key);
    }
    if (!invalid.isEmpty()) {
      warnings.add("Keys [" + String.join(", ", invalid) + "] from the EnvFrom " + warningKind + " " + namespace()
          + "/" + name + " were skipped since they are considered invalid environment variable names.");
    }
  }

  /** The value of a {@code valueFrom}, or null when an optional source is missing (the variable is skipped). */
  private String valueFrom(JsonNode from) {
    if (from.hasNonNull("fieldRef")) return fieldRef(from.get("fieldRef"));
    if (from.hasNonNull("resourceFieldRef")) return ContainerResources.resourceFieldRef(
        from.get("resourceFieldRef"), pod, container, nodeAllocatable);
    JsonNode ref = from.get("configMapKeyRef");
    if (ref != null && ref.isObject()) {
      String name = ref.path("name").asText("");
      String key = ref.path("key").asText("");
      Optional<Map<String, String>> data = configMap(name);
      if (data.isEmpty()) {
        if (optional(ref)) return null;
        throw new ConfigException("configmap \"" + name + "\" not found");
      }
      String value = data.get().get(key);
      if (value == null) {
        if (optional(ref)) return null;
        throw new ConfigException("couldn't find key " + key + " in ConfigMap " + namespace() + "/" + name);
      }
      return value;
    }
    JsonNode secret = from.get("secretKeyRef");
    if (secret != null && secret.isObject()) {
      String name = secret.path("name").asText("");
      String key = secret.path("key").asText("");
      Optional<Map<String, String>> data = secret(name);
      if (data.isEmpty()) {
        if (optional(secret)) return null;
        throw new ConfigException("secret \"" + name + "\" not found");
      }
      String value = data.get().get(key);
      if (value == null) {
        if (optional(secret)) return null;
        throw new ConfigException("couldn't find key " + key + " in Secret " + namespace() + "/" + name);
      }
      return value;
    }
    return "";
  }

  private String fieldRef(JsonNode ref) {
    String version = ref.path("apiVersion").asText("v1");
    if (!version.isEmpty() && !version.equals("v1")) throw new ConfigException("unsupported pod version: " + version);
    String path = ref.path("fieldPath").asText("");
    switch (path) {
      case "metadata.name":
        return orEmpty(pod.metadata().name());
      case "metadata.namespace":
        return namespace();
      case "metadata.uid":
        return orEmpty(pod.metadata().uid());
      case "metadata.labels":
        return formatMap(pod.metadata().labels());
      case "metadata.annotations":
        return formatMap(pod.metadata().annotations());
      case "spec.nodeName":
        return orEmpty(Json.text(pod.body(), "spec.nodeName"));
      case "spec.serviceAccountName":
        // The API server's ServiceAccount admission fills "default" in Kubernetes.
        String account = Json.text(pod.body(), "spec.serviceAccountName");
        return account == null || account.isEmpty() ? "default" : account;
      case "status.podIP":
      case "status.podIPs":
        return podIp;
      case "status.hostIP":
      case "status.hostIPs":
        return hostIp;
      default:
        return subscripted(path);
    }
  }

  /** {@code metadata.labels['k']} and {@code metadata.annotations['k']}: the value, empty when absent. */
  private String subscripted(String path) {
    int open = path.indexOf("['");
    if (open > 0 && path.endsWith("']")) {
      String map = path.substring(0, open);
      String key = path.substring(open + 2, path.length() - 2);
      if (map.equals("metadata.labels")) return orEmpty(pod.metadata().labels().get(key));
      if (map.equals("metadata.annotations")) return orEmpty(pod.metadata().annotations().get(key));
      throw new ConfigException("fieldPath \"" + path + "\" does not support subscript");
    }
    throw new ConfigException("unsupported fieldPath: " + path);
  }

  private Optional<Map<String, String>> configMap(String name) {
    return readConfigMaps.computeIfAbsent(name, configMaps);
  }

  private Optional<Map<String, String>> secret(String name) {
    return readSecrets.computeIfAbsent(name, secrets);
  }

  private String namespace() {
    return orEmpty(pod.metadata().namespace());
  }

  private static boolean optional(JsonNode ref) {
    return ref.path("optional").asBoolean(false);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static List<String> expandAll(JsonNode values, List<Map<String, String>> contexts) {
    List<String> out = new ArrayList<>();
    for (JsonNode v : values) out.add(expand(v.asText(), contexts));
    return out;
  }

  /**
   * Kubernetes' {@code $(VAR)} expansion: {@code $(NAME)} is replaced by the first context that defines
   * NAME, or kept as written; {@code $$} is a literal {@code $}; any other {@code $} stays.
   */
  static String expand(String input, List<Map<String, String>> contexts) {
    StringBuilder out = new StringBuilder(input.length());
    int checkpoint = 0;
    for (int cursor = 0; cursor < input.length(); cursor++) {
      if (input.charAt(cursor) != '$' || cursor + 1 >= input.length()) continue;
      out.append(input, checkpoint, cursor);
      char next = input.charAt(cursor + 1);
      int advance = 1;
      if (next == '$') {
        out.append('$');
      } else if (next == '(') {
        int close = input.indexOf(')', cursor + 2);
        if (close < 0) {
          out.append("$(");
        } else {
          out.append(lookup(input.substring(cursor + 2, close), contexts));
          advance = close - cursor;
        }
      } else {
        out.append('$').append(next);
      }
      cursor += advance;
      checkpoint = cursor + 1;
    }
    return out.append(input, checkpoint, input.length()).toString();
  }

  private static String lookup(String name, List<Map<String, String>> contexts) {
    for (Map<String, String> context : contexts) {
      String value = context.get(name);
      if (value != null) return value;
    }
    return "$(" + name + ")";
  }

  /** apimachinery's {@code FormatMap}: sorted {@code key="value"} lines. */
  private static String formatMap(Map<String, String> map) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
      if (out.length() > 0) out.append('\n');
      out.append(e.getKey()).append('=').append(goQuote(e.getValue()));
    }
    return out.toString();
  }

  /** Go's {@code %q} for the usual characters of labels and annotations. */
  private static String goQuote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      int escape = "\"\\\n\t\r".indexOf(c);
      if (escape >= 0) out.append('\\').append("\"\\ntr".charAt(escape));
      else if (c < 0x20 || c == 0x7f) out.append(String.format("\\x%02x", (int) c));
      else out.append(c);
    }
    return out.append('"').toString();
  }

  /** Why the container's configuration cannot be resolved; becomes a {@link Failed}. */
  static final class ConfigException extends RuntimeException {
    ConfigException(String message) {
      super(message, null, false, false);
    }
  }

  /** {@code resourceFieldRef}: a container's limits and requests, as the kubelet's downward API reads them. */
  static final class ContainerResources {
    private static final Quantity ONE = new Quantity(BigDecimal.ONE);

    private ContainerResources() {}

    static String resourceFieldRef(JsonNode ref, KubeObject pod, JsonNode self, Map<String, String> allocatable) {
      String containerName = ref.path("containerName").asText("");
      JsonNode container = containerName.isEmpty() ? self : container(pod, containerName);
      String resource = ref.path("resource").asText("");
      int dot = resource.indexOf('.');
      String kind = dot < 0 ? "" : resource.substring(0, dot);
      String name = dot < 0 ? "" : resource.substring(dot + 1);
      boolean known = name.equals("cpu") || name.equals("memory") || name.equals("ephemeral-storage")
          || name.startsWith("hugepages-");
      if (!known || !(kind.equals("limits") || kind.equals("requests"))) {
        throw new ConfigException("unsupported container resource : " + resource);
      }
      JsonNode limit = container.path("resources").path("limits").get(name);
      JsonNode request = container.path("resources").path("requests").get(name);
      String quantity;
      if (kind.equals("limits")) {
        quantity = limit != null ? limit.asText() : allocatable.getOrDefault(name, "0");
      } else {
        quantity = request != null ? request.asText() : limit != null ? limit.asText() : "0";
      }
      JsonNode divisorNode = ref.get("divisor");
      Quantity divisor = divisorNode == null || divisorNode.isNull() ? ONE : Quantity.parse(divisorNode.asText());
      if (divisor.amount().signum() == 0) divisor = ONE;
      Quantity value = Quantity.parse(quantity);
      // As the kubelet: ceil(value / divisor), cpu in millicores, the rest in whole units.
      long dividend = name.equals("cpu") ? value.milliValue() : value.value();
      long by = name.equals("cpu") ? divisor.milliValue() : divisor.value();
      return BigDecimal.valueOf(dividend).divide(BigDecimal.valueOf(by), 0, RoundingMode.CEILING).toPlainString();
    }

    private static JsonNode container(KubeObject pod, String name) {
      for (String list : List.of("containers", "initContainers")) {
        for (JsonNode c : pod.body().path("spec").path(list)) {
          if (name.equals(c.path("name").asText())) return c;
        }
      }
      throw new ConfigException("container " + name + " not found");
    }
  }
}
