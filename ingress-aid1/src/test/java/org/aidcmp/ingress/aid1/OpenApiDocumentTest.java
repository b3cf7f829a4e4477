package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.aidcmp.infra.pki.Tls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The OpenAPI 3.1 document served by the service describes exactly the routes the server answers. */
@ExtendWith(TestStack.class)
class OpenApiDocumentTest {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
  private final TestStack.Stack stack;

  OpenApiDocumentTest(TestStack.Stack stack) {
    this.stack = stack;
  }

  private MspClient touchpoint() {
    return new MspClient(Tls.clientContext(null, List.of(stack.ca.certificate())),
        stack.ingress.server().touchpointPort(), null);
  }

  private JsonNode served() throws Exception {
    MspClient.Response r = touchpoint().call("GET", IngressServer.OPENAPI_PATH, null, Map.of());
    assertThat(r.status()).isEqualTo(200);
    return r.json();
  }

  private static Set<RouteTable.Route> documented(JsonNode doc) {
    Set<RouteTable.Route> out = new HashSet<>();
    Iterator<Map.Entry<String, JsonNode>> paths = doc.get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue().fieldNames().forEachRemaining(m -> {
        if (METHODS.contains(m)) {
          out.add(new RouteTable.Route(m, path.getKey()));
        }
      });
    }
    return out;
  }

  @Test
  void openapi_isVersion3_1_andServedOnBothPorts() throws Exception {
    assertThat(served().get("openapi").asText()).startsWith("3.1");
    MspClient.Response onMspPort = stack.client(stack.mspACertificate, "mspa")
        .call("GET", IngressServer.OPENAPI_PATH, null, Map.of());
    assertThat(onMspPort.status()).isEqualTo(200);
  }

  @Test
  void openapi_documentsEveryServedRoute_andNothingElse() throws Exception {
    assertThat(documented(served())).containsExactlyInAnyOrderElementsOf(stack.ingress.server().routes());
  }

  @Test
  void openapi_everyDocumentedRouteIsAnswered_notRouteNotFound() throws Exception {
    MspClient client = touchpoint();
    for (RouteTable.Route route : documented(served())) {
      String path = route.path()
          .replace("{account_id}", "x.y.z")
          .replace("{msp_token}", UUID.randomUUID().toString())
          .replace("{vin}", "WBAUX11030A334483")
          .replace("{iccid}", "98341201501601380129")
          .replace("{cmp_user_id}", "user-1")
          .replace("{schema}", "request-activation-code.schema.json");
      MspClient.Response r = client.call(route.method().toUpperCase(), path, null, Map.of());
      // Without credentials every route but the document itself is refused as unauthenticated: it exists.
      assertThat(r.status()).as(route.toString()).isIn(200, 401);
    }
  }

  @Test
  void openapi_everyOperationHasAnIdAndEveryMspOperationItsErrorStatuses() throws Exception {
    JsonNode paths = served().get("paths");
    paths.fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(op -> {
      assertThat(op.getValue().has("operationId")).as(p.getKey()).isTrue();
      if (p.getKey().startsWith("/cesim/")) {
        assertThat(op.getValue().get("responses").has("401")).as(p.getKey()).isTrue();
        assertThat(op.getValue().get("responses").has("500")).as(p.getKey()).isTrue();
      }
    }));
  }

  @Test
  void section7_2_theAid2AsyncApiDocumentIsServedBesideThisOne_withEverySchemaItRefersTo() throws Exception {
    MspClient client = touchpoint();
    MspClient.Response doc = client.call("GET", IngressServer.ASYNCAPI_PATH, null, Map.of());
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.body()).startsWith("asyncapi: 3.0.0")
        .isEqualTo(new String(org.aidcmp.schemas.aid2.wire.Aid2AsyncApi.load().yaml(), java.nio.charset.StandardCharsets.UTF_8));
    Set<String> refs = new HashSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$ref: '\\./json/([a-z-]+\\.schema\\.json)'").matcher(doc.body());
    while (m.find()) {
      refs.add(m.group(1));
    }
    assertThat(refs).hasSize(13);
    for (String ref : refs) {
      MspClient.Response schema = client.call("GET", "/aid2/json/" + ref, null, Map.of());
      assertThat(schema.status()).as(ref).isEqualTo(200);
      assertThat(schema.json().path("$schema").asText()).as(ref).isEqualTo("http://json-schema.org/draft-07/schema#");
      // the references inside a schema resolve beside it
      if (schema.body().contains("common.schema.json")) {
        assertThat(client.call("GET", "/aid2/json/common.schema.json", null, Map.of()).status()).isEqualTo(200);
      }
    }
    MspClient.Response unknown = client.call("GET", "/aid2/json/openapi.json", null, Map.of());
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("91");
  }
}
