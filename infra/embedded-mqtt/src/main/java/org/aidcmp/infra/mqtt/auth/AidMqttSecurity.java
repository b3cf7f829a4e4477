package org.aidcmp.infra.mqtt.auth;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.security.cert.X509Certificate;
import org.aidcmp.infra.mqtt.stamp.MessageStamping;
import org.aidcmp.infra.pki.mqtt.MqttCredentials;
import org.aidcmp.infra.pki.mqtt.MqttIdentityStore;

/**
 * The embedded HiveMQ extension that makes the broker refuse everyone it does not know and hold everyone it
 * knows to the AiD2 ACL ({@link AidMqttAcl}), and that stamps every vehicle uplink with the broker's id of the
 * message ({@link MessageStamping}). Stateless apart from the store it reads at each CONNECT and the stamps' counter.
 */
public final class AidMqttSecurity {
  private AidMqttSecurity() {}

  public static EmbeddedExtension extension(MqttCredentials credentials) {
    return extension(credentials.store(), credentials.vehicleCa());
  }

  public static EmbeddedExtension extension(MqttIdentityStore store, X509Certificate vehicleCa) {
    AidMqttAuthenticator authenticator = new AidMqttAuthenticator(store, vehicleCa);
    MessageStamping stamping = new MessageStamping();
    return EmbeddedExtension.builder()
        .withId("aid-mqtt-security").withName("AiD2 broker security").withVersion("1")
        // Before any other extension, so nothing else can let a client in first.
        .withPriority(1000)
        .withExtensionMain(new ExtensionMain() {
          @Override
          public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
            Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
            // Every vehicle uplink stamped with the broker's id of it: the bridge's message identity.
            Services.initializerRegistry().setClientInitializer(stamping::initialize);
          }

          @Override
          public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}
        })
        .build();
  }
}
