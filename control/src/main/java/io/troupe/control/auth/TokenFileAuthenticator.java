package io.troupe.control.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Bearer tokens from a static file, kube-apiserver's {@code --token-auth-file}: CSV lines
 * {@code token,user,uid,"group1,group2"} (the groups column optional). Read once at start, as Kubernetes does. A token
 * not in the file is not this authenticator's to judge ({@link Authentication.NoCredentials}; the union rejects a
 * token nobody accepts). The CSV is read by hand: four columns with RFC 4180 quoting are a dozen lines, not a
 * library.
 */
public final class TokenFileAuthenticator implements Authenticator {
  private final Map<String, UserInfo> users;

  private TokenFileAuthenticator(Map<String, UserInfo> users) {
    this.users = Map.copyOf(users);
  }

  public static TokenFileAuthenticator read(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the token file " + file, e);
    }
  }

  /** The tokens of a file's text; {@code source} names it in errors. */
  public static TokenFileAuthenticator parse(String text, String source) {
    Map<String, UserInfo> users = new HashMap<>();
    String[] lines = text.split("\r?\n");
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n];
      if (line.isBlank()) continue;
      List<String> fields = csv(line, source, n + 1);
      if (fields.size() < 3) {
        throw new IllegalArgumentException(source + ", line " + (n + 1) + ": token,user,uid[,\"groups\"] expected, "
            + "got " + fields.size() + " field(s)");
      }
      String token = fields.get(0);
      if (token.isEmpty()) throw new IllegalArgumentException(source + ", line " + (n + 1) + ": empty token");
      List<String> groups = fields.size() > 3 && !fields.get(3).isEmpty()
          ? Arrays.stream(fields.get(3).split(",")).map(String::strip).filter(g -> !g.isEmpty()).toList()
          : List.of();
      // a token listed twice: the later line wins (Kubernetes warns and does the same)
      users.put(token, new UserInfo(fields.get(1), fields.get(2), groups));
    }
    return new TokenFileAuthenticator(users);
  }

  /** One CSV record: fields split on commas, a field in double quotes may hold commas and "" for a quote. */
  static List<String> csv(String line, String source, int number) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"' && field.length() == 0) {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) throw new IllegalArgumentException(source + ", line " + number + ": unterminated quoted field");
    fields.add(field.toString());
    return fields;
  }

  @Override
  public Authentication authenticate(HttpRequest request) {
    Optional<String> token = BearerToken.of(request);
    if (token.isEmpty()) return new Authentication.NoCredentials();
    UserInfo user = lookUp(token.get());
    return user == null ? new Authentication.NoCredentials() : new Authentication.Authenticated(user);
  }

  /** The user of a token; compared in constant time so that timing does not tell how much of a guess was right. */
  private UserInfo lookUp(String token) {
    byte[] presented = token.getBytes(StandardCharsets.UTF_8);
    UserInfo found = null;
    for (Map.Entry<String, UserInfo> e : users.entrySet()) {
      if (MessageDigest.isEqual(presented, e.getKey().getBytes(StandardCharsets.UTF_8))) found = e.getValue();
    }
    return found;
  }

  public int size() {
    return users.size();
  }
}
