package io.troupe.control.api.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PatchesTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    private static final String POD = "{'metadata':{'name':'web','labels':{'app':'web'},'finalizers':['a']},"
            + "'spec':{'containers':[{'name':'app','image':'app:1','env':[{'name':'A','value':'1'}]}],"
            + "'tolerations':[{'key':'k'}]}}";

    /** A patch of each type that touches new, changed, deleted and nested values: type, patch. */
    static Stream<Arguments> patches() {
        return Stream.of(
                Arguments.of(PatchType.JSON_PATCH, "[{'op':'replace','path':'/spec/containers/0/image','value':'app:2'},"
                        + "{'op':'add','path':'/spec/volumes','value':[{'name':'v','emptyDir':{}}]},"
                        + "{'op':'copy','from':'/spec/containers/0','path':'/spec/initContainers'},"
                        + "{'op':'move','from':'/metadata/labels','path':'/metadata/annotations'},"
                        + "{'op':'remove','path':'/spec/tolerations/0'}]"),
                Arguments.of(PatchType.MERGE_PATCH, "{'metadata':{'labels':{'app':null,'tier':'front'}},"
                        + "'spec':{'containers':[{'name':'app','image':'app:2'}],'volumes':[{'name':'v','emptyDir':{}}]}}"),
                Arguments.of(PatchType.STRATEGIC_MERGE_PATCH, "{'metadata':{'labels':{'app':null,'tier':{'x':'y'}},"
                        + "'finalizers':['b'],'$deleteFromPrimitiveList/finalizers':['a']},"
                        + "'spec':{'$setElementOrder/containers':[{'name':'side'},{'name':'app'}],"
                        + "'containers':[{'name':'app','image':'app:2','env':[{'name':'A','$patch':'delete'},{'name':'B','value':'2'}]},"
                        + "{'name':'side','image':'side:1'}],'tolerations':[{'key':'t'}],"
                        + "'volumes':[{'name':'v','emptyDir':{}}]}}"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("patches")
    void neverChangesItsArguments(PatchType type, String patchText) {
        ObjectNode original = object(POD);
        JsonNode patch = json(patchText);

        ObjectNode result = Patches.apply(type, original, patch, "Pod");

        assertEquals(object(POD), original, "the original must not change");
        assertEquals(json(patchText), patch, "the patch must not change");
        // The result must share no nodes with either: emptying it leaves them whole.
        empty(result);
        assertEquals(object(POD), original, "the result must not share nodes with the original");
        assertEquals(json(patchText), patch, "the result must not share nodes with the patch");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("patches")
    void returnsANewObjectEvenWhenNothingChanges(PatchType type, String ignored) {
        ObjectNode original = object(POD);
        JsonNode nothing = type == PatchType.JSON_PATCH ? json("[]") : json("{}");
        ObjectNode result = Patches.apply(type, original, nothing, "Pod");
        assertEquals(original, result);
        result.put("changed", true);
        assertEquals(object(POD), original);
    }

    @Test
    void refusesServerSideApplyForNow() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Patches.apply(PatchType.APPLY_PATCH, object(POD), json("{}"), "Pod"));
        assertEquals("server-side apply (application/apply-patch+yaml) is not supported yet", e.getMessage());
    }

    /** Body, the tree it reads as or null for an error, and the error's message or its start. */
    static Stream<Arguments> bodies() {
        return Stream.of(
                Arguments.of("{\"a\":1}", "{'a':1}", null),
                Arguments.of(" [ ] ", "[]", null),
                Arguments.of("null", "null", null),
                Arguments.of("", null, "patch body is empty"),
                Arguments.of("   ", null, "patch body is empty"),
                Arguments.of("{\"a\":1,\"a\":2}", null, "patch body is not valid JSON: Duplicate field 'a'"),
                Arguments.of("{\"a\":1} {\"b\":2}", null, "patch body is not valid JSON: Trailing token"),
                Arguments.of("{\"a\":", null, "patch body is not valid JSON: Unexpected end-of-input"),
                Arguments.of("{'a':1}", null, "patch body is not valid JSON: Unexpected character ('''"));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("bodies")
    void parsesStrictly(String body, String tree, String error) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (error == null) {
            assertEquals(json(tree), Patches.parse(bytes));
        } else {
            PatchException e = assertThrows(PatchException.class, () -> Patches.parse(bytes));
            assertEquals(error, e.getMessage().substring(0, Math.min(error.length(), e.getMessage().length())),
                    e.getMessage());
        }
    }

    @Test
    void refusesAMissingBody() {
        PatchException e = assertThrows(PatchException.class,
                () -> Patches.apply(PatchType.STRATEGIC_MERGE_PATCH, object(POD), null, "Pod"));
        assertEquals("patch body must be a JSON object, got nothing", e.getMessage());
    }

    /** Clears every object and array in the tree, innermost first. */
    private static void empty(JsonNode node) {
        List<JsonNode> children = new ArrayList<>();
        node.forEach(children::add);
        children.forEach(PatchesTest::empty);
        if (node.isObject()) {
            ((ObjectNode) node).removeAll();
        } else if (node.isArray()) {
            ((ArrayNode) node).removeAll();
        }
    }

    private static ObjectNode object(String text) {
        return (ObjectNode) json(text);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
