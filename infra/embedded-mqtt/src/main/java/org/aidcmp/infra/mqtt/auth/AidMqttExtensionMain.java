package org.aidcmp.infra.mqtt.auth;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.aidcmp.infra.pki.Pem;
import org.aidcmp.infra.pki.mqtt.MqttIdentityStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AiD2 broker security as a HiveMQ extension folder ({@code aid-mqtt-security/}, built by the deploy module)
 * for a stock HiveMQ CE: HiveMQ finds this class through the folder's {@code META-INF/services} file and makes it
 * with no arguments, so it reads the credentials directory that {@code MqttCredentials} keeps ({@code vehicle-ca.pem},
 * {@code identities/}) from {@value #DIR_VARIABLE}, else {@code credentials/} in the extension's folder, and
 * starts {@link AidMqttSecurityMain}, the embedded broker's own. Read only: the broker never makes the CA.
 *
 * <p>Fails closed: without the directory or its CA every CONNECT is refused (HiveMQ CE with no authenticator
 * would let every client in).
 */
public final class AidMqttExtensionMain implements ExtensionMain {
  /** The environment variable naming the credentials directory. */
  public static final String DIR_VARIABLE = "AID_MQTT_AUTH_DIR";
  private static final Logger LOG = LoggerFactory.getLogger(AidMqttExtensionMain.class);

  private ExtensionMain delegate;

  @Override
  public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
    String configured = System.getenv(DIR_VARIABLE);
    Path dir = configured != null && !configured.isBlank() ? Path.of(configured)
        : input.getExtensionInformation().getExtensionHomeFolder().toPath().resolve("credentials");
    Path ca = dir.resolve("vehicle-ca.pem");
    if (!Files.isReadable(ca) || !Files.isDirectory(dir.resolve("identities"))) {
      LOG.error("aid-mqtt-security: no credentials at {} (vehicle-ca.pem, identities/): refusing every client", dir);
      SimpleAuthenticator refuseAll = (in, out) -> out.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED,
          "the broker has no credentials store");
      Services.securityRegistry().setAuthenticatorProvider(providerInput -> refuseAll);
      return;
    }
    List<X509Certificate> vehicleCa = Pem.readCertificates(Pem.read(ca));
    delegate = new AidMqttSecurityMain(new MqttIdentityStore(dir.resolve("identities")), vehicleCa.get(0));
    delegate.extensionStart(input, output);
    LOG.info("aid-mqtt-security: clients authenticated against {}", dir);
  }

  @Override
  public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {
    if (delegate != null) {
      delegate.extensionStop(input, output);
    }
  }
}
