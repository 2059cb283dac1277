package io.troupe.control.controller.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.troupe.persistence.model.Json;
import org.junit.jupiter.api.Test;

class PodTemplateHashTest {
  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static final JsonNode TEMPLATE =
      json("{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'web','image':'web:1'}]}}");

  @Test
  void isStableAcrossReleases() {
    // FNV-1a 32 of the canonical JSON is 3502429716. Pinned: a change here renames every Deployment's
    // ReplicaSets on upgrade, which starts a rollout of all of them.
    assertEquals("794686fc5b", PodTemplateHash.of(TEMPLATE, null));
  }

  @Test
  void usesTheSafeAlphabetAsKubernetesRendersIt() {
    assertTrue(PodTemplateHash.of(TEMPLATE, null).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}"));
    assertEquals("4fbc", PodTemplateHash.safeEncode("0967"));
  }

  @Test
  void dependsOnContentNotFieldOrder() {
    JsonNode reordered =
        json("{'spec':{'containers':[{'image':'web:1','name':'web'}]},'metadata':{'labels':{'app':'web'}}}");
    assertEquals(PodTemplateHash.of(TEMPLATE, null), PodTemplateHash.of(reordered, null));
    JsonNode v2 = json("{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'web','image':'web:2'}]}}");
    assertNotEquals(PodTemplateHash.of(TEMPLATE, null), PodTemplateHash.of(v2, null));
  }

  @Test
  void aCollisionCountGivesAnotherHash() {
    assertNotEquals(PodTemplateHash.of(TEMPLATE, null), PodTemplateHash.of(TEMPLATE, 1));
    assertNotEquals(PodTemplateHash.of(TEMPLATE, 1), PodTemplateHash.of(TEMPLATE, 2));
  }

  @Test
  void templatesCompareWithoutTheHashLabelAndAcrossNumberTypes() {
    JsonNode labelled = PodTemplateHash.withHashLabel(TEMPLATE, "abc");
    assertEquals("abc", labelled.path("metadata").path("labels").path("pod-template-hash").asText());
    assertTrue(PodTemplateHash.equalIgnoringHash(TEMPLATE, labelled));
    JsonNode asInt = json("{'spec':{'terminationGracePeriodSeconds':30}}");
    JsonNode asLong = Json.object().set("spec", Json.object().put("terminationGracePeriodSeconds", 30L));
    assertTrue(PodTemplateHash.equalIgnoringHash(asInt, asLong));
    assertFalse(PodTemplateHash.equalIgnoringHash(TEMPLATE, json("{'metadata':{'labels':{'app':'db'}}}")));
  }
}
