package org.aidcmp.ingress.aid1;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What every answer of ingress is on the wire, over real HTTP. */
class ResponsesTest {

  @Test
  void jsonGoesOutAsUtf8AndSaysSo_rfc8259() throws Exception {
    String error = "Größe außerhalb §5.1.5";
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.jetty.host = "127.0.0.1";
      config.jetty.port = 0;
      config.routes.get("/error", ctx -> Responses.error(ctx, 422, "91", error));
    }).start();
    try {
      HttpResponse<byte[]> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/error")).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(422);
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type.toLowerCase()).startsWith("application/json").contains("charset=utf-8"));
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{\"code\":\"91\",\"error\":\"" + error + "\"}");
    } finally {
      app.stop();
    }
  }
}
