package org.aidcmp.infra.mqtt.stamp;

import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.ModifiableUserProperties;

/**
 * Gives every PUBLISH under {@code aid2/v1/vehicles/{vin}/up/} a fresh {@link BrokerStamp} before the broker stores
 * it. Any {@link BrokerStamp#PROPERTY} or {@link BrokerStamp#DELIVERY_PROPERTY} a client sent is removed from every
 * PUBLISH, so a vehicle can neither forge nor reuse one. Other topics (presence, downlinks) get no stamp.
 */
final class StampInterceptor implements PublishInboundInterceptor {
  /** The uplink part of the AiD2 topic scheme (ingress-aid2's Aid2Topics: {@code aid2/v1/vehicles/{vin}/up/...}). */
  private static final String VEHICLES = "aid2/v1/vehicles/";
  private static final String UP = "/up/";

  private final BrokerStamp stamps;

  StampInterceptor(BrokerStamp stamps) {
    this.stamps = stamps;
  }

  static boolean isUplink(String topic) {
    if (!topic.startsWith(VEHICLES)) {
      return false;
    }
    int slash = topic.indexOf('/', VEHICLES.length());
    return slash > VEHICLES.length() && topic.startsWith(UP, slash);
  }

  @Override
  public void onInboundPublish(PublishInboundInput input, PublishInboundOutput output) {
    ModifiableUserProperties properties = output.getPublishPacket().getUserProperties();
    // Removed from every PUBLISH: only the broker speaks these names.
    for (String name : new String[] {BrokerStamp.PROPERTY, BrokerStamp.DELIVERY_PROPERTY}) {
      if (!properties.getAllForName(name).isEmpty()) {
        properties.removeName(name);
      }
    }
    if (isUplink(input.getPublishPacket().getTopic())) {
      properties.addUserProperty(BrokerStamp.PROPERTY, stamps.next());
    }
  }
}
