package io.troupe.control.api.table;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** STATUS, READY and RESTARTS of a pod and ages as kubectl computes them, table-driven. */
class PodStatusTextTest {
  static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

  static JsonNode pod(String json) {
    try {
      return Json.MAPPER.readTree(json.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "Pending, unscheduled | 0/1 | Pending | 0 | {'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Pending'}}",
      "ContainerCreating | 0/1 | ContainerCreating | 0 | {'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Pending',"
          + "'containerStatuses':[{'name':'a','ready':false,'restartCount':0,'state':{'waiting':{'reason':'ContainerCreating'}}}]}}",
      "Running | 1/1 | Running | 0 | {'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Running',"
          + "'containerStatuses':[{'name':'a','ready':true,'restartCount':0,'state':{'running':{}}}]}}",
      "one of two ready | 1/2 | Running | 0 | {'spec':{'containers':[{'name':'a'},{'name':'b'}]},'status':{'phase':'Running',"
          + "'containerStatuses':[{'name':'a','ready':true,'state':{'running':{}}},{'name':'b','ready':false,'state':{'running':{}}}]}}",
      "CrashLoopBackOff | 0/1 | CrashLoopBackOff | 4 (60s ago) | {'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Running',"
          + "'containerStatuses':[{'name':'a','ready':false,'restartCount':4,'state':{'waiting':{'reason':'CrashLoopBackOff'}},"
          + "'lastState':{'terminated':{'exitCode':1,'reason':'Error','finishedAt':'2026-12-05T11:59:00Z'}}}]}}",
      "Completed | 0/1 | Completed | 0 | {'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Succeeded',"
          + "'containerStatuses':[{'name':'a','ready':false,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}}",
      "ExitCode without reason | 0/1 | ExitCode:3 | 0 | {'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Failed',"
          + "'containerStatuses':[{'name':'a','ready':false,'state':{'terminated':{'exitCode':3}}}]}}",
      "Terminating | 1/1 | Terminating | 0 | {'metadata':{'deletionTimestamp':'2026-12-05T11:59:59Z'},'spec':{'containers':[{'name':'a'}]},"
          + "'status':{'phase':'Running','containerStatuses':[{'name':'a','ready':true,'state':{'running':{}}}]}}",
      "Init:0/1 | 0/1 | Init:0/1 | 0 | {'spec':{'initContainers':[{'name':'i'}],'containers':[{'name':'a'}]},'status':{'phase':'Pending',"
          + "'initContainerStatuses':[{'name':'i','ready':false,'state':{'running':{}}}],"
          + "'containerStatuses':[{'name':'a','ready':false,'state':{'waiting':{'reason':'PodInitializing'}}}]}}",
      "Init:Error | 0/1 | Init:Error | 2 | {'spec':{'initContainers':[{'name':'i'}],'containers':[{'name':'a'}]},'status':{'phase':'Pending',"
          + "'initContainerStatuses':[{'name':'i','ready':false,'restartCount':2,'state':{'terminated':{'exitCode':1,'reason':'Error'}}}]}}",
      "ImagePullBackOff | 0/1 | ImagePullBackOff | 0 | {'spec':{'containers':[{'name':'a'}]},'status':{'phase':'Pending',"
          + "'containerStatuses':[{'name':'a','ready':false,'state':{'waiting':{'reason':'ImagePullBackOff'}}}]}}"})
  void podStatus(String title, String ready, String status, String restarts, String json) {
    JsonNode pod = pod(json);
    PodPrinter.Summary s = PodPrinter.summary(pod, NOW);
    assertEquals(ready, s.ready() + "/" + s.total(), title);
    assertEquals(status, s.status(), title);
    assertEquals(restarts, s.restarts(), title);
  }

  @ParameterizedTest(name = "{0}s = {1}")
  @CsvSource({"0, 0s", "5, 5s", "119, 119s", "120, 2m", "192, 3m12s", "600, 10m", "10799, 179m", "10800, 3h",
      "11000, 3h3m", "28800, 8h", "172799, 47h", "183600, 2d3h", "691200, 8d", "63072000, 2y", "66960000, 2y45d",
      "315360000, 10y"})
  void ages(long seconds, String printed) {
    assertEquals(printed, Age.human(Duration.ofSeconds(seconds)));
  }
}
