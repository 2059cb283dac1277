package io.troupe.persistence.serviceaccount;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.Config;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Issues and checks service account tokens as kube-apiserver does: RS256 JWTs with {@code iss}, {@code sub}
 * ({@code system:serviceaccount:<ns>:<name>}), {@code aud}, {@code exp}, {@code nbf}, {@code iat}, {@code jti}
 * and the private claim {@code kubernetes.io} ({@code namespace}, {@code serviceaccount} name and uid, and, for a
 * token bound to a pod, {@code pod} name and uid and {@code node} name). Thread-safe; signing and checking use only
 * the key in memory. Whether the service account and pod named in a token still exist is the caller's check.
 */
public final class ServiceAccountTokens {
  /** How far a token's {@code nbf} may be ahead of this clock (clocks of a cluster's JVMs drift a little). */
  static final Duration LEEWAY = Duration.ofSeconds(60);

  private final ServiceAccountTokenSettings settings;
  private final ServiceAccountSigningKey key;
  private final RSASSASigner signer;
  private final RSASSAVerifier verifier;

  public ServiceAccountTokens(ServiceAccountTokenSettings settings, ServiceAccountSigningKey key) {
    this.settings = settings;
    this.key = key;
    this.signer = new RSASSASigner(key.privateKey());
    this.verifier = new RSASSAVerifier(key.publicKey());
  }

  /** From {@code troupe.api.service-account}, the key read from its file (made there at first start). */
  public static ServiceAccountTokens fromConfig(Config config) {
    ServiceAccountTokenSettings settings = ServiceAccountTokenSettings.of(config);
    return new ServiceAccountTokens(settings, ServiceAccountSigningKey.loadOrCreate(settings.keyFile()));
  }

  public ServiceAccountTokenSettings settings() {
    return settings;
  }

  /**
   * The public key as a JSON Web Key Set ({@code /openid/v1/jwks}): what another party needs to check these tokens
   * itself, as kube-apiserver publishes it.
   */
  public String publicKeys() {
    RSAKey jwk = new RSAKey.Builder(key.publicKey()).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
        .keyID(key.keyId()).build();
    return new JWKSet(jwk).toString(true);
  }

  /** An object a token is bound to (a Pod): the token is valid only while it exists with this uid. */
  public record BoundObject(String kind, String name, String uid) {}

  /** What a token is for: a service account, the audiences, and optionally the pod it is bound to (and its node). */
  public record Subject(String namespace, String serviceAccountName, String serviceAccountUid,
      Optional<BoundObject> pod, Optional<String> nodeName) {
    public String userName() {
      return userName(namespace, serviceAccountName);
    }

    /** {@code system:serviceaccount:<ns>:<name>}. */
    public static String userName(String namespace, String name) {
      return "system:serviceaccount:" + namespace + ":" + name;
    }
  }

  /** A signed token and its lifetime. */
  public record Issued(String token, Instant issuedAt, Instant expiresAt) {}

  /** A token's claims once its signature, issuer, audience and times are checked. */
  public record Claims(Subject subject, List<String> audiences, Instant expiresAt) {}

  /** What a bearer token is to this issuer. */
  public sealed interface Verification {
    /** Not a JWT, or not one this issuer made: other authenticators may know it. */
    record NotOurs() implements Verification {}

    /** Ours by its issuer, but not valid (forged, expired, for another audience). */
    record Invalid(String reason) implements Verification {}

    record Valid(Claims claims) implements Verification {}
  }

  /**
   * A token for {@code subject} and {@code audiences}, valid from {@code now} for {@code expiration}. The caller
   * bounds the expiration ({@link ServiceAccountTokenSettings#maxTokenExpiration}).
   */
  public Issued issue(Subject subject, List<String> audiences, Instant now, Duration expiration) {
    Instant issuedAt = Instant.ofEpochSecond(now.getEpochSecond());
    Instant expiresAt = issuedAt.plus(expiration);
    Map<String, Object> kubernetes = new LinkedHashMap<>();
    kubernetes.put("namespace", subject.namespace());
    subject.nodeName().ifPresent(node -> kubernetes.put("node", Map.of("name", node)));
    subject.pod().ifPresent(pod -> kubernetes.put("pod", Map.of("name", pod.name(), "uid", pod.uid())));
    kubernetes.put("serviceaccount", Map.of("name", subject.serviceAccountName(), "uid",
        subject.serviceAccountUid()));
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(settings.issuer())
        .subject(subject.userName())
        .audience(audiences.isEmpty() ? settings.apiAudiences() : audiences)
        .issueTime(Date.from(issuedAt))
        .notBeforeTime(Date.from(issuedAt))
        .expirationTime(Date.from(expiresAt))
        .jwtID(UUID.randomUUID().toString())
        .claim("kubernetes.io", kubernetes)
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.keyId()).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a service account token: " + e.getMessage(), e);
    }
    return new Issued(jwt.serialize(), issuedAt, expiresAt);
  }

  /** Checks a bearer token as of {@code now}: issuer, signature, times, and that it is for one of the API's audiences. */
  public Verification verify(String token, Instant now) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return new Verification.NotOurs();
    }
    if (!settings.issuer().equals(claims.getIssuer())) return new Verification.NotOurs();
    try {
      if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return new Verification.Invalid("invalid signature");
      }
    } catch (JOSEException e) {
      return new Verification.Invalid("invalid signature: " + e.getMessage());
    }
    Date exp = claims.getExpirationTime();
    if (exp == null || !now.isBefore(exp.toInstant())) return new Verification.Invalid("token has expired");
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && now.plus(LEEWAY).isBefore(nbf.toInstant())) {
      return new Verification.Invalid("token is not valid yet");
    }
    List<String> audiences = claims.getAudience();
    if (audiences.stream().noneMatch(settings.apiAudiences()::contains)) {
      return new Verification.Invalid("token audiences " + audiences + " is invalid for the target audiences "
          + settings.apiAudiences());
    }
    try {
      return subject(claims).<Verification>map(s -> new Verification.Valid(new Claims(s, audiences, exp.toInstant())))
          .orElse(new Verification.Invalid("token lacks the kubernetes.io claims"));
    } catch (ParseException | ClassCastException e) {
      return new Verification.Invalid("malformed kubernetes.io claims");
    }
  }

  private static Optional<Subject> subject(JWTClaimsSet claims) throws ParseException {
    Map<String, Object> k8s = claims.getJSONObjectClaim("kubernetes.io");
    if (k8s == null || !(k8s.get("namespace") instanceof String namespace)
        || !(k8s.get("serviceaccount") instanceof Map<?, ?> sa)
        || !(sa.get("name") instanceof String name) || !(sa.get("uid") instanceof String uid)) {
      return Optional.empty();
    }
    if (!Subject.userName(namespace, name).equals(claims.getSubject())) return Optional.empty();
    Optional<BoundObject> pod = Optional.empty();
    if (k8s.get("pod") instanceof Map<?, ?> p) {
      if (!(p.get("name") instanceof String podName) || !(p.get("uid") instanceof String podUid)) {
        return Optional.empty();
      }
      pod = Optional.of(new BoundObject("Pod", podName, podUid));
    }
    Optional<String> node = k8s.get("node") instanceof Map<?, ?> n && n.get("name") instanceof String nodeName
        ? Optional.of(nodeName) : Optional.empty();
    return Optional.of(new Subject(namespace, name, uid, pod, node));
  }
}
