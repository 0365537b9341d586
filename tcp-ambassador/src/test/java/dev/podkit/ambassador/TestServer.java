package dev.podkit.ambassador;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A blocking TCP server on loopback for the tests: one thread per connection running {@code handler}. */
public final class TestServer implements AutoCloseable {

    @FunctionalInterface
    public interface Handler {
        void handle(Socket socket) throws Exception;
    }

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    public TestServer(Handler handler) throws IOException {
        this("127.0.0.1", 0, handler);
    }

    public TestServer(String host, int port, Handler handler) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1024);
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    sockets.add(s);
                    Thread t = new Thread(() -> {
                        try {
                            handler.handle(s);
                        } catch (Exception ignored) {
                            // the test sees the outcome on its side
                        }
                    }, "test-server-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        // A thread inside accept(2) holds the listening socket open until the JDK's signal has
        // interrupted it; on a busy machine a connect in that window was still accepted. Wait.
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** Reads until end of stream; returns the byte count. */
    public static long drain(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        for (int r; (r = in.read(buf)) >= 0; ) {
            n += r;
        }
        return n;
    }

    public static void write(OutputStream out, long bytes, byte value) throws IOException {
        byte[] buf = new byte[64 * 1024];
        java.util.Arrays.fill(buf, value);
        for (long left = bytes; left > 0; ) {
            int n = (int) Math.min(buf.length, left);
            out.write(buf, 0, n);
            left -= n;
        }
        out.flush();
    }

    /** Echoes everything back; half-closes when the client does. */
    public static TestServer echo() throws IOException {
        return new TestServer(s -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            for (int r; (r = in.read(buf)) >= 0; ) {
                out.write(buf, 0, r);
            }
            s.shutdownOutput();
        });
    }
}
