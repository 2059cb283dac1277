package io.troupe.control.api.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StrategicMergePatchTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    private static final String POD = "{'metadata':{'name':'web','labels':{'app':'web','tier':'front'}},"
            + "'spec':{'containers':["
            + "{'name':'app','image':'app:1','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}],"
            + "'ports':[{'containerPort':80,'protocol':'TCP'}]},"
            + "{'name':'sidecar','image':'proxy:1'}]}}";

    /** Name, kind, original, patch, result. */
    static Stream<Arguments> merges() {
        return Stream.of(
                Arguments.of("update one container's image by name", "Pod", POD,
                        "{'spec':{'containers':[{'name':'sidecar','image':'proxy:2'}]}}",
                        POD.replace("proxy:1", "proxy:2")),
                Arguments.of("add a container", "Pod",
                        "{'spec':{'containers':[{'name':'app','image':'app:1'}]}}",
                        "{'spec':{'containers':[{'name':'log','image':'fluent:1'}]}}",
                        "{'spec':{'containers':[{'name':'app','image':'app:1'},{'name':'log','image':'fluent:1'}]}}"),
                Arguments.of("$patch: delete one container", "Pod", POD,
                        "{'spec':{'containers':[{'name':'sidecar','$patch':'delete'}]}}",
                        "{'metadata':{'name':'web','labels':{'app':'web','tier':'front'}},'spec':{'containers':["
                                + "{'name':'app','image':'app:1','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}],"
                                + "'ports':[{'containerPort':80,'protocol':'TCP'}]}]}}"),
                Arguments.of("update, add and delete containers at once", "Pod",
                        "{'spec':{'containers':[{'name':'a','image':'a:1'},{'name':'b','image':'b:1'}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'a:2'},{'name':'b','$patch':'delete'},{'name':'c','image':'c:1'}]}}",
                        "{'spec':{'containers':[{'name':'a','image':'a:2'},{'name':'c','image':'c:1'}]}}"),
                Arguments.of("containers of a Deployment's pod template", "Deployment",
                        "{'spec':{'replicas':1,'template':{'spec':{'containers':[{'name':'a','image':'a:1'},{'name':'b','image':'b:1'}]}}}}",
                        "{'spec':{'replicas':3,'template':{'spec':{'containers':[{'name':'b','image':'b:2'}]}}}}",
                        "{'spec':{'replicas':3,'template':{'spec':{'containers':[{'name':'a','image':'a:1'},{'name':'b','image':'b:2'}]}}}}"),
                Arguments.of("env merges by name", "Pod",
                        "{'spec':{'containers':[{'name':'app','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]}]}}",
                        "{'spec':{'containers':[{'name':'app','env':[{'name':'B','value':'20'},{'name':'C','value':'3'},{'name':'A','$patch':'delete'}]}]}}",
                        "{'spec':{'containers':[{'name':'app','env':[{'name':'B','value':'20'},{'name':'C','value':'3'}]}]}}"),
                Arguments.of("container ports merge by containerPort", "Pod",
                        "{'spec':{'containers':[{'name':'app','ports':[{'containerPort':80,'name':'http'}]}]}}",
                        "{'spec':{'containers':[{'name':'app','ports':[{'containerPort':80,'name':'web'},{'containerPort':443}]}]}}",
                        "{'spec':{'containers':[{'name':'app','ports':[{'containerPort':80,'name':'web'},{'containerPort':443}]}]}}"),
                Arguments.of("service ports merge by port", "Service",
                        "{'spec':{'selector':{'app':'web'},'ports':[{'port':80,'targetPort':8080},{'port':443,'targetPort':8443}]}}",
                        "{'spec':{'ports':[{'port':80,'targetPort':9090},{'port':9000}]}}",
                        "{'spec':{'selector':{'app':'web'},'ports':[{'port':80,'targetPort':9090},{'port':443,'targetPort':8443},{'port':9000}]}}"),
                Arguments.of("metadata.finalizers is a set union, order kept", "Pod",
                        "{'metadata':{'finalizers':['a','b']}}",
                        "{'metadata':{'finalizers':['c','b','c']}}",
                        "{'metadata':{'finalizers':['a','b','c']}}"),
                Arguments.of("a Namespace's spec.finalizers is replaced", "Namespace",
                        "{'spec':{'finalizers':['kubernetes']}}",
                        "{'spec':{'finalizers':['troupe']}}",
                        "{'spec':{'finalizers':['troupe']}}"),
                Arguments.of("$deleteFromPrimitiveList/finalizers", "Pod",
                        "{'metadata':{'finalizers':['a','b','c']}}",
                        "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b','x']}}",
                        "{'metadata':{'finalizers':['a','c']}}"),
                Arguments.of("$deleteFromPrimitiveList together with additions", "Pod",
                        "{'metadata':{'finalizers':['a','b']}}",
                        "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a'],'finalizers':['d']}}",
                        "{'metadata':{'finalizers':['b','d']}}"),
                Arguments.of("$patch: replace on an object", "Pod",
                        "{'spec':{'nodeSelector':{'disk':'ssd','zone':'a'},'restartPolicy':'Always'}}",
                        "{'spec':{'nodeSelector':{'$patch':'replace','gpu':'true'}}}",
                        "{'spec':{'nodeSelector':{'gpu':'true'},'restartPolicy':'Always'}}"),
                Arguments.of("$patch: replace on a list", "Pod", POD,
                        "{'spec':{'containers':[{'$patch':'replace'},{'name':'only','image':'only:1'}]}}",
                        "{'metadata':{'name':'web','labels':{'app':'web','tier':'front'}},"
                                + "'spec':{'containers':[{'name':'only','image':'only:1'}]}}"),
                Arguments.of("$patch: delete on an object empties it", "Pod",
                        "{'spec':{'nodeSelector':{'disk':'ssd'},'restartPolicy':'Always'}}",
                        "{'spec':{'nodeSelector':{'$patch':'delete'}}}",
                        "{'spec':{'nodeSelector':{},'restartPolicy':'Always'}}"),
                Arguments.of("$patch: merge is the default made explicit", "Pod",
                        "{'metadata':{'labels':{'app':'web'}}}",
                        "{'metadata':{'labels':{'$patch':'merge','tier':'front'}}}",
                        "{'metadata':{'labels':{'app':'web','tier':'front'}}}"),
                Arguments.of("$setElementOrder/containers", "Pod",
                        "{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'c'}]}}",
                        "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'d'},{'name':'a'}],"
                                + "'containers':[{'name':'d','image':'d:1'}]}}",
                        "{'spec':{'containers':[{'name':'c'},{'name':'d','image':'d:1'},{'name':'a'},{'name':'b'}]}}"),
                Arguments.of("$setElementOrder/finalizers orders primitives", "Pod",
                        "{'metadata':{'finalizers':['a','b']}}",
                        "{'metadata':{'$setElementOrder/finalizers':['c','b','a'],'finalizers':['c']}}",
                        "{'metadata':{'finalizers':['c','b','a']}}"),
                Arguments.of("$retainKeys drops the fields not listed", "Pod",
                        "{'spec':{'volumes':[{'name':'data','hostPath':{'path':'/srv'}}]}}",
                        "{'spec':{'volumes':[{'name':'data','$retainKeys':['name','emptyDir'],'emptyDir':{}}]}}",
                        "{'spec':{'volumes':[{'name':'data','emptyDir':{}}]}}"),
                Arguments.of("null deletes fields, at any depth", "Pod",
                        "{'metadata':{'labels':{'app':'web','tier':'front'}},'spec':{'nodeName':'n1','restartPolicy':'Always'}}",
                        "{'metadata':{'labels':{'tier':null,'missing':null}},'spec':{'nodeName':null}}",
                        "{'metadata':{'labels':{'app':'web'}},'spec':{'restartPolicy':'Always'}}"),
                Arguments.of("objects merge recursively", "ConfigMap",
                        "{'metadata':{'name':'c','annotations':{'a':'1'}},'data':{'k':'v'}}",
                        "{'metadata':{'annotations':{'b':'2'}},'data':{'k':'w'}}",
                        "{'metadata':{'name':'c','annotations':{'a':'1','b':'2'}},'data':{'k':'w'}}"),
                Arguments.of("volumes by name, volumeMounts by mountPath", "Pod",
                        "{'spec':{'volumes':[{'name':'v','emptyDir':{}}],"
                                + "'containers':[{'name':'a','volumeMounts':[{'name':'v','mountPath':'/data'}]}]}}",
                        "{'spec':{'volumes':[{'name':'w','emptyDir':{}}],"
                                + "'containers':[{'name':'a','volumeMounts':[{'name':'w','mountPath':'/data'},{'name':'v','mountPath':'/v'}]}]}}",
                        "{'spec':{'volumes':[{'name':'v','emptyDir':{}},{'name':'w','emptyDir':{}}],"
                                + "'containers':[{'name':'a','volumeMounts':[{'name':'w','mountPath':'/data'},{'name':'v','mountPath':'/v'}]}]}}"),
                Arguments.of("status conditions merge by type", "Pod",
                        "{'status':{'conditions':[{'type':'Ready','status':'False'},{'type':'Scheduled','status':'True'}]}}",
                        "{'status':{'conditions':[{'type':'Ready','status':'True'}]}}",
                        "{'status':{'conditions':[{'type':'Ready','status':'True'},{'type':'Scheduled','status':'True'}]}}"),
                Arguments.of("ownerReferences merge by uid", "Pod",
                        "{'metadata':{'ownerReferences':[{'uid':'u1','kind':'ReplicaSet','name':'rs'}]}}",
                        "{'metadata':{'ownerReferences':[{'uid':'u1','controller':true},{'uid':'u2','kind':'Job','name':'j'}]}}",
                        "{'metadata':{'ownerReferences':[{'uid':'u1','kind':'ReplicaSet','name':'rs','controller':true},"
                                + "{'uid':'u2','kind':'Job','name':'j'}]}}"),
                Arguments.of("Node status addresses merge by type", "Node",
                        "{'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.1'},{'type':'Hostname','address':'n1'}]}}",
                        "{'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.2'}]}}",
                        "{'status':{'addresses':[{'type':'InternalIP','address':'10.0.0.2'},{'type':'Hostname','address':'n1'}]}}"),
                Arguments.of("tolerations have no merge key and are replaced", "Pod",
                        "{'spec':{'tolerations':[{'key':'a','operator':'Exists'}]}}",
                        "{'spec':{'tolerations':[{'key':'b','operator':'Exists'}]}}",
                        "{'spec':{'tolerations':[{'key':'b','operator':'Exists'}]}}"),
                Arguments.of("envFrom is replaced", "Pod",
                        "{'spec':{'containers':[{'name':'a','envFrom':[{'configMapRef':{'name':'x'}}]}]}}",
                        "{'spec':{'containers':[{'name':'a','envFrom':[{'secretRef':{'name':'y'}}]}]}}",
                        "{'spec':{'containers':[{'name':'a','envFrom':[{'secretRef':{'name':'y'}}]}]}}"),
                Arguments.of("Endpoints subsets are replaced", "Endpoints",
                        "{'subsets':[{'addresses':[{'ip':'10.0.0.1'}],'ports':[{'port':80}]}]}",
                        "{'subsets':[{'addresses':[{'ip':'10.0.0.2'}],'ports':[{'port':80}]}]}",
                        "{'subsets':[{'addresses':[{'ip':'10.0.0.2'}],'ports':[{'port':80}]}]}"),
                Arguments.of("directives inside an added element are carried out, not copied", "Pod",
                        "{'spec':{'containers':[]}}",
                        "{'spec':{'containers':[{'name':'a','$patch':'merge','resources':{'$patch':'replace','limits':{'cpu':'1'}},"
                                + "'env':[{'name':'X','$patch':'delete'},{'name':'Y','value':'y'}]}]}}",
                        "{'spec':{'containers':[{'name':'a','resources':{'limits':{'cpu':'1'}},'env':[{'name':'Y','value':'y'}]}]}}"),
                Arguments.of("a list that did not exist is created", "Pod",
                        "{'spec':{}}",
                        "{'spec':{'imagePullSecrets':[{'name':'regcred'}]}}",
                        "{'spec':{'imagePullSecrets':[{'name':'regcred'}]}}"),
                // One port, not two; the key takes the patch's spelling, as any patched field does.
                Arguments.of("merge keys match numbers by value", "Service",
                        "{'spec':{'ports':[{'port':80,'name':'http'}]}}",
                        "{'spec':{'ports':[{'port':80.0,'targetPort':8080}]}}",
                        "{'spec':{'ports':[{'port':80.0,'name':'http','targetPort':8080}]}}"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("merges")
    void merges(String name, String kind, String original, String patch, String expected) {
        ObjectNode result = Patches.apply(PatchType.STRATEGIC_MERGE_PATCH, object(original), json(patch), kind);
        assertEquals(json(expected), result);
        assertFalse(hasDirective(result), () -> "a directive leaked into " + result);
    }

    /** Name, original, patch, message. */
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("patch body is a list", "{}", "[{'op':'add'}]",
                        "patch body must be a JSON object, got array"),
                Arguments.of("container without a name", POD, "{'spec':{'containers':[{'image':'x:1'}]}}",
                        "strategic merge patch of Pod: spec.containers: element {\"image\":\"x:1\"} has no merge key \"name\""),
                Arguments.of("container that is not an object", POD, "{'spec':{'containers':['app']}}",
                        "strategic merge patch of Pod: spec.containers: elements must be objects with merge key \"name\", got string"),
                Arguments.of("delete without a merge key", POD, "{'spec':{'containers':[{'$patch':'delete'}]}}",
                        "strategic merge patch of Pod: spec.containers: element {\"$patch\":\"delete\"} has no merge key \"name\""),
                Arguments.of("unknown $patch value", POD, "{'spec':{'$patch':'erase'}}",
                        "strategic merge patch of Pod: spec: unknown $patch directive \"erase\"; it must be replace, delete or merge"),
                Arguments.of("$patch that is not a string", POD, "{'spec':{'$patch':true}}",
                        "strategic merge patch of Pod: spec: $patch must be a string, got boolean"),
                Arguments.of("unknown directive", POD, "{'metadata':{'$patchh':'delete'}}",
                        "strategic merge patch of Pod: metadata: unknown directive \"$patchh\""),
                Arguments.of("$patch: delete in a list of primitives", "{'metadata':{'finalizers':['a']}}",
                        "{'metadata':{'finalizers':[{'$patch':'delete'}]}}",
                        "strategic merge patch of Pod: metadata.finalizers: $patch: delete cannot remove primitives; "
                                + "use $deleteFromPrimitiveList/finalizers"),
                Arguments.of("$patch: delete in a list without a merge key", "{'spec':{'tolerations':[{'key':'a'}]}}",
                        "{'spec':{'tolerations':[{'key':'a','$patch':'delete'}]}}",
                        "strategic merge patch of Pod: spec.tolerations: $patch: delete needs a list merged by key, "
                                + "and this list is replaced whole"),
                Arguments.of("$patch: replace element with fields", POD,
                        "{'spec':{'containers':[{'name':'a','$patch':'replace'}]}}",
                        "strategic merge patch of Pod: spec.containers: a {\"$patch\": \"replace\"} list element must have no other fields"),
                Arguments.of("$retainKeys that leaves out a field the patch sets", POD,
                        "{'spec':{'$retainKeys':['containers'],'nodeName':'n1'}}",
                        "strategic merge patch of Pod: spec: field \"nodeName\" is set but not listed in $retainKeys"),
                Arguments.of("$deleteFromPrimitiveList that is not a list", "{'metadata':{'finalizers':['a']}}",
                        "{'metadata':{'$deleteFromPrimitiveList/finalizers':'a'}}",
                        "strategic merge patch of Pod: metadata: $deleteFromPrimitiveList/finalizers must be a list, got string"),
                Arguments.of("$setElementOrder entry without a merge key", POD,
                        "{'spec':{'$setElementOrder/containers':[{'image':'x'}]}}",
                        "strategic merge patch of Pod: spec.containers: element {\"image\":\"x\"} has no merge key \"name\""));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("failures")
    void refuses(String name, String original, String patch, String message) {
        PatchException e = assertThrows(PatchException.class,
                () -> Patches.apply(PatchType.STRATEGIC_MERGE_PATCH, object(original), json(patch), "Pod"));
        assertEquals(message, e.getMessage());
    }

    /** The merge-key table: field path, strategy. */
    static Stream<Arguments> strategies() {
        return Stream.of(
                Arguments.of("spec.containers", new ListPatchStrategy.MergeByKey("name")),
                Arguments.of("spec.template.spec.initContainers", new ListPatchStrategy.MergeByKey("name")),
                Arguments.of("spec.ephemeralContainers", new ListPatchStrategy.MergeByKey("name")),
                Arguments.of("spec.containers.env", new ListPatchStrategy.MergeByKey("name")),
                Arguments.of("spec.containers.ports", new ListPatchStrategy.MergeByKey("containerPort")),
                Arguments.of("spec.initContainers.ports", new ListPatchStrategy.MergeByKey("containerPort")),
                Arguments.of("spec.ports", new ListPatchStrategy.MergeByKey("port")),
                Arguments.of("spec.volumes", new ListPatchStrategy.MergeByKey("name")),
                Arguments.of("spec.containers.volumeMounts", new ListPatchStrategy.MergeByKey("mountPath")),
                Arguments.of("spec.containers.volumeDevices", new ListPatchStrategy.MergeByKey("devicePath")),
                Arguments.of("spec.imagePullSecrets", new ListPatchStrategy.MergeByKey("name")),
                Arguments.of("status.conditions", new ListPatchStrategy.MergeByKey("type")),
                Arguments.of("metadata.ownerReferences", new ListPatchStrategy.MergeByKey("uid")),
                Arguments.of("spec.hostAliases", new ListPatchStrategy.MergeByKey("ip")),
                Arguments.of("spec.topologySpreadConstraints", new ListPatchStrategy.MergeByKey("topologyKey")),
                Arguments.of("status.addresses", new ListPatchStrategy.MergeByKey("type")),
                Arguments.of("metadata.finalizers", new ListPatchStrategy.MergeSet()),
                Arguments.of("spec.finalizers", new ListPatchStrategy.Replace()),
                Arguments.of("spec.tolerations", new ListPatchStrategy.Replace()),
                Arguments.of("spec.containers.envFrom", new ListPatchStrategy.Replace()),
                Arguments.of("subsets", new ListPatchStrategy.Replace()),
                Arguments.of("subsets.addresses", new ListPatchStrategy.Replace()),
                Arguments.of("subsets.ports", new ListPatchStrategy.Replace()),
                Arguments.of("spec.containers.args", new ListPatchStrategy.Replace()));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @MethodSource("strategies")
    void looksUpListStrategy(String path, ListPatchStrategy expected) {
        assertEquals(expected, ListPatchStrategy.forList(new FieldPath(Arrays.asList(path.split("\\.")))));
    }

    private static boolean hasDirective(JsonNode node) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if (field.getKey().startsWith("$") || hasDirective(field.getValue())) {
                    return true;
                }
            }
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                if (hasDirective(element)) {
                    return true;
                }
            }
        }
        return false;
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
