package io.troupe.control.api.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.troupe.persistence.model.Json;
import io.troupe.persistence.model.KubeObject;
import io.troupe.persistence.model.ResourceTypes;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What NetworkPolicy enforcement relies on: the name label of every namespace, NetworkPolicy's own defaults. */
class NetworkingDefaultsTest {

  static ObjectNode json(String text) throws IOException {
    return (ObjectNode) Json.MAPPER.readTree(text.replace('\'', '"'));
  }

  @Test
  void aNamespaceIsLabelledWithItsName() throws IOException {
    KubeObject created = Admission.forCreate(ResourceTypes.NAMESPACE, null,
        json("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'shop','labels':{'team':'a'}}}"));
    assertEquals("shop", created.metadata().labels().get("kubernetes.io/metadata.name"));
    assertEquals("a", created.metadata().labels().get("team"));
    // as in Kubernetes, a client cannot make it say anything else
    KubeObject updated = Admission.forUpdate(ResourceTypes.NAMESPACE, null, "shop",
        json("{'apiVersion':'v1','kind':'Namespace','metadata':{'name':'shop','labels':"
            + "{'kubernetes.io/metadata.name':'other'}}}"), created);
    assertEquals("shop", updated.metadata().labels().get("kubernetes.io/metadata.name"));
  }

  @Test
  void aNetworkPolicyGetsItsPolicyTypesAndTcp() throws IOException {
    KubeObject ingressOnly = Admission.forCreate(ResourceTypes.NETWORK_POLICY, "shop", json("{'apiVersion':"
        + "'networking.k8s.io/v1','kind':'NetworkPolicy','metadata':{'name':'a'},'spec':{'podSelector':{},"
        + "'ingress':[{'ports':[{'port':80}]}]}}"));
    assertEquals("[\"Ingress\"]", ingressOnly.spec().path("policyTypes").toString());
    assertEquals("TCP", ingressOnly.spec().path("ingress").path(0).path("ports").path(0).path("protocol").asText());
    KubeObject both = Admission.forCreate(ResourceTypes.NETWORK_POLICY, "shop", json("{'apiVersion':"
        + "'networking.k8s.io/v1','kind':'NetworkPolicy','metadata':{'name':'b'},'spec':{'podSelector':{},"
        + "'egress':[{'ports':[{'protocol':'UDP','port':53}]}]}}"));
    assertEquals("[\"Ingress\",\"Egress\"]", both.spec().path("policyTypes").toString());
    KubeObject asked = Admission.forCreate(ResourceTypes.NETWORK_POLICY, "shop", json("{'apiVersion':"
        + "'networking.k8s.io/v1','kind':'NetworkPolicy','metadata':{'name':'c'},'spec':{'podSelector':{},"
        + "'policyTypes':['Egress']}}"));
    assertEquals("[\"Egress\"]", asked.spec().path("policyTypes").toString());
  }
}
