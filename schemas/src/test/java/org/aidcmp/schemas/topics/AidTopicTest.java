package org.aidcmp.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class AidTopicTest {

  @Test
  void namesFollowTheConventionAndAreUnique() {
    assertThat(Arrays.stream(AidTopic.values()).map(AidTopic::topicName))
        .allMatch(name -> name.matches("aid(\\.[a-z0-9]+)?\\.[a-z]+\\.v\\d+"))
        .doesNotHaveDuplicates();
  }

  @Test
  void everyValueIsAnEnvelopeWithHeaderAndPayloadUnion() {
    for (AidTopic topic : AidTopic.values()) {
      Schema schema = topic.valueSchema();
      assertThat(schema.getField("header").schema().getFullName())
          .as(topic.topicName()).isEqualTo("org.aidcmp.schemas.common.EnvelopeHeader");
      assertThat(schema.getField("payload").schema().getType()).as(topic.topicName()).isEqualTo(Schema.Type.UNION);
      assertThat(topic.valueSubject()).isEqualTo(topic.topicName() + "-value");
    }
  }

  @Test
  void inputsAreKeptForeverAndTheRegistryIsCompacted() {
    for (AidTopic input : new AidTopic[] {AidTopic.AID1_INBOUND, AidTopic.TOUCHPOINT_COMMANDS, AidTopic.AID2_UPLINK,
        AidTopic.AID1_RESULTS, AidTopic.REF_VEHICLES}) {
      assertThat(input.topicConfig()).containsEntry("retention.ms", "-1");
    }
    assertThat(AidTopic.REF_VEHICLES.topicConfig()).containsEntry("cleanup.policy", "compact");
    assertThat(AidTopic.REPLIES.topicConfig()).containsEntry("retention.ms", String.valueOf(7L * 24 * 3600 * 1000));
    assertThat(AidTopic.byName("aid.aid2.uplink.v1")).contains(AidTopic.AID2_UPLINK);
    assertThat(AidTopic.byName("nope")).isEmpty();
  }
}
