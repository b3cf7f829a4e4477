package org.aidcmp.ingress.aid1;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import io.javalin.security.RouteRole;
import java.util.ArrayList;
import java.util.List;

/**
 * Declares routes and remembers them, so the test that holds the OpenAPI document to the server compares it
 * with what is really served, not with a second list kept by hand.
 */
public final class RouteTable {
  /** One served route, path in OpenAPI's spelling ({@code {name}} parameters, as Javalin's). */
  public record Route(String method, String path) {}

  private final RoutesConfig routes;
  private final List<Route> declared = new ArrayList<>();

  public RouteTable(RoutesConfig routes) {
    this.routes = routes;
  }

  public void get(String path, Handler handler, RouteRole... roles) {
    declared.add(new Route("get", path));
    routes.get(path, handler, roles);
  }

  public void post(String path, Handler handler, RouteRole... roles) {
    declared.add(new Route("post", path));
    routes.post(path, handler, roles);
  }

  public void put(String path, Handler handler, RouteRole... roles) {
    declared.add(new Route("put", path));
    routes.put(path, handler, roles);
  }

  public void patch(String path, Handler handler, RouteRole... roles) {
    declared.add(new Route("patch", path));
    routes.patch(path, handler, roles);
  }

  public void delete(String path, Handler handler, RouteRole... roles) {
    declared.add(new Route("delete", path));
    routes.delete(path, handler, roles);
  }

  /** A step before every matched route (not a route: nothing is declared). */
  public void beforeMatched(Handler handler) {
    routes.beforeMatched(handler);
  }

  public List<Route> declared() {
    return List.copyOf(declared);
  }
}
