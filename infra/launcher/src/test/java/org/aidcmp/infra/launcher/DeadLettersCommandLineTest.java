package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.aidcmp.infra.launcher.DeadLetters.Position;
import org.aidcmp.infra.launcher.DeadLetters.Request;
import org.aidcmp.schemas.topics.AidTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code aid dlq} as typed: its options, its errors (exit code 2), and its output on the shared stack's aid.dlq.v1. */
@ExtendWith(SharedEmbeddedStack.class)
class DeadLettersCommandLineTest {

  @Test
  void optionsAreParsedIntoASelection() {
    Request list = Request.parse(List.of("list", "--stage", "egress.msp-call", "--topic", "aid.aid1.outbound.v1",
        "--since", "2025-01-31T12:00:00Z", "--limit", "5"));
    assertThat(list.redrive()).isFalse();
    assertThat(list.selection()).isEqualTo(new DeadLetters.Selection("egress.msp-call", "aid.aid1.outbound.v1",
        Instant.parse("2025-01-31T12:00:00Z"), 5, Set.of()));

    Request redrive = Request.parse(List.of("redrive", "--offset", "0:12", "1:3", "--offset", "2:0", "--dry-run"));
    assertThat(redrive.redrive()).isTrue();
    assertThat(redrive.dryRun()).isTrue();
    assertThat(redrive.selection().at()).containsExactlyInAnyOrder(new Position(0, 12), new Position(1, 3),
        new Position(2, 0));
    assertThat(Request.parse(List.of("redrive", "--all")).selection()).isEqualTo(DeadLetters.Selection.ANY);
  }

  @Test
  void badInputSaysWhatIsWrong() {
    assertThatThrownBy(() -> Request.parse(List.of("list", "--colour", "red"))).hasMessageContaining("--colour");
    assertThatThrownBy(() -> Request.parse(List.of("redrive", "--offset", "0-12"))).hasMessageContaining("0-12");
    assertThatThrownBy(() -> Request.parse(List.of("redrive", "--offset", "x:1"))).hasMessageContaining("x:1");
    assertThatThrownBy(() -> Request.parse(List.of("redrive", "--offset"))).hasMessageContaining("at least one");
    assertThatThrownBy(() -> Request.parse(List.of("list", "--since", "yesterday"))).hasMessageContaining("ISO-8601");
    assertThatThrownBy(() -> Request.parse(List.of("list", "--limit", "0"))).hasMessageContaining("positive");
    assertThatThrownBy(() -> Request.parse(List.of("list", "--stage"))).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> Request.parse(List.of("list", "--dry-run"))).hasMessageContaining("redrive only");
    assertThatThrownBy(() -> Request.parse(List.of("redrive", "--limit", "3"))).hasMessageContaining("--all");
    assertThatThrownBy(() -> Request.parse(List.of("purge"))).hasMessageContaining("purge");
  }

  @Test
  void badInputExitsWithTwoBeforeTouchingAnything() throws Exception {
    for (String[] args : List.of(new String[] {"dlq"}, new String[] {"dlq", "list", "--bogus"},
        new String[] {"dlq", "redrive", "--offset", "12"}, new String[] {"dlq", "redrive"})) {
      assertThat(new Aid(new PrintStream(new ByteArrayOutputStream())).run(args)).as(String.join(" ", args))
          .isEqualTo(2);
    }
  }

  @Test
  void listAndADryRunPrintALinePerLetterAndASummary(Endpoints endpoints) throws Exception {
    Path config = Files.createTempFile("aid-dlq-", ".properties");
    Files.writeString(config, "kafka.bootstrap.servers=" + endpoints.kafkaBootstrapServers() + "\n"
        + "schema.registry.url=" + endpoints.schemaRegistryUrl() + "\n");
    try (DeadLetterFixtures f = new DeadLetterFixtures(endpoints)) {
      // On the contract's aid.dlq.v1, which other tests share: this test's letters are those from its own topic.
      String source = f.topic("cli");
      f.undecodableLetter(AidTopic.DLQ.topicName(), new ConsumerRecord<>(source, 0, 3L,
          DeadLetterFixtures.utf8("VIN-CLI"), new byte[] {9, 9}), "Unknown magic byte 9");

      String listed = run(0, config, "dlq", "list", "--topic", source);
      assertThat(listed.lines().toList()).hasSize(2);
      assertThat(listed).contains("lifecycle-streams/deserialization", "from " + source + ":0:3",
          "reason: Unknown magic byte 9",
          "aid dlq: 1 dead letter: lifecycle-streams/deserialization 1");

      String dry = run(0, config, "dlq", "redrive", "--topic", source, "--dry-run");
      assertThat(dry).contains("would republish to " + source + ":0",
          "aid dlq: dry run, nothing written: 1 dead letter: republished 1");
    } finally {
      Files.deleteIfExists(config);
    }
  }

  private static String run(int exitCode, Path config, String... args) throws InterruptedException {
    return AidCommandLine.run(exitCode, config, args);
  }
}
