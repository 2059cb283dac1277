package io.troupe.control.api.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MergePatchTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    /** Every example of RFC 7386 appendix A: original, patch, result. */
    static Stream<Arguments> rfc7386AppendixA() {
        return Stream.of(
                Arguments.of("{'a':'b'}", "{'a':'c'}", "{'a':'c'}"),
                Arguments.of("{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}"),
                Arguments.of("{'a':'b'}", "{'a':null}", "{}"),
                Arguments.of("{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}"),
                Arguments.of("{'a':['b']}", "{'a':'c'}", "{'a':'c'}"),
                Arguments.of("{'a':'c'}", "{'a':['b']}", "{'a':['b']}"),
                Arguments.of("{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}"),
                Arguments.of("{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}"),
                Arguments.of("['a','b']", "['c','d']", "['c','d']"),
                Arguments.of("{'a':'b'}", "['c']", "['c']"),
                Arguments.of("{'a':'foo'}", "null", "null"),
                Arguments.of("{'a':'foo'}", "'bar'", "'bar'"),
                Arguments.of("{'e':null}", "{'a':1}", "{'e':null,'a':1}"),
                Arguments.of("[1,2]", "{'a':'b','c':null}", "{'a':'b'}"),
                Arguments.of("{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}"));
    }

    @ParameterizedTest(name = "[{index}] {0} + {1} = {2}")
    @MethodSource("rfc7386AppendixA")
    void followsRfc7386(String original, String patch, String expected) {
        assertEquals(json(expected), MergePatch.apply(json(original), json(patch)));
    }

    /** The appendix A examples whose original and patch are both objects, the only ones Kubernetes accepts. */
    static Stream<Arguments> rfc7386ObjectExamples() {
        return rfc7386AppendixA().filter(example -> json((String) example.get()[0]).isObject()
                && json((String) example.get()[1]).isObject());
    }

    @ParameterizedTest(name = "[{index}] {0} + {1} = {2}")
    @MethodSource("rfc7386ObjectExamples")
    void patchesObjectsTheSameWay(String original, String patch, String expected) {
        assertEquals(json(expected), Patches.apply(PatchType.MERGE_PATCH, (ObjectNode) json(original), json(patch), "ConfigMap"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"['c']", "null", "'bar'", "42", "true"})
    void kubernetesRequiresAnObjectBody(String patch) {
        PatchException e = assertThrows(PatchException.class,
                () -> Patches.apply(PatchType.MERGE_PATCH, (ObjectNode) json("{'a':'b'}"), json(patch), "ConfigMap"));
        assertEquals("patch body must be a JSON object, got " + JsonValues.typeOf(json(patch)), e.getMessage());
    }

    @ParameterizedTest(name = "[{index}] {0} + {1} = {2}")
    @MethodSource("kubernetesShapes")
    void replacesListsWhole(String original, String patch, String expected) {
        assertEquals(json(expected), Patches.apply(PatchType.MERGE_PATCH, (ObjectNode) json(original), json(patch), "Pod"));
    }

    /** Merge patch knows no merge keys: the containers list is replaced, unlike strategic merge. */
    static Stream<Arguments> kubernetesShapes() {
        return Stream.of(
                Arguments.of("{'spec':{'containers':[{'name':'a','image':'a:1'},{'name':'b','image':'b:1'}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'a:2'}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'a:2'}]}}"),
                Arguments.of("{'metadata':{'labels':{'app':'web','tier':'front'}}}",
                        "{'metadata':{'labels':{'tier':null,'env':'prod'}}}",
                        "{'metadata':{'labels':{'app':'web','env':'prod'}}}"),
                Arguments.of("{'metadata':{'finalizers':['a','b']}}",
                        "{'metadata':{'finalizers':['c']}}",
                        "{'metadata':{'finalizers':['c']}}"));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
