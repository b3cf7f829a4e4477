package org.aidcmp.infra.mqtt.auth;

import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.mqtt.MqttIdentity;
import org.aidcmp.infra.pki.mqtt.MqttIdentityStore;
import org.aidcmp.infra.pki.mqtt.MqttRole;
import org.aidcmp.infra.pki.mqtt.PasswordHash;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides at CONNECT who a client is and what it may do: a client certificate (TLS listener) issued by the
 * vehicle CA whose CN is a registered VIN and whose fingerprint is the one last issued to it, or a username
 * with its password (either listener, MQTT 3.1.1 too). The client id must belong to the identity
 * ({@link MqttIdentity#allowsClientId}). Then the identity's rights ({@link AidMqttAcl}) become the
 * connection's default permissions, everything else denied, the Will included. Anyone else is refused.
 */
final class AidMqttAuthenticator implements SimpleAuthenticator {
  private static final Logger LOG = LoggerFactory.getLogger(AidMqttAuthenticator.class);

  private final MqttIdentityStore store;
  private final X509Certificate vehicleCa;

  AidMqttAuthenticator(MqttIdentityStore store, X509Certificate vehicleCa) {
    this.store = store;
    this.vehicleCa = vehicleCa;
  }

  /** Why a client was turned away: the CONNACK code, and a reason for the broker's log (never a secret). */
  private record Refusal(ConnackReasonCode code, String reason) {}

  @Override
  public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
    ConnectPacket connect = input.getConnectPacket();
    String clientId = connect.getClientId();
    Optional<X509Certificate> certificate = input.getConnectionInformation().getClientTlsInformation()
        .flatMap(ClientTlsInformation::getClientCertificate);
    Object result;
    try {
      result = certificate.isPresent() ? byCertificate(certificate.get(), connect) : byPassword(connect);
    } catch (RuntimeException e) {
      LOG.warn("MQTT client {} refused: its credentials could not be checked", clientId, e);
      result = new Refusal(ConnackReasonCode.NOT_AUTHORIZED, "credentials could not be checked");
    }
    if (result instanceof MqttIdentity identity && !identity.allowsClientId(clientId)) {
      result = new Refusal(ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
          "client id does not belong to " + identity.name());
    }
    if (result instanceof Refusal refusal) {
      LOG.info("MQTT client {} refused: {}", clientId, refusal.reason());
      output.failAuthentication(refusal.code(), refusal.reason());
      return;
    }
    MqttIdentity identity = (MqttIdentity) result;
    ModifiableDefaultPermissions permissions = output.getDefaultPermissions();
    permissions.clear();
    permissions.addAll(AidMqttAcl.permissions(identity));
    permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
    output.authenticateSuccessfully();
  }

  private Object byCertificate(X509Certificate certificate, ConnectPacket connect) {
    try {
      // The TLS listener trusts the vehicle CA only; checked again here so that trust never rests on config alone.
      certificate.checkValidity();
      certificate.verify(vehicleCa.getPublicKey());
    } catch (GeneralSecurityException e) {
      return new Refusal(ConnackReasonCode.NOT_AUTHORIZED, "client certificate not issued by the vehicle CA");
    }
    Optional<String> vin = commonName(certificate);
    Optional<MqttIdentity> identity = vin.flatMap(store::find).filter(i -> i.role() == MqttRole.VEHICLE);
    if (identity.isEmpty()) {
      return new Refusal(ConnackReasonCode.NOT_AUTHORIZED, "client certificate of no registered vehicle");
    }
    if (!identity.get().certificateSha256IfAny().orElse("").equals(Identity.sha256Fingerprint(certificate))) {
      return new Refusal(ConnackReasonCode.NOT_AUTHORIZED, "client certificate replaced or revoked");
    }
    if (connect.getUserName().filter(u -> !u.equals(vin.get())).isPresent()) {
      return new Refusal(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "username is not the certificate's VIN");
    }
    return identity.get();
  }

  private Object byPassword(ConnectPacket connect) {
    Optional<String> username = connect.getUserName();
    Optional<String> password = connect.getPassword().flatMap(AidMqttAuthenticator::utf8);
    if (username.isEmpty() || password.isEmpty()) {
      return new Refusal(ConnackReasonCode.NOT_AUTHORIZED, "no client certificate and no username / password");
    }
    Optional<MqttIdentity> identity = store.find(username.get())
        .filter(i -> i.passwordHashIfAny().filter(h -> PasswordHash.verify(password.get(), h)).isPresent());
    if (identity.isEmpty()) {
      return new Refusal(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "unknown username or wrong password");
    }
    return identity.get();
  }

  private static Optional<String> commonName(X509Certificate certificate) {
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static Optional<String> utf8(ByteBuffer bytes) {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(bytes.asReadOnlyBuffer());
      return Optional.of(chars.toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
