package org.aidcmp.schemas.aid2.wire;

import java.util.Optional;

/**
 * The MQTT topic scheme of AiD2 (DESIGN.md, ingress-aid2): {@code aid2/v1/vehicles/{vin}/up/{message}} from
 * the vehicle, {@code aid2/v1/vehicles/{vin}/down/{message}} to it, and {@code aid2/v1/vehicles/{vin}/presence}
 * ({@code online} published by the vehicle on connect, {@code offline} as its Will).
 */
public final class Aid2Topics {
  private Aid2Topics() {}

  public static final String VEHICLES = "aid2/v1/vehicles/";
  public static final String PRESENCE = "presence";
  public static final String ONLINE = "online";
  public static final String OFFLINE = "offline";

  /** The shared-subscription group every bridge joins, so bridges split the load. */
  public static final String BRIDGE_GROUP = "aid-bridge";
  /** Every uplink message of every vehicle. */
  public static final String UPLINK_FILTER = VEHICLES + "+/up/#";
  /** Every vehicle's presence. */
  public static final String PRESENCE_FILTER = VEHICLES + "+/" + PRESENCE;

  /** What a topic of the scheme names. {@code message} is empty for presence. */
  public record Address(String vin, Direction direction, String message) {}

  public enum Direction { UP, DOWN, PRESENCE }

  /** {@code filter} as a shared subscription of the bridges' group. */
  public static String shared(String filter) {
    return "$share/" + BRIDGE_GROUP + "/" + filter;
  }

  /** Everything under one vehicle: what that vehicle, and only it, may use. */
  public static String vehicleRoot(String vin) {
    return VEHICLES + vin + "/";
  }

  public static String uplink(String vin, UplinkMessage message) {
    return vehicleRoot(vin) + "up/" + message.topicName();
  }

  public static String downlink(String vin, DownlinkMessage message) {
    return vehicleRoot(vin) + "down/" + message.topicName();
  }

  /** What a vehicle subscribes to. */
  public static String downlinkFilter(String vin) {
    return vehicleRoot(vin) + "down/#";
  }

  public static String presence(String vin) {
    return vehicleRoot(vin) + PRESENCE;
  }

  /**
   * The VIN level of any topic under {@value #VEHICLES}, also of one outside the scheme (an unknown level, one
   * too many): the vehicle the bridge tells what was wrong. Empty when there is no such level, or it is empty.
   */
  public static Optional<String> vehicleOf(String topic) {
    if (topic == null || !topic.startsWith(VEHICLES)) {
      return Optional.empty();
    }
    String rest = topic.substring(VEHICLES.length());
    int slash = rest.indexOf('/');
    String vin = slash < 0 ? rest : rest.substring(0, slash);
    return vin.isEmpty() ? Optional.empty() : Optional.of(vin);
  }

  /** The address a topic of the scheme names; empty for any other topic. The message name is not checked here. */
  public static Optional<Address> parse(String topic) {
    if (topic == null || !topic.startsWith(VEHICLES)) {
      return Optional.empty();
    }
    String[] levels = topic.substring(VEHICLES.length()).split("/", -1);
    if (levels.length == 2 && levels[1].equals(PRESENCE) && !levels[0].isEmpty()) {
      return Optional.of(new Address(levels[0], Direction.PRESENCE, ""));
    }
    if (levels.length == 3 && !levels[0].isEmpty() && !levels[2].isEmpty()) {
      if (levels[1].equals("up")) {
        return Optional.of(new Address(levels[0], Direction.UP, levels[2]));
      }
      if (levels[1].equals("down")) {
        return Optional.of(new Address(levels[0], Direction.DOWN, levels[2]));
      }
    }
    return Optional.empty();
  }
}
