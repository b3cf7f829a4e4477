package org.aidcmp.ingress.aid1;

/**
 * A request refused before or instead of reaching Kafka: an HTTP status and the §5.1.5 error body
 * {@code {"code": ..., "error": ...}}. Thrown by the checks, turned into the response by the server's exception
 * handler, so no check can forget to stop the request.
 */
public final class ApiError extends RuntimeException {
  // Proprietary codes (§5.1.5 reserves 200 to 300): Table 10 has none for authentication or authorisation.
  public static final String UNAUTHORIZED = "201";
  public static final String FORBIDDEN = "203";
  public static final String UNAVAILABLE = "205";

  private final int status;
  private final String code;
  private final transient String retryAfterSeconds;

  public ApiError(int status, String code, String error) {
    this(status, code, error, null);
  }

  private ApiError(int status, String code, String error, String retryAfterSeconds) {
    super(error, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** 503 with Retry-After: the reply did not come within the bound, or Kafka could not take the record. */
  public static ApiError unavailable(int retryAfterSeconds, String error) {
    return new ApiError(503, UNAVAILABLE, error, Integer.toString(retryAfterSeconds));
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String error() {
    return getMessage();
  }

  public String retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
