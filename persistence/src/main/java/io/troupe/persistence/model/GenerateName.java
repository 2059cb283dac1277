package io.troupe.persistence.model;

import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * What Kubernetes makes of {@code metadata.generateName} (its SimpleNameGenerator): the prefix, cut to 58
 * characters, and 5 random characters from an alphabet without vowels or look-alikes, so suffixes never spell
 * words and a name stays within 63 characters.
 */
public final class GenerateName {
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final int MAX_PREFIX = 58;
  private static final int SUFFIX_LENGTH = 5;

  private GenerateName() {}

  public static String from(String prefix, RandomGenerator random) {
    StringBuilder name = new StringBuilder(prefix.length() > MAX_PREFIX ? prefix.substring(0, MAX_PREFIX) : prefix);
    for (int i = 0; i < SUFFIX_LENGTH; i++) name.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    return name.toString();
  }

  /** A generated name not in {@code taken}, which it joins. */
  public static String unique(String prefix, Set<String> taken, RandomGenerator random) {
    while (true) {
      String name = from(prefix, random);
      if (taken.add(name)) return name;
    }
  }
}
