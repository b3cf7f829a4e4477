package org.aidcmp.infra.msp;

/** An error answer of §5.1.5: an HTTP status with the body {code, error}. */
final class MspApiError extends RuntimeException {
  final int status;
  final String code;

  MspApiError(int status, String code, String error) {
    super(error, null, false, false);
    this.status = status;
    this.code = code;
  }

  static MspApiError badSyntax(String what) {
    return new MspApiError(400, "91", "Invalid request syntax: " + what);
  }

  static MspApiError emptyBody() {
    return new MspApiError(400, "60", "The request body is empty or contains null values");
  }

  static MspApiError unknownToken() {
    return new MspApiError(404, "20", "The msp_token was not found");
  }

  static MspApiError tokenNoLongerValid() {
    return new MspApiError(404, "21", "The msp_token was found but is no longer valid");
  }
}
