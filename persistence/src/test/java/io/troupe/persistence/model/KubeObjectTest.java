package io.troupe.persistence.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * A KubeObject written as it is held (its serializer, which lists, watch events and the API's answers use) is the
 * JSON of its tree ({@link KubeObject#toTree}), field for field and in the same order.
 */
class KubeObjectTest {
  private static KubeObject read(String json) throws Exception {
    return KubeObject.fromTree((ObjectNode) Json.MAPPER.readTree(json.replace('\'', '"')));
  }

  @Test
  void writtenAsHeldIsTheJsonOfItsTree() throws Exception {
    for (String json : new String[] {
        "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web-0','namespace':'default','uid':'u1',"
            + "'resourceVersion':'42','labels':{'app':'web'},'annotations':{'a':'b'},'ownerReferences':[{'apiVersion':"
            + "'apps/v1','kind':'ReplicaSet','name':'web','uid':'u0','controller':true}]},'spec':{'containers':[{"
            + "'name':'c','image':'busybox','args':['sleep','1'],'resources':{'limits':{'cpu':'1'}}}],"
            + "'nodeName':'n1'},'status':{'phase':'Running','conditions':[{'type':'Ready','status':'True'}],"
            + "'podIP':'10.0.0.5'}}",
        "{'apiVersion':'v1','kind':'Secret','metadata':{'name':'s','namespace':'default'},'type':'Opaque',"
            + "'data':{'k':'dg=='}}",
        "{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'empty'}}",
        "{'kind':'Namespace','metadata':{'name':'ns'},'spec':{'finalizers':['kubernetes']},'status':{}}"}) {
      KubeObject object = read(json);
      assertEquals(Json.write(object.toTree()), Json.write(object), json);
      assertEquals(object.toTree(), Json.MAPPER.readTree(Json.bytes(object)), json);
    }
  }
}
