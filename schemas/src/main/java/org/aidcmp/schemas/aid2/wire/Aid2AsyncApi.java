package org.aidcmp.schemas.aid2.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The AsyncAPI 3 document of AiD2 ({@value Aid2Json#ASYNCAPI_RESOURCE}) as data: which channel addresses it
 * describes, which way, and the JSON Schema of each, so tests hold the bridge and the downlink to it and the
 * platform serves it.
 */
public final class Aid2AsyncApi {

  /** One channel: its address (with {@code {vin}}), whether the CMP receives or sends on it, its schema file. */
  public record Channel(String address, String action, String schemaRef) {}

  private final List<Channel> channels;
  private final byte[] yaml;

  private Aid2AsyncApi(byte[] yaml, List<Channel> channels) {
    this.yaml = yaml;
    this.channels = List.copyOf(channels);
  }

  /** The document on the class path. */
  public static Aid2AsyncApi load() {
    try (InputStream in = Aid2AsyncApi.class.getClassLoader().getResourceAsStream(Aid2Json.ASYNCAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(Aid2Json.ASYNCAPI_RESOURCE + " missing from the class path");
      }
      byte[] yaml = in.readAllBytes();
      JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(yaml);
      List<Channel> channels = new ArrayList<>();
      for (JsonNode operation : doc.get("operations")) {
        String channelName = lastSegment(operation.get("channel").get("$ref").asText());
        JsonNode channel = doc.get("channels").get(channelName);
        for (JsonNode messageRef : channel.get("messages")) {
          JsonNode message = doc.get("components").get("messages").get(lastSegment(messageRef.get("$ref").asText()));
          JsonNode schema = message.get("payload").get("schema");
          channels.add(new Channel(channel.get("address").asText(), operation.get("action").asText(),
              schema == null ? null : schema.get("$ref").asText()));
        }
      }
      return new Aid2AsyncApi(yaml, channels);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Channel> channels() {
    return channels;
  }

  /** The document as shipped, for serving. */
  public byte[] yaml() {
    return yaml.clone();
  }

  /**
   * Every JSON Schema file the document refers to, by file name (as its {@code ./json/...} references name them,
   * {@code common.schema.json} included), so the platform can serve them beside the document.
   */
  public static java.util.Map<String, byte[]> schemaFiles() {
    java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
    java.util.List<Aid2Message> messages = new ArrayList<>(List.of(UplinkMessage.values()));
    messages.addAll(List.of(DownlinkMessage.values()));
    java.util.List<String> names = new ArrayList<>(messages.stream().map(m -> m.topicName() + ".schema.json").toList());
    names.add("common.schema.json");
    for (String name : names) {
      try (InputStream in = Aid2AsyncApi.class.getClassLoader().getResourceAsStream(Aid2Json.SCHEMA_FOLDER + name)) {
        if (in == null) {
          throw new IllegalStateException(Aid2Json.SCHEMA_FOLDER + name + " missing from the class path");
        }
        files.put(name, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  /** The channel address of a message, as the document spells it. */
  public static String address(Aid2Message message) {
    return Aid2Topics.vehicleRoot("{vin}") + (message instanceof UplinkMessage ? "up/" : "down/") + message.topicName();
  }

  private static String lastSegment(String ref) {
    return ref.substring(ref.lastIndexOf('/') + 1);
  }
}
