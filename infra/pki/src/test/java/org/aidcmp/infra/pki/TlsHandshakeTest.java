package org.aidcmp.infra.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

class TlsHandshakeTest {
  private static final CertificateAuthority SERVER_CA = CertificateAuthority.create("msp-ca");
  private static final CertificateAuthority CLIENT_CA = CertificateAuthority.create("cmp-ca");
  private static final Identity SERVER = SERVER_CA.issueServer("msp", List.of(), List.of());

  @Test
  void mutualTlsHandshakeWithTrustedClientCompletes() throws Exception {
    Identity client = CLIENT_CA.issueClient("cmp");
    assertThat(exchange(Tls.clientContext(client, List.of(SERVER_CA.certificate())))).isEqualTo(42);
  }

  @Test
  void clientIssuedByAnotherCaIsRefused() {
    Identity stranger = CertificateAuthority.create("stranger-ca").issueClient("cmp");
    assertThatThrownBy(() -> exchange(Tls.clientContext(stranger, List.of(SERVER_CA.certificate()))))
        .isInstanceOf(IOException.class);
  }

  @Test
  void clientWithoutCertificateIsRefused() {
    assertThatThrownBy(() -> exchange(Tls.clientContext(null, List.of(SERVER_CA.certificate()))))
        .isInstanceOf(IOException.class);
  }

  @Test
  void pemRoundTripKeepsKeyCertificateAndFingerprint() throws Exception {
    Identity client = CLIENT_CA.issueClient("cmp");
    Identity read = Pem.readIdentity(Pem.identity(client));
    assertThat(read.key().getEncoded()).isEqualTo(client.key().getEncoded());
    assertThat(read.chain()).isEqualTo(client.chain());
    assertThat(read.sha256Fingerprint()).isEqualTo(client.sha256Fingerprint()).matches("[0-9a-f]{64}");
    assertThat(read.keyStore("pw".toCharArray()).containsAlias(Identity.ALIAS)).isTrue();
  }

  /** One byte each way over a loopback socket whose server needs a client certificate. */
  private static int exchange(SSLContext clientContext) throws Exception {
    SSLContext serverContext = Tls.serverContext(SERVER, List.of(CLIENT_CA.certificate()));
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 1, loopback)) {
      server.setNeedClientAuth(true);
      server.setSoTimeout(10_000);
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (SSLSocket s = (SSLSocket) server.accept()) {
          s.setSoTimeout(10_000);
          int b = s.getInputStream().read();
          s.getOutputStream().write(b);
          s.getOutputStream().flush();
        } catch (IOException expectedForRefusedClients) {
          // the refusal is what the client side asserts
        }
      });
      try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket(loopback, server.getLocalPort())) {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        out.write(42);
        out.flush();
        int answer = in.read();
        if (answer < 0) {
          throw new IOException("server closed the connection");
        }
        return answer;
      } finally {
        served.get(15, TimeUnit.SECONDS);
      }
    }
  }
}
