package org.aidcmp.infra.launcher;

import java.util.function.BooleanSupplier;

/**
 * One started service: what it is, where it runs, whether it is ready for traffic, and how to stop it.
 *
 * @param service which one
 * @param instance the started object itself (the launcher and the tests reach into it: ports, clients)
 * @param where what {@code aid up} / {@code aid run} print about it
 * @param ready its readiness (its Kafka clients connected; for Streams RUNNING with state restored)
 * @param alive false once it has given up for good (a fatal error stopped it): the process should be restarted
 * @param stop stops it and whatever it alone started
 */
record RunningService(AidService service, Object instance, String where, BooleanSupplier ready,
                      BooleanSupplier alive, AutoCloseable stop) implements AutoCloseable {

  @Override
  public void close() throws Exception {
    stop.close();
  }
}
