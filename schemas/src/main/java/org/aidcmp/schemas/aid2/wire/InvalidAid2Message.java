package org.aidcmp.schemas.aid2.wire;

/**
 * An AiD2 message that does not fit the contract (not JSON, unknown message, wrong or missing fields,
 * oversize, a VIN that is not the topic's). The message names what was wrong and never quotes the payload,
 * which may hold an activation code.
 */
public final class InvalidAid2Message extends Exception {
  public InvalidAid2Message(String whatIsWrong) {
    super(whatIsWrong);
  }
}
