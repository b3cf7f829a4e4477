package org.aidcmp.infra.msp;

/** The four CMP → MSP calls of AID.02 §7.1.8 - §7.1.11. */
public enum MspCall {
  /** §7.1.8 POST /v1/activation-code-requests/{msp_token}. */
  REQUEST_ACTIVATION_CODE,
  /** §7.1.9 POST /v1/statuses/{msp_token}. */
  SEND_CSIM_STATUS,
  /** §7.1.10 DELETE /v1/users/{msp_token}. */
  REQUEST_INVALIDATE_MSP_TOKEN,
  /** §7.1.11 GET /v1/profiles/status/{msp_token}?iccid=. */
  REQUEST_PROFILE_STATUS
}
