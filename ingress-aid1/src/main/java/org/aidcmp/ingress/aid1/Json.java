package org.aidcmp.ingress.aid1;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Strict reading of JSON request bodies. Bodies are read as a tree and each field checked by hand, so a wrong
 * type is refused rather than coerced (Jackson would turn 42 into "42"), and the answer names the field.
 * Unknown fields are ignored: AID.02 may add optional fields and an MSP that sends them must keep working.
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      // Deeply nested or huge numbers are a denial-of-service vector, not a request.
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(40)
          .maxStringLength(64 * 1024).build())
      // A field given twice is ambiguous: which one would the topology see?
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  public static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  /** ICCID (§5.1.4): 19 to 22 digits. */
  public static final Pattern ICCID = Pattern.compile("[0-9]{19,22}");

  private Json() {}

  /** One body, parsed; {@code status} is the status a bad body gets in the function's table. */
  public static Body parse(byte[] bytes, int status, boolean bodyRequired) {
    if (bytes == null || bytes.length == 0 || isBlank(bytes)) {
      if (bodyRequired) {
        throw new ApiError(status, "60", "The request body is empty or contains null values");
      }
      return new Body(MAPPER.createObjectNode(), status);
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException | RuntimeException e) {
      throw new ApiError(status, "91", "Invalid request syntax: the body is not valid JSON");
    }
    if (node == null || node.isNull() || node.isMissingNode()) {
      throw new ApiError(status, "60", "The request body is empty or contains null values");
    }
    if (!node.isObject()) {
      throw new ApiError(status, "91", "Invalid request syntax: the body must be a JSON object");
    }
    return new Body((ObjectNode) node, status);
  }

  private static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return false;
      }
    }
    return true;
  }

  /** A JSON object with typed, bounded accessors that answer {@link ApiError} with the given status. */
  public static final class Body {
    private final ObjectNode node;
    private final int status;

    Body(ObjectNode node, int status) {
      this.node = node;
      this.status = status;
    }

    public ObjectNode node() {
      return node;
    }

    public int status() {
      return status;
    }

    public boolean isEmpty() {
      return node.isEmpty();
    }

    public boolean has(String field) {
      JsonNode value = node.get(field);
      return value != null && !value.isNull();
    }

    /** A string field, absent or null as null; any other type is a syntax error. */
    public String optString(String field, int maxLength) {
      return optString(node, field, maxLength);
    }

    public String string(String field, int maxLength) {
      String value = optString(field, maxLength);
      if (value == null) {
        throw new ApiError(status, "60", "The request body is empty or contains null values: " + field);
      }
      return value;
    }

    /** A string field that must match a pattern; {@code code} is the §5.1.5 code of a mismatch. */
    public String optMatching(String field, int maxLength, Pattern pattern, String code) {
      String value = optString(field, maxLength);
      if (value != null && !pattern.matcher(value).matches()) {
        throw new ApiError(status, code, "Invalid request syntax: " + field + " has an invalid format");
      }
      return value;
    }

    /** A string field that must be one of the given lower-case values, exactly as AID.02 spells them. */
    public String optEnum(String field, List<String> allowed) {
      String value = optString(field, 32);
      if (value != null && !allowed.contains(value)) {
        throw new ApiError(status, "91", "Invalid request syntax: " + field + " must be one of " + allowed);
      }
      return value;
    }

    public Boolean optBoolean(String field) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        return null;
      }
      if (!value.isBoolean()) {
        throw new ApiError(status, "91", "Invalid request syntax: " + field + " must be a boolean");
      }
      return value.booleanValue();
    }

    public Iterator<JsonNode> array(String field, int maxItems) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        throw new ApiError(status, "60", "The request body is empty or contains null values: " + field);
      }
      if (!value.isArray()) {
        throw new ApiError(status, "91", "Invalid request syntax: " + field + " must be an array");
      }
      if (value.isEmpty()) {
        throw new ApiError(status, "60", "The request body is empty or contains null values: " + field);
      }
      if (value.size() > maxItems) {
        throw new ApiError(status, "91", "Invalid request syntax: " + field + " has more than " + maxItems + " items");
      }
      return value.elements();
    }

    public Body object(JsonNode element, String what) {
      if (element == null || element.isNull()) {
        throw new ApiError(status, "60", "The request body is empty or contains null values: " + what);
      }
      if (!element.isObject()) {
        throw new ApiError(status, "91", "Invalid request syntax: " + what + " must be an object");
      }
      return new Body((ObjectNode) element, status);
    }

    private String optString(JsonNode parent, String field, int maxLength) {
      JsonNode value = parent.get(field);
      if (value == null || value.isNull()) {
        return null;
      }
      if (!value.isTextual()) {
        throw new ApiError(status, "91", "Invalid request syntax: " + field + " must be a string");
      }
      String text = value.textValue();
      if (text.length() > maxLength) {
        throw new ApiError(status, "91",
            "Invalid request syntax: " + field + " is longer than " + maxLength + " characters");
      }
      if (text.chars().anyMatch(Character::isISOControl)) {
        throw new ApiError(status, "91", "Invalid request syntax: " + field + " contains control characters");
      }
      return text;
    }
  }

  public static boolean isUuid(String value) {
    return value != null && UUID.matcher(value).matches();
  }
}
