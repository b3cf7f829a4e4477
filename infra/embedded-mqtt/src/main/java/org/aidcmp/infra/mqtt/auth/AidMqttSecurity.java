package org.aidcmp.infra.mqtt.auth;

import com.hivemq.embedded.EmbeddedExtension;
import java.security.cert.X509Certificate;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttIdentityStore;

/**
 * The embedded HiveMQ extension that makes the broker refuse everyone it does not know and hold everyone it
 * knows to the AiD2 ACL ({@link AidMqttAcl}), and that stamps every vehicle uplink with the broker's id of the
 * message ({@code MessageStamping}); what it does is {@link AidMqttSecurityMain}, which the packaged extension
 * folder ({@link AidMqttExtensionMain}) starts too. Stateless apart from the store it reads at each CONNECT and
 * the stamps' counter.
 */
public final class AidMqttSecurity {
  /** The extension's id, as the packaged extension folder is named too. */
  public static final String ID = "aid-mqtt-security";
  /** Before any other extension, so nothing else can let a client in first. */
  public static final int PRIORITY = 1000;

  private AidMqttSecurity() {}

  public static EmbeddedExtension extension(MqttCredentials credentials) {
    return extension(credentials.store(), credentials.vehicleCa());
  }

  public static EmbeddedExtension extension(MqttIdentityStore store, X509Certificate vehicleCa) {
    return EmbeddedExtension.builder()
        .withId(ID).withName("AiD2 broker security").withVersion("1")
        // Before any other extension, so nothing else can let a client in first.
        .withPriority(PRIORITY)
        .withExtensionMain(new AidMqttSecurityMain(store, vehicleCa))
        .build();
  }
}
