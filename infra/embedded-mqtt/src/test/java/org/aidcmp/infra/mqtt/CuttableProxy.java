package org.aidcmp.infra.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of the broker for one client connection; {@link #cut} drops it with a reset and
 * no MQTT DISCONNECT, as the broker sees a killed process or a lost network.
 */
final class CuttableProxy implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  CuttableProxy(int brokerPort) throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(() -> {
      try {
        Socket in = server.accept();
        Socket out = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
        sockets.add(in);
        sockets.add(out);
        pump(in, out);
        pump(out, in);
      } catch (IOException closed) {
        // cut before a client came
      }
    }, "cuttable-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private static void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException cut) {
        // either side closed
      }
    }, "cuttable-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  void cut() throws IOException {
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
