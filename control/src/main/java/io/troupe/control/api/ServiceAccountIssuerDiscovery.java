package io.troupe.control.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.serviceaccount.ServiceAccountTokens;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Service account issuer discovery, as kube-apiserver serves it: {@code /.well-known/openid-configuration} (the
 * issuer, {@code jwks_uri} = issuer + {@code /openid/v1/jwks}, RS256) and {@code /openid/v1/jwks} (the public key),
 * so that other systems can check the cluster's tokens themselves.
 */
final class ServiceAccountIssuerDiscovery {
  static final String CONFIGURATION = "/.well-known/openid-configuration";
  static final String KEYS = "/openid/v1/jwks";

  private final ServiceAccountTokens tokens;

  ServiceAccountIssuerDiscovery(ServiceAccountTokens tokens) {
    this.tokens = tokens;
  }

  Optional<HttpResponse> answer(String path) {
    if (path.equals(CONFIGURATION)) {
      String issuer = tokens.settings().issuer();
      ObjectNode o = Json.object();
      o.put("issuer", issuer);
      o.put("jwks_uri", (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + KEYS);
      o.putArray("response_types_supported").add("id_token");
      o.putArray("subject_types_supported").add("public");
      o.putArray("id_token_signing_alg_values_supported").add("RS256");
      return Optional.of(ApiResponses.ok(o));
    }
    if (path.equals(KEYS)) {
      return Optional.of(HttpResponse.create().withEntity(HttpEntities.create(
          ContentTypes.parse("application/jwk-set+json"),
          tokens.publicKeys().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }
    return Optional.empty();
  }
}
