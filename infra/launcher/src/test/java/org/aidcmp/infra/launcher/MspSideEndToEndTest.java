package org.aidcmp.infra.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.aidcmp.egress.EgressSettings;
import org.aidcmp.egress.EgressWorker;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.infra.config.MspRegistry;
import org.aidcmp.infra.kafka.EmbeddedKafka;
import org.aidcmp.infra.msp.AsyncActivationCodeSink;
import org.aidcmp.infra.msp.MspCall;
import org.aidcmp.infra.msp.MspSimulator;
import org.aidcmp.infra.msp.RecordedRequest;
import org.aidcmp.infra.pki.CertificateAuthority;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.infra.registry.SchemaRegistryServer;
import org.aidcmp.lifecycle.LifecycleStreams;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.SendActivationCode;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.EnvelopeHeader;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.lifecycle.AccountIdIssued;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.lifecycle.ProfileDeleted;
import org.aidcmp.schemas.lifecycle.ProfileInstalled;
import org.aidcmp.schemas.registry.RestSchemaRegistryClient;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.topics.TopicSetup;
import org.aidcmp.schemas.touchpoint.AcceptAidTerms;
import org.aidcmp.schemas.touchpoint.OnboardingStart;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RequestAccountId;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The MSP side of the platform end to end (issue #6): lifecycle-streams and the egress worker on a real broker,
 * calling two simulated MSPs over mutual TLS — "msp-sync" (§7.1.8.1, 200 with the code) and "msp-async"
 * (§7.1.8.2, 201 and the code later). The vehicle side is played on the AiD2 topics; the async MSP's Send
 * activation code is written straight onto the inbound topic (ingress-aid1 is tested on its own).
 *
 * <p>It runs on its own broker and registry, not on {@link SharedEmbeddedStack}: the lifecycle application and
 * the egress worker here read the contract's topics from the beginning, and other test classes of this module
 * write to those same topics (with MSPs this test does not know).
 */
class MspSideEndToEndTest {
  private static final String CMP_ID = "aidcmpE2e";
  private static final String SYNC = "msp-sync";
  private static final String ASYNC = "msp-async";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path dir;
  private EmbeddedKafka kafka;
  private SchemaRegistryServer registryServer;
  private RestSchemaRegistryClient registry;
  private MspSimulator sync;
  private MspSimulator async;
  private LifecycleStreams lifecycle;
  private EgressWorker egress;
  private KafkaProducer<String, SpecificRecord> producer;
  private TopicLog<Aid2Downlink> downlink;
  private TopicLog<LifecycleEvent> events;
  private final AtomicLong sequenceStart = new AtomicLong(Instant.now().getEpochSecond());

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("aid-msp-e2e-");
    kafka = EmbeddedKafka.builder(dir.resolve("kafka")).port(0).build().start();
    registryServer = SchemaRegistryServer.builder(kafka.bootstrapServers()).port(0).build().start();
    registry = RestSchemaRegistryClient.of(registryServer.url());
    TopicSetup.ensureTopics(kafka.bootstrapServers(), 2, (short) 1);
    ContractSetup.registerSchemas(registry);
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
        new StringSerializer(), new AvroSerializer<>(registry, true));

    CertificateAuthority mspCa = CertificateAuthority.create("msp-ca");
    CertificateAuthority cmpCa = CertificateAuthority.create("cmp-ca");
    sync = MspSimulator.builder().mspId(SYNC).cmpId(CMP_ID).apiKey("syncKey123")
        .tls(mspCa.issueServer(SYNC, List.of(), List.of()), List.of(cmpCa.certificate()))
        .build().start();
    async = MspSimulator.builder().mspId(ASYNC).cmpId(CMP_ID).basicAuth("cmpUser", "s3cret")
        .mode(MspSimulator.ResponseMode.ASYNC)
        .tls(mspCa.issueServer(ASYNC, List.of(), List.of()), List.of(cmpCa.certificate()))
        .asyncSink(this::sendActivationCode).build().start();
    MspRegistry msps = MspRegistry.of(CMP_ID, List.of(
        msp(SYNC, sync.baseUrl(), MspRegistry.OutboundAuth.API_KEY, "syncKey123", null, null),
        msp(ASYNC, async.baseUrl(), MspRegistry.OutboundAuth.BASIC, null, "cmpUser", "s3cret")));

    lifecycle = LifecycleStreams.start(kafka.bootstrapServers(), registry,
        LifecycleStreams.settings(AidConfig.of(Map.of()), msps), "aid-lifecycle-msp-e2e",
        dir.resolve("streams").toString(), null);
    egress = EgressWorker.start(EgressSettings.of(kafka.bootstrapServers(), msps,
            Tls.clientContext(cmpCa.issueClient(CMP_ID), List.of(mspCa.certificate())))
        .groupId("aid-egress-msp-e2e")
        .callTimeout(Duration.ofSeconds(5))
        .retryBudget(4, Duration.ofMillis(100), Duration.ofMillis(500))
        .commitInterval(Duration.ofMillis(100)), registry);
    downlink = new TopicLog<>(kafka.bootstrapServers(), registry, AidTopic.AID2_DOWNLINK.topicName(), Aid2Downlink.class);
    events = new TopicLog<>(kafka.bootstrapServers(), registry, AidTopic.LIFECYCLE_EVENTS.topicName(),
        LifecycleEvent.class);
  }

  /** A registry entry for a simulated MSP (also used by {@link DeadLettersRedriveEndToEndTest}). */
  static MspRegistry.Msp msp(String id, URI base, MspRegistry.OutboundAuth auth, String apiKey,
                                     String user, String password) {
    return new MspRegistry.Msp(id, id, base, auth, apiKey, user, password, "inbound" + id, null,
        new byte[32], new byte[16], MspRegistry.PhoneCipher.AES_GCM, List.of(), null, null, Set.of("DELETED"));
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {downlink, events, egress, lifecycle, sync, async, producer,
        registry, registryServer, kafka}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // keep closing the rest
        }
      }
    }
    if (dir != null) {
      SharedEmbeddedStack.deleteRecursively(dir);
    }
  }

  @Test
  void provisionsSwapsAndWithdrawsWithoutALostOrDoubledCall() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String u1 = "u1-" + suffix;
    String u2 = "u2-" + suffix;
    String token1 = UUID.randomUUID().toString();
    String token2 = UUID.randomUUID().toString();
    sync.createUser(token1, 2);
    async.createUser(token2, 1);
    List<String> vins = List.of(vin(suffix, 1), vin(suffix, 2), vin(suffix, 3));
    List<String> eids = List.of(eid(1), eid(2), eid(3));
    for (int i = 0; i < 3; i++) {
      send(AidTopic.TOUCHPOINT_COMMANDS, vins.get(i),
          new TouchpointCommand(header(), new RegisterVehicle(vins.get(i), eids.get(i), null, true)));
    }
    onboard(u1, SYNC, token1);
    onboard(u2, ASYNC, token2);

    // U1 logs into vehicles 1, 2, 3; the third login swaps out vehicle 1's profile.
    String iccid1 = login(u1, vins.get(0), eids.get(0));
    String iccid2 = login(u1, vins.get(1), eids.get(1));
    String iccid3 = login(u1, vins.get(2), eids.get(2));
    assertThat(received(u1, vins.get(2)).getSwappedIccid()).as("the MSP swapped vehicle 1's profile")
        .isEqualTo(iccid1);
    answerDelete(vins.get(0), u1, iccid1);

    // U2 logs into vehicle 1, its AC comes asynchronously.
    String iccidU2 = login(u2, vins.get(0), eids.get(0));

    // U1's MSP invalidates the token (§7.1.5): every profile U1 still has is deleted from its vehicle.
    send(AidTopic.AID1_INBOUND, token1, new Aid1Inbound(header(),
        new NotifyMspTokenInvalid(SYNC, token1, "user subscription ended")));
    answerDelete(vins.get(1), u1, iccid2);
    answerDelete(vins.get(2), u1, iccid3);
    await("FederationRemoved for U1", () -> eventsOf(FederationRemoved.class).stream()
        .filter(f -> f.getCmpUserId().equals(u1)).findFirst().orElse(null));
    Set<String> deleted = Set.of(iccid1, iccid2, iccid3);
    await("Send CSIM status deleted for " + deleted, () -> csimStatuses().keySet().containsAll(deleted) ? true : null);
    // Room for a late duplicate to show itself before counting.
    Thread.sleep(1_500);
    readLogs();

    // From the MSPs' request logs.
    assertThat(egress.failure()).isNull();
    List<RecordedRequest> syncAcs = sorted(sync.requests(r -> r.call() == MspCall.REQUEST_ACTIVATION_CODE));
    assertThat(syncAcs).as("one Request activation code per login of U1").hasSize(3);
    assertThat(syncAcs).allSatisfy(r -> {
      assertThat(r.mspToken()).isEqualTo(token1);
      assertThat(r.status()).isEqualTo(200);
    });
    assertThat(syncAcs.stream().map(r -> body(r).path("eid").asText()).toList()).containsExactlyElementsOf(eids);
    assertThat(syncAcs.stream().map(r -> text(body(r), "replaceIccid")).toList())
        .as("replaceIccid of the 1st, 2nd and 3rd login").containsExactly(null, iccid1, iccid1);
    List<RecordedRequest> asyncAcs = async.requests(r -> r.call() == MspCall.REQUEST_ACTIVATION_CODE);
    assertThat(asyncAcs).as("one Request activation code for U2's login").singleElement().satisfies(r -> {
      assertThat(r.mspToken()).isEqualTo(token2);
      assertThat(r.status()).isEqualTo(201);
      assertThat(body(r).path("eid").asText()).isEqualTo(eids.get(0));
      assertThat(text(body(r), "replaceIccid")).isNull();
    });
    Map<String, List<RecordedRequest>> csim = csimStatuses();
    assertThat(csim.keySet()).as("Send CSIM status only for U1's deleted profiles").isEqualTo(deleted);
    csim.forEach((iccid, calls) -> assertThat(calls).as("Send CSIM status for " + iccid).singleElement()
        .satisfies(r -> {
          assertThat(r.mspToken()).isEqualTo(token1);
          assertThat(body(r).path("status").asText()).isEqualTo("deleted");
          assertThat(r.status()).isEqualTo(201);
        }));
    assertThat(async.requests(r -> r.call() == MspCall.SEND_CSIM_STATUS)).isEmpty();
    List<RecordedRequest> all = new ArrayList<>(sync.requests());
    all.addAll(async.requests());
    assertThat(all).allSatisfy(r -> assertThat(r.executed()).isTrue());
    assertThat(all.stream().filter(RecordedRequest::executed)
        .collect(Collectors.groupingBy(RecordedRequest::cmpRequestId, Collectors.counting())))
        .as("no CMP-request-id executed twice").allSatisfy((id, n) -> assertThat(n).isEqualTo(1L));

    // From the topics: every vehicle got exactly the commands expected, each once.
    assertThat(commands(vins.get(0))).containsExactly("AC " + u1, "DELETE " + iccid1, "AC " + u2);
    assertThat(commands(vins.get(1))).containsExactly("AC " + u1, "DELETE " + iccid2);
    assertThat(commands(vins.get(2))).containsExactly("AC " + u1, "DELETE " + iccid3);
    assertThat(downlink.records.stream().map(r -> r.value().getHeader().getMessageId()).distinct().count())
        .as("no command id twice on the downlink").isEqualTo(downlink.records.size());
    assertThat(eventsOf(FederationRemoved.class)).singleElement()
        .satisfies(f -> assertThat(f.getMspToken()).isEqualTo(token1));
    assertThat(eventsOf(ProfileDeleted.class).stream().map(d -> d.getProfile().getIccid()).toList())
        .containsExactlyInAnyOrderElementsOf(deleted);
    assertThat(eventsOf(ProfileInstalled.class).stream().map(d -> d.getProfile().getIccid()).toList())
        .containsExactlyInAnyOrder(iccid1, iccid2, iccid3, iccidU2);
  }

  // ----------------------------------------------------------------------------------------------------
  // The touchpoint, the MSPs' inbound calls and the vehicles, as records on the contract's topics

  /** §4.1: account id, terms, then the MSP's Send MSP token keyed, as ingress keys it, by the user its account id names. */
  private void onboard(String user, String mspId, String token) {
    String sid = UUID.randomUUID().toString();
    Instant now = Instant.now();
    send(AidTopic.TOUCHPOINT_COMMANDS, user, new TouchpointCommand(header(), new RequestAccountId(user, mspId, sid,
        now, now.plusSeconds(3600), OnboardingStart.CMP_TOUCHPOINT)));
    send(AidTopic.TOUCHPOINT_COMMANDS, user, new TouchpointCommand(header(), new AcceptAidTerms(user, "v1")));
    await("account id for " + user, () -> eventsOf(AccountIdIssued.class).stream()
        .filter(a -> a.getCmpUserId().equals(user)).findFirst().orElse(null));
    send(AidTopic.AID1_INBOUND, user, new Aid1Inbound(header(), SendMspToken.newBuilder().setMspId(mspId).setSid(sid)
        .setCmpUserId(user)
        .setAccountIdExpiresAt(now.plusSeconds(3600)).setMspToken(token)
        .setSubscriptionType(SubscriptionType.PRIVATE).build()));
    await("federation of " + user, () -> eventsOf(FederationEstablished.class).stream()
        .filter(f -> f.getCmpUserId().equals(user)).findFirst().orElse(null));
  }

  /** §4.3: the vehicle asks for an AC, gets it on the downlink, installs the profile; returns its ICCID. */
  private String login(String user, String vin, String eid) {
    VehicleRequestId requestId = new VehicleRequestId(vin, sequenceStart.incrementAndGet());
    send(AidTopic.AID2_UPLINK, vin, new Aid2Uplink(header(), new RequestActivationCode(requestId, user, "", eid)));
    await("AC for " + user + " on " + vin, () -> downlinkPayloads(vin).stream()
        .filter(p -> p instanceof SendActivationCodeToVehicle s && s.getCmpUserId().equals(user)).findFirst()
        .orElse(null));
    // The vehicle learns the ICCID from the SM-DP+; here from the event that recorded the AC.
    String iccid = received(user, vin).getIccid();
    send(AidTopic.AID2_UPLINK, vin, new Aid2Uplink(header(), new ProfileDownloadInstallInfo(requestId, user, iccid,
        eid, null, DownloadInstallResult.SUCCESS, null, null)));
    await("profile " + iccid + " installed", () -> eventsOf(ProfileInstalled.class).stream()
        .filter(p -> p.getProfile().getIccid().equals(iccid)).findFirst().orElse(null));
    return iccid;
  }

  private ActivationCodeReceived received(String user, String vin) {
    return await("AC received for " + user + " on " + vin, () -> eventsOf(ActivationCodeReceived.class).stream()
        .filter(a -> a.getCmpUserId().equals(user) && a.getVin().equals(vin)).findFirst().orElse(null));
  }

  /** §7.2.4: waits for the vehicle's RequestDeleteProfile and answers it SUCCESS. */
  private void answerDelete(String vin, String user, String iccid) {
    RequestDeleteProfile delete = await("RequestDeleteProfile " + iccid + " on " + vin, () ->
        downlinkPayloads(vin).stream().filter(p -> p instanceof RequestDeleteProfile d && d.getIccid().equals(iccid))
            .map(RequestDeleteProfile.class::cast).findFirst().orElse(null));
    send(AidTopic.AID2_UPLINK, vin, new Aid2Uplink(header(), new DeleteProfileResult(delete.getRequestId(), user,
        iccid, RequestDeleteProfileResult.SUCCESS, null)));
    await("profile " + iccid + " deleted", () -> eventsOf(ProfileDeleted.class).stream()
        .filter(p -> p.getProfile().getIccid().equals(iccid)).findFirst().orElse(null));
  }

  /** The async MSP's §7.1.8.2.1 call, as ingress-aid1 would write it: keyed by msp_token. */
  private void sendActivationCode(AsyncActivationCodeSink.SendActivationCode m) {
    send(AidTopic.AID1_INBOUND, m.mspToken(), new Aid1Inbound(header(), new SendActivationCode(ASYNC, m.mspToken(),
        m.activationCodeRequestId(), m.iccid(), m.activationCode(), m.profileType(), m.swappedIccid(), m.error())));
  }

  private void send(AidTopic topic, String key, SpecificRecord value) {
    try {
      producer.send(new ProducerRecord<>(topic.topicName(), key, value)).get(WAIT.toSeconds(),
          java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not write to " + topic.topicName(), e);
    }
  }

  private static EnvelopeHeader header() {
    return Envelopes.header("msp-side-e2e", UUID.randomUUID().toString(), UUID.randomUUID().toString(),
        Instant.now());
  }

  private static String vin(String suffix, int i) {
    return ("VMSP" + suffix.toUpperCase().replaceAll("[^A-Z0-9]", "X") + "00000").substring(0, 16) + i;
  }

  private static String eid(int i) {
    return String.format("89049032%024d", 7000 + i);
  }

  // ----------------------------------------------------------------------------------------------------
  // Reading

  private List<Object> downlinkPayloads(String vin) {
    return downlink.records.stream().filter(r -> vin.equals(r.key())).map(r -> r.value().getPayload()).toList();
  }

  /** The vehicle's downlink, in order, as "AC user" / "DELETE iccid" / the payload's type. */
  private List<String> commands(String vin) {
    return downlinkPayloads(vin).stream().map(p -> {
      if (p instanceof SendActivationCodeToVehicle s) {
        return "AC " + s.getCmpUserId();
      }
      if (p instanceof RequestDeleteProfile d) {
        return "DELETE " + d.getIccid();
      }
      return p.toString();
    }).toList();
  }

  private <T> List<T> eventsOf(Class<T> type) {
    return events.records.stream().map(r -> r.value().getPayload()).filter(type::isInstance).map(type::cast).toList();
  }

  /** The sync MSP's Send CSIM status calls, by ICCID. */
  private Map<String, List<RecordedRequest>> csimStatuses() {
    return sync.requests(r -> r.call() == MspCall.SEND_CSIM_STATUS).stream()
        .collect(Collectors.groupingBy(r -> body(r).path("iccid").asText()));
  }

  private static List<RecordedRequest> sorted(List<RecordedRequest> requests) {
    return requests.stream().sorted(Comparator.comparing(RecordedRequest::receivedAt)).toList();
  }

  private static JsonNode body(RecordedRequest r) {
    try {
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  private static String text(JsonNode node, String field) {
    return node.hasNonNull(field) ? node.get(field).asText() : null;
  }

  private void readLogs() {
    downlink.read();
    events.read();
  }

  /** Polls the topics until {@code probe} gives something; fails after {@link #WAIT}. */
  private <T> T await(String what, Supplier<T> probe) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      readLogs();
      T found = probe.get();
      if (found != null) {
        return found;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + WAIT + "; egress failure " + egress.failure()
            + ", streams " + lifecycle.streams().state() + ", downlink " + downlink.records.size()
            + ", events " + events.records.size() + ", requests sync " + sync.requests().size() + " async "
            + async.requests().size());
      }
    }
  }
}
