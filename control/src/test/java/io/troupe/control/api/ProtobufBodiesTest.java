package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The protobuf bodies kubectl v1.32 sends, byte for byte. */
class ProtobufBodiesTest {
  private static final String CAN_I_LIST_PODS = "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631"
      + "121753656c665375626a6563744163636573735265766965771239" + "0a100a0012001a0022002a00320038004200121b0a190a0364"
      + "657612046c6973741a0022002a04706f647332003a001a0808001200" + "1a0020001a002200";

  @Test
  void readsKubectlsSelfSubjectAccessReview() {
    var review = ProtobufBodies.decode(HexFormat.of().parseHex(CAN_I_LIST_PODS));
    assertEquals("{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":"
        + "{\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":\"list\",\"group\":\"\",\"version\":\"\","
        + "\"resource\":\"pods\",\"subresource\":\"\",\"name\":\"\"}}}", review.toString());
  }

  /** {@code kubectl create token default --duration=2h --audience=api,vault}. */
  private static final String CREATE_TOKEN = "6b3873000a280a1861757468656e7469636174696f6e2e6b38732e696f2f7631"
      + "120c546f6b656e5265717565737412280a100a0012001a0022002a0032003800420012"
      + "0e0a096170692c7661756c7420a0381a040a0012001a002200";

  @Test
  void readsKubectlsTokenRequest() {
    var request = ProtobufBodies.decode(HexFormat.of().parseHex(CREATE_TOKEN));
    assertEquals("{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":"
        + "{\"audiences\":[\"api,vault\"],\"expirationSeconds\":7200}}", request.toString());
  }

  @Test
  void refusesWhatIsNotOne() {
    assertEquals(400, assertThrows(ApiException.class, () -> ProtobufBodies.decode("{}".getBytes())).code());
    byte[] cut = HexFormat.of().parseHex(CAN_I_LIST_PODS.substring(0, 80));
    assertEquals(400, assertThrows(ApiException.class, () -> ProtobufBodies.decode(cut)).code());
  }
}
