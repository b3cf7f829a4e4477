package org.aidcmp.infra.mqtt;

import java.nio.file.Path;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.ServiceCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;

/** The embedded broker with the AiD2 logins on, one vehicle's password and the bridge's login: the tests' stack. */
record CarAndBridge(EmbeddedMqttBroker broker, VehicleCredentials vehicle, ServiceCredentials bridge) {
  static CarAndBridge start(Path dir, String vin) throws Exception {
    MqttCredentials credentials = MqttCredentials.open(dir.resolve("mqtt-auth"));
    EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder(dir.resolve("mqtt")).authentication(credentials).build()
        .start();
    return new CarAndBridge(broker, credentials.issueVehiclePassword(vin), credentials.issueService(MqttRole.BRIDGE));
  }
}
