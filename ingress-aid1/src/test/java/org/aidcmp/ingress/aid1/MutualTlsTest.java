package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Tls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** §6: two-way TLS on the MSP port, with each MSP's client certificate pinned. */
@ExtendWith(TestStack.class)
class MutualTlsTest {
  private final TestStack.Stack stack;

  MutualTlsTest(TestStack.Stack stack) {
    this.stack = stack;
  }

  private String path() {
    return "/cesim/msp/v1/users/" + UUID.randomUUID() + "/invalidate";
  }

  @Test
  void mtls_6_noClientCertificate_isRefusedInTheHandshake() {
    MspClient anonymous = new MspClient(Tls.clientContext(null, List.of(stack.ca.certificate())),
        stack.ingress.server().mspPort(), stack.msp("mspa"));
    assertThatThrownBy(() -> anonymous.call("POST", path(), "{}")).isInstanceOf(IOException.class);
  }

  @Test
  void mtls_6_unpinnedCertificateFromTheSameCa_isRefused() {
    MspClient stranger = new MspClient(Tls.clientContext(stack.strangerCertificate, List.of(stack.ca.certificate())),
        stack.ingress.server().mspPort(), stack.msp("mspa"));
    assertThatThrownBy(() -> stranger.call("POST", path(), "{}")).isInstanceOf(IOException.class);
  }

  @Test
  void mtls_6_certificateFromAnotherCa_isRefused() {
    Identity other = CertificateAuthority.create("someone else's CA").issueClient("msp-a");
    MspClient client = new MspClient(Tls.clientContext(other, List.of(stack.ca.certificate())),
        stack.ingress.server().mspPort(), stack.msp("mspa"));
    assertThatThrownBy(() -> client.call("POST", path(), "{}")).isInstanceOf(IOException.class);
  }

  @Test
  void mtls_6_pinnedCertificate_isServed() throws Exception {
    MspClient.Response r = stack.client(stack.mspACertificate, "mspa").call("POST", path(), "{}");
    assertThat(r.status()).isEqualTo(404); // an unknown token: served, and answered by the topology
  }

  @Test
  void mtls_6_mspApiOnTheTouchpointPort_is401() throws Exception {
    long before = stack.recordsWritten();
    MspClient onTouchpointPort = new MspClient(Tls.clientContext(stack.mspACertificate, List.of(stack.ca.certificate())),
        stack.ingress.server().touchpointPort(), stack.msp("mspa"));
    MspClient.Response r = onTouchpointPort.call("POST", path(), "{}");
    assertThat(r.status()).isEqualTo(401);
    assertThat(stack.recordsWritten()).isEqualTo(before);
  }
}
