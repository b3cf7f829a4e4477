package org.aidcmp.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.infra.msp.RecordedRequest;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12: the JDK's request timeout starts before a new connection exists, so a slow TCP connect and mutual-TLS
 * handshake (a loaded machine, a far MSP) used to count against the MSP's time to answer: the attempt timed out
 * while the lane was still connecting, or just after the request left, and the retry reached an MSP that had
 * answered already. An attempt's budget is the connect timeout plus the call timeout, so the MSP keeps its
 * call timeout and a §7.1.8 Request activation code reaches it once.
 */
@ExtendWith(SharedKafka.class)
class SlowConnectionTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @Test
  void aConnectionSlowerToSetUpThanTheCallTimeoutStillGivesTheMspItsCallTimeout_oneAttemptOneExecution(
      SharedKafka.Endpoints kafka) throws Exception {
    try (Harness h = new Harness(kafka, "slow-connect");
         DelayingProxy proxy = new DelayingProxy(h.sync.baseUrl().getPort(), Duration.ofMillis(1_500))) {
      MspRegistry msps = MspRegistry.of(Harness.CMP_ID, List.of(Harness.msp("mspS", proxy.baseUrl(),
          MspRegistry.OutboundAuth.API_KEY, "syncKey123", null, null)));
      // The MSP answers at once; each new connection takes 1.5 s to start, longer than the call timeout of 1 s.
      h.startWorker(h.settings("slow-connect", msps,
              MspTls.same(Tls.clientContext(h.cmpCa.issueClient(Harness.CMP_ID), List.of(h.mspCa.certificate()))))
          .callTimeout(Duration.ofSeconds(1)));
      String command = h.requestActivationCode("mspS", h.newUser(h.sync, 1), null);

      Map<String, List<Aid1Result>> done = h.awaitResults(LIMIT, Set.of(command));
      assertThat(done.get(command)).singleElement().satisfies(result ->
          assertThat(result.getPayload()).isInstanceOfSatisfying(ActivationCodeIssued.class,
              issued -> assertThat(issued.getCommand().getAttempts()).as("attempts").isEqualTo(1)));
      assertThat(h.sync.requests(r -> command.equals(r.cmpRequestId())))
          .as("the MSP got the request once").singleElement().satisfies(r -> assertThat(r.executed()).isTrue());
      assertThat(proxy.connections).as("one connection, not one per timed-out attempt").hasSize(1);
    }
  }

  /** Forwards TCP to 127.0.0.1:target, each connection only after {@code delay}: a slow connection setup. */
  private static final class DelayingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final Duration delay;
    final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    DelayingProxy(int target, Duration delay) throws IOException {
      this.server = new ServerSocket();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      this.target = target;
      this.delay = delay;
      this.acceptor = new Thread(this::accept, "delaying-proxy");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI baseUrl() {
      return URI.create("https://127.0.0.1:" + server.getLocalPort());
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          connections.add(client);
          Thread t = new Thread(() -> forward(client), "delaying-proxy-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void forward(Socket client) {
      try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target)) {
        Thread.sleep(delay.toMillis());
        Thread back = new Thread(() -> pipe(upstream, client), "delaying-proxy-back");
        back.setDaemon(true);
        back.start();
        pipe(client, upstream);
        back.join(LIMIT.toMillis());
      } catch (IOException | InterruptedException e) {
        // the connection ended
      }
    }

    private static void pipe(Socket from, Socket to) {
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        byte[] buffer = new byte[16 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          out.write(buffer, 0, n);
          out.flush();
        }
        to.shutdownOutput();
      } catch (IOException e) {
        // one side closed
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      for (Socket s : connections) {
        s.close();
      }
    }
  }
}
