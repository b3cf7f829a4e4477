package org.aidcmp.lifecycle;

import static org.aidcmp.lifecycle.CarProvisioning_4_3_Test.IMEI;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Histogram;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.aidcmp.schemas.aid1.ActivationCodeRequest;
import org.aidcmp.schemas.aid1.Aid1Outbound;
import org.aidcmp.schemas.aid1.MspCall;
import org.aidcmp.schemas.aid1.MspCallRejected;
import org.aidcmp.schemas.aid2.RequestDeleteProfile;
import org.aidcmp.schemas.aid2.RequestDeleteProfileResult;
import org.aidcmp.schemas.common.DownloadInstallResult;
import org.aidcmp.schemas.common.ErrorInfo;
import org.aidcmp.schemas.common.VehicleProfileStatus;
import org.aidcmp.schemas.lifecycle.ActivationCodeFailed;
import org.aidcmp.schemas.lifecycle.ActivationCodeReceived;
import org.aidcmp.schemas.lifecycle.ActivationCodeRequested;
import org.aidcmp.schemas.lifecycle.FederationEstablished;
import org.aidcmp.schemas.lifecycle.FederationInvalidated;
import org.aidcmp.schemas.lifecycle.FederationRemoved;
import org.aidcmp.schemas.lifecycle.ProfileDeleteRequested;
import org.aidcmp.schemas.lifecycle.ProfileDeleted;
import org.aidcmp.schemas.lifecycle.ProfileSwapped;
import org.aidcmp.schemas.touchpoint.DeleteProfile;
import org.aidcmp.schemas.touchpoint.WithdrawOnboarding;

/**
 * Random interleavings of onboarding, logins, swaps, deletes, withdraws, MSP answers and vehicle reports,
 * against a simulated MSP with a pool of profiles per subscription, checking the invariants the platform
 * promises (issue: lifecycle-streams, property-based test).
 */
class LifecycleInvariantsPropertyTest {
  static final List<String> USERS = List.of("user-1", "user-2");
  static final List<String> VINS = List.of("WBAUX11030A000001", "WBAUX11030A000002", "WBAUX11030A000003");
  static final Map<String, Integer> POOL = Map.of(Harness.MSP_A, 2, Harness.MSP_B, 1);

  /** One step of the world: what it does is read from the platform's outputs when it runs. */
  record Step(int kind, int a, int b, int c) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Integer> kind = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, Arbitraries.just(0)), net.jqwik.api.Tuple.of(1, Arbitraries.just(1)),
        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(2, 3)),
        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(4, 5)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(6)), net.jqwik.api.Tuple.of(3, Arbitraries.just(7)),
        net.jqwik.api.Tuple.of(3, Arbitraries.just(8)), net.jqwik.api.Tuple.of(1, Arbitraries.just(9)),
        net.jqwik.api.Tuple.of(1, Arbitraries.just(10)), net.jqwik.api.Tuple.of(2, Arbitraries.just(11)));
    Arbitrary<Step> step = net.jqwik.api.Combinators.combine(kind, Arbitraries.integers().between(0, 99),
        Arbitraries.integers().between(0, 99), Arbitraries.integers().between(0, 99)).as(Step::new);
    return step.list().ofMinSize(10).ofMaxSize(60);
  }

  @Property(tries = 60)
  @StatisticsReport(format = Histogram.class)
  void invariantsHoldAndReplayingTheSameInputGivesTheSameOutput(@ForAll("steps") @Size(min = 10) List<Step> steps) {
    // Thresholds well below what the generator reaches (about 85 %, 12 %, 30 %, 30 %), so they only fail when
    // the steps stop reaching these states.
    Statistics.label("AC delivered").coverage(c -> c.check(true).percentage(p -> p >= 50));
    Statistics.label("profile swapped").coverage(c -> c.check(true).count(n -> n >= 1));
    Statistics.label("federation invalidated").coverage(c -> c.check(true).percentage(p -> p >= 10));
    Statistics.label("federation removed").coverage(c -> c.check(true).percentage(p -> p >= 5));
    try (World world = new World(); Harness again = new Harness(World.SETTINGS)) {
      steps.forEach(world::apply);
      world.checkInvariants();
      world.collectCoverage();
      // Processing the same input again, from scratch (a new topology, new stores), gives identical output.
      world.h.replayInto(again);
      assertThat(World.outputsOf(again)).isEqualTo(World.outputsOf(world.h));
    }
  }

  /** The platform under test plus a simulated MSP and fleet, driven deterministically by the steps. */
  static final class World implements AutoCloseable {
    static final LifecycleSettings SETTINGS =
        LifecycleSettings.defaults().withActivationCodeDeadline(Duration.ofMinutes(10));
    final Harness h = new Harness(SETTINGS);
    final Map<String, String> tokenOf = new HashMap<>(); // user|msp -> token
    final Map<String, String> mspOfToken = new HashMap<>();
    final Map<String, List<String>> mspPool = new HashMap<>(); // token -> live iccids at the MSP
    final Set<String> answeredCommands = new HashSet<>();
    final Set<String> answeredDeletes = new HashSet<>();
    int iccids;
    int stepNumber;

    /** The fleet is registered and each user starts onboarded with one MSP; the steps do the rest. */
    World() {
      for (int i = 0; i < VINS.size(); i++) {
        h.registerVehicle(VINS.get(i), eid(i), IMEI);
      }
      onboard(USERS.get(0), Harness.MSP_A);
      onboard(USERS.get(1), Harness.MSP_B);
      USERS.forEach(h::acceptTerms);
    }

    static String eid(int i) {
      return "8904903200000000000000000000000" + i;
    }

    void apply(Step step) {
      stepNumber++;
      String user = USERS.get(step.a() % USERS.size());
      String msp = step.b() % 2 == 0 ? Harness.MSP_A : Harness.MSP_B;
      int v = step.c() % VINS.size();
      switch (step.kind()) {
        case 0 -> onboard(user, msp);
        case 1 -> h.acceptTerms(user);
        case 2, 3 -> h.requestActivationCode(VINS.get(v), user, eid(v));
        case 4, 5 -> answerAnActivationCodeRequest(step);
        case 6 -> rejectAnActivationCodeRequest(step);
        case 7 -> reportInstalls(step);
        case 8 -> answerADelete(step);
        case 9 -> withdraw(user, msp, step.c() % 2 == 0);
        case 10 -> deleteSomeProfile(user, step);
        case 11 -> {
          h.presence(VINS.get(v), step.b() % 2 == 0);
          if (step.a() % 5 == 0) {
            h.advance(Duration.ofMinutes(11)); // past the AC deadline
          }
        }
        default -> throw new IllegalStateException();
      }
    }

    void onboard(String user, String msp) {
      String token = "token-" + user + "-" + msp + "-" + stepNumber;
      h.sendMspToken(msp, h.requestAccountId(user, msp), token, "rq-" + stepNumber);
      if (h.replyTo("rq-" + stepNumber).getHttpStatus() == 201) {
        tokenOf.put(user + "|" + msp, token);
        mspOfToken.put(token, msp);
        mspPool.put(token, new ArrayList<>());
      }
    }

    List<Aid1Outbound> openAcRequests() {
      return h.outbound().stream().filter(o -> o.getPayload() instanceof ActivationCodeRequest)
          .filter(o -> !answeredCommands.contains(o.getHeader().getMessageId())).toList();
    }

    /** The MSP's §4.3.1 behaviour: below the pool size a new profile; at it, a swap of the candidate or fallback. */
    void answerAnActivationCodeRequest(Step step) {
      List<Aid1Outbound> open = openAcRequests();
      if (open.isEmpty()) {
        return;
      }
      Aid1Outbound command = open.get(step.a() % open.size());
      answeredCommands.add(command.getHeader().getMessageId());
      ActivationCodeRequest request = (ActivationCodeRequest) command.getPayload();
      List<String> pool = mspPool.computeIfAbsent(request.getMspToken(), t -> new ArrayList<>());
      String swapped = null;
      if (pool.size() >= POOL.get(request.getMspId())) {
        if (request.getReplaceIccid() == null) {
          h.result(request.getMspToken(), new MspCallRejected(Harness.ref(command, MspCall.REQUEST_ACTIVATION_CODE),
              422, new ErrorInfo("49", "No activation code can be created")));
          return;
        }
        swapped = pool.contains(request.getReplaceIccid()) ? request.getReplaceIccid() : pool.get(0);
        pool.remove(swapped);
      }
      String iccid = String.format("89882390000%08d", ++iccids);
      pool.add(iccid);
      if (step.b() % 2 == 0) {
        h.activationCodeIssued(command, iccid, swapped);
      } else {
        h.activationCodeRequestAccepted(command);
        h.sendActivationCode(request.getMspId(), request.getMspToken(), request.getActivationCodeRequestId(), iccid,
            swapped, null, "ac-" + stepNumber);
      }
    }

    void rejectAnActivationCodeRequest(Step step) {
      List<Aid1Outbound> open = openAcRequests();
      if (open.isEmpty()) {
        return;
      }
      Aid1Outbound command = open.get(step.a() % open.size());
      answeredCommands.add(command.getHeader().getMessageId());
      ActivationCodeRequest request = (ActivationCodeRequest) command.getPayload();
      h.result(request.getMspToken(), new MspCallRejected(Harness.ref(command, MspCall.REQUEST_ACTIVATION_CODE),
          404, new ErrorInfo("20", "The msp_token was not found")));
    }

    /** Every AC received so far is installed (or fails), as vehicles do. */
    void reportInstalls(Step step) {
      for (ActivationCodeReceived received : h.events(ActivationCodeReceived.class)) {
        int v = VINS.indexOf(received.getVin());
        boolean ok = (step.a() + received.getIccid().hashCode()) % 4 != 0;
        h.installed(received.getVin(), received.getCmpUserId(), eid(v), received.getIccid(),
            ok ? DownloadInstallResult.SUCCESS : DownloadInstallResult.PROFILE_INSTALLATION_FAILED);
      }
    }

    void answerADelete(Step step) {
      List<Harness.KeyedDownlink> deletes = h.downlink().stream()
          .filter(d -> d.payload() instanceof RequestDeleteProfile)
          .filter(d -> !answeredDeletes.contains(d.downlink().getHeader().getMessageId())).toList();
      if (deletes.isEmpty()) {
        return;
      }
      Harness.KeyedDownlink d = deletes.get(step.a() % deletes.size());
      answeredDeletes.add(d.downlink().getHeader().getMessageId());
      RequestDeleteProfile delete = (RequestDeleteProfile) d.payload();
      if (step.b() % 2 == 0) {
        h.deleteProfileResult(d.vin(), delete.getCmpUserId(), delete.getIccid(), RequestDeleteProfileResult.SUCCESS);
      } else {
        h.csimStatus(d.vin(), delete.getEid(),
            Harness.profile(delete.getIccid(), delete.getCmpUserId(), VehicleProfileStatus.DELETED));
      }
    }

    void withdraw(String user, String msp, boolean viaMsp) {
      String token = tokenOf.remove(user + "|" + msp);
      if (token == null) {
        return;
      }
      if (viaMsp) {
        h.notifyMspTokenInvalid(msp, token, "wd-" + stepNumber);
      } else {
        h.touchpoint(user, new WithdrawOnboarding(user, token), "wd-" + stepNumber);
      }
      mspPool.remove(token); // the MSP deactivates every profile of the token (§7.1.10 note)
    }

    void deleteSomeProfile(String user, Step step) {
      List<ActivationCodeReceived> mine = h.events(ActivationCodeReceived.class).stream()
          .filter(r -> r.getCmpUserId().equals(user)).toList();
      if (mine.isEmpty()) {
        return;
      }
      ActivationCodeReceived r = mine.get(step.b() % mine.size());
      h.touchpoint(user, new DeleteProfile(user, r.getVin(), r.getIccid()), "del-" + stepNumber);
      mspPool.getOrDefault(r.getMspToken(), new ArrayList<>()).remove(r.getIccid());
    }

    void checkInvariants() {
      List<Object> events = h.events();
      Map<String, String> openByUserVehicle = new HashMap<>();   // user|vin -> acrId
      Set<String> invalidated = new HashSet<>();
      Map<String, Set<String>> liveByToken = new HashMap<>();
      Map<String, Set<String>> createdByToken = new LinkedHashMap<>();
      Set<String> deleted = new HashSet<>();
      Set<String> deleteRequested = new HashSet<>();
      for (Object e : events) {
        if (e instanceof ActivationCodeRequested r) {
          assertThat(invalidated).as("a withdrawn token never gets a new AC request").doesNotContain(r.getMspToken());
          String previous = openByUserVehicle.put(r.getCmpUserId() + "|" + r.getVin(), r.getActivationCodeRequestId());
          assertThat(previous).as("never two AC requests in flight for one (user, vehicle)").isNull();
        } else if (e instanceof ActivationCodeReceived r) {
          openByUserVehicle.remove(r.getCmpUserId() + "|" + r.getVin());
          createdByToken.computeIfAbsent(r.getMspToken(), t -> new HashSet<>()).add(r.getIccid());
          Set<String> live = liveByToken.computeIfAbsent(r.getMspToken(), t -> new HashSet<>());
          live.add(r.getIccid());
          if (r.getSwappedIccid() != null) {
            live.remove(r.getSwappedIccid());
          }
          assertThat(live.size()).as("live profiles of %s within the MSP's pool", r.getMspToken())
              .isLessThanOrEqualTo(POOL.get(r.getMspId()));
        } else if (e instanceof ActivationCodeFailed f) {
          openByUserVehicle.remove(f.getCmpUserId() + "|" + f.getVin());
        } else if (e instanceof FederationInvalidated f) {
          invalidated.add(f.getMspToken());
        } else if (e instanceof ProfileDeleteRequested d) {
          deleteRequested.add(d.getProfile().getIccid());
          liveByToken.getOrDefault(d.getProfile().getMspToken(), new HashSet<>()).remove(d.getProfile().getIccid());
        } else if (e instanceof ProfileSwapped s) {
          liveByToken.getOrDefault(s.getSwapped().getMspToken(), new HashSet<>()).remove(s.getSwapped().getIccid());
        } else if (e instanceof ProfileDeleted d) {
          deleted.add(d.getProfile().getIccid());
        } else if (e instanceof FederationRemoved r) {
          assertThat(deleted).as("a federation is removed only after all its profiles are deleted")
              .containsAll(createdByToken.getOrDefault(r.getMspToken(), Set.of()));
        }
      }
      for (String token : invalidated) {
        for (String iccid : createdByToken.getOrDefault(token, Set.of())) {
          assertThat(deleteRequested.contains(iccid) || deleted.contains(iccid))
              .as("every profile of withdrawn token %s gets its delete: %s", token, iccid).isTrue();
        }
      }
      assertThat(h.events(FederationEstablished.class)).isNotNull();
      assertThat(h.deadLetters()).as("no input of the interleavings breaks the contract").isEmpty();
    }

    /** The property is not vacuous: enough tries reach swaps, withdraws and removed federations. */
    void collectCoverage() {
      Statistics.label("AC delivered").collect(!h.events(ActivationCodeReceived.class).isEmpty());
      Statistics.label("profile swapped").collect(!h.events(ProfileSwapped.class).isEmpty());
      Statistics.label("federation invalidated").collect(!h.events(FederationInvalidated.class).isEmpty());
      Statistics.label("federation removed").collect(!h.events(FederationRemoved.class).isEmpty());
    }

    static List<Object> outputsOf(Harness h) {
      List<Object> all = new ArrayList<>();
      all.addAll(h.events());
      all.addAll(h.outbound());
      all.addAll(h.downlink().stream().map(Harness.KeyedDownlink::downlink).toList());
      all.addAll(h.replies().stream().map(r -> List.of(r.getHeader().getMessageId(), r.getPayload())).toList());
      return all;
    }

    @Override
    public void close() {
      h.close();
    }
  }
}
