package io.troupe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The soak harness end to end, small: 5 ConfigMaps, 2 writers, 40 s, a restart at 20 s and at the end, against a
 * real {@code troupe server} JVM. It takes about 90 s with the server's starts, so it is opt-in:
 * {@code mvn -pl bench test -Dtest=SoakSmokeTest -Dtroupe.soak.smoke=true}.
 */
@EnabledIfSystemProperty(named = "troupe.soak.smoke", matches = "true")
class SoakSmokeTest {
  @Test
  void producesEveryOutputAndEveryConfigMapSurvivesTheRestarts() throws Exception {
    Path out = Path.of("target", "soak-smoke");
    SoakSettings settings = SoakSettings.of(Map.of("seconds", "40", "objects", "5", "writers", "2",
        "sample-seconds", "5", "list-repeats", "3", "restart-seconds", "20", "max-events-per-object", "5",
        "min-age", "5s", "compaction-interval", "5s", "out", out.toString()));

    Soak.Outcome outcome = Soak.run(settings);

    assertEquals(0, outcome.mismatches(), "ConfigMaps not at their acknowledged value after a restart");
    assertEquals(2, outcome.restarts().size(), "one restart at 20 s and one at the end");
    assertTrue(outcome.writes() > 0, "no write was acknowledged");
    assertTrue(outcome.samples().size() >= 3, "samples: " + outcome.samples());
    for (String file : new String[] {"samples.csv", "soak.json", "soak.md", "journal.png", "latency.png",
        "restarts.png"}) {
      assertTrue(Files.size(out.resolve(file)) > 0, file);
    }
  }
}
