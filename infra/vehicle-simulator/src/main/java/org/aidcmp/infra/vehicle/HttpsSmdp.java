package org.aidcmp.infra.vehicle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.aidcmp.infra.pki.Identity;
import org.aidcmp.infra.pki.Tls;

/**
 * The SM-DP+ stubs of MSP simulators in other processes ({@code aid msp serve}), over HTTPS: each download is
 * offered to every URL in turn until one yields the profile (a code is bound at one SM-DP+ only, and another
 * refusing it does not use it up). Their servers ask for a client certificate, so the vehicles present one
 * from a CA the simulators trust. Thread-safe.
 */
public final class HttpsSmdp implements Smdp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  private final List<URI> downloadUrls;
  private final HttpClient http;

  public HttpsSmdp(List<URI> downloadUrls, Identity clientIdentity, List<X509Certificate> trustedCas) {
    if (downloadUrls.isEmpty()) {
      throw new IllegalArgumentException("at least one SM-DP+ download URL");
    }
    this.downloadUrls = List.copyOf(downloadUrls);
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .sslContext(Tls.clientContext(clientIdentity, trustedCas)).build();
  }

  @Override
  public Download download(String activationCode, String eid) {
    ObjectNode body = JSON.createObjectNode().put("activationCode", activationCode).put("eid", eid);
    boolean reached = false;
    for (URI url : downloadUrls) {
      try {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).timeout(CALL_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        reached = true;
        if (response.statusCode() == 200) {
          JsonNode answer = JSON.readTree(response.body());
          if (answer.path("iccid").isTextual()) {
            return Download.of(answer.get("iccid").asText());
          }
        }
      } catch (IOException e) {
        // this SM-DP+ not reachable: the next one may hold the code
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Download.unreachable();
      }
    }
    return reached ? Download.refused() : Download.unreachable();
  }

  @Override
  public String toString() {
    return "SM-DP+ at " + downloadUrls;
  }
}
