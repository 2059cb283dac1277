package io.troupe.node.image;

import java.util.regex.Pattern;

/**
 * An image reference normalized as Docker and the kubelet do: {@code busybox} is
 * {@code docker.io/library/busybox:latest}, {@code localhost:5000/web:1} stays as it is, a digest
 * ({@code name@sha256:...}) pins the content. The first path component is the registry when it has a dot or a colon
 * or is {@code localhost}; otherwise the image is on Docker Hub.
 *
 * @param domain the registry's host[:port] ({@code docker.io} for Docker Hub)
 * @param path the repository inside it ({@code library/busybox})
 * @param tag the tag; null when only a digest was given
 * @param digest {@code sha256:<hex>}, or null
 */
public record ImageReference(String domain, String path, String tag, String digest) {
  public static final String DOCKER_HUB = "docker.io";
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern DOMAIN = Pattern.compile(
      "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?"
      + "|\\[[0-9a-fA-F:.]+\\](?::[0-9]+)?");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}");

  /** Parses and normalizes {@code reference}; an {@link ImagePullException} {@code InvalidImageName} when it is not one. */
  public static ImageReference parse(String reference) {
    if (reference == null || reference.isBlank() || reference.length() > 4096 || !reference.equals(reference.trim())) {
      throw invalid(reference, "it is empty or has spaces");
    }
    String rest = reference;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      if (!DIGEST.matcher(digest).matches()) throw invalid(reference, "the digest must be sha256:<64 hex digits>");
    }
    String tag = null;
    int slash = rest.lastIndexOf('/');
    int colon = rest.lastIndexOf(':');
    if (colon > slash) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) throw invalid(reference, "the tag \"" + tag + "\" is not valid");
    }
    String domain = DOCKER_HUB;
    String path = rest;
    int first = rest.indexOf('/');
    if (first >= 0) {
      String head = rest.substring(0, first);
      if (head.contains(".") || head.contains(":") || head.equals("localhost") || !head.equals(head.toLowerCase())) {
        domain = head;
        path = rest.substring(first + 1);
      }
    }
    if (!DOMAIN.matcher(domain).matches()) throw invalid(reference, "the registry \"" + domain + "\" is not valid");
    if (domain.equals("index.docker.io") || domain.equals("registry-1.docker.io")) domain = DOCKER_HUB;
    if (domain.equals(DOCKER_HUB) && !path.contains("/")) path = "library/" + path;
    if (path.isEmpty()) throw invalid(reference, "the repository name is empty");
    for (String component : path.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw invalid(reference, "repository name must be lowercase letters, digits and separators");
      }
    }
    if (tag == null && digest == null) tag = "latest";
    return new ImageReference(domain, path, tag, digest);
  }

  private static ImagePullException invalid(String reference, String why) {
    return new ImagePullException("InvalidImageName",
        "Failed to apply default image tag \"" + reference + "\": couldn't parse image name \"" + reference + "\": "
            + why);
  }

  /** {@code docker.io/library/busybox}. */
  public String repository() {
    return domain + "/" + path;
  }

  /** The tag or else the digest: what a registry's manifest URL takes. */
  public String manifestReference() {
    return digest != null ? digest : tag;
  }

  /** The tagged name ({@code repo:tag}) or the digest name ({@code repo@sha256:...}) the index keeps. */
  public String name() {
    return digest != null ? repository() + "@" + digest : repository() + ":" + tag;
  }

  /** The name pinned to the digest of what was pulled: {@code repo@sha256:...}. */
  public String withDigest(String manifestDigest) {
    return repository() + "@" + manifestDigest;
  }

  @Override
  public String toString() {
    return tag != null && digest != null ? repository() + ":" + tag + "@" + digest : name();
  }
}
