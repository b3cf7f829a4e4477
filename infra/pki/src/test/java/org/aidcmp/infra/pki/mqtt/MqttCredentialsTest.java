package org.aidcmp.infra.pki.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Pem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issuing broker identities: what the store keeps, what it never keeps, and that a second issue replaces the first. */
class MqttCredentialsTest {
  static final String VIN = "WBAUX11030A334483";

  @TempDir Path tmp;

  @Test
  void aPasswordVerifiesOnlyAgainstItsOwnSaltedHash() {
    String password = PasswordHash.newPassword();
    String hash = PasswordHash.hash(password);
    assertThat(password).hasSize(32).matches("[A-Za-z0-9_-]+");
    assertThat(hash).startsWith("pbkdf2-sha256$" + PasswordHash.ITERATIONS + "$").doesNotContain(password);
    assertThat(PasswordHash.hash(password)).isNotEqualTo(hash); // a fresh salt each time
    assertThat(PasswordHash.verify(password, hash)).isTrue();
    assertThat(PasswordHash.verify(password + "x", hash)).isFalse();
    assertThat(PasswordHash.verify(password, "pbkdf2-sha256$0$AA==$AA==")).isFalse();
    assertThat(PasswordHash.verify(password, "md5$1$2")).isFalse();
    assertThat(PasswordHash.verify(password, null)).isFalse();
  }

  @Test
  void aVehicleGetsACertificateWithItsVinAsCnFromTheVehicleCa_andAPassword_onlyTheirDigestsAreStored() throws Exception {
    MqttCredentials credentials = MqttCredentials.open(tmp);
    VehicleCredentials car = credentials.issueVehicle(VIN);

    assertThat(car.clientId()).isEqualTo(VIN);
    assertThat(car.username()).isEqualTo(VIN);
    assertThat(car.certificate().certificate().getSubjectX500Principal().getName()).isEqualTo("CN=" + VIN);
    car.certificate().certificate().verify(credentials.vehicleCa().getPublicKey());
    MqttIdentity stored = credentials.store().find(VIN).orElseThrow();
    assertThat(stored.role()).isEqualTo(MqttRole.VEHICLE);
    assertThat(stored.certificateSha256()).isEqualTo(car.certificate().sha256Fingerprint());
    assertThat(PasswordHash.verify(car.password(), stored.passwordHash())).isTrue();
    String file = Files.readString(credentials.store().dir().resolve(VIN + ".properties"));
    assertThat(file).doesNotContain(car.password());
    assertThat(car.toString()).doesNotContain(car.password());
    assertOwnerOnly(credentials.store().dir().resolve(VIN + ".properties"));
    assertOwnerOnly(tmp.resolve("vehicle-ca-key.pem"));

    VehicleCredentials again = credentials.issueVehicle(VIN);
    MqttIdentity replaced = credentials.store().find(VIN).orElseThrow();
    assertThat(replaced.certificateSha256()).isEqualTo(again.certificate().sha256Fingerprint())
        .isNotEqualTo(stored.certificateSha256());
    assertThat(PasswordHash.verify(car.password(), replaced.passwordHash())).isFalse();
  }

  @Test
  void theVehicleCaIsMadeOnceAndReopened() {
    MqttCredentials first = MqttCredentials.open(tmp);
    MqttCredentials second = MqttCredentials.open(tmp);
    assertThat(second.vehicleCa()).isEqualTo(first.vehicleCa());
    Identity car = second.issueVehicleCertificate(VIN).certificate();
    assertThat(Identity.sha256Fingerprint(car.certificate()))
        .isEqualTo(first.store().find(VIN).orElseThrow().certificateSha256());
    assertThat(first.store().find(VIN).orElseThrow().passwordHashIfAny()).isEmpty();
  }

  @Test
  void writtenFilesHoldTheKeyAndPasswordForTheOwnerOnly() throws Exception {
    VehicleCredentials car = MqttCredentials.open(tmp.resolve("auth")).issueVehicle(VIN);
    VehicleCredentials.Files files = car.write(tmp.resolve("car"));
    assertThat(Files.readString(files.password())).isEqualTo(car.password());
    assertThat(Pem.readPrivateKey(Files.readString(files.key()))).isEqualTo(car.certificate().key());
    assertThat(Pem.readCertificates(Files.readString(files.certificate()))).hasSize(2);
    assertOwnerOnly(files.password());
    assertOwnerOnly(files.key());
  }

  @Test
  void aServiceKeepsItsPasswordAcrossStarts_andGetsANewOneWhenTheStoreNoLongerAcceptsIt() {
    MqttCredentials credentials = MqttCredentials.open(tmp);
    Path file = tmp.resolve("keys").resolve("mqtt-bridge-password");
    ServiceCredentials first = credentials.service(MqttRole.BRIDGE, file);
    ServiceCredentials second = credentials.service(MqttRole.BRIDGE, file);
    assertThat(second.password()).isEqualTo(first.password());
    assertThat(first.username()).isEqualTo("aid-bridge");
    assertThat(first.clientId("1")).isEqualTo("aid-bridge-1");

    credentials.issueService(MqttRole.BRIDGE); // someone re-issued it: the kept password is stale
    ServiceCredentials third = credentials.service(MqttRole.BRIDGE, file);
    assertThat(third.password()).isNotEqualTo(first.password());
    assertThat(PasswordHash.verify(third.password(),
        credentials.store().find("aid-bridge").orElseThrow().passwordHash())).isTrue();
  }

  @Test
  void clientIdsAreBoundToTheIdentity() {
    MqttIdentity car = new MqttIdentity(VIN, MqttRole.VEHICLE, "h", null);
    assertThat(car.allowsClientId(VIN)).isTrue();
    assertThat(car.allowsClientId(VIN + "-2")).isFalse();
    MqttIdentity bridge = new MqttIdentity("aid-bridge", MqttRole.BRIDGE, "h", null);
    assertThat(bridge.allowsClientId("aid-bridge")).isTrue();
    assertThat(bridge.allowsClientId("aid-bridge-7")).isTrue();
    assertThat(bridge.allowsClientId("aid-bridge-")).isFalse();
    assertThat(bridge.allowsClientId("aid-bridgex")).isFalse();
    assertThat(bridge.allowsClientId(VIN)).isFalse();
  }

  @Test
  void badNamesAreRefusedWithAClearMessage() {
    MqttCredentials credentials = MqttCredentials.open(tmp);
    assertThatThrownBy(() -> credentials.issueVehicle("WBAUX11030A33448O")).hasMessageContaining("ISO 3779");
    assertThatThrownBy(() -> credentials.issueVehicle("aid2/v1/#")).hasMessageContaining("ISO 3779");
    assertThatThrownBy(() -> new MqttIdentity("aid-downlink", MqttRole.BRIDGE, "h", null))
        .hasMessageContaining("aid-bridge");
    assertThat(credentials.store().find("../identities/x")).isEmpty();
    assertThat(credentials.store().find(VIN)).isEmpty();
  }

  private static void assertOwnerOnly(Path file) throws Exception {
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }
}
