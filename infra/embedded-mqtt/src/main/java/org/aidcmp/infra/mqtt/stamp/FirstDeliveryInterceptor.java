package org.aidcmp.infra.mqtt.stamp;

import com.hivemq.extension.sdk.api.interceptor.publish.PublishOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundOutput;
import java.util.Optional;

/**
 * Marks a stamped PUBLISH going out to a client {@link BrokerStamp#FIRST} when this broker instance has never handed
 * that stamp to anyone before. Why: HiveMQ CE gives a dead shared-subscription member's unacknowledged message to
 * another member with DUP=0, so the bridge cannot tell a redelivery from a first delivery; this mark lets it skip
 * its repeat check on the normal path (nothing of a first delivery can be on Kafka yet) and check only the rest.
 * Conservative: a stamp of an earlier broker instance or one older than {@link DeliveredStamps} remembers goes out
 * unmarked. A stamp goes to one subscriber in the AiD2 ACL (the bridges' shared group); a second subscriber would
 * get it unmarked, which costs that one a check, not a wrong answer.
 */
final class FirstDeliveryInterceptor implements PublishOutboundInterceptor {
  private final BrokerStamp stamps;
  private final DeliveredStamps delivered;

  FirstDeliveryInterceptor(BrokerStamp stamps, DeliveredStamps delivered) {
    this.stamps = stamps;
    this.delivered = delivered;
  }

  @Override
  public void onOutboundPublish(PublishOutboundInput input, PublishOutboundOutput output) {
    var properties = output.getPublishPacket().getUserProperties();
    Optional<String> stamp = properties.getFirst(BrokerStamp.PROPERTY);
    if (stamp.isEmpty()) {
      return;
    }
    if (!properties.getAllForName(BrokerStamp.DELIVERY_PROPERTY).isEmpty()) {
      properties.removeName(BrokerStamp.DELIVERY_PROPERTY); // never carried over from an earlier delivery
    }
    if (stamps.counterOf(stamp.get()).map(delivered::firstHandOut).orElse(false)) {
      properties.addUserProperty(BrokerStamp.DELIVERY_PROPERTY, BrokerStamp.FIRST);
    }
  }
}
