package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.schemas.ref.VehicleReference;
import org.aidcmp.schemas.ref.VehicleRegistration;
import org.aidcmp.schemas.registry.SchemaRegistryClient;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aid vehicle register} on the shared stack: the registry record reaches aid.ref.vehicles.v1 and the car
 * connects with exactly the files the command wrote (certificate on TLS, password on plain, MQTT 5 and 3.1.1).
 */
@ExtendWith(SharedEmbeddedStack.class)
class VehicleRegisterCommandTest {
  static final String VIN = "WBAUX11030A335001";
  static final String EID = "89049032000001000000000000000001";

  @Test
  void badInputSaysWhatIsWrong_andExitsWithTwoBeforeTouchingAnything() throws Exception {
    assertThatThrownBy(() -> VehicleCommands.parse(List.of("register", "WBAUX11030A33500I", "--eid", EID)))
        .hasMessageContaining("ISO 3779");
    assertThatThrownBy(() -> VehicleCommands.parse(List.of("register", VIN))).hasMessage("--eid is required");
    assertThatThrownBy(() -> VehicleCommands.parse(List.of("register", VIN, "--eid", "123")))
        .hasMessageContaining("32 digits");
    assertThatThrownBy(() -> VehicleCommands.parse(List.of("register", VIN, "--eid", EID, "--imei", "12")))
        .hasMessageContaining("15 digits");
    assertThatThrownBy(() -> VehicleCommands.parse(List.of("register", VIN, "--eid", EID, "--colour", "red")))
        .hasMessageContaining("--colour");
    assertThatThrownBy(() -> VehicleCommands.parse(List.of("register", "--eid", EID))).hasMessageContaining("VIN");
    assertThatThrownBy(() -> VehicleCommands.parse(List.of("retire", VIN))).hasMessageContaining("retire");
    assertThat(VehicleCommands.parse(List.of("register", VIN, "--eid", EID, "--imei", "356938035643809")))
        .isEqualTo(new VehicleCommands.Registration(VIN, EID, "356938035643809", null));

    for (String[] args : List.of(new String[] {"vehicle"}, new String[] {"vehicle", "register", VIN},
        new String[] {"vehicle", "register", "nope", "--eid", EID})) {
      assertThat(new Aid(new PrintStream(new ByteArrayOutputStream())).run(args)).as(String.join(" ", args))
          .isEqualTo(2);
    }
  }

  @Test
  void helpIsPrinted() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertThat(new Aid(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run(new String[] {"vehicle", "--help"}))
        .isZero();
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("vehicle register VIN --eid EID");
  }

  @Test
  void aRegisteredCarIsInTheFleetRegistry_andConnectsWithTheFilesItWasGiven(Endpoints endpoints,
      SharedEmbeddedStack.DataDir data, @TempDir Path tmp) throws Exception {
    Path config = tmp.resolve("aid.properties");
    Files.writeString(config, String.join("\n",
        "aid.data.dir=" + data.path(),
        "kafka.bootstrap.servers=" + endpoints.kafkaBootstrapServers(),
        "schema.registry.url=" + endpoints.schemaRegistryUrl(),
        "mqtt.embedded.port=" + URI.create(endpoints.mqttServerUri()).getPort(),
        "mqtt.embedded.tls.port=" + URI.create(endpoints.mqttTlsServerUri()).getPort()) + "\n");
    Path out = tmp.resolve("car");

    String printed = run(config, "vehicle", "register", VIN, "--eid", EID, "--imei", "356938035643809",
        "--out", out.toString());

    assertThat(printed).contains(VIN + " registered", endpoints.mqttServerUri(), endpoints.mqttTlsServerUri(),
        DevCredentials.localCa(data.path()).toString(), out.resolve("client-cert.pem").toString());
    String password = Files.readString(out.resolve("password"));
    assertThat(printed).doesNotContain(password);
    for (String file : List.of("password", "client-key.pem")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve(file)))).isEqualTo("rw-------");
    }

    try (SchemaRegistryClient registry = Aid.registryClient(AidConfig.of(Map.of()), endpoints);
        TopicLog<VehicleReference> log = new TopicLog<>(endpoints.kafkaBootstrapServers(), registry,
            AidTopic.REF_VEHICLES.topicName(), VehicleReference.class)) {
      VehicleReference record = Await.until("the registration on " + AidTopic.REF_VEHICLES.topicName(),
          Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
            log.read();
            return log.records.stream().filter(r -> r.key().equals(VIN)).map(ConsumerRecord::value)
                .reduce((a, b) -> b).orElse(null);
          }, () -> log.records.size() + " records read");
      VehicleRegistration registered = (VehicleRegistration) record.getPayload();
      assertThat(record.getHeader().getSource()).isEqualTo(FleetRegistry.SOURCE);
      assertThat(registered).isEqualTo(new VehicleRegistration(VIN, EID, "356938035643809", true));
    }

    // TLS with the certificate and key files, trusting the printed CA
    Identity car = Pem.readIdentity(Files.readString(out.resolve("client-key.pem"))
        + Files.readString(out.resolve("client-cert.pem")));
    X509Certificate ca = Pem.readCertificates(Pem.read(DevCredentials.localCa(data.path()))).get(0);
    URI tls = URI.create(endpoints.mqttTlsServerUri());
    Mqtt5BlockingClient onTls = MqttClient.builder().useMqttVersion5().identifier(VIN)
        .serverHost(tls.getHost()).serverPort(tls.getPort())
        .sslConfig().trustManagerFactory(trust(ca)).keyManagerFactory(keys(car)).applySslConfig()
        .buildBlocking();
    onTls.connect();
    onTls.publishWith().topic("aid2/v1/vehicles/" + VIN + "/presence").qos(MqttQos.AT_LEAST_ONCE)
        .payload("online".getBytes(StandardCharsets.UTF_8)).send();
    onTls.disconnect();

    // plain MQTT 3.1.1 with the password file
    URI plain = URI.create(endpoints.mqttServerUri());
    Mqtt3BlockingClient v3 = MqttClient.builder().useMqttVersion3().identifier(VIN)
        .serverHost(plain.getHost()).serverPort(plain.getPort())
        .simpleAuth().username(VIN).password(password.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
        .buildBlocking();
    v3.connect();
    v3.subscribeWith().topicFilter("aid2/v1/vehicles/" + VIN + "/down/#").qos(MqttQos.AT_LEAST_ONCE).send();
    v3.disconnect();
  }

  private static TrustManagerFactory trust(X509Certificate ca) throws Exception {
    TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(Tls.trustStore(List.of(ca)));
    return f;
  }

  private static KeyManagerFactory keys(Identity identity) throws Exception {
    KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    f.init(identity.keyStore("t".toCharArray()), "t".toCharArray());
    return f;
  }

  private static String run(Path config, String... args) throws Exception {
    return AidCommandLine.run(0, config, args);
  }
}
