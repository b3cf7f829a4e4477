package org.aidcmp.ingress.aid1;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.aidcmp.infra.config.AidConfig;
import org.aidcmp.projections.read.Page;
import org.aidcmp.projections.read.ProjectionReads;
import org.aidcmp.projections.read.Views;
import org.aidcmp.schemas.common.EncryptedValue;

/**
 * The query API on the touchpoint port, mounted on the projections' read side ({@link ProjectionReads}, wired by
 * whoever starts the ingress): the signed-in user's subscriptions, vehicles and withdraw progress (sub is the
 * cmpUserId, so a user sees only their own); customer care's views (the care role); operations' counts (the
 * operations role); and the customer-care page. Every list is paged by a cursor ({@code after}, {@code limit}).
 * The phone number reaches this class encrypted under the CMP's key and leaves it masked.
 */
public final class QueryRoutes {
  public static final String CARE_PAGE = "/care";
  private static final Pattern CMP_USER_ID = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
  private static final int MAX_CURSOR = 200;

  /** What the query API is mounted on; reads null: the routes exist but answer 503 (no read models wired). */
  public record Mount(ProjectionReads reads, String careRole, String operationsRole) {
    public static Mount from(AidConfig config, ProjectionReads reads) {
      return new Mount(reads, config.get("oidc.care-role").orElse("care"),
          config.get("oidc.operations-role").orElse("operations"));
    }

    public static Mount unmounted() {
      return new Mount(null, "care", "operations");
    }
  }

  private final OidcVerifier oidc;
  private final Mount mount;
  private final byte[] cmpPhoneKey;
  private final byte[] carePage;

  public QueryRoutes(OidcVerifier oidc, Mount mount, byte[] cmpPhoneKey) {
    this.oidc = oidc;
    this.mount = mount;
    this.cmpPhoneKey = cmpPhoneKey.clone();
    this.carePage = resource("/org/aidcmp/projections/care.html");
  }

  public void install(RouteTable r) {
    r.get("/api/v1/me/subscriptions", ctx -> guarded(ctx, this::mySubscriptions));
    r.get("/api/v1/me/vehicles", ctx -> guarded(ctx, this::myVehicles));
    r.get("/api/v1/me/withdrawals", ctx -> guarded(ctx, this::myWithdrawals));
    r.get("/api/v1/care/users/{cmp_user_id}/timeline", ctx -> guarded(ctx, this::userTimeline));
    r.get("/api/v1/care/users/{cmp_user_id}/vehicles", ctx -> guarded(ctx, this::userVehicles));
    r.get("/api/v1/care/vehicles/{vin}/inventory", ctx -> guarded(ctx, this::vehicleInventory));
    r.get("/api/v1/care/vehicles/{vin}/timeline", ctx -> guarded(ctx, this::vehicleTimeline));
    r.get("/api/v1/care/vehicles/{vin}/why-no-profile", ctx -> guarded(ctx, this::whyNoProfile));
    r.get("/api/v1/care/profiles/{iccid}/history", ctx -> guarded(ctx, this::profileHistory));
    r.get("/api/v1/operations/profiles/by-state", ctx -> guarded(ctx, c -> operations(c, "state")));
    r.get("/api/v1/operations/profiles/by-msp", ctx -> guarded(ctx, c -> operations(c, "profiles")));
    r.get("/api/v1/operations/federations/by-msp", ctx -> guarded(ctx, c -> operations(c, "federations")));
    r.get(CARE_PAGE, ctx -> ctx.contentType("text/html; charset=utf-8")
        .header("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'")
        .result(carePage));
  }

  void mySubscriptions(Context ctx) {
    String user = oidc.verify(ctx.header("Authorization")).cmpUserId();
    Page<Views.Subscription> page = reads().users().subscriptions(user, after(ctx), limit(ctx));
    ArrayNode items = Json.MAPPER.createArrayNode();
    for (Views.Subscription s : page.items()) {
      ObjectNode item = Json.MAPPER.valueToTree(s);
      item.remove("phoneNumber");
      item.put("phoneNumberMasked", masked(s.phoneNumber()));
      items.add(item);
    }
    send(ctx, items, page.next());
  }

  void myVehicles(Context ctx) {
    String user = oidc.verify(ctx.header("Authorization")).cmpUserId();
    page(ctx, reads().users().vehicles(user, after(ctx), limit(ctx)));
  }

  void myWithdrawals(Context ctx) {
    String user = oidc.verify(ctx.header("Authorization")).cmpUserId();
    page(ctx, reads().users().withdrawals(user, after(ctx), limit(ctx)));
  }

  void userTimeline(Context ctx) {
    care(ctx);
    String user = path(ctx, "cmp_user_id", CMP_USER_ID);
    page(ctx, reads().care().userTimeline(user, after(ctx), limit(ctx)));
  }

  void userVehicles(Context ctx) {
    care(ctx);
    String user = path(ctx, "cmp_user_id", CMP_USER_ID);
    page(ctx, reads().users().vehicles(user, after(ctx), limit(ctx)));
  }

  void vehicleInventory(Context ctx) {
    care(ctx);
    String vin = path(ctx, "vin", TouchpointRoutes.VIN);
    found(ctx, reads().care().inventory(vin, after(ctx), limit(ctx)), "vehicle " + vin);
  }

  void vehicleTimeline(Context ctx) {
    care(ctx);
    String vin = path(ctx, "vin", TouchpointRoutes.VIN);
    page(ctx, reads().care().vehicleTimeline(vin, after(ctx), limit(ctx)));
  }

  void whyNoProfile(Context ctx) {
    care(ctx);
    String vin = path(ctx, "vin", TouchpointRoutes.VIN);
    Responses.send(ctx, 200, Json.MAPPER.valueToTree(reads().care().whyNoProfile(vin)).toString());
  }

  void profileHistory(Context ctx) {
    care(ctx);
    String iccid = path(ctx, "iccid", Json.ICCID);
    found(ctx, reads().care().profileHistory(iccid, after(ctx), limit(ctx)), "profile " + iccid);
  }

  void operations(Context ctx, String which) {
    role(ctx, mount.operationsRole(), "operations");
    Function<ProjectionReads, Page<Views.Count>> query = switch (which) {
      case "state" -> r -> r.operations().profilesByState(after(ctx), limit(ctx));
      case "profiles" -> r -> r.operations().profilesByMsp(after(ctx), limit(ctx));
      default -> r -> r.operations().federationsByMsp(after(ctx), limit(ctx));
    };
    page(ctx, query.apply(reads()));
  }

  private void care(Context ctx) {
    role(ctx, mount.careRole(), "customer care");
  }

  private void role(Context ctx, String role, String who) {
    OidcVerifier.Principal principal = oidc.verify(ctx.header("Authorization"));
    if (!principal.roles().contains(role)) {
      throw new ApiError(403, ApiError.FORBIDDEN, "Forbidden: " + who + " views need the " + role + " role");
    }
  }

  /** The views refuse a cursor that is not one of theirs with IllegalArgumentException: a 400 here. */
  private static void guarded(Context ctx, io.javalin.http.Handler handler) throws Exception {
    try {
      handler.handle(ctx);
    } catch (IllegalArgumentException e) {
      throw new ApiError(400, "91", "Invalid request syntax: " + e.getMessage());
    }
  }

  private ProjectionReads reads() {
    if (mount.reads() == null) {
      throw new ApiError(503, ApiError.UNAVAILABLE, "The query API is not connected to the read models");
    }
    return mount.reads();
  }

  private static <T> void page(Context ctx, Page<T> page) {
    send(ctx, Json.MAPPER.valueToTree(page.items()), page.next());
  }

  private static void send(Context ctx, com.fasterxml.jackson.databind.JsonNode items, String next) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    out.set("items", items);
    out.put("next", next);
    Responses.send(ctx, 200, out.toString());
  }

  private static void found(Context ctx, Optional<?> value, String what) {
    if (value.isEmpty()) {
      throw new ApiError(404, Responses.NO_DETAIL, "No " + what + " in the read models");
    }
    Responses.send(ctx, 200, Json.MAPPER.valueToTree(value.get()).toString());
  }

  private static String path(Context ctx, String name, Pattern pattern) {
    String value = ctx.pathParam(name);
    if (!pattern.matcher(value).matches()) {
      throw new ApiError(400, "91", "Invalid request syntax: " + name);
    }
    return value;
  }

  private static String after(Context ctx) {
    String after = ctx.queryParam("after");
    if (after != null && after.length() > MAX_CURSOR) {
      throw new ApiError(400, "91", "Invalid request syntax: after");
    }
    return after;
  }

  private static int limit(Context ctx) {
    String limit = ctx.queryParam("limit");
    if (limit == null) {
      return Page.DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(limit);
      if (n >= 1 && n <= Page.MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the same answer as out of range
    }
    throw new ApiError(400, "91", "Invalid request syntax: limit must be 1 to " + Page.MAX_LIMIT);
  }

  /** The last two digits and nothing else: enough for a user to recognise the number. */
  private String masked(Views.EncryptedPhone phone) {
    if (phone == null) {
      return null;
    }
    try {
      String clear = PhoneNumbers.decryptCmp(cmpPhoneKey, EncryptedValue.newBuilder().setKeyId(phone.keyId())
          .setIv(ByteBuffer.wrap(phone.iv())).setCiphertext(ByteBuffer.wrap(phone.ciphertext())).build());
      return "*".repeat(Math.max(0, clear.length() - 2)) + clear.substring(Math.max(0, clear.length() - 2));
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return null; // under a key this service does not hold (rotated out): shown as unknown, never guessed
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = QueryRoutes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
