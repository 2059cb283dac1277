package io.troupe.control.controller.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code pod-template-hash} of a Deployment's pod template: the suffix of its ReplicaSet's name and the label
 * that keeps the pods of two templates apart. Kubernetes hashes the template with FNV-32a and renders the decimal
 * value in its safe-encoding alphabet; here the hashed text is the template's canonical JSON (object keys sorted),
 * so the same template always gives the same name, whatever order its fields arrived in.
 */
public final class PodTemplateHash {
  static final String LABEL = "pod-template-hash";

  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
  private static final int FNV_OFFSET = 0x811c9dc5;
  private static final int FNV_PRIME = 0x01000193;

  private PodTemplateHash() {}

  /**
   * controller.ComputeHash: a non-null {@code collisionCount} is hashed too (4 bytes, little endian), which is
   * how a Deployment escapes a name already taken by a ReplicaSet with another template.
   */
  public static String of(JsonNode template, Integer collisionCount) {
    int hash = FNV_OFFSET;
    for (byte b : canonical(template).getBytes(StandardCharsets.UTF_8)) {
      hash = (hash ^ (b & 0xff)) * FNV_PRIME;
    }
    if (collisionCount != null) {
      for (int i = 0; i < 4; i++) hash = (hash ^ ((collisionCount >>> (8 * i)) & 0xff)) * FNV_PRIME;
    }
    return safeEncode(Long.toString(Integer.toUnsignedLong(hash)));
  }

  /** rand.SafeEncodeString: each character mapped into the alphabet by its code modulo 27. */
  static String safeEncode(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) out.append(ALPHANUMS.charAt(text.charAt(i) % ALPHANUMS.length()));
    return out.toString();
  }

  /**
   * deploymentutil.EqualIgnoreHash: two templates are the same once the hash label is left out. Compared in
   * canonical form, so that numbers read back from the store as another node type still compare equal.
   */
  static boolean equalIgnoringHash(JsonNode a, JsonNode b) {
    return canonical(withoutHashLabel(a)).equals(canonical(withoutHashLabel(b)));
  }

  /** The template with {@code pod-template-hash: hash} added to its labels (a new ReplicaSet's template). */
  static ObjectNode withHashLabel(JsonNode template, String hash) {
    ObjectNode copy = template != null && template.isObject() ? ((ObjectNode) template).deepCopy() : Json.object();
    ObjectNode meta = copy.get("metadata") instanceof ObjectNode m ? m : copy.putObject("metadata");
    ObjectNode labels = meta.get("labels") instanceof ObjectNode l ? l : meta.putObject("labels");
    labels.put(LABEL, hash);
    return copy;
  }

  /** The JSON text of {@code node} with every object's keys in sorted order. */
  static String canonical(JsonNode node) {
    return Json.write(sorted(node));
  }

  private static JsonNode withoutHashLabel(JsonNode template) {
    if (template == null || !template.isObject()) return template;
    ObjectNode copy = ((ObjectNode) template).deepCopy();
    if (copy.get("metadata") instanceof ObjectNode meta && meta.get("labels") instanceof ObjectNode labels) {
      labels.remove(LABEL);
      if (labels.isEmpty()) meta.remove("labels");
    }
    return copy;
  }

  private static JsonNode sorted(JsonNode node) {
    if (node == null) return Json.object().nullNode();
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode out = Json.object();
      for (String name : names) out.set(name, sorted(node.get(name)));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = Json.MAPPER.createArrayNode();
      for (JsonNode item : node) out.add(sorted(item));
      return out;
    }
    return node;
  }
}
