package io.troupe.control.api.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets and the open-watch counts, with a clock the test moves. */
class ClientRateLimitsTest {
  private static final long SECOND = 1_000_000_000L;
  private final AtomicLong now = new AtomicLong(42 * SECOND);

  private ClientRateLimits limits(double rate, int burst, int watches) {
    return new ClientRateLimits(new LimitSettings(true, rate, burst, Set.of("system:masters"), watches,
        Duration.ofMinutes(30), Duration.ofSeconds(32)), now::get);
  }

  @Test
  void aClientMaySendItsBurstThenOneRequestPerTokenRefilled() {
    ClientRateLimits limits = limits(2, 4, 1);
    for (int i = 0; i < 4; i++) assertEquals(OptionalLong.empty(), limits.take("user:alice"), "request " + i);
    // no token left: the next comes in half a second, rounded up to the whole second Retry-After speaks in
    assertEquals(OptionalLong.of(1), limits.take("user:alice"));
    now.addAndGet(SECOND / 2);
    assertEquals(OptionalLong.empty(), limits.take("user:alice"));
    assertTrue(limits.take("user:alice").isPresent());
    // a quiet client saves up at most its burst
    now.addAndGet(3600 * SECOND);
    for (int i = 0; i < 4; i++) assertEquals(OptionalLong.empty(), limits.take("user:alice"));
    assertTrue(limits.take("user:alice").isPresent());
  }

  @Test
  void clientsHaveBucketsOfTheirOwn() {
    ClientRateLimits limits = limits(1, 1, 1);
    assertEquals(OptionalLong.empty(), limits.take("user:alice"));
    assertTrue(limits.take("user:alice").isPresent());
    assertEquals(OptionalLong.empty(), limits.take("user:bob"));
    assertEquals(OptionalLong.empty(), limits.take("address:127.0.0.1"));
  }

  @Test
  void retryAfterIsTheWholeSecondsUntilTheNextToken() {
    ClientRateLimits limits = limits(0.1, 1, 1);
    assertEquals(OptionalLong.empty(), limits.take("c"));
    assertEquals(OptionalLong.of(10), limits.take("c"));
    now.addAndGet(4 * SECOND);
    assertEquals(OptionalLong.of(6), limits.take("c"));
  }

  @Test
  void openWatchesAreBoundedPerClientAndFreedAsTheyClose() {
    ClientRateLimits limits = limits(1, 1, 2);
    assertTrue(limits.openWatch("a"));
    assertTrue(limits.openWatch("a"));
    assertFalse(limits.openWatch("a"));
    assertTrue(limits.openWatch("b"));
    assertEquals(2, limits.openWatches("a"));
    limits.closeWatch("a");
    assertTrue(limits.openWatch("a"));
    limits.closeWatch("a");
    limits.closeWatch("a");
    limits.closeWatch("a");
    assertEquals(0, limits.openWatches("a"));
  }

  @Test
  void settingsComeFromReferenceConf() {
    LimitSettings settings = LimitSettings.from(ConfigFactory.load());
    assertTrue(settings.enabled());
    assertEquals(100, settings.rate());
    assertEquals(200, settings.burst());
    assertEquals(Set.of("system:masters"), settings.exemptGroups());
    assertEquals(200, settings.maxWatchesPerClient());
    assertEquals(Duration.ofMinutes(30), settings.watchMinTimeout());
    assertEquals(Duration.ofSeconds(32), settings.idleConnectionTimeout());
  }
}
