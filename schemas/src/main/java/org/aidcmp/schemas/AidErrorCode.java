package org.aidcmp.schemas;

import org.aidcmp.schemas.common.ErrorInfo;

/** The error codes of AID.02 §5.1.5, Table 10, with their descriptions as the spec words them. */
public enum AidErrorCode {
  ACCOUNT_ID_NOT_FOUND("10", "The account ID was not found"),
  ACCOUNT_ID_NO_LONGER_VALID("11", "The account ID was found but is no longer valid"),
  ACCOUNT_ID_INVALID_SIGNATURE("12", "The account ID has an invalid signature"),
  ACCOUNT_ID_OTHER("19", "Other account ID error"),
  MSP_TOKEN_NOT_FOUND("20", "The msp_token was not found"),
  MSP_TOKEN_NO_LONGER_VALID("21", "The msp_token was found but is no longer valid"),
  MSP_TOKEN_ALREADY_ASSIGNED("23", "The msp_token is already assigned to a user"),
  USER_ALREADY_HAS_MSP_TOKEN("24", "The user already has a msp_token"),
  MSP_TOKEN_OTHER("29", "Other msp_token id error"),
  REQUEST_ID_NOT_FOUND("30", "The specified request ID was not found"),
  REQUEST_ID_NO_LONGER_VALID("31", "The specified Request ID was found but is no longer valid"),
  REQUEST_ID_OTHER("39", "Other request ID error"),
  ACTIVATION_CODE_OTHER_FORMAT("44", "Other format error of activation code"),
  ACTIVATION_CODE_INVALID_FORMAT("47", "The activation code has an invalid format"),
  ACTIVATION_CODE_ALREADY_ASSIGNED("48", "The msp_token already has an activation code assigned to it"),
  ACTIVATION_CODE_OTHER("49", "Other activation code error"),
  PROFILE_TYPE_UNKNOWN("50", "Profile type unknown"),
  PROFILE_TYPE_UNSUPPORTED("51", "The specified profile type is unsupported for this request"),
  PROFILE_TYPE_OTHER("59", "Other profile type error"),
  EMPTY_BODY("60", "The request body is empty or contains null values"),
  PROFILE_NOT_FOUND("61", "The profile with the ICCID %s could not be found"),
  PROFILE_NOT_LINKED("62", "The profile with the ICCID %s is not linked to the MSP token with the federated_id %s"),
  PROFILE_INVALID("63", "The profile with the ICCID %s is invalid and may not return to a valid state"),
  NO_PROFILE_PROCESSED("64", "None of the profiles could be processed"),
  TOKEN_OR_PROFILE_NOT_FOUND("65",
      "The msp_token identified by the federated_id or the profile(s) identified by the ICCID could not be found"),
  INTERNAL_SERVER_ERROR("90", "Internal Server Error"),
  INVALID_REQUEST_SYNTAX("91", "Invalid request syntax"),
  CORRELATION_ID_MISMATCH("92", "The correlation-id does not match"),
  MSP_NOT_FOUND("93", "The MSP with the MSP identifier %s could not be found"),
  USER_NOT_FOUND_BY_ACCOUNT_ID("94", "The user identified by the account id could not be found"),
  CMP_CONTENT_UNSPECIFIED("100", "Unspecified CMP content error"),
  CMP_LOGIN_NOT_POSSIBLE("101", "User login not possible on CMP side"),
  ONBOARDING_ABORTED("102", "Onboarding aborted by user"),
  CMP_CONTENT_UNAVAILABLE("103", "CMP onboarding content currently unavailabe"),
  // Proprietary codes (200 to 300 are reserved for them, §5.1.5)
  VEHICLE_NOT_REGISTERED("220", "The vehicle is not registered for the AiD service");

  private final String code;
  private final String description;

  AidErrorCode(String code, String description) {
    this.code = code;
    this.description = description;
  }

  public String code() {
    return code;
  }

  /** The description, its %s filled with the arguments where the spec's text has them. */
  public String description(Object... arguments) {
    return arguments.length == 0 ? description.replace("%s", "").replace("  ", " ") : String.format(description, arguments);
  }

  public ErrorInfo toErrorInfo(Object... arguments) {
    return new ErrorInfo(code, description(arguments));
  }
}
