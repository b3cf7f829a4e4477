package org.aidcmp.infra.mqtt.stamp;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's identity of a vehicle's uplink message: {@code <instance>-<counter>}, the instance a random 64-bit
 * value drawn at each broker start, the counter one up per message. It is what makes two sends of the same bytes
 * two messages (AID.02 §5.2.1 lets a related message keep the old Timestamp, so a vehicle may well send the same
 * bytes twice) and a broker's redelivery of a stored message the same one (the stamp is part of the stored
 * PUBLISH). Put on by {@link StampInterceptor}, read by the bridge (ingress-aid2) as an MQTT 5 user property.
 */
public final class BrokerStamp {
  /** The user property carrying the stamp; whatever a client sent under this name is replaced. */
  public static final String PROPERTY = "aid-broker-stamp";
  /**
   * The user property {@link FirstDeliveryInterceptor} puts on a delivery (value {@value #FIRST}) when this broker
   * instance never handed the stamp to any client before; absent otherwise (a redelivery, or the broker cannot
   * tell). Never stored with the message: each delivery gets it or not on its own.
   */
  public static final String DELIVERY_PROPERTY = "aid-delivery";
  public static final String FIRST = "first";

  private final String instance;
  private final AtomicLong counter = new AtomicLong();

  public BrokerStamp() {
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    this.instance = HexFormat.of().formatHex(random);
  }

  /** A stamp no message of any broker instance had (the counter starts at 1). */
  String next() {
    return instance + "-" + counter.incrementAndGet();
  }

  /** The counter of a stamp this instance issued; empty for another instance's (before a restart) or a foreign value. */
  Optional<Long> counterOf(String stamp) {
    if (stamp == null || stamp.length() <= instance.length() + 1 || !stamp.startsWith(instance)
        || stamp.charAt(instance.length()) != '-') {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(stamp, instance.length() + 1, stamp.length(), 10));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
