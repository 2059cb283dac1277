package io.troupe.cli.image;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.cli.client.ApiError;
import io.troupe.cli.client.CliException;
import io.troupe.cli.client.KubeClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Which nodes a {@code troupe image} command acts on, and the paths of their images through the API. */
final class NodeImages {
  private NodeImages() {}

  /** {@code node} when given (it must exist), else every Ready node; at least one. */
  static List<String> nodes(KubeClient client, String node) {
    if (node != null) {
      try {
        client.get("/api/v1/nodes/" + encode(node));
      } catch (ApiError e) {
        if (e.notFound()) throw new CliException("Error from server (NotFound): nodes \"" + node + "\" not found");
        throw e;
      }
      return List.of(node);
    }
    List<String> ready = new ArrayList<>();
    for (JsonNode n : client.get("/api/v1/nodes").path("items")) {
      for (JsonNode c : n.path("status").path("conditions")) {
        if ("Ready".equals(c.path("type").asText()) && "True".equals(c.path("status").asText())) {
          ready.add(n.path("metadata").path("name").asText());
        }
      }
    }
    if (ready.isEmpty()) throw new CliException("error: no node is Ready (name one with --node)");
    ready.sort(null);
    return ready;
  }

  static String path(String node, String rest) {
    return "/api/v1/nodes/" + encode(node) + "/proxy/images" + rest;
  }

  /** An image reference in a path: its slashes stay (the kubelet reads the rest of the path), the rest encoded. */
  static String referencePath(String reference) {
    List<String> parts = new ArrayList<>();
    for (String p : reference.split("/", -1)) parts.add(encode(p).replace("%3A", ":").replace("%40", "@"));
    return String.join("/", parts);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code sha256:0123456789abcdef...} as crictl shows it: the first 13 hex digits. */
  static String shortId(String id) {
    String hex = id.startsWith("sha256:") ? id.substring(7) : id;
    return hex.substring(0, Math.min(13, hex.length()));
  }

  /** Sizes in decimal units with three significant digits, as crictl prints them ({@code 1.98MB}). */
  static String size(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    String number = String.format(Locale.ROOT, "%.3g", v);
    if (number.contains(".")) number = number.replaceAll("0+$", "").replaceAll("\\.$", "");
    return number + units[u];
  }
}
