package org.aidcmp.infra.mqtt.auth;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.security.cert.X509Certificate;
import org.aidcmp.infra.mqtt.stamp.MessageStamping;
import org.aidcmp.infra.pki.mqtt.MqttIdentityStore;

/**
 * What the AiD2 broker security does when HiveMQ starts it, embedded ({@link AidMqttSecurity}) or packaged as an
 * extension folder ({@link AidMqttExtensionMain}): every client authenticated against the credentials store and
 * held to the AiD2 ACL ({@link AidMqttAuthenticator}), every vehicle uplink stamped ({@link MessageStamping}).
 */
public final class AidMqttSecurityMain implements ExtensionMain {
  private final AidMqttAuthenticator authenticator;
  private final MessageStamping stamping = new MessageStamping();

  public AidMqttSecurityMain(MqttIdentityStore store, X509Certificate vehicleCa) {
    this.authenticator = new AidMqttAuthenticator(store, vehicleCa);
  }

  @Override
  public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
    Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
    // Every vehicle uplink stamped with the broker's id of it: the bridge's message identity.
    Services.initializerRegistry().setClientInitializer(stamping::initialize);
  }

  @Override
  public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}
}
