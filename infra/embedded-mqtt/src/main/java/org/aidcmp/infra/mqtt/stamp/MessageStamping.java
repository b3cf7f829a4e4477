package org.aidcmp.infra.mqtt.stamp;

import com.hivemq.extension.sdk.api.client.ClientContext;
import com.hivemq.extension.sdk.api.client.parameter.InitializerInput;

/**
 * The broker's part of "nothing doubled" (ingress-aid2/README.md): every client's inbound PUBLISHes get stamped
 * ({@link StampInterceptor}), every outbound one marked when it is a first hand-out ({@link FirstDeliveryInterceptor}).
 * One per broker instance; {@link #initialize} is its HiveMQ client initializer.
 */
public final class MessageStamping {
  /** 2^23 counters: 8 million messages remembered in 1 MiB. */
  private static final int REMEMBERED = 1 << 23;

  private final StampInterceptor inbound;
  private final FirstDeliveryInterceptor outbound;

  public MessageStamping() {
    BrokerStamp stamps = new BrokerStamp();
    this.inbound = new StampInterceptor(stamps);
    this.outbound = new FirstDeliveryInterceptor(stamps, new DeliveredStamps(REMEMBERED));
  }

  public void initialize(InitializerInput input, ClientContext context) {
    context.addPublishInboundInterceptor(inbound);
    context.addPublishOutboundInterceptor(outbound);
  }
}
