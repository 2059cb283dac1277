package io.troupe.persistence.serviceaccount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tokens signed and checked without an ActorSystem: claims as Kubernetes writes them, and every way to be invalid. */
class ServiceAccountTokensTest {
  private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
  private static final ServiceAccountSigningKey KEY = ServiceAccountSigningKey.read(ServiceAccountSigningKey.generatePem());
  private static final ServiceAccountTokens TOKENS = new ServiceAccountTokens(settings("https://issuer.test"), KEY);
  private static final ServiceAccountTokens.Subject WEB = new ServiceAccountTokens.Subject("dev", "web", "sa-uid",
      Optional.of(new ServiceAccountTokens.BoundObject("Pod", "web-1", "pod-uid")), Optional.of("node-a"));

  private static ServiceAccountTokenSettings settings(String issuer) {
    return new ServiceAccountTokenSettings(issuer, Path.of("unused"), List.of(issuer, "api"), Duration.ofHours(1),
        Duration.ofHours(24), Path.of("no-ca"), true);
  }

  @Test
  void aTokenCarriesKubernetesClaimsAndVerifies() throws Exception {
    var issued = TOKENS.issue(WEB, List.of(), NOW, Duration.ofHours(1));
    assertEquals(NOW.plusSeconds(3600), issued.expiresAt());
    SignedJWT jwt = SignedJWT.parse(issued.token());
    assertEquals("RS256", jwt.getHeader().getAlgorithm().getName());
    assertEquals(KEY.keyId(), jwt.getHeader().getKeyID());
    var claims = jwt.getJWTClaimsSet();
    assertEquals("system:serviceaccount:dev:web", claims.getSubject());
    assertEquals(List.of("https://issuer.test", "api"), claims.getAudience());
    Map<String, Object> k8s = claims.getJSONObjectClaim("kubernetes.io");
    assertEquals("dev", k8s.get("namespace"));
    assertEquals(Map.of("name", "web", "uid", "sa-uid"), k8s.get("serviceaccount"));
    assertEquals(Map.of("name", "web-1", "uid", "pod-uid"), k8s.get("pod"));
    assertEquals(Map.of("name", "node-a"), k8s.get("node"));
    var verified = assertInstanceOf(ServiceAccountTokens.Verification.Valid.class,
        TOKENS.verify(issued.token(), NOW.plusSeconds(10)));
    assertEquals(WEB, verified.claims().subject());
  }

  @Test
  void expiredWrongAudienceForgedAndForeignTokens() {
    String token = TOKENS.issue(WEB, List.of(), NOW, Duration.ofMinutes(10)).token();
    assertInstanceOf(ServiceAccountTokens.Verification.Invalid.class, TOKENS.verify(token, NOW.plusSeconds(600)));
    String vault = TOKENS.issue(WEB, List.of("vault"), NOW, Duration.ofMinutes(10)).token();
    var wrongAudience = assertInstanceOf(ServiceAccountTokens.Verification.Invalid.class, TOKENS.verify(vault, NOW));
    assertTrue(wrongAudience.reason().contains("audiences"), wrongAudience.reason());
    ServiceAccountTokens other = new ServiceAccountTokens(settings("https://issuer.test"),
        ServiceAccountSigningKey.read(ServiceAccountSigningKey.generatePem()));
    String forged = other.issue(WEB, List.of(), NOW, Duration.ofHours(1)).token();
    assertEquals(new ServiceAccountTokens.Verification.Invalid("invalid signature"), TOKENS.verify(forged, NOW));
    ServiceAccountTokens foreign = new ServiceAccountTokens(settings("https://elsewhere"), KEY);
    assertInstanceOf(ServiceAccountTokens.Verification.NotOurs.class,
        TOKENS.verify(foreign.issue(WEB, List.of(), NOW, Duration.ofHours(1)).token(), NOW));
    assertInstanceOf(ServiceAccountTokens.Verification.NotOurs.class, TOKENS.verify("static-token-abc", NOW));
  }

  @Test
  void theKeyIsMadeOnceAndReadBackAlsoAsPkcs1() throws Exception {
    Path dir = Files.createTempDirectory("sa-key");
    Path file = dir.resolve("pki/sa.key");
    ServiceAccountSigningKey made = ServiceAccountSigningKey.loadOrCreate(file);
    assertEquals(made, ServiceAccountSigningKey.loadOrCreate(file));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(file)));
    // the same key as "RSA PRIVATE KEY": the PKCS#1 structure inside the PKCS#8 one, as openssl writes it
    byte[] pkcs8 = made.privateKey().getEncoded();
    byte[] pkcs1 = java.util.Arrays.copyOfRange(pkcs8, pkcs8.length - pkcs1Length(pkcs8), pkcs8.length);
    assertArrayEquals(pkcs8, ServiceAccountSigningKey.pkcs1ToPkcs8(pkcs1));
    String pem = "-----BEGIN RSA PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(pkcs1)
        + "\n-----END RSA PRIVATE KEY-----\n";
    assertEquals(made, ServiceAccountSigningKey.read(pem));
  }

  /** The length of the OCTET STRING's content at the end of a PKCS#8 RSA key (a 2048-bit key: 0x82 form). */
  private static int pkcs1Length(byte[] pkcs8) {
    for (int i = 0; i < pkcs8.length - 4; i++) {
      if (pkcs8[i] == 0x04 && pkcs8[i + 1] == (byte) 0x82) {
        int n = ((pkcs8[i + 2] & 0xff) << 8) | (pkcs8[i + 3] & 0xff);
        if (i + 4 + n == pkcs8.length) return n;
      }
    }
    throw new AssertionError("no key octets");
  }
}
