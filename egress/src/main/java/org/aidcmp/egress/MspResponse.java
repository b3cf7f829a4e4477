package org.aidcmp.egress;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** What an MSP answered to one attempt: status, body, and the Retry-After of a 429 or 503. */
record MspResponse(int status, String body, Optional<Duration> retryAfter) {

  static MspResponse of(HttpResponse<String> response) {
    return new MspResponse(response.statusCode(), response.body(),
        response.headers().firstValue("Retry-After").flatMap(MspResponse::retryAfter));
  }

  /** 5xx and 429 are worth another attempt; any other answer is final. */
  boolean retryable() {
    return status >= 500 || status == 429;
  }

  /** Retry-After is delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
  static Optional<Duration> retryAfter(String value) {
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until = Duration.between(java.time.Instant.now(),
            ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return Optional.of(until.isNegative() ? Duration.ZERO : until);
      } catch (RuntimeException unreadable) {
        return Optional.empty();
      }
    }
  }
}
