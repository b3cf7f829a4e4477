package org.aidcmp.schemas.serde;

import java.util.Map;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.registry.SchemaRegistryClient;

/**
 * The configuration keys our serdes understand when Kafka instantiates them from properties; the names are
 * Confluent's, so a client configuration written for Confluent's serdes works unchanged.
 */
public final class SerdeConfig {
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
  /** The generated class to read values into; without it the writer schema's full name picks the class. */
  public static final String SPECIFIC_VALUE_TYPE = "specific.avro.value.type";

  private SerdeConfig() {}

  static SchemaRegistryClient clientFrom(Map<String, ?> configs) {
    Object url = configs.get(SCHEMA_REGISTRY_URL);
    if (url == null) {
      throw new IllegalArgumentException(SCHEMA_REGISTRY_URL + " is required");
    }
    RestSchemaRegistryClient.Builder builder = RestSchemaRegistryClient.builder().urls(url.toString());
    Object userInfo = configs.get(BASIC_AUTH_USER_INFO);
    if (userInfo != null && !userInfo.toString().isBlank()) {
      builder.basicAuthUserInfo(userInfo.toString());
    }
    return builder.build();
  }

  static boolean autoRegister(Map<String, ?> configs) {
    Object value = configs.get(AUTO_REGISTER_SCHEMAS);
    return value == null || Boolean.parseBoolean(value.toString());
  }
}
