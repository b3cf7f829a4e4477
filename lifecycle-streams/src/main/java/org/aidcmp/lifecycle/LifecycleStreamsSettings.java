package org.aidcmp.lifecycle;

import java.nio.file.Path;
import java.util.Map;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;

/**
 * Everything the lifecycle-streams service starts with, built from {@link AidConfig} in {@link #from} only.
 *
 * @param decisions what the topology's decisions depend on besides state and input
 * @param instanceId a stable name for this instance (static group membership: a restarted instance takes its
 *     partitions back at once); two live instances must not share one
 * @param streamsOverrides Kafka Streams settings that replace ours ({@code lifecycle.streams.<setting>})
 */
public record LifecycleStreamsSettings(
    String bootstrapServers,
    String registryUrl,
    String registryUserInfo,
    LifecycleSettings decisions,
    String applicationId,
    String stateDir,
    String instanceId,
    Map<String, String> streamsOverrides) {

  public static final String DEFAULT_APPLICATION_ID = "aid-lifecycle";

  public LifecycleStreamsSettings {
    streamsOverrides = Map.copyOf(streamsOverrides);
  }

  /**
   * Keys: {@code kafka.bootstrap.servers}, {@code schema.registry.url} (required), {@code lifecycle.*} (see
   * config/aid.properties); the instance id is {@code lifecycle.instance-id}, else the process's
   * {@code aid.instance-id}, else "local" (one instance); the state directory is per {@code aid.instance-id}.
   */
  public static LifecycleStreamsSettings from(AidConfig config) {
    return new LifecycleStreamsSettings(
        config.require("kafka.bootstrap.servers"),
        config.require("schema.registry.url"),
        config.get("schema.registry.basic.auth.user.info").orElse(null),
        LifecycleStreams.settings(config, MspRegistry.from(config)),
        config.get("lifecycle.application-id").orElse(DEFAULT_APPLICATION_ID),
        // One directory per instance: two on one host must not share (Streams locks it).
        config.get("lifecycle.state-dir").orElse(Path.of(config.get("aid.data.dir").orElse(".aid/data"),
            "lifecycle-streams" + config.get("aid.instance-id").map(id -> "-" + id).orElse("")).toString()),
        config.get("lifecycle.instance-id").or(() -> config.get("aid.instance-id")).orElse("local"),
        config.withPrefix(LifecycleStreams.STREAMS_PREFIX));
  }
}
