package io.troupe.control.api.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JsonPatchTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    /** RFC 6902 appendix A examples that succeed, and a few more: name, document, patch, result. */
    static Stream<Arguments> successes() {
        return Stream.of(
                Arguments.of("A.1 adding an object member", "{'foo':'bar'}",
                        "[{'op':'add','path':'/baz','value':'qux'}]", "{'baz':'qux','foo':'bar'}"),
                Arguments.of("A.2 adding an array element", "{'foo':['bar','baz']}",
                        "[{'op':'add','path':'/foo/1','value':'qux'}]", "{'foo':['bar','qux','baz']}"),
                Arguments.of("A.3 removing an object member", "{'baz':'qux','foo':'bar'}",
                        "[{'op':'remove','path':'/baz'}]", "{'foo':'bar'}"),
                Arguments.of("A.4 removing an array element", "{'foo':['bar','qux','baz']}",
                        "[{'op':'remove','path':'/foo/1'}]", "{'foo':['bar','baz']}"),
                Arguments.of("A.5 replacing a value", "{'baz':'qux','foo':'bar'}",
                        "[{'op':'replace','path':'/baz','value':'boo'}]", "{'baz':'boo','foo':'bar'}"),
                Arguments.of("A.6 moving a value", "{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
                        "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]",
                        "{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}"),
                Arguments.of("A.7 moving an array element", "{'foo':['all','grass','cows','eat']}",
                        "[{'op':'move','from':'/foo/1','path':'/foo/3'}]", "{'foo':['all','cows','eat','grass']}"),
                Arguments.of("A.8 testing a value: success", "{'baz':'qux','foo':['a',2,'c']}",
                        "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]",
                        "{'baz':'qux','foo':['a',2,'c']}"),
                Arguments.of("A.10 adding a nested member object", "{'foo':'bar'}",
                        "[{'op':'add','path':'/child','value':{'grandchild':{}}}]",
                        "{'foo':'bar','child':{'grandchild':{}}}"),
                Arguments.of("A.11 ignoring unrecognized elements", "{'foo':'bar'}",
                        "[{'op':'add','path':'/baz','value':'qux','xyz':123}]", "{'foo':'bar','baz':'qux'}"),
                Arguments.of("A.14 ~ escape ordering", "{'/':9,'~1':10}",
                        "[{'op':'test','path':'/~01','value':10}]", "{'/':9,'~1':10}"),
                Arguments.of("A.16 adding an array value", "{'foo':['bar']}",
                        "[{'op':'add','path':'/foo/-','value':['abc','def']}]", "{'foo':['bar',['abc','def']]}"),
                Arguments.of("add replaces an existing member", "{'spec':{'replicas':1}}",
                        "[{'op':'add','path':'/spec/replicas','value':3}]", "{'spec':{'replicas':3}}"),
                Arguments.of("add at the array's size appends", "{'a':[1]}",
                        "[{'op':'add','path':'/a/1','value':2}]", "{'a':[1,2]}"),
                Arguments.of("add a null value", "{'a':1}",
                        "[{'op':'add','path':'/b','value':null}]", "{'a':1,'b':null}"),
                Arguments.of("~1 escapes a slash in a label key", "{'metadata':{'labels':{'app.kubernetes.io/name':'web'}}}",
                        "[{'op':'replace','path':'/metadata/labels/app.kubernetes.io~1name','value':'api'}]",
                        "{'metadata':{'labels':{'app.kubernetes.io/name':'api'}}}"),
                Arguments.of("copy", "{'a':{'b':[1]}}",
                        "[{'op':'copy','from':'/a','path':'/c'}]", "{'a':{'b':[1]},'c':{'b':[1]}}"),
                Arguments.of("move onto itself changes nothing", "{'a':1}",
                        "[{'op':'move','from':'/a','path':'/a'}]", "{'a':1}"),
                Arguments.of("replace the whole object", "{'a':1}",
                        "[{'op':'replace','path':'','value':{'b':2}}]", "{'b':2}"),
                Arguments.of("test compares numbers by value", "{'a':1}",
                        "[{'op':'test','path':'/a','value':1.0}]", "{'a':1}"),
                Arguments.of("test compares objects regardless of member order", "{'a':{'x':1,'y':[true,null]}}",
                        "[{'op':'test','path':'/a','value':{'y':[true,null],'x':1}}]", "{'a':{'x':1,'y':[true,null]}}"),
                Arguments.of("operations apply in order", "{'spec':{'replicas':1}}",
                        "[{'op':'test','path':'/spec/replicas','value':1},"
                                + "{'op':'replace','path':'/spec/replicas','value':2},"
                                + "{'op':'test','path':'/spec/replicas','value':2}]",
                        "{'spec':{'replicas':2}}"),
                Arguments.of("an empty patch changes nothing", "{'a':1}", "[]", "{'a':1}"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("successes")
    void applies(String name, String document, String patch, String expected) {
        assertEquals(json(expected), Patches.apply(PatchType.JSON_PATCH, object(document), json(patch), "Pod"));
    }

    /** RFC 6902 appendix A examples that must fail, and other invalid patches: name, document, patch, message. */
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("A.9 testing a value: error", "{'baz':'qux'}",
                        "[{'op':'test','path':'/baz','value':'bar'}]",
                        "json patch operation 0 (test): test failed: /baz is \"qux\", not \"bar\""),
                Arguments.of("A.12 adding to a nonexistent target", "{'foo':'bar'}",
                        "[{'op':'add','path':'/baz/bat','value':'qux'}]",
                        "json patch operation 0 (add): path /baz does not exist"),
                Arguments.of("A.15 comparing strings and numbers", "{'/':9,'~1':10}",
                        "[{'op':'test','path':'/~01','value':'10'}]",
                        "json patch operation 0 (test): test failed: /~01 is 10, not \"10\""),
                Arguments.of("replace of a missing member names the operation", "{'a':1,'spec':{}}",
                        "[{'op':'test','path':'/a','value':1},{'op':'add','path':'/b','value':2},"
                                + "{'op':'replace','path':'/spec/foo','value':1}]",
                        "json patch operation 2 (replace): path /spec/foo does not exist"),
                Arguments.of("patch is an object", "{'a':1}", "{'op':'remove','path':'/a'}",
                        "json patch must be a JSON array of operations, got object"),
                Arguments.of("patch is null", "{'a':1}", "null",
                        "json patch must be a JSON array of operations, got null"),
                Arguments.of("operation is not an object", "{'a':1}", "['remove']",
                        "json patch operation 0: must be an object, got string"),
                Arguments.of("missing op", "{'a':1}", "[{'path':'/a'}]",
                        "json patch operation 0: missing \"op\""),
                Arguments.of("op is not a string", "{'a':1}", "[{'op':1,'path':'/a'}]",
                        "json patch operation 0: \"op\" must be a string, got number"),
                Arguments.of("unknown op", "{'a':1}", "[{'op':'increment','path':'/a'}]",
                        "json patch operation 0 (increment): unknown op \"increment\"; it must be add, remove, replace, move, copy or test"),
                Arguments.of("missing path", "{'a':1}", "[{'op':'remove'}]",
                        "json patch operation 0 (remove): missing \"path\""),
                Arguments.of("missing value", "{'a':1}", "[{'op':'add','path':'/b'}]",
                        "json patch operation 0 (add): missing \"value\""),
                Arguments.of("missing from", "{'a':1}", "[{'op':'copy','path':'/b'}]",
                        "json patch operation 0 (copy): missing \"from\""),
                Arguments.of("path without a leading slash", "{'a':1}", "[{'op':'remove','path':'a'}]",
                        "json patch operation 0 (remove): path \"a\" is not a JSON pointer: it must be empty or start with /"),
                Arguments.of("bad ~ escape", "{'a':1}", "[{'op':'remove','path':'/a~2'}]",
                        "json patch operation 0 (remove): path \"/a~2\" is not a JSON pointer: ~ must be followed by 0 or 1"),
                Arguments.of("remove a missing member", "{'a':1}", "[{'op':'remove','path':'/b'}]",
                        "json patch operation 0 (remove): path /b does not exist"),
                Arguments.of("remove past the end of an array", "{'a':[1]}", "[{'op':'remove','path':'/a/1'}]",
                        "json patch operation 0 (remove): path /a/1 does not exist: the array has 1 element"),
                Arguments.of("add past the end of an array", "{'a':[1]}", "[{'op':'add','path':'/a/2','value':3}]",
                        "json patch operation 0 (add): path /a/2 does not exist: the array has 1 element"),
                Arguments.of("array index with a leading zero", "{'a':[1,2]}", "[{'op':'replace','path':'/a/01','value':3}]",
                        "json patch operation 0 (replace): path /a/01 does not exist"),
                Arguments.of("add to a member of a string", "{'a':'text'}", "[{'op':'add','path':'/a/b','value':1}]",
                        "json patch operation 0 (add): path /a is a string, which has no members"),
                Arguments.of("add into an array by name", "{'a':[1]}", "[{'op':'add','path':'/a/x','value':1}]",
                        "json patch operation 0 (add): path /a/x: \"x\" is not an array index"),
                Arguments.of("remove the whole object", "{'a':1}", "[{'op':'remove','path':''}]",
                        "json patch operation 0 (remove): cannot remove the whole object"),
                Arguments.of("move from a missing member", "{'a':1}", "[{'op':'move','from':'/b','path':'/c'}]",
                        "json patch operation 0 (move): from /b does not exist"),
                Arguments.of("move into its own child", "{'a':{'b':1}}", "[{'op':'move','from':'/a','path':'/a/b/c'}]",
                        "json patch operation 0 (move): cannot move /a into its own child /a/b/c"),
                Arguments.of("test of a missing member", "{'a':1}", "[{'op':'test','path':'/b','value':1}]",
                        "json patch operation 0 (test): path /b does not exist"),
                Arguments.of("result is not an object", "{'a':1}", "[{'op':'replace','path':'','value':[1]}]",
                        "json patch would make the object a array; it must stay a JSON object"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("failures")
    void refuses(String name, String document, String patch, String message) {
        ObjectNode original = object(document);
        PatchException e = assertThrows(PatchException.class,
                () -> Patches.apply(PatchType.JSON_PATCH, original, json(patch), "Pod"));
        assertEquals(message, e.getMessage());
        assertEquals(json(document), original, "a failed patch must leave the object as it was");
    }

    /** A.13: a duplicated member makes the patch invalid, which only the strict reader can see. */
    @Test
    void refusesDuplicateMembersA13() {
        byte[] body = "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]"
                .getBytes(StandardCharsets.UTF_8);
        PatchException e = assertThrows(PatchException.class, () -> Patches.parse(body));
        // Where Jackson puts the column is its own affair; the cause is what the client needs.
        assertTrue(e.getMessage().startsWith("patch body is not valid JSON: Duplicate field 'op' (line 1, column "),
                e.getMessage());
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
