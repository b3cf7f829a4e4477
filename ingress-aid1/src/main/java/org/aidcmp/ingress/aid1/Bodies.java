package org.aidcmp.ingress.aid1;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Reads request bodies with a hard bound, whether the client declared a Content-Length or streams chunks: a
 * body is never held in memory beyond the limit (Javalin's own check trusts the declared length only).
 */
public final class Bodies {
  private final int maxBytes;

  public Bodies(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The body, checked to be JSON by its Content-Type (§6) when there is one; 413 past the bound. */
  public byte[] json(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge();
    }
    byte[] bytes;
    try (InputStream in = ctx.req().getInputStream()) {
      bytes = in.readNBytes(maxBytes + 1);
    } catch (IOException e) {
      throw new ApiError(400, "91", "Invalid request syntax: the body could not be read");
    }
    if (bytes.length > maxBytes) {
      throw tooLarge();
    }
    if (bytes.length > 0) {
      String contentType = ctx.contentType();
      // The media type itself, parameters (charset) aside: "application/jsonx" is not JSON.
      String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (!mediaType.equals("application/json")) {
        throw new ApiError(415, "91", "Invalid request syntax: Content-Type must be application/json");
      }
    }
    return bytes;
  }

  private static ApiError tooLarge() {
    return new ApiError(413, "91", "Invalid request syntax: request body too large");
  }
}
