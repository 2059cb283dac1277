package io.troupe.persistence.serviceaccount;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code troupe.api.service-account}: who issues service account tokens, with which key, for which audiences and
 * for how long; and where the cluster CA is that pods get beside their token.
 *
 * @param keyFile the signing key (PEM); created at first start when absent
 * @param apiAudiences what the API accepts as a token's audience (one of them must be in the token's)
 * @param caFile where the cluster CA (PEM) is when there is one; see {@link #ca()}
 */
public record ServiceAccountTokenSettings(String issuer, Path keyFile, List<String> apiAudiences,
    Duration tokenExpiration, Duration maxTokenExpiration, Path caFile, boolean authenticate) {
  /** Kubernetes refuses a TokenRequest for less than ten minutes. */
  public static final Duration MIN_EXPIRATION = Duration.ofMinutes(10);

  public ServiceAccountTokenSettings {
    apiAudiences = List.copyOf(apiAudiences);
    if (tokenExpiration.compareTo(MIN_EXPIRATION) < 0) {
      throw new IllegalArgumentException("troupe.api.service-account.token-expiration must be at least 10m");
    }
    if (maxTokenExpiration.compareTo(tokenExpiration) < 0) {
      throw new IllegalArgumentException("troupe.api.service-account.max-token-expiration must be at least "
          + "token-expiration");
    }
  }

  public static ServiceAccountTokenSettings of(Config config) {
    Config c = config.getConfig("troupe.api.service-account");
    Path dataDir = Path.of(config.hasPath("troupe.data-dir") ? config.getString("troupe.data-dir") : "data")
        .toAbsolutePath().normalize();
    String issuer = c.getString("issuer");
    String keyFile = c.getString("key-file");
    List<String> audiences = c.getStringList("api-audiences");
    String caFile = c.getString("ca-file");
    Path ca = caFile.isBlank() ? dataDir.resolve("pki").resolve("ca.crt") : dataDir.resolve(caFile);
    return new ServiceAccountTokenSettings(issuer,
        keyFile.isBlank() ? dataDir.resolve("pki").resolve("sa.key") : dataDir.resolve(keyFile),
        audiences.isEmpty() ? List.of(issuer) : audiences,
        c.getDuration("token-expiration"), c.getDuration("max-token-expiration"),
        ca, c.getBoolean("authenticate"));
  }

  /** The cluster CA's file, if it exists now (it may be created after this JVM started). */
  public Optional<Path> ca() {
    return java.nio.file.Files.isRegularFile(caFile) ? Optional.of(caFile) : Optional.empty();
  }
}
