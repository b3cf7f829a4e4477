package org.aidcmp.infra.msp;

import java.time.Instant;
import java.util.Map;

/**
 * One request the simulator received, as it arrived, with the status it answered: tests assert headers and
 * bodies exactly, and count how often a CMP-request-id was answered.
 *
 * @param headers header names in lower case
 * @param status the HTTP status answered; 0 if no answer was sent (the connection was cut)
 */
public record RecordedRequest(
    Instant receivedAt, MspCall call, String method, String path, String mspToken,
    Map<String, String> query, Map<String, String> headers, String body, int status) {

  public String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }

  public String cmpRequestId() {
    return header("CMP-request-id");
  }

  /** Answered by the MSP's own logic (2xx or 4xx), not by an injected fault or a 5xx. */
  public boolean executed() {
    return status >= 200 && status < 500 && status != 429;
  }
}
