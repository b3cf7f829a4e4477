package org.aidcmp.schemas.aid2.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AsyncAPI document describes exactly the messages the code knows, each with the schema the code validates with. */
class Aid2AsyncApiTest {

  @Test
  void section7_2_theDocumentDescribesEveryMessageOfTheCodeAndNothingElse() {
    List<Aid2AsyncApi.Channel> expected = new ArrayList<>();
    for (UplinkMessage m : UplinkMessage.values()) {
      expected.add(new Aid2AsyncApi.Channel(Aid2AsyncApi.address(m), "receive", "./json/" + m.topicName() + ".schema.json"));
    }
    for (DownlinkMessage m : DownlinkMessage.values()) {
      expected.add(new Aid2AsyncApi.Channel(Aid2AsyncApi.address(m), "send", "./json/" + m.topicName() + ".schema.json"));
    }
    expected.add(new Aid2AsyncApi.Channel("aid2/v1/vehicles/{vin}/presence", "receive", null));
    assertThat(Aid2AsyncApi.load().channels()).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void everySchemaTheDocumentNamesIsTheOneTheCodeLoads() {
    for (Aid2AsyncApi.Channel channel : Aid2AsyncApi.load().channels()) {
      if (channel.schemaRef() != null) {
        String resource = Aid2Json.SCHEMA_FOLDER + channel.schemaRef().substring("./json/".length());
        assertThat(getClass().getClassLoader().getResource(resource)).as(resource).isNotNull();
      }
    }
  }
}
