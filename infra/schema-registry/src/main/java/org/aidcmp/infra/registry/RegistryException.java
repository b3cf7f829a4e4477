package org.aidcmp.infra.registry;

/**
 * An error as Confluent Schema Registry reports it: an HTTP status plus a body
 * {@code {"error_code": n, "message": "..."}}. The factory methods carry Confluent's codes and wording,
 * because clients (and people) match on them.
 */
final class RegistryException extends RuntimeException {

  final int httpStatus;
  final int errorCode;

  RegistryException(int httpStatus, int errorCode, String message) {
    super(message, null, false, false);
    this.httpStatus = httpStatus;
    this.errorCode = errorCode;
  }

  static RegistryException subjectNotFound(String subject) {
    return new RegistryException(404, 40401, "Subject '" + subject + "' not found.");
  }

  static RegistryException versionNotFound(int version) {
    return new RegistryException(404, 40402, "Version " + version + " not found.");
  }

  static RegistryException schemaNotFound(int id) {
    return new RegistryException(404, 40403, "Schema " + id + " not found");
  }

  static RegistryException schemaNotFound() {
    return new RegistryException(404, 40403, "Schema not found");
  }

  static RegistryException subjectSoftDeleted(String subject) {
    return new RegistryException(404, 40404,
        "Subject '" + subject + "' was soft deleted.Set permanent=true to delete permanently");
  }

  static RegistryException subjectNotSoftDeleted(String subject) {
    return new RegistryException(404, 40405,
        "Subject '" + subject + "' was not deleted first before being permanently deleted");
  }

  static RegistryException versionSoftDeleted(String subject, int version) {
    return new RegistryException(404, 40406, "Subject '" + subject + "' Version " + version
        + " was soft deleted.Set permanent=true to delete permanently");
  }

  static RegistryException versionNotSoftDeleted(String subject, int version) {
    return new RegistryException(404, 40407, "Subject '" + subject + "' Version " + version
        + " was not deleted first before being permanently deleted");
  }

  static RegistryException subjectConfigNotConfigured(String subject) {
    return new RegistryException(404, 40408,
        "Subject '" + subject + "' does not have subject-level compatibility configured");
  }

  static RegistryException incompatible(String subject, java.util.List<String> details) {
    return new RegistryException(409, 409, "Schema being registered is incompatible with an earlier"
        + " schema for subject \"" + subject + "\", details: " + details);
  }

  static RegistryException invalidSchema(String why) {
    return new RegistryException(422, 42201, "Invalid schema: " + why);
  }

  static RegistryException invalidVersion(String version) {
    return new RegistryException(422, 42202, "The specified version '" + version
        + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
  }

  static RegistryException invalidCompatibilityLevel() {
    return new RegistryException(422, 42203, "Invalid compatibility level. Valid values are none,"
        + " backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
  }

  static RegistryException storeError(String why) {
    return new RegistryException(500, 50001, "Error in the backend datastore: " + why);
  }

  static RegistryException storeTimeout(String why) {
    return new RegistryException(500, 50002, "Operation timed out: " + why);
  }
}
