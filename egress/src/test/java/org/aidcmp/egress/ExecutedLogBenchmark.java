package org.aidcmp.egress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.aid1.MspCallSucceeded;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.TopicSetup;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Figures, not a test: how long egress takes to read the log of executed commands (the results topic) with an
 * empty store and on a restart over its state directory, and what the ids cost on the heap. Run with the test
 * class path (see README), argument: the number of results, default 300,000.
 */
public final class ExecutedLogBenchmark {
  private ExecutedLogBenchmark() {}

  public static void main(String[] args) throws Exception {
    int results = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    Path dir = Files.createTempDirectory("aid-executed-bench-");
    try (EmbeddedKafka kafka = EmbeddedKafka.builder(dir.resolve("kafka")).port(0).build().start();
         SchemaRegistryServer registryServer = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start();
         RestSchemaRegistryClient registry = RestSchemaRegistryClient.of(registryServer.url())) {
      String topic = "bench.results";
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
        TopicSetup.create(admin, List.of(new NewTopic(topic, 6, (short) 1)));
      }
      String[] ids = new String[results];
      long t0 = System.nanoTime();
      try (KafkaProducer<String, Aid1Result> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 20,
          ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new StringSerializer(), new AvroSerializer<>(registry, true))) {
        for (int i = 0; i < results; i++) {
          String token = UUID.randomUUID().toString();
          ids[i] = UUID.randomUUID().toString();
          MspCallRef ref = new MspCallRef(ids[i], "msp-a", token, MspCall.SEND_CSIM_STATUS, 1, null);
          producer.send(new ProducerRecord<>(topic, token, new Aid1Result(
              Envelopes.header(UUID.randomUUID().toString(), "egress", ref.getCommandId(), null, Instant.now()),
              new MspCallSucceeded(ref, 204))));
        }
      }
      System.out.printf("wrote %,d results in %.1f s%n", results, (System.nanoTime() - t0) / 1e9);

      // For comparison, what the ids cost held in a set on the heap (as deserialised: one new String each).
      Runtime rt = Runtime.getRuntime();
      System.gc();
      long setBefore = rt.totalMemory() - rt.freeMemory();
      java.util.Set<String> inMemory = java.util.concurrent.ConcurrentHashMap.newKeySet();
      for (String id : ids) {
        inMemory.add(new String(id.toCharArray()));
      }
      System.gc();
      System.out.printf("the same ids in a heap set: %+,d KiB (%d ids)%n",
          (rt.totalMemory() - rt.freeMemory() - setBefore) / 1024, inMemory.size());
      inMemory = null;

      EgressSettings settings = EgressSettings.of(kafka.bootstrapServers(), MspRegistry.of("cmp", List.of()),
              SSLContext.getDefault())
          .groupId("bench").topics("unused", topic, "unused").stateDir(dir.resolve("state"));
      for (String run : List.of("empty store", "restart on its state directory")) {
        System.gc();
        long heapBefore = rt.totalMemory() - rt.freeMemory();
        long start = System.nanoTime();
        try (ExecutedCommands executed = new ExecutedCommands(settings, registry)) {
          executed.catchUp();
          double seconds = (System.nanoTime() - start) / 1e9;
          System.gc();
          long heapAfter = rt.totalMemory() - rt.freeMemory();
          System.out.printf("%-32s read %,9d results in %5.2f s (%,.0f results/s); heap held after: %+,d KiB%n",
              run, executed.lastCatchUpRecords(), seconds, executed.lastCatchUpRecords() / seconds,
              (heapAfter - heapBefore) / 1024);
        }
      }
    }
  }
}
