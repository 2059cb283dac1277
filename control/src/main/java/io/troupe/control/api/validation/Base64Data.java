package io.troupe.control.api.validation;

import java.nio.charset.StandardCharsets;

/**
 * The base64 text of a Secret's data values, read as Go's {@code base64.StdEncoding} (which Kubernetes decodes
 * them with) reads it: the standard alphabet, '=' padding required, CR and LF ignored. Where it fails is reported
 * the way Go reports it, {@code illegal base64 data at input byte N}, so that the error never has to show the
 * value itself.
 */
final class Base64Data {
  private Base64Data() {
  }

  /** The byte offset at which Go's decoder gives up on {@code text}, or -1 when it decodes. */
  static int corruptAt(String text) {
    byte[] src = text.getBytes(StandardCharsets.UTF_8);
    int n = src.length;
    int si = 0;
    while (true) {
      for (int j = 0; j < 4; j++) {
        if (si == n) {
          // a quantum cut short: fine only at a quantum boundary, as padding is required
          return j == 0 ? -1 : si - j;
        }
        byte in = src[si++];
        if (isAlphabet(in)) {
          continue;
        }
        if (in == '\n' || in == '\r') {
          j--;
          continue;
        }
        if (in != '=') {
          return si - 1;
        }
        return afterPadding(src, si, j);
      }
    }
  }

  /** Go's decodeQuantum once it met '=' as the {@code j}th character of a quantum. */
  private static int afterPadding(byte[] src, int si, int j) {
    int n = src.length;
    if (j < 2) {
      return si - 1;
    }
    if (j == 2) {
      // "==" is expected; the first '=' is consumed
      si = skipNewlines(src, si);
      if (si == n) {
        return n;
      }
      if (src[si] != '=') {
        return si - 1;
      }
      si++;
    }
    si = skipNewlines(src, si);
    return si < n ? si : -1;
  }

  /** The number of bytes that valid base64 text decodes to. */
  static long decodedLength(String text) {
    long symbols = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80 && isAlphabet((byte) c)) {
        symbols++;
      }
    }
    return symbols * 3 / 4;
  }

  private static int skipNewlines(byte[] src, int si) {
    while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
      si++;
    }
    return si;
  }

  private static boolean isAlphabet(byte b) {
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/';
  }
}
