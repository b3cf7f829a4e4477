package org.aidcmp.infra.mqtt;

import com.google.inject.Injector;
import com.hivemq.bootstrap.ClientConnection;
import com.hivemq.mqtt.topic.SubscriberWithQoS;
import com.hivemq.mqtt.topic.tree.LocalTopicTree;
import com.hivemq.persistence.clientqueue.ClientQueuePersistence;
import com.hivemq.persistence.connection.ConnectionPersistence;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;

/**
 * Test-only view into the embedded HiveMQ CE (2025.5) to show how it hands out a share group's messages, not to
 * decide anything: a connection's own flag "this client has no shared subscription" (set in
 * {@code PublishPollServiceImpl.pollMessages}, cleared only by a SUBSCRIBE), a share group's queue size and members.
 * Breaks (clearly) when HiveMQ's internals change; the tests using it pin a HiveMQ behaviour.
 */
final class HiveMqProbe {
  private final Injector injector;

  HiveMqProbe(EmbeddedMqttBroker broker) {
    try {
      Field f = EmbeddedMqttBroker.class.getDeclaredField("hivemq");
      f.setAccessible(true);
      Object hivemq = f.get(broker);
      Method m = hivemq.getClass().getDeclaredMethod("getInjector");
      m.setAccessible(true);
      injector = (Injector) m.invoke(hivemq);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("HiveMQ CE internals changed: " + e, e);
    }
  }

  /**
   * HiveMQ's sticky flag: while true, the client does not look at its share groups' queues when its own in-flight
   * messages are done; it gets a group's message only when the group's queue was empty before it (or a message in
   * flight elsewhere comes back). False for a client not connected.
   */
  boolean skipsSharedQueues(String clientId) {
    ClientConnection c = injector.getInstance(ConnectionPersistence.class).get(clientId);
    return c != null && c.getNoSharedSubscription();
  }

  /**
   * Whether the connection's first poll after CONNECT has read the session's in-flight messages (HiveMQ then
   * submits the poll that reads the session's subscriptions and may set the flag above).
   */
  boolean firstPollDone(String clientId) {
    ClientConnection c = injector.getInstance(ConnectionPersistence.class).get(clientId);
    return c != null && c.isInFlightMessagesSent();
  }

  /** Messages in a share group's queue ({@code group/filter}), those in flight to a member included. */
  int groupQueueSize(String group, String filter) {
    try {
      return injector.getInstance(ClientQueuePersistence.class).size(group + "/" + filter, true)
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether the topic tree lists {@code clientId} as a member of the share group on {@code filter}. */
  boolean isMember(String group, String filter, String clientId) {
    return injector.getInstance(LocalTopicTree.class).getSharedSubscriber(group, filter).stream()
        .map(SubscriberWithQoS::getSubscriber).anyMatch(clientId::equals);
  }

}
