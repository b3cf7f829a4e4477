package org.aidcmp.schemas.registry;

/**
 * A registry answered with an error, or could not be reached. {@link #errorCode()} is Confluent's
 * {@code error_code} (40401 subject not found, 40403 schema not found, 409 incompatible, 42201 invalid
 * schema, ...), or -1 when there was no answer.
 */
public class SchemaRegistryException extends RuntimeException {
  public static final int SUBJECT_NOT_FOUND = 40401;
  public static final int VERSION_NOT_FOUND = 40402;
  public static final int SCHEMA_NOT_FOUND = 40403;
  public static final int INCOMPATIBLE_SCHEMA = 409;
  /** What Confluent Schema Registry answers for an incompatible schema since 8.0.4 and 8.1.2 (before: 409). */
  public static final int INCOMPATIBLE_SCHEMA_SINCE_8 = 40901;
  public static final int INVALID_SCHEMA = 42201;

  private final int httpStatus;
  private final int errorCode;

  public SchemaRegistryException(int httpStatus, int errorCode, String message) {
    super(message + " (HTTP " + httpStatus + ", error_code " + errorCode + ")");
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  public SchemaRegistryException(String message, Throwable cause) {
    super(message, cause);
    this.httpStatus = -1;
    this.errorCode = -1;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public int errorCode() {
    return errorCode;
  }

  /** The schema breaks the subject's compatibility level (HTTP 409, whichever of Confluent's two codes). */
  public boolean isIncompatibleSchema() {
    return httpStatus == 409 && (errorCode == INCOMPATIBLE_SCHEMA || errorCode == INCOMPATIBLE_SCHEMA_SINCE_8);
  }

  public boolean isNotFound() {
    return errorCode == SUBJECT_NOT_FOUND || errorCode == VERSION_NOT_FOUND || errorCode == SCHEMA_NOT_FOUND;
  }
}
