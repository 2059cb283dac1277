package io.troupe.persistence.model;

import java.util.List;

/**
 * A kind the API serves: where it lives (group/version, plural path segment), whether it is namespaced, its
 * short names for kubectl, and the subresources it has.
 */
public record ResourceType(
    String group,
    String version,
    String kind,
    String plural,
    boolean namespaced,
    List<String> shortNames,
    boolean hasStatus,
    boolean hasScale) {

  public ResourceType {
    shortNames = List.copyOf(shortNames);
  }

  public String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  public String singular() {
    return kind.toLowerCase(java.util.Locale.ROOT);
  }

  public String listKind() {
    return kind + "List";
  }

  /** The API path prefix of its group-version: {@code /api/v1} or {@code /apis/apps/v1}. */
  public String groupVersionPath() {
    return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
  }
}
