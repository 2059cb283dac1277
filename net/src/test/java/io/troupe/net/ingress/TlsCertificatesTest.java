package io.troupe.net.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading tls Secrets (PEM certificates, PKCS#1 and PKCS#8 keys) and choosing a certificate by server name. */
class TlsCertificatesTest {
  static TestCertificates.Pair rsa;
  static TestCertificates.Pair ec;

  @BeforeAll
  static void generate() throws Exception {
    Path dir = Files.createTempDirectory("ingress-certs");
    rsa = TestCertificates.generate(dir, "rsa.example.com", "RSA");
    ec = TestCertificates.generate(dir, "ec.example.com", "EC");
  }

  static KubeObject secret(String name, String crt, String key) {
    ObjectNode tree = Json.object().put("apiVersion", "v1").put("kind", "Secret").put("type", "kubernetes.io/tls");
    tree.putObject("metadata").put("name", name).put("namespace", "default").put("resourceVersion", "7");
    ObjectNode data = tree.putObject("data");
    data.put("tls.crt", Base64.getEncoder().encodeToString(crt.getBytes(StandardCharsets.US_ASCII)));
    data.put("tls.key", Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.US_ASCII)));
    return KubeObject.fromTree(tree);
  }

  @Test
  void readsPkcs8AndPkcs1RsaKeysAndPkcs8EcKeys() {
    for (String key : List.of(rsa.keyPem(), rsa.rsaKeyPem())) {
      TlsCertificates.Parsed p = TlsCertificates.parse(secret("rsa", rsa.certificatePem(), key));
      assertNull(p.problem());
      assertEquals(rsa.key(), p.key().key());
      assertEquals("RSA", p.key().keyType());
      assertEquals(rsa.certificate(), p.key().chain()[0]);
      assertEquals("default/rsa@7", p.key().alias());
    }
    TlsCertificates.Parsed p = TlsCertificates.parse(secret("ec", ec.certificatePem(),
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + ec.keyPem()));
    assertNull(p.problem());
    assertEquals(ec.key(), p.key().key());
    assertEquals("EC", p.key().keyType());
  }

  @Test
  void saysWhyASecretIsUnusable() {
    assertTrue(TlsCertificates.parse(secret("k", rsa.certificatePem(), "nothing")).problem()
        .contains("no PEM private key"));
    assertNotNull(TlsCertificates.parse(secret("c", "not a certificate", rsa.keyPem())).problem());
    String encrypted = TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3});
    assertTrue(TlsCertificates.parse(secret("e", rsa.certificatePem(), encrypted)).problem()
        .contains("unsupported key format"));
  }

  @Test
  void choosesByExactHostThenWildcardThenTheEntryWithoutHosts() {
    KubeObject ingress = IngressRoutesTest.ingress("i", null, "{'spec':{'tls':["
        + "{'hosts':['rsa.example.com'],'secretName':'rsa'},"
        + "{'hosts':['*.ec.example.com'],'secretName':'ec'},"
        + "{'secretName':'fallback'}]}}");
    Map<String, KubeObject> secrets = Map.of(
        "Secret/default/rsa", secret("rsa", rsa.certificatePem(), rsa.keyPem()),
        "Secret/default/ec", secret("ec", ec.certificatePem(), ec.keyPem()),
        "Secret/default/fallback", secret("fallback", rsa.certificatePem(), rsa.rsaKeyPem()));
    TlsCertificates certificates = TlsCertificates.of(List.of(ingress), secrets::get, TlsCertificates::parse);
    assertEquals("default/rsa@7", certificates.forHost("RSA.example.com").alias());
    assertEquals("default/ec@7", certificates.forHost("a.ec.example.com").alias());
    assertEquals("default/fallback@7", certificates.forHost("a.b.ec.example.com").alias());
    assertEquals("default/fallback@7", certificates.forHost(null).alias());

    SniKeyManager keys = new SniKeyManager();
    keys.update(certificates);
    assertEquals(2, keys.getServerAliases("RSA", null).length, "the RSA ones");
    assertNotNull(keys.getPrivateKey("default/ec@7"));
    assertNull(keys.getPrivateKey("default/unknown@1"));
  }
}
