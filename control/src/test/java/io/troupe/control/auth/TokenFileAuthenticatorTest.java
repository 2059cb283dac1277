package io.troupe.control.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

/** The token file's CSV (kube-apiserver's --token-auth-file) and the union's verdicts, without a server. */
class TokenFileAuthenticatorTest {
  static final String FILE = String.join("\n",
      "t-alice,alice,uid-1,\"dev,ops\"",
      "t-bob,bob,uid-2",
      "",
      "\"t,quoted\",carol,uid-3,\"a \"\"b\"\"\"",
      "t-dave,dave,uid-4,");

  static HttpRequest bearer(String token) {
    return HttpRequest.GET("/api").addHeader(RawHeader.create("Authorization", "Bearer " + token));
  }

  static UserInfo user(Authentication a) {
    return assertInstanceOf(Authentication.Authenticated.class, a).user();
  }

  @Test
  void readsEveryColumnAsKubernetesDoes() {
    TokenFileAuthenticator tokens = TokenFileAuthenticator.parse(FILE, "tokens.csv");
    assertEquals(4, tokens.size());
    assertEquals(new UserInfo("alice", "uid-1", List.of("dev", "ops")), user(tokens.authenticate(bearer("t-alice"))));
    assertEquals(new UserInfo("bob", "uid-2", List.of()), user(tokens.authenticate(bearer("t-bob"))));
    assertEquals(new UserInfo("carol", "uid-3", List.of("a \"b\"")), user(tokens.authenticate(bearer("t,quoted"))));
    assertEquals(new UserInfo("dave", "uid-4", List.of()), user(tokens.authenticate(bearer("t-dave"))));
    assertInstanceOf(Authentication.NoCredentials.class, tokens.authenticate(bearer("t-nobody")));
    assertInstanceOf(Authentication.NoCredentials.class, tokens.authenticate(HttpRequest.GET("/api")));
  }

  @Test
  void refusesLinesWithoutUserAndUid() {
    var e = assertThrows(IllegalArgumentException.class, () -> TokenFileAuthenticator.parse("t1,alice", "f.csv"));
    assertTrue(e.getMessage().contains("f.csv, line 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TokenFileAuthenticator.parse("\"t1,alice,u", "f.csv"));
  }

  @Test
  void unionRejectsATokenNobodyAcceptsAndAddsTheAuthenticatedGroup() {
    var union = new UnionAuthenticator(List.of(TokenFileAuthenticator.parse(FILE, "tokens.csv")));
    assertEquals(new UserInfo("bob", "uid-2", List.of(UserInfo.AUTHENTICATED)),
        user(union.authenticate(bearer("t-bob"))));
    assertInstanceOf(Authentication.Rejected.class, union.authenticate(bearer("t-nobody")));
    assertInstanceOf(Authentication.Rejected.class, union.authenticate(bearer("")));
    assertInstanceOf(Authentication.NoCredentials.class, union.authenticate(HttpRequest.GET("/api")));
    // another scheme is not a bearer token: no credentials this server reads
    assertInstanceOf(Authentication.NoCredentials.class, union.authenticate(
        HttpRequest.GET("/api").addHeader(RawHeader.create("Authorization", "Basic YTpi"))));
  }

  @Test
  void anyAuthenticatorThatAcceptsWins() {
    Authenticator refuses = request -> new Authentication.Rejected("no");
    var union = new UnionAuthenticator(List.of(refuses, TokenFileAuthenticator.parse(FILE, "tokens.csv")));
    assertEquals("alice", user(union.authenticate(bearer("t-alice"))).name());
  }
}
