package org.aidcmp.ingress.aid2;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of the MQTT broker for one client connection, standing in for the network
 * between a bridge and the broker: {@link #holdUpstream} stops forwarding what the client sends (its PUBACKs stay
 * in the proxy, as in a network that fails one way) while the broker's PUBLISHes still reach it, and {@link #cut}
 * drops the connection with a reset and no MQTT DISCONNECT, discarding what was held (a killed process, a lost
 * network).
 */
final class HoldableProxy implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private boolean held;
  private boolean cut;

  HoldableProxy(int brokerPort) throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(() -> {
      try {
        Socket in = server.accept();
        Socket out = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
        sockets.add(in);
        sockets.add(out);
        pump(in, out, true);
        pump(out, in, false);
      } catch (IOException closed) {
        // cut before a client came
      }
    }, "holdable-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** From now on nothing the client sends reaches the broker (until {@link #cut}, which drops it). */
  void holdUpstream() {
    synchronized (gate) {
      held = true;
    }
  }

  private void pump(Socket from, Socket to, boolean upstream) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (upstream && !passes()) {
            return; // cut while held: what was held is dropped
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException closed) {
        // either side closed
      } catch (InterruptedException stopped) {
        Thread.currentThread().interrupt();
      }
    }, upstream ? "holdable-proxy-up" : "holdable-proxy-down");
    t.setDaemon(true);
    t.start();
  }

  /** Waits while held; false once cut. Bounded by the test: every wait is woken by {@link #cut}. */
  private boolean passes() throws InterruptedException {
    synchronized (gate) {
      while (held && !cut) {
        gate.wait(1_000);
      }
      return !cut;
    }
  }

  void cut() throws IOException {
    synchronized (gate) {
      cut = true;
      gate.notifyAll();
    }
    server.close();
    for (Socket s : sockets) {
      if (!s.isClosed()) {
        s.setSoLinger(true, 0); // RST, as a killed process's socket
        s.close();
      }
    }
  }

  @Override
  public void close() throws IOException {
    cut();
  }
}
