package io.troupe.net.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.watch.WatchEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Ready Nodes' addresses kept from Node events, as the ingress status shows them. */
class ReadyNodeAddressesTest {
  private final Map<String, KubeObject> view = new LinkedHashMap<>();
  private final ReadyNodeAddresses addresses = new ReadyNodeAddresses();

  @Test
  void aBookmarkReadsEveryNodeThenEachEventOnlyItsOwn() {
    view.put("n1", node("n1", "127.0.0.10", true));
    view.put("n2", node("n2", "127.0.0.9", true));
    view.put("n3", node("n3", "127.0.0.11", false));
    assertTrue(addresses.apply(new WatchEvent(WatchEvent.Type.BOOKMARK, null), view.values()));
    assertEquals(List.of("127.0.0.9", "127.0.0.10"), addresses.addresses());

    // a heartbeat that changes nothing is no news
    assertFalse(apply(WatchEvent.Type.MODIFIED, node("n1", "127.0.0.10", true)));
    // n3 becomes Ready
    assertTrue(apply(WatchEvent.Type.MODIFIED, node("n3", "127.0.0.11", true)));
    assertEquals(List.of("127.0.0.9", "127.0.0.10", "127.0.0.11"), addresses.addresses());
    // a second Node on a shared address: still one entry, which stays while either is Ready
    assertFalse(apply(WatchEvent.Type.ADDED, node("n4", "127.0.0.9", true)));
    assertFalse(apply(WatchEvent.Type.MODIFIED, node("n2", "127.0.0.9", false)));
    assertEquals(List.of("127.0.0.9", "127.0.0.10", "127.0.0.11"), addresses.addresses());
    assertTrue(apply(WatchEvent.Type.DELETED, node("n4", "127.0.0.9", true)));
    assertEquals(List.of("127.0.0.10", "127.0.0.11"), addresses.addresses());
    // a Node whose address moves
    assertTrue(apply(WatchEvent.Type.MODIFIED, node("n1", "10.0.0.1", true)));
    assertEquals(List.of("10.0.0.1", "127.0.0.11"), addresses.addresses());
  }

  @Test
  void nonIpv4AddressesComeAfterTheIpv4OnesAsText() {
    assertTrue(apply(WatchEvent.Type.ADDED, node("a", "fd00::1", true)));
    assertTrue(apply(WatchEvent.Type.ADDED, node("b", "192.168.0.1", true)));
    assertEquals(List.of("192.168.0.1", "fd00::1"), addresses.addresses());
  }

  private boolean apply(WatchEvent.Type type, KubeObject node) {
    if (type == WatchEvent.Type.DELETED) view.remove(node.metadata().name());
    else view.put(node.metadata().name(), node);
    return addresses.apply(new WatchEvent(type, node), view.values());
  }

  private static KubeObject node(String name, String address, boolean ready) {
    String json = "{'apiVersion':'v1','kind':'Node','metadata':{'name':'" + name + "'},'status':{'addresses':["
        + "{'type':'InternalIP','address':'" + address + "'},{'type':'Hostname','address':'" + name + "'}],"
        + "'conditions':[{'type':'Ready','status':'" + (ready ? "True" : "False") + "'}]}}";
    try {
      return KubeObject.fromTree((ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"')));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
