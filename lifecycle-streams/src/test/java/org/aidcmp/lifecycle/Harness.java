package org.aidcmp.lifecycle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.aidcmp.schemas.Envelopes;
import org.aidcmp.schemas.aid1.ActivationCodeIssued;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.ActivationCodeRequestAccepted;
import org.aidcmp.schemas.aid1.Aid1Inbound;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.Aid1Result;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallRef;
import org.aidcmp.schemas.aid1.NotifyMspTokenInvalid;
import org.aidcmp.schemas.aid1.SendActivationCode;
import org.aidcmp.schemas.aid1.SendMspToken;
import org.aidcmp.schemas.aid2.Aid2Downlink;
import org.aidcmp.schemas.aid2.Aid2Uplink;
import org.aidcmp.schemas.aid2.CsimProfile;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.aid2.VehiclePresence;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.SubscriptionType;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.aidcmp.schemas.dlq.DeadLetterRecord;
import org.aidcmp.schemas.lifecycle.LifecycleEvent;
import org.aidcmp.schemas.registry.InMemorySchemaRegistryClient;
import org.aidcmp.schemas.reply.Reply;
import org.aidcmp.schemas.reply.RequestOutcome;
import org.aidcmp.schemas.serde.AvroDeserializer;
import org.aidcmp.schemas.serde.AvroSerializer;
import org.aidcmp.schemas.topics.AidTopic;
import org.aidcmp.schemas.touchpoint.AcceptAidTerms;
import org.aidcmp.schemas.touchpoint.RegisterVehicle;
import org.aidcmp.schemas.touchpoint.RequestAccountId;
import org.aidcmp.schemas.touchpoint.TouchpointCommand;
import org.aidcmp.schemas.vehicle.VehicleEvent;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The topology under Kafka Streams' TopologyTestDriver, with a small vocabulary of AID.02 messages to send
 * and readers of what came out. Internal topics loop back inside the driver, as on a broker.
 */
public final class Harness implements AutoCloseable {
  public static final String MSP_A = "msp-a";
  public static final String MSP_B = "msp-b";

  private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
  private final TopologyTestDriver driver;
  private final Path stateDir;
  private Instant clock = Instant.parse("2026-11-25T10:00:00Z");
  /** sid -> the user its account id was issued for (ingress carries it in the account id). */
  private final java.util.Map<String, String> accountIdUsers = new java.util.HashMap<>();

  private final TestInputTopic<String, SpecificRecord> inbound;
  private final TestInputTopic<String, SpecificRecord> results;
  private final TestInputTopic<String, SpecificRecord> touchpoint;
  private final TestInputTopic<String, SpecificRecord> uplink;
  private final TestInputTopic<String, SpecificRecord> refVehicles;

  private final TestOutputTopic<String, SpecificRecord> replies;
  private final TestOutputTopic<String, SpecificRecord> events;
  private final TestOutputTopic<String, SpecificRecord> vehicleEvents;
  private final TestOutputTopic<String, SpecificRecord> outbound;
  private final TestOutputTopic<String, SpecificRecord> downlink;
  private final TestOutputTopic<String, SpecificRecord> deadLetters;

  public Harness() {
    this(LifecycleSettings.defaults());
  }

  public Harness(LifecycleSettings settings) {
    try {
      stateDir = Files.createTempDirectory("aid-ttd-");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aid-lifecycle-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put("processing.exception.handler.global.enabled", "true");
    LifecycleStreams.deadLettersFor(props, registry);
    driver = new TopologyTestDriver(LifecycleTopology.build(registry, settings, Duration.ofSeconds(1)), props, clock);
    inbound = input(AidTopic.AID1_INBOUND);
    results = input(AidTopic.AID1_RESULTS);
    touchpoint = input(AidTopic.TOUCHPOINT_COMMANDS);
    uplink = input(AidTopic.AID2_UPLINK);
    refVehicles = input(AidTopic.REF_VEHICLES);
    replies = output(AidTopic.REPLIES);
    events = output(AidTopic.LIFECYCLE_EVENTS);
    vehicleEvents = output(AidTopic.VEHICLE_EVENTS);
    outbound = output(AidTopic.AID1_OUTBOUND);
    downlink = output(AidTopic.AID2_DOWNLINK);
    deadLetters = output(AidTopic.DLQ);
  }

  private TestInputTopic<String, SpecificRecord> input(AidTopic topic) {
    TestInputTopic<String, SpecificRecord> input =
        driver.createInputTopic(topic.topicName(), new StringSerializer(), new AvroSerializer<>(registry, true));
    inputs.put(topic, input);
    return input;
  }

  @SuppressWarnings("unchecked")
  private TestOutputTopic<String, SpecificRecord> output(AidTopic topic) {
    return driver.createOutputTopic(topic.topicName(), new StringDeserializer(),
        new AvroDeserializer<>(registry, (Class<SpecificRecord>) topic.valueType()));
  }

  public InMemorySchemaRegistryClient registry() {
    return registry;
  }

  public TopologyTestDriver driver() {
    return driver;
  }

  public Instant now() {
    return clock;
  }

  /** Moves both the records' time and the wall clock (which fires the AC deadline punctuation). */
  public void advance(Duration by) {
    inputLog.add(by);
    clock = clock.plus(by);
    driver.advanceWallClockTime(by);
  }

  /**
   * Moves the records' time only, not the wall clock: records stamped later than the wall clock has come (a
   * replay's, or a punctuation not run yet).
   */
  public void recordsLater(Duration by) {
    clock = clock.plus(by);
  }

  /** Everything given to the topology, in order: piped records and clock moves. */
  private final List<Object> inputLog = new ArrayList<>();

  private record Piped(AidTopic topic, String key, SpecificRecord value, Instant at) {}

  /** Gives another (fresh) topology exactly the input this one got, record for record, tick for tick. */
  public void replayInto(Harness other) {
    for (Object input : inputLog) {
      if (input instanceof Duration by) {
        other.advance(by);
      } else {
        Piped p = (Piped) input;
        other.clock = p.at();
        other.inputs.get(p.topic()).pipeInput(p.key(), p.value(), p.at());
        other.inputLog.add(p);
      }
    }
  }

  // ----------------------------------------------------------------------------------------------------
  // Sending

  private final java.util.Map<AidTopic, TestInputTopic<String, SpecificRecord>> inputs = new java.util.HashMap<>();

  private void pipe(TestInputTopic<String, SpecificRecord> topic, String key, SpecificRecord value) {
    clock = clock.plusMillis(10);
    AidTopic which = inputs.entrySet().stream().filter(e -> e.getValue() == topic).findFirst().orElseThrow().getKey();
    inputLog.add(new Piped(which, key, value, clock));
    topic.pipeInput(key, value, clock);
  }

  public String newRequestId() {
    return UUID.randomUUID().toString();
  }

  private org.aidcmp.schemas.common.EnvelopeHeader header(String source, String requestId) {
    return Envelopes.header(source, requestId, UUID.randomUUID().toString(), clock);
  }

  public void touchpoint(String key, Object command, String requestId) {
    pipe(touchpoint, key, new TouchpointCommand(header("ingress-aid1", requestId), command));
  }

  public void mspCall(String key, Object call, String requestId) {
    pipe(inbound, key, new Aid1Inbound(header("ingress-aid1", requestId), call));
  }

  public void mspCall(String key, Object call, String requestId, String messageId) {
    pipe(inbound, key, new Aid1Inbound(Envelopes.header(messageId, "ingress-aid1", requestId, "c", clock), call));
  }

  public void vehicle(String vin, Object message) {
    pipe(uplink, vin, new Aid2Uplink(header("ingress-aid2", null), message));
  }

  /** What egress writes for a command: keyed by the command's user, or by its msp_token if it names none. */
  public void result(String mspToken, Object result) {
    MspCallRef ref = (MspCallRef) ((SpecificRecord) result).get(0);
    pipe(results, ref.getCmpUserId() != null ? ref.getCmpUserId() : mspToken,
        new Aid1Result(header("egress", null), result));
  }

  public void refVehicle(String vin, SpecificRecord value) {
    pipe(refVehicles, vin, value);
  }

  /** Raw bytes onto a topic, for dead-letter tests. */
  public void rawInput(AidTopic topic, String key, byte[] value) {
    driver.createInputTopic(topic.topicName(), new StringSerializer(),
        new org.apache.kafka.common.serialization.ByteArraySerializer()).pipeInput(key, value, clock);
  }

  // The vocabulary of AID.02 -----------------------------------------------------------------------

  public void registerVehicle(String vin, String eid, String imei) {
    touchpoint(vin, new RegisterVehicle(vin, eid, imei, true), newRequestId());
  }

  public void acceptTerms(String user) {
    touchpoint(user, new AcceptAidTerms(user, "v1"), newRequestId());
  }

  /** §4.1 [3]: returns the sid. */
  public String requestAccountId(String user, String msp) {
    String sid = UUID.randomUUID().toString();
    accountIdUsers.put(sid, user);
    touchpoint(user, new RequestAccountId(user, msp, sid, clock, clock.plus(Duration.ofMinutes(30)),
        org.aidcmp.schemas.touchpoint.OnboardingStart.CMP_TOUCHPOINT), newRequestId());
    return sid;
  }

  public SendMspToken sendMspTokenBody(String msp, String sid, String mspToken) {
    return SendMspToken.newBuilder().setMspId(msp).setSid(sid).setAccountIdExpiresAt(clock.plus(Duration.ofMinutes(30)))
        .setCmpUserId(userOfAccountId(sid)).setMspToken(mspToken).setSubscriptionType(SubscriptionType.PRIVATE).setCustomerGroup("Market_Germany").build();
  }

  /**
   * As ingress writes it: keyed by the user the account id names (its CMP-only claim); a sid this harness never
   * issued names a user who has no such session.
   */
  public void sendMspToken(String msp, String sid, String mspToken, String requestId) {
    mspCall(userOfAccountId(sid), sendMspTokenBody(msp, sid, mspToken), requestId);
  }

  /** The user the account id of this sid was issued for. */
  public String userOfAccountId(String sid) {
    return accountIdUsers.getOrDefault(sid, "user-without-that-session");
  }

  /** A user onboarded with a token of the MSP (§4.1) who accepted the AiD terms; returns the token. */
  public String onboardedUser(String user, String msp) {
    String token = UUID.randomUUID().toString();
    sendMspToken(msp, requestAccountId(user, msp), token, newRequestId());
    acceptTerms(user);
    return token;
  }

  public VehicleRequestId vehicleRequestId(String vin) {
    return new VehicleRequestId(vin, clock.getEpochSecond());
  }

  public void requestActivationCode(String vin, String user, String eid) {
    vehicle(vin, new RequestActivationCode(vehicleRequestId(vin), user, "", eid));
  }

  /** The MSP's synchronous 200 for a Request activation code command (§7.1.8.1). */
  public void activationCodeIssued(Aid1Outbound command, String iccid, String swappedIccid) {
    ActivationCodeRequest request = (ActivationCodeRequest) command.getPayload();
    result(request.getMspToken(), new ActivationCodeIssued(ref(command, MspCall.REQUEST_ACTIVATION_CODE),
        request.getActivationCodeRequestId(), iccid, "1$SMDP.EXAMPLE$" + iccid, "personal", swappedIccid));
  }

  public void activationCodeRequestAccepted(Aid1Outbound command) {
    ActivationCodeRequest request = (ActivationCodeRequest) command.getPayload();
    result(request.getMspToken(), new ActivationCodeRequestAccepted(ref(command, MspCall.REQUEST_ACTIVATION_CODE),
        request.getActivationCodeRequestId()));
  }

  public static MspCallRef ref(Aid1Outbound command, MspCall call) {
    SpecificRecord payload = (SpecificRecord) command.getPayload();
    return new MspCallRef(command.getHeader().getMessageId(),
        String.valueOf(payload.get(payload.getSchema().getField("mspId").pos())),
        String.valueOf(payload.get(payload.getSchema().getField("mspToken").pos())), call, 1, command.getCmpUserId());
  }

  /** §7.1.8.2.1 asynchronous answer. */
  public void sendActivationCode(String msp, String token, String activationCodeRequestId, String iccid,
      String swappedIccid, String error, String requestId) {
    mspCall(token, new SendActivationCode(msp, token, activationCodeRequestId, error == null ? iccid : null,
        error == null ? "1$SMDP.EXAMPLE$" + iccid : null, "personal", swappedIccid, error), requestId);
  }

  public void installed(String vin, String user, String eid, String iccid, DownloadInstallResult result) {
    vehicle(vin, new ProfileDownloadInstallInfo(vehicleRequestId(vin), user, iccid, eid, null, result, null, null));
  }

  public void csimStatus(String vin, String eid, CsimProfile... profiles) {
    vehicle(vin, new CsimStatus(vehicleRequestId(vin), eid, null, null, null, List.of(profiles)));
  }

  public static CsimProfile profile(String iccid, String user, VehicleProfileStatus status) {
    return new CsimProfile(iccid, user, status, null, null, null);
  }

  public void deleteProfileResult(String vin, String user, String iccid, RequestDeleteProfileResult result) {
    vehicle(vin, new DeleteProfileResult(vehicleRequestId(vin), user, iccid, result, null));
  }

  public void notifyMspTokenInvalid(String msp, String token, String requestId) {
    mspCall(token, new NotifyMspTokenInvalid(msp, token, "user subscription ended"), requestId);
  }

  public void presence(String vin, boolean online) {
    vehicle(vin, new VehiclePresence(vin, online));
  }

  /** A vehicle registered, a user onboarded with MSP A: provisioning gets its AC synchronously; returns iccid. */
  public String provisioned(String vin, String eid, String user, String iccid) {
    requestActivationCode(vin, user, eid);
    Aid1Outbound command = lastOutbound(ActivationCodeRequest.class);
    activationCodeIssued(command, iccid, null);
    installed(vin, user, eid, iccid, DownloadInstallResult.SUCCESS);
    return iccid;
  }

  // ----------------------------------------------------------------------------------------------------
  // Reading (each reader drains what its topic got since the last read)

  private final List<Reply> replyLog = new ArrayList<>();
  private final List<LifecycleEvent> eventLog = new ArrayList<>();
  private final List<VehicleEvent> vehicleEventLog = new ArrayList<>();
  private final List<Aid1Outbound> outboundLog = new ArrayList<>();
  private final List<KeyedDownlink> downlinkLog = new ArrayList<>();
  private final List<DeadLetterRecord> deadLetterLog = new ArrayList<>();

  public record KeyedDownlink(String vin, Aid2Downlink downlink) {
    public Object payload() {
      return downlink.getPayload();
    }
  }

  private void drain() {
    replies.readValuesToList().forEach(v -> replyLog.add((Reply) v));
    events.readValuesToList().forEach(v -> eventLog.add((LifecycleEvent) v));
    vehicleEvents.readValuesToList().forEach(v -> vehicleEventLog.add((VehicleEvent) v));
    outbound.readValuesToList().forEach(v -> outboundLog.add((Aid1Outbound) v));
    downlink.readKeyValuesToList().forEach(kv -> downlinkLog.add(new KeyedDownlink(kv.key, (Aid2Downlink) kv.value)));
    deadLetters.readValuesToList().forEach(v -> deadLetterLog.add((DeadLetterRecord) v));
  }

  public List<Reply> replies() {
    drain();
    return List.copyOf(replyLog);
  }

  public RequestOutcome replyTo(String requestId) {
    return replies().stream().filter(r -> requestId.equals(r.getHeader().getRequestId()))
        .reduce((a, b) -> b).map(r -> (RequestOutcome) r.getPayload())
        .orElseThrow(() -> new AssertionError("no reply to " + requestId));
  }

  public long repliesTo(String requestId) {
    return replies().stream().filter(r -> requestId.equals(r.getHeader().getRequestId())).count();
  }

  public List<Object> events() {
    drain();
    return eventLog.stream().map(LifecycleEvent::getPayload).toList();
  }

  /** The facts with their headers. */
  public List<LifecycleEvent> lifecycleEvents() {
    drain();
    return List.copyOf(eventLog);
  }

  public <T> List<T> events(Class<T> type) {
    return events().stream().filter(type::isInstance).map(type::cast).toList();
  }

  public List<Object> vehicleEvents() {
    drain();
    return vehicleEventLog.stream().map(VehicleEvent::getPayload).toList();
  }

  public List<Aid1Outbound> outbound() {
    drain();
    return List.copyOf(outboundLog);
  }

  public <T> List<T> outbound(Class<T> type) {
    return outbound().stream().map(Aid1Outbound::getPayload).filter(type::isInstance).map(type::cast).toList();
  }

  public Aid1Outbound lastOutbound(Class<?> type) {
    List<Aid1Outbound> all = outbound().stream().filter(o -> type.isInstance(o.getPayload())).toList();
    if (all.isEmpty()) {
      throw new AssertionError("no " + type.getSimpleName() + " went to an MSP");
    }
    return all.get(all.size() - 1);
  }

  public List<KeyedDownlink> downlink() {
    drain();
    return List.copyOf(downlinkLog);
  }

  public <T> List<T> downlink(String vin, Class<T> type) {
    return downlink().stream().filter(d -> d.vin().equals(vin)).map(KeyedDownlink::payload)
        .filter(type::isInstance).map(type::cast).toList();
  }

  public List<DeadLetterRecord> deadLetters() {
    drain();
    return List.copyOf(deadLetterLog);
  }

  public <T> long count(List<?> items, Class<T> type, Predicate<T> which) {
    return items.stream().filter(type::isInstance).map(type::cast).filter(which).count();
  }

  @Override
  public void close() {
    driver.close();
    try (var paths = Files.walk(stateDir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
