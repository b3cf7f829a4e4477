package org.aidcmp.infra.vehicle;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientSslConfigBuilder;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.aidcmp.infra.pki.Tls;
import org.aidcmp.schemas.aid2.CsimInfoResult;
import org.aidcmp.schemas.aid2.CsimProfile;
import org.aidcmp.schemas.aid2.CsimStatus;
import org.aidcmp.schemas.aid2.DeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.DeleteProfileResult;
import org.aidcmp.schemas.aid2.DisableProfileError;
import org.aidcmp.schemas.aid2.EnableProfileError;
import org.aidcmp.schemas.aid2.ProfileDownloadInstallInfo;
import org.aidcmp.schemas.aid2.RequestActivationCode;
import org.aidcmp.schemas.aid2.RequestCsimInfo;
import org.aidcmp.schemas.aid2.RequestCsimInfoResult;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfiles;
import org.aidcmp.schemas.aid2.RequestDeleteAllProfilesResult;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.aid2.SendActivationCodeToVehicle;
import org.aidcmp.schemas.aid2.VehicleRequestError;
import org.aidcmp.schemas.aid2.wire.Aid2Json;
import org.aidcmp.schemas.aid2.wire.Aid2Topics;
import org.aidcmp.schemas.aid2.wire.DownlinkMessage;
import org.aidcmp.schemas.aid2.wire.InvalidAid2Message;
import org.aidcmp.schemas.aid2.wire.UplinkMessage;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.common.VehicleRequestId;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated vehicle: its CMP app speaking AiD2 (§7.2) over MQTT 5 on {@code aid2/v1/vehicles/{vin}/...},
 * and its {@link Euicc}. A user logs in: with no profile of theirs on the eUICC the vehicle asks for an
 * activation code (§7.2.1), downloads with it from the SM-DP+, reports the result (§7.2.3), enables the profile
 * and sends its CSIM status; with one, it enables it. Logout disables. It answers Request delete profile
 * (§7.2.4), Request CSIM info (§7.2.7) and Request delete all profiles (§7.2.8), drops a downlink whose
 * CommandId it has seen, and records an {@code error} downlink (§7.2.1) as its flow's outcome.
 *
 * <p>Online it publishes {@code online} on its presence topic, {@code offline} being its Will. While offline
 * (an offline spell, or the broker unreachable) its uplinks wait in an outbox, in order, and go out when it is
 * back (§7.2.3 additional requirements (1) and (2)); its persistent session keeps the downlinks sent meanwhile.
 * Every flow has a deadline. All state changes run on the vehicle's own serial executor.
 */
public final class SimulatedVehicle implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedVehicle.class);
  private static final String SUCCESS_STATUS = "{\"status\":\"Executed-Success\"}";
  /** Command ids remembered to spot a repeat; older ones are forgotten. */
  private static final int SEEN_COMMANDS = 1024;
  private static final String OPS_NETWORK = "Simulated network";

  /** What a vehicle is: VIN, its eUICC's EID and room, its IMEI (may be null). */
  public record Spec(String vin, String eid, String imei, int euiccCapacity) {}

  /** A downlink the vehicle received: which message, its command id, and whether it was a repeat it dropped. */
  public record Received(DownlinkMessage message, String commandId, SpecificRecord payload, boolean repeat) {}

  private record Outbound(UplinkMessage message, byte[] payload, CompletableFuture<Void> acknowledged) {}

  private record Pending(String cmpUserId, long startNanos, CompletableFuture<Outcome> result,
                         ScheduledFuture<?> deadline) {}

  private final Spec spec;
  private final VehicleConnection connection;
  private final Euicc euicc;
  private final Smdp smdp;
  private final Faults faults;
  private final Outcomes outcomes;
  private final Aid2Json json;
  private final Executor serial;
  private final ScheduledExecutorService timer;
  private final Duration flowDeadline;
  private final Mqtt5AsyncClient mqtt;

  // Touched on the serial executor only.
  private final Deque<Outbound> outbox = new ArrayDeque<>();
  private final LinkedHashSet<String> seenCommands = new LinkedHashSet<>();
  private final Map<String, Pending> logins = new HashMap<>();
  private boolean publishing;
  private volatile boolean wantOnline;

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger repeatsDropped = new AtomicInteger();
  private final AtomicInteger published = new AtomicInteger();

  SimulatedVehicle(Spec spec, VehicleConnection connection, Smdp smdp, Faults faults, Outcomes outcomes,
                   Aid2Json json, Executor pool, ScheduledExecutorService timer, Duration flowDeadline) {
    this.spec = spec;
    this.connection = connection;
    this.euicc = new Euicc(spec.eid(), spec.euiccCapacity());
    this.smdp = smdp;
    this.faults = faults;
    this.outcomes = outcomes;
    this.json = json;
    this.serial = new SerialExecutor(pool);
    this.timer = timer;
    this.flowDeadline = flowDeadline;
    this.mqtt = client();
    // Registered before connecting: a resumed session's queued downlinks arrive before anything else.
    mqtt.publishes(MqttGlobalPublishFilter.ALL, this::onPublish);
  }

  private Mqtt5AsyncClient client() {
    Mqtt5ClientBuilder b = MqttClient.builder().useMqttVersion5()
        .identifier(connection.clientId())
        .serverHost(connection.broker().getHost())
        .serverPort(connection.broker().getPort())
        // §7.2.3 (2): the broker gone, the client tries again, a little later each time.
        .automaticReconnect().initialDelay(500, TimeUnit.MILLISECONDS).maxDelay(10, TimeUnit.SECONDS)
        .applyAutomaticReconnect()
        .addConnectedListener(ctx -> serial.execute(this::connected))
        .addDisconnectedListener(ctx -> {
          if (!wantOnline || ctx.getSource() == MqttDisconnectSource.USER) {
            ctx.getReconnector().reconnect(false); // an offline spell lasts until goOnline
          } else if (ctx.getCause() instanceof Mqtt5ConnAckException refused) {
            // The broker said no (credentials, rights): trying again would not change its mind.
            LOG.warn("{}: the broker refused the connection: {}", vin(), refused.getMqttMessage().getReasonCode());
            ctx.getReconnector().reconnect(false);
          }
        });
    if (connection.username() != null) {
      // On the client, not only on the CONNECT: the automatic reconnect sends the client's credentials, and
      // those of the first CONNECT are not kept (a broker restart otherwise refuses every car, NOT_AUTHORIZED).
      b = b.simpleAuth().username(connection.username())
          .password(connection.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
    }
    if (connection.tls()) {
      MqttClientSslConfigBuilder.Nested<? extends Mqtt5ClientBuilder> ssl = b.sslConfig();
      try {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(Tls.trustStore(connection.trustedCas()));
        ssl.trustManagerFactory(trust);
        if (connection.clientIdentity() != null) {
          char[] password = java.util.UUID.randomUUID().toString().toCharArray(); // in memory only
          KeyStore keys = connection.clientIdentity().keyStore(password);
          KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
          km.init(keys, password);
          ssl.keyManagerFactory(km);
        }
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalArgumentException("TLS settings of " + connection + ": " + e.getMessage(), e);
      }
      b = ssl.applySslConfig();
    }
    return b.buildAsync();
  }

  public String vin() {
    return spec.vin();
  }

  public Spec spec() {
    return spec;
  }

  public VehicleConnection connection() {
    return connection;
  }

  public Faults faults() {
    return faults;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Online and offline

  /**
   * Connects (persistent session, {@code offline} as the Will), subscribes to its downlink and says
   * {@code online}; completes when connected, or fails past the flow deadline.
   */
  public CompletableFuture<Void> goOnline() {
    wantOnline = true;
    if (mqtt.getState().isConnected()) {
      return CompletableFuture.completedFuture(null);
    }
    Mqtt5ConnectBuilder.Send<CompletableFuture<com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck>>
        connect = mqtt.connectWith()
            .cleanStart(false)
            .sessionExpiryInterval(connection.sessionExpiry().toSeconds())
            .willPublish().topic(Aid2Topics.presence(vin())).qos(MqttQos.AT_LEAST_ONCE).retain(true)
            .payload(Aid2Json.presencePayload(false)).applyWillPublish();
    if (connection.username() != null) {
      connect = connect.simpleAuth().username(connection.username())
          .password(connection.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth();
    }
    return connect.send()
        .thenCompose(ack -> mqtt.subscribeWith().topicFilter(Aid2Topics.downlinkFilter(vin()))
            .qos(MqttQos.AT_LEAST_ONCE).send())
        .thenAccept(subAck -> subAck.getReasonCodes().forEach(code -> {
          if (code.isError()) {
            throw new IllegalStateException(vin() + ": the broker refused the downlink subscription: " + code);
          }
        }))
        .orTimeout(flowDeadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Loses connectivity: disconnects so that the broker publishes the Will ({@code offline}); its session stays.
   * Uplinks from now on wait in the outbox.
   */
  public CompletableFuture<Void> goOffline() {
    wantOnline = false;
    if (!mqtt.getState().isConnectedOrReconnect()) {
      return CompletableFuture.completedFuture(null);
    }
    return mqtt.disconnectWith().reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE).send()
        .orTimeout(flowDeadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Offline for {@code spell}, then online again. */
  public CompletableFuture<Void> offlineFor(Duration spell) {
    return goOffline().thenCompose(unused -> {
      CompletableFuture<Void> back = new CompletableFuture<>();
      timer.schedule(() -> goOnline().whenComplete((v, e) -> {
        if (e != null) {
          back.completeExceptionally(e);
        } else {
          back.complete(null);
        }
      }), spell.toMillis(), TimeUnit.MILLISECONDS);
      return back;
    });
  }

  public boolean online() {
    return mqtt.getState().isConnected();
  }

  /** On every (re)connect: presence first, then what waited in the outbox, in order. */
  private void connected() {
    if (!wantOnline) {
      return;
    }
    // Retained, as the Will: whoever subscribes later sees the vehicle's last state.
    mqtt.publishWith().topic(Aid2Topics.presence(vin())).qos(MqttQos.AT_LEAST_ONCE).retain(true)
        .payload(Aid2Json.presencePayload(true)).send();
    drain();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Flows the vehicle starts: login and logout

  /** A user logs in: their profile enabled, downloaded first if the eUICC has none of theirs. */
  public CompletableFuture<Outcome> login(String cmpUserId) {
    CompletableFuture<Outcome> result = new CompletableFuture<>();
    serial.execute(() -> {
      long start = System.nanoTime();
      Optional<Euicc.Profile> profile = euicc.profileOf(cmpUserId);
      if (profile.isPresent()) {
        enable(profile.get(), Outcome.Flow.LOGIN, Outcome.Result.ENABLED, start, result);
        return;
      }
      Pending already = logins.get(cmpUserId);
      if (already != null) {
        already.result().whenComplete((o, e) -> result.complete(o));
        return;
      }
      ScheduledFuture<?> deadline = timer.schedule(() -> serial.execute(() -> timedOut(cmpUserId)),
          flowDeadline.toMillis(), TimeUnit.MILLISECONDS);
      logins.put(cmpUserId, new Pending(cmpUserId, start, result, deadline));
      send(new RequestActivationCode(requestId(), cmpUserId, spec.imei() == null ? "" : spec.imei(), spec.eid()));
    });
    return result;
  }

  /** A user logs out: their enabled profile disabled. */
  public CompletableFuture<Outcome> logout(String cmpUserId) {
    CompletableFuture<Outcome> result = new CompletableFuture<>();
    serial.execute(() -> {
      long start = System.nanoTime();
      Optional<Euicc.Profile> enabled = euicc.enabled().filter(p -> p.cmpUserId().equals(cmpUserId));
      if (enabled.isEmpty()) {
        result.complete(record(cmpUserId, Outcome.Flow.LOGOUT, Outcome.Result.NOTHING_TO_DISABLE, null, start));
        return;
      }
      Euicc.Profile p = enabled.get();
      int sw = faults.disable().orElseGet(() -> euicc.disable(p.iccid()));
      if (sw != StatusWord.OK) {
        send(new DisableProfileError(requestId(), csimProfile(p), sw));
        result.complete(record(cmpUserId, Outcome.Flow.LOGOUT, Outcome.Result.DISABLE_FAILED, StatusWord.hex(sw),
            start));
        return;
      }
      sendCsimStatus(List.of());
      result.complete(record(cmpUserId, Outcome.Flow.LOGOUT, Outcome.Result.DISABLED, p.iccid(), start));
    });
    return result;
  }

  private void timedOut(String cmpUserId) {
    Pending pending = logins.remove(cmpUserId);
    if (pending != null) {
      pending.result().complete(record(cmpUserId, Outcome.Flow.LOGIN, Outcome.Result.TIMED_OUT,
          "no activation code within " + flowDeadline, pending.startNanos()));
    }
  }

  /** Enables {@code p} (9000, or the injected status word as Send enable profile error, §7.2.5). */
  private void enable(Euicc.Profile p, Outcome.Flow flow, Outcome.Result onSuccess, long start,
                      CompletableFuture<Outcome> result) {
    if (p.status() == VehicleProfileStatus.ENABLED) {
      result.complete(record(p.cmpUserId(), flow, onSuccess, p.iccid(), start));
      return;
    }
    int sw = faults.enable().orElseGet(() -> euicc.enable(p.iccid()));
    if (sw != StatusWord.OK) {
      send(new EnableProfileError(requestId(), csimProfile(p), sw));
      result.complete(record(p.cmpUserId(), flow, Outcome.Result.ENABLE_FAILED, StatusWord.hex(sw), start));
      return;
    }
    sendCsimStatus(List.of());
    result.complete(record(p.cmpUserId(), flow, onSuccess, p.iccid(), start));
  }

  // ---------------------------------------------------------------------------------------------------------
  // What the CMP sends

  private void onPublish(Mqtt5Publish publish) {
    String topic = publish.getTopic().toString();
    byte[] payload = publish.getPayloadAsBytes();
    serial.execute(() -> onDownlink(topic, payload));
  }

  private void onDownlink(String topic, byte[] payload) {
    Optional<DownlinkMessage> message = Aid2Topics.parse(topic)
        .filter(a -> a.direction() == Aid2Topics.Direction.DOWN && a.vin().equals(vin()))
        .flatMap(a -> DownlinkMessage.byTopicName(a.message()));
    if (message.isEmpty()) {
      LOG.warn("{}: a message on {}, which is no downlink of this vehicle; ignored", vin(), topic);
      return;
    }
    Aid2Json.Downlink downlink;
    try {
      downlink = json.readDownlink(message.get(), payload);
    } catch (InvalidAid2Message e) {
      LOG.warn("{}: an invalid {} downlink ignored: {}", vin(), message.get().topicName(), e.getMessage());
      return;
    }
    if (seenCommands.contains(downlink.commandId())) {
      repeatsDropped.incrementAndGet();
      received.add(new Received(message.get(), downlink.commandId(), downlink.payload(), true));
      return;
    }
    seenCommands.add(downlink.commandId());
    if (seenCommands.size() > SEEN_COMMANDS) {
      seenCommands.remove(seenCommands.iterator().next());
    }
    received.add(new Received(message.get(), downlink.commandId(), downlink.payload(), false));
    SpecificRecord p = downlink.payload();
    if (p instanceof SendActivationCodeToVehicle ac) {
      provision(ac);
    } else if (p instanceof VehicleRequestError error) {
      error(error);
    } else if (p instanceof RequestDeleteProfile delete) {
      deleteProfile(delete);
    } else if (p instanceof RequestCsimInfo) {
      long start = System.nanoTime();
      send(new CsimInfoResult(requestId(), RequestCsimInfoResult.SUCCESS, null));
      sendCsimStatus(List.of());
      record(null, Outcome.Flow.CSIM_INFO, Outcome.Result.REPORTED, euicc.profiles().size() + " profiles", start);
    } else if (p instanceof RequestDeleteAllProfiles) {
      deleteAll();
    }
  }

  /** §7.2.2 -> §7.2.3: download with the code, install, report, enable, report. */
  private void provision(SendActivationCodeToVehicle ac) {
    String user = ac.getCmpUserId();
    Pending pending = logins.remove(user);
    if (pending != null) {
      pending.deadline().cancel(false);
    }
    long start = pending != null ? pending.startNanos() : System.nanoTime();
    CompletableFuture<Outcome> result = pending != null ? pending.result() : new CompletableFuture<>();
    String code = ac.getActivationCode();

    Optional<Faults.InstallFailure> injected = faults.install();
    String iccid = null;
    Faults.InstallFailure failure = null;
    if (injected.isPresent() && injected.get().result() != DownloadInstallResult.PROFILE_INSTALLATION_FAILED) {
      failure = injected.get(); // failed before or during the download: nothing reaches the eUICC
    } else {
      Smdp.Download download = smdp.download(code, spec.eid());
      if (!download.reached()) {
        failure = Faults.InstallFailure.smdpUnreachable();
      } else if (!download.succeeded()) {
        failure = Faults.InstallFailure.smdpRefused();
      } else {
        iccid = download.iccid();
        if (injected.isPresent()) {
          failure = injected.get();
        } else if (euicc.install(iccid, user) != StatusWord.OK) {
          failure = Faults.InstallFailure.euiccFull();
        }
      }
    }
    if (failure != null) {
      send(ProfileDownloadInstallInfo.newBuilder()
          .setRequestId(requestId()).setCmpUserId(user).setIccid(iccid).setEid(spec.eid()).setActivationCode(code)
          .setDownloadInstallResult(failure.result()).setFunctionExecutionStatus(failure.functionExecutionStatus())
          .setCsimErrorCode(failure.csimErrorCode()).build());
      boolean full = failure.result() == DownloadInstallResult.PROFILE_INSTALLATION_FAILED
          && Integer.valueOf(StatusWord.NOT_ENOUGH_MEMORY).equals(failure.csimErrorCode());
      String detail = failure.result().name()
          + (failure.csimErrorCode() == null ? "" : " " + StatusWord.hex(failure.csimErrorCode()));
      result.complete(record(user, Outcome.Flow.LOGIN,
          full ? Outcome.Result.EUICC_FULL : Outcome.Result.INSTALL_FAILED, detail, start));
      return;
    }
    send(ProfileDownloadInstallInfo.newBuilder()
        .setRequestId(requestId()).setCmpUserId(user).setIccid(iccid).setEid(spec.eid()).setActivationCode(code)
        .setDownloadInstallResult(DownloadInstallResult.SUCCESS).setFunctionExecutionStatus(SUCCESS_STATUS).build());
    enable(euicc.profile(iccid).orElseThrow(), Outcome.Flow.LOGIN, Outcome.Result.PROVISIONED, start, result);
  }

  /** §7.2.1 Response: the CMP refused the request for an activation code. */
  private void error(VehicleRequestError error) {
    String user = error.getCmpUserId();
    Pending pending = user == null ? null : logins.remove(user);
    if (pending != null) {
      pending.deadline().cancel(false);
      pending.result().complete(record(user, Outcome.Flow.LOGIN, Outcome.Result.REFUSED, error.getError().name(),
          pending.startNanos()));
    } else {
      record(user, Outcome.Flow.ERROR, Outcome.Result.ERROR_RECEIVED, error.getError().name(), System.nanoTime());
    }
  }

  /** §7.2.4: the result, then the CSIM status with the profile DELETED. */
  private void deleteProfile(RequestDeleteProfile delete) {
    long start = System.nanoTime();
    String iccid = delete.getIccid();
    Optional<Euicc.Profile> profile = euicc.profile(iccid);
    RequestDeleteProfileResult answer;
    if (profile.isEmpty()) {
      answer = RequestDeleteProfileResult.PROFILE_NOT_FOUND;
    } else if (!profile.get().cmpUserId().equals(delete.getCmpUserId())) {
      answer = RequestDeleteProfileResult.USER_NOT_FOUND;
    } else {
      int sw = euicc.delete(iccid);
      answer = sw == StatusWord.OK ? RequestDeleteProfileResult.SUCCESS : RequestDeleteProfileResult.FAILED;
    }
    Integer sw = answer == RequestDeleteProfileResult.PROFILE_NOT_FOUND ? StatusWord.REFERENCED_DATA_NOT_FOUND : null;
    send(new DeleteProfileResult(requestId(), delete.getCmpUserId(), iccid, answer, sw));
    if (answer == RequestDeleteProfileResult.SUCCESS) {
      sendCsimStatus(List.of(deleted(profile.get())));
    }
    record(delete.getCmpUserId(), Outcome.Flow.DELETE_PROFILE,
        answer == RequestDeleteProfileResult.SUCCESS ? Outcome.Result.DELETED : Outcome.Result.NOT_FOUND,
        iccid + " " + answer, start);
  }

  /** §7.2.8: the result, then the CSIM status with every profile DELETED. */
  private void deleteAll() {
    long start = System.nanoTime();
    List<Euicc.Profile> gone = euicc.deleteAll();
    RequestDeleteAllProfilesResult answer = gone.isEmpty()
        ? RequestDeleteAllProfilesResult.NO_PROFILES_FOUND : RequestDeleteAllProfilesResult.SUCCESS;
    send(new DeleteAllProfilesResult(requestId(), answer, null));
    sendCsimStatus(gone.stream().map(SimulatedVehicle::deleted).toList());
    record(null, Outcome.Flow.DELETE_ALL_PROFILES, Outcome.Result.ALL_DELETED, gone.size() + " deleted, " + answer,
        start);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Uplinks: one outbox, in order, until the broker acknowledged each

  /** Send CSIM status (§7.2.3, vehicle): every profile on the eUICC, and {@code alsoDeleted}. */
  private void sendCsimStatus(List<CsimProfile> alsoDeleted) {
    List<CsimProfile> profiles = new ArrayList<>();
    euicc.profiles().forEach(p -> profiles.add(csimProfile(p)));
    profiles.addAll(alsoDeleted);
    send(new CsimStatus(requestId(), spec.eid(), spec.imei(), null, OPS_NETWORK, profiles));
  }

  private void send(SpecificRecord uplink) {
    outbox.add(new Outbound(UplinkMessage.of(uplink), json.writeUplink(uplink), new CompletableFuture<>()));
    drain();
  }

  /** Publishes the head of the outbox; the next one once the broker acknowledged it, so order holds. */
  private void drain() {
    if (publishing || outbox.isEmpty() || !wantOnline || !mqtt.getState().isConnected()) {
      return;
    }
    Outbound next = outbox.peek();
    publishing = true;
    mqtt.publishWith().topic(Aid2Topics.uplink(vin(), next.message())).qos(MqttQos.AT_LEAST_ONCE)
        .payload(next.payload()).send()
        .whenComplete((result, failure) -> serial.execute(() -> {
          publishing = false;
          Throwable error = failure != null ? failure : result.getError().orElse(null);
          if (error == null && outbox.peek() == next) {
            outbox.poll();
            published.incrementAndGet();
            next.acknowledged().complete(null);
          } else if (error != null) {
            // Not delivered (connection lost): it stays first, and goes again when the vehicle is connected.
            LOG.debug("{}: {} not acknowledged yet: {}", vin(), next.message().topicName(), error.toString());
          }
          drain();
        }));
  }

  // ---------------------------------------------------------------------------------------------------------
  // For tests and the fleet

  /** Uplinks still waiting for the broker (offline, or in flight). */
  public int outboxSize() {
    CompletableFuture<Integer> size = new CompletableFuture<>();
    serial.execute(() -> size.complete(outbox.size()));
    return size.orTimeout(flowDeadline.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  /** The profiles on the eUICC now. */
  public List<Euicc.Profile> profiles() {
    CompletableFuture<List<Euicc.Profile>> profiles = new CompletableFuture<>();
    serial.execute(() -> profiles.complete(euicc.profiles()));
    return profiles.orTimeout(flowDeadline.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  /** Every downlink received, repeats included (marked). */
  public List<Received> received() {
    return List.copyOf(received);
  }

  public int repeatsDropped() {
    return repeatsDropped.get();
  }

  /** Uplinks the broker acknowledged. */
  public int published() {
    return published.get();
  }

  private Outcome record(String cmpUserId, Outcome.Flow flow, Outcome.Result result, String detail, long startNanos) {
    Outcome outcome = new Outcome(vin(), cmpUserId, flow, result, detail,
        Duration.ofNanos(System.nanoTime() - startNanos), Instant.now());
    outcomes.record(outcome);
    return outcome;
  }

  private VehicleRequestId requestId() {
    return new VehicleRequestId(vin(), Instant.now().getEpochSecond());
  }

  private static CsimProfile csimProfile(Euicc.Profile p) {
    return CsimProfile.newBuilder().setIccid(p.iccid()).setCmpUserId(p.cmpUserId()).setProfileStatus(p.status())
        .build();
  }

  private static CsimProfile deleted(Euicc.Profile p) {
    return CsimProfile.newBuilder().setIccid(p.iccid()).setCmpUserId(p.cmpUserId())
        .setProfileStatus(VehicleProfileStatus.DELETED).build();
  }

  /** Disconnects without the Will (a vehicle switched off by the test, not one that lost its network). */
  @Override
  public void close() {
    wantOnline = false;
    try {
      if (mqtt.getState().isConnectedOrReconnect()) {
        mqtt.disconnect().get(flowDeadline.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (Exception e) {
      LOG.debug("{}: disconnect on close: {}", vin(), e.toString());
    }
  }
}
