package org.aidcmp.infra.mqtt.auth;

import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.MqttActivity;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.PermissionType;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.Retain;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission.SharedSubscription;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import java.util.List;
import org.aidcmp.infra.pki.mqtt.MqttIdentity;
import org.aidcmp.infra.pki.mqtt.MqttRole;

/**
 * The AiD2 topic rights of each role, written once (infra/embedded-mqtt/README.md shows the same table): anything
 * not listed is refused. {@code {vin}} is the connecting vehicle's own VIN. Topic scheme: DESIGN.md "ingress-aid2".
 */
public final class AidMqttAcl {
  /** The bridge's share group: the only group its uplink subscription may use, so bridges split the load. */
  public static final String BRIDGE_SHARE_GROUP = "aid-bridge";
  static final String VIN = "{vin}";

  /** How a subscription may be shared: not at all, only in the bridge's group, or either. */
  public enum Sharing { NOT_SHARED, BRIDGE_GROUP, EITHER }

  /** One line of the ACL; {@code retained}: whether a PUBLISH may carry the retain flag (ignored for subscribe). */
  public record Rule(MqttRole role, MqttActivity activity, String topicFilter, Sharing sharing, boolean retained) {}

  public static final List<Rule> RULES = List.of(
      // AID.02 §7.2.3 uplinks; never retained (a retained uplink would reach every new bridge again).
      new Rule(MqttRole.VEHICLE, MqttActivity.PUBLISH, "aid2/v1/vehicles/{vin}/up/+", Sharing.NOT_SHARED, false),
      // online on connect, offline as the Will; retained, so a late subscriber sees the last state.
      new Rule(MqttRole.VEHICLE, MqttActivity.PUBLISH, "aid2/v1/vehicles/{vin}/presence", Sharing.NOT_SHARED, true),
      // §7.2.1 / §7.2.2 / §7.2.4 / §7.2.7 / §7.2.8 downlinks to this vehicle.
      new Rule(MqttRole.VEHICLE, MqttActivity.SUBSCRIBE, "aid2/v1/vehicles/{vin}/down/#", Sharing.NOT_SHARED, false),
      new Rule(MqttRole.BRIDGE, MqttActivity.SUBSCRIBE, "aid2/v1/vehicles/+/up/#", Sharing.BRIDGE_GROUP, false),
      new Rule(MqttRole.BRIDGE, MqttActivity.SUBSCRIBE, "aid2/v1/vehicles/+/presence", Sharing.EITHER, false),
      // The bridge tells a vehicle what was wrong with its message.
      new Rule(MqttRole.BRIDGE, MqttActivity.PUBLISH, "aid2/v1/vehicles/+/down/error", Sharing.NOT_SHARED, false),
      new Rule(MqttRole.DOWNLINK, MqttActivity.PUBLISH, "aid2/v1/vehicles/+/down/#", Sharing.NOT_SHARED, false));

  private AidMqttAcl() {}

  /** The rules of {@code identity}'s role, {@code {vin}} replaced by its name. */
  public static List<Rule> rulesFor(MqttIdentity identity) {
    return RULES.stream().filter(r -> r.role() == identity.role())
        .map(r -> new Rule(r.role(), r.activity(), r.topicFilter().replace(VIN, identity.name()), r.sharing(),
            r.retained()))
        .toList();
  }

  /**
   * The rules as HiveMQ default permissions, anything else denied. HiveMQ CE applies them to every PUBLISH,
   * SUBSCRIBE and to the Will at CONNECT. A denied SUBSCRIBE gets SUBACK "Not authorized" (0x87; MQTT 3.1.1:
   * 0x80 Failure) and the connection stays; a denied PUBLISH gets PUBACK "Not authorized" (0x87) and then
   * DISCONNECT "Not authorized" (MQTT 3.1.1, which has no reason codes: the connection is closed); a Will outside
   * the rights gets CONNACK "Not authorized". (BrokerSecurityTest pins each of these.)
   */
  static List<TopicPermission> permissions(MqttIdentity identity) {
    return rulesFor(identity).stream().map(AidMqttAcl::permission).toList();
  }

  private static TopicPermission permission(Rule rule) {
    var builder = Builders.topicPermission()
        .topicFilter(rule.topicFilter())
        .type(PermissionType.ALLOW)
        .activity(rule.activity())
        .qos(TopicPermission.Qos.ALL)
        .retain(rule.activity() == MqttActivity.PUBLISH && !rule.retained() ? Retain.NOT_RETAINED : Retain.ALL);
    if (rule.activity() == MqttActivity.PUBLISH) {
      return builder.build(); // sharing is a property of subscriptions
    }
    switch (rule.sharing()) {
      case NOT_SHARED -> builder.sharedSubscription(SharedSubscription.NOT_SHARED);
      case BRIDGE_GROUP -> builder.sharedSubscription(SharedSubscription.SHARED).sharedGroup(BRIDGE_SHARE_GROUP);
      case EITHER -> builder.sharedSubscription(SharedSubscription.ALL).sharedGroup(BRIDGE_SHARE_GROUP);
    }
    return builder.build();
  }
}
