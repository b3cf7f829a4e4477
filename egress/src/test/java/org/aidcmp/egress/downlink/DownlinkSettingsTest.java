package org.aidcmp.egress.downlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.schemas.topics.AidTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DownlinkSettingsTest {

  @Test
  void builtFromTheConfigurationInOnePlace() {
    DownlinkSettings s = DownlinkSettings.from(AidConfig.of(Map.of(
        "kafka.bootstrap.servers", "127.0.0.1:19092",
        "mqtt.server.uri", "tcp://127.0.0.1:11883",
        "downlink.group.id", "dl",
        "downlink.mqtt.client-id", "dl-1",
        "downlink.mqtt.username", "downlink",
        "downlink.mqtt.password", "s3cret-password",
        "downlink.max-in-flight", "50",
        "downlink.commit.interval.ms", "300",
        "downlink.consumer.group.instance.id", "dl-instance")));
    assertThat(s.downlinkTopic()).isEqualTo(AidTopic.AID2_DOWNLINK.topicName());
    assertThat(s.dlqTopic()).isEqualTo(AidTopic.DLQ.topicName());
    assertThat(s.groupId()).isEqualTo("dl");
    assertThat(s.clientId()).isEqualTo("dl-1");
    assertThat(s.broker().host()).isEqualTo("127.0.0.1");
    assertThat(s.broker().port()).isEqualTo(11883);
    assertThat(s.broker().tls()).isNull();
    assertThat(s.broker().username()).isEqualTo("downlink");
    assertThat(s.broker().password()).isEqualTo("s3cret-password");
    assertThat(s.broker().toString()).doesNotContain("s3cret");
    assertThat(s.maxInFlight()).isEqualTo(50);
    assertThat(s.commitInterval()).isEqualTo(Duration.ofMillis(300));
    assertThat(s.consumerOverrides()).containsEntry("group.instance.id", "dl-instance");
  }

  @Test
  void twoPublishersGetTwoClientIdsByDefault() {
    AidConfig config = AidConfig.of(Map.of("kafka.bootstrap.servers", "k:9092", "mqtt.server.uri", "tcp://m:1883"));
    assertThat(DownlinkSettings.from(config).clientId()).isNotEqualTo(DownlinkSettings.from(config).clientId());
  }

  @Test
  void tlsNeedsTheBrokersCa_andTakesAClientCertificate(@TempDir Path dir) throws Exception {
    AidConfig noCa = AidConfig.of(Map.of("kafka.bootstrap.servers", "k:9092", "mqtt.server.uri", "ssl://m:8883"));
    assertThatThrownBy(() -> DownlinkSettings.from(noCa)).hasMessageContaining("downlink.mqtt.tls.trusted");

    CertificateAuthority ca = CertificateAuthority.create("broker-ca");
    Path trusted = dir.resolve("ca.pem");
    Path identity = dir.resolve("downlink.pem");
    Files.writeString(trusted, Pem.certificates(List.of(ca.certificate())));
    Files.writeString(identity, Pem.identity(ca.issueClient("downlink")));
    DownlinkSettings s = DownlinkSettings.from(noCa.with(Map.of(
        "downlink.mqtt.tls.trusted", trusted.toString(), "downlink.mqtt.tls.identity", identity.toString())));
    assertThat(s.broker().port()).isEqualTo(8883);
    assertThat(s.broker().tls().trustManagers()).isNotNull();
    assertThat(s.broker().tls().keyManagers()).as("a client certificate").isNotNull();

    assertThatThrownBy(() -> DownlinkSettings.from(noCa.with(Map.of("downlink.mqtt.tls.trusted", dir.resolve("none.pem").toString()))))
        .hasMessageContaining("downlink.mqtt.tls.trusted").hasMessageContaining("cannot read");
  }

  @Test
  void anMqttUriThatIsNotOneIsRefused() {
    assertThatThrownBy(() -> MqttEndpoint.of("http://m:80")).hasMessageContaining("tcp://host:port");
  }
}
