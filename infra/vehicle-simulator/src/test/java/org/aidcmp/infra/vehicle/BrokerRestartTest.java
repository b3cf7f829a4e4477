package org.aidcmp.infra.vehicle;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import org.aidcmp.infra.msp.SmdpStub;
import org.aidcmp.infra.mqtt.EmbeddedMqttBroker;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.VehicleCredentials;
import org.junit.jupiter.api.Test;

/**
 * §7.2.3 additional requirement (2): the broker restarts (its own, here: the shared one stays up for the others),
 * and a vehicle that logged in with a password reconnects by itself, with its credentials. Found by
 * {@code aid drill mqtt-restart}: the credentials were on the first CONNECT only, so every reconnect was refused.
 */
class BrokerRestartTest {

  @Test
  void aVehicleWithAPasswordReconnectsAfterTheBrokerRestarts() throws Exception {
    Path dir = Files.createTempDirectory("aid-vehicle-restart-");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    MqttCredentials credentials = MqttCredentials.open(dir.resolve("mqtt-auth"));
    EmbeddedMqttBroker broker = EmbeddedMqttBroker.builder(dir.resolve("mqtt")).port(port)
        .authentication(credentials).build().start();
    String vin = SimulatedVehicleTest.vin();
    VehicleCredentials issued = credentials.issueVehiclePassword(vin);
    try (Fleet fleet = new Fleet(Smdp.of(new SmdpStub()::download), new Fleet.Settings(2, Duration.ofSeconds(60)))) {
      SimulatedVehicle v = fleet.add(new SimulatedVehicle.Spec(vin, SimulatedVehicleTest.eid(), "356938035643809", 4),
          VehicleConnection.plain(broker.serverUri(), vin).withCredentials(issued.username(), issued.password()));
      v.goOnline().get(60, TimeUnit.SECONDS);
      assertThat(v.online()).isTrue();

      broker.close();
      awaitOnline(v, false);
      broker.start();
      awaitOnline(v, true);
    } finally {
      broker.close();
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void awaitOnline(SimulatedVehicle v, boolean online) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (v.online() != online && System.nanoTime() < until) {
      Thread.sleep(100);
    }
    assertThat(v.online()).as(v.vin() + (online ? " back online" : " offline")).isEqualTo(online);
  }
}
