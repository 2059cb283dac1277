package io.troupe.cli.client;

import io.troupe.persistence.model.ResourceType;
import io.troupe.persistence.model.ResourceTypes;
import java.util.Locale;

/**
 * A kind as a user names it: plural, singular, Kind or short name ({@code pods}, {@code pod}, {@code Pod},
 * {@code po}), optionally with its group ({@code deployments.apps}). The CLI ships in the same jar as the server,
 * so it knows the same kinds ({@link ResourceTypes}) without asking discovery.
 */
public final class Kinds {
  private Kinds() {}

  public static ResourceType resolve(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    String group = null;
    int dot = lower.indexOf('.');
    if (dot > 0) {
      group = lower.substring(dot + 1);
      lower = lower.substring(0, dot);
    }
    for (ResourceType t : ResourceTypes.ALL) {
      if (group != null && !t.group().equals(group)) continue;
      if (t.plural().equals(lower) || t.kind().toLowerCase(Locale.ROOT).equals(lower) || t.shortNames().contains(lower)) {
        return t;
      }
    }
    throw new CliException("error: the server doesn't have a resource type \"" + name + "\"");
  }

  /** The type of a manifest's apiVersion and kind. */
  public static ResourceType ofManifest(String apiVersion, String kind) {
    for (ResourceType t : ResourceTypes.ALL) {
      if (t.kind().equals(kind) && t.apiVersion().equals(apiVersion)) return t;
    }
    throw new CliException("error: resource mapping not found for name: kind \"" + kind + "\" in version \""
        + apiVersion + "\": ensure CRDs are installed first");
  }

  /** How kubectl names a type in its messages: {@code pod}, {@code deployment.apps}. */
  public static String display(ResourceType t) {
    String kind = t.kind().toLowerCase(Locale.ROOT);
    return t.group().isEmpty() ? kind : kind + "." + t.group();
  }

  /** The API path of a type's collection (in {@code namespace}, or across all when null) or of one object. */
  public static String path(ResourceType t, String namespace, String name) {
    StringBuilder p = new StringBuilder(t.group().isEmpty() ? "/api/v1" : "/apis/" + t.group() + "/" + t.version());
    if (t.namespaced() && namespace != null) p.append("/namespaces/").append(namespace);
    p.append('/').append(t.plural());
    if (name != null) p.append('/').append(name);
    return p.toString();
  }
}
