package org.aidcmp.egress.downlink;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An extension inside the embedded broker that holds back the PUBACK of publishes to chosen vehicles until the
 * test opens the gate (the broker takes the PUBLISH in only when its interceptor resumes), or refuses them with
 * NOT_AUTHORIZED: what the publisher sees from a slow or a refusing broker.
 */
final class BrokerGate {
  private final Set<String> held = ConcurrentHashMap.newKeySet();
  private final Set<String> refused = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<Void> open = new CompletableFuture<>();

  /** Publishes under this vehicle wait (up to 2 minutes) until {@link #open}. */
  void hold(String vin) {
    held.add(vin);
  }

  void refuse(String vin) {
    refused.add(vin);
  }

  void open() {
    open.complete(null);
  }

  EmbeddedExtension extension() {
    PublishInboundInterceptor interceptor = (input, output) -> {
      String topic = input.getPublishPacket().getTopic();
      if (refused.stream().anyMatch(vin -> topic.contains("/" + vin + "/"))) {
        output.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "refused by the test");
      } else if (!open.isDone() && held.stream().anyMatch(vin -> topic.contains("/" + vin + "/"))) {
        Async<PublishInboundOutput> async = output.async(Duration.ofMinutes(2), TimeoutFallback.SUCCESS);
        open.thenRun(async::resume);
      }
    };
    return EmbeddedExtension.builder().withId("test-gate").withName("test gate").withVersion("1")
        .withPriority(0).withStartPriority(0)
        .withExtensionMain(new ExtensionMain() {
          @Override
          public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
            Services.initializerRegistry().setClientInitializer((init, client) -> client.addPublishInboundInterceptor(interceptor));
          }

          @Override
          public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {}
        }).build();
  }
}
