package io.troupe.control.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The protobuf body kubectl v1.32 sends for {@code kubectl auth can-i list pods -n dev}, byte for byte. */
class ReviewProtobufTest {
  private static final String CAN_I_LIST_PODS = "6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631"
      + "121753656c665375626a6563744163636573735265766965771239" + "0a100a0012001a0022002a00320038004200121b0a190a0364"
      + "657612046c6973741a0022002a04706f647332003a001a0808001200" + "1a0020001a002200";

  @Test
  void readsKubectlsSelfSubjectAccessReview() {
    var review = ReviewProtobuf.decode(HexFormat.of().parseHex(CAN_I_LIST_PODS));
    assertEquals("{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":"
        + "{\"resourceAttributes\":{\"namespace\":\"dev\",\"verb\":\"list\",\"group\":\"\",\"version\":\"\","
        + "\"resource\":\"pods\",\"subresource\":\"\",\"name\":\"\"}}}", review.toString());
  }

  @Test
  void refusesWhatIsNotOne() {
    assertEquals(400, assertThrows(ApiException.class, () -> ReviewProtobuf.decode("{}".getBytes())).code());
    byte[] cut = HexFormat.of().parseHex(CAN_I_LIST_PODS.substring(0, 80));
    assertEquals(400, assertThrows(ApiException.class, () -> ReviewProtobuf.decode(cut)).code());
  }
}
