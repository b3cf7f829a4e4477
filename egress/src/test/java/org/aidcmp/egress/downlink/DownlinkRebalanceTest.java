package org.aidcmp.egress.downlink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aidcmp.egress.SharedKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two publishers in one group: the second joins mid-stream and the first leaves mid-stream. On each revoke the
 * leaving owner waits for the PUBACKs under way and commits what they acknowledged, and drops what it had read but
 * not published, so the new owner starts exactly there: every record once, in order per vehicle.
 */
@ExtendWith({SharedKafka.class, SharedMqtt.class})
class DownlinkRebalanceTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aPublisherJoiningAndOneLeavingMidStream_loseNothingAndRepeatNothing(SharedKafka.Endpoints endpoints,
      SharedMqtt.Broker broker) throws Exception {
    try (DownlinkHarness h = new DownlinkHarness(endpoints, broker, "rebalance", 4)) {
      List<String> vins = new ArrayList<>();
      Map<String, TestVehicle> vehicles = new HashMap<>();
      for (int i = 0; i < 8; i++) {
        String vin = DownlinkHarness.newVin();
        vins.add(vin);
        vehicles.put(vin, h.vehicle(vin).online());
      }
      String group = "downlink-rebalance";
      DownlinkPublisher first = h.start(h.settings(group));
      Map<String, List<String>> sent = new HashMap<>();
      int n = 0;
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 200; i++, n++) {
          String vin = vins.get(n % vins.size());
          sent.computeIfAbsent(vin, k -> new ArrayList<>()).add(h.send(vin, DownlinkHarness.mixed(vin, n)).commandId());
        }
        if (round == 0) {
          h.start(h.settings(group)); // joins: the partitions are split
        } else if (round == 1) {
          first.close(); // leaves: its partitions go to the other
        }
      }
      DownlinkHarness.await(WAIT, "committed to the end", () -> h.committedToEnd(group));
      DownlinkHarness.await(WAIT, "600 delivered",
          () -> vehicles.values().stream().mapToInt(v -> v.received.size()).sum() >= 600);
      Thread.sleep(1_000);
      for (String vin : vins) {
        assertThat(vehicles.get(vin).commandIds()).as("vehicle %s", vin).containsExactlyElementsOf(sent.get(vin));
      }
    }
  }
}
