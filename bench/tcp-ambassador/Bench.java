import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load tools of bench/tcp-ambassador/run (one file, run with `java Bench.java MODE ...`):
 *
 *   echo PORT [once]                       an NIO echo server on 127.0.0.1:PORT (runs until killed); with
 *                                          "once" it closes each connection after its first echo
 *                                          (the server closes first, so clients and proxies keep no
 *                                          TIME_WAIT sockets on their ephemeral ports)
 *   pingpong PORT CONNECTIONS SECONDS SIZE  SIZE-byte ping-pong on each connection; prints p50_us p99_us round_trips_per_s
 *   connrate PORT THREADS SECONDS          connect, 1-byte echo, wait for the server's close, as fast as
 *                                          THREADS can (needs an "echo once" server); prints connections_per_s
 *   probe PORT                             exits 0 when a 1-byte echo works through PORT, else 1
 *   hold PORT CONNECTIONS SECONDS           opens CONNECTIONS idle connections and holds them SECONDS
 *   chart RESULTS.tsv OUT.svg              bar charts of the ratios to HAProxy
 *
 * Every mode stops by itself: bounded in time and count, traffic to 127.0.0.1 only.
 */
public class Bench {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo" -> echo(Integer.parseInt(args[1]), args.length > 2 && args[2].equals("once"));
            case "pingpong" -> pingPong(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Double.parseDouble(args[3]),
                    Integer.parseInt(args[4]));
            case "connrate" -> connRate(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            case "probe" -> probe(Integer.parseInt(args[1]));
            case "hold" -> hold(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            case "chart" -> chart(Path.of(args[1]), Path.of(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    static void echo(int port, boolean once) throws IOException {
        Selector selector = Selector.open();
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress("127.0.0.1", port), 4096);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
        while (true) {
            selector.select();
            for (SelectionKey key : selector.selectedKeys()) {
                try {
                    if (key.isAcceptable()) {
                        SocketChannel c;
                        while ((c = server.accept()) != null) {
                            c.configureBlocking(false);
                            c.socket().setTcpNoDelay(true);
                            c.register(selector, SelectionKey.OP_READ, ByteBuffer.allocateDirect(64 * 1024));
                        }
                    } else {
                        SocketChannel c = (SocketChannel) key.channel();
                        ByteBuffer buf = (ByteBuffer) key.attachment();
                        if (key.isWritable()) {
                            c.write(buf);
                            if (!buf.hasRemaining()) {
                                buf.clear();
                                key.interestOps(SelectionKey.OP_READ);
                            }
                            continue;
                        }
                        int n = c.read(buf);
                        if (n < 0) {
                            c.close();
                            continue;
                        }
                        buf.flip();
                        c.write(buf);
                        if (once && !buf.hasRemaining()) {
                            c.close();
                            continue;
                        }
                        if (buf.hasRemaining()) {
                            key.interestOps(SelectionKey.OP_WRITE);
                        } else {
                            buf.clear();
                        }
                    }
                } catch (IOException e) {
                    key.channel().close();
                }
            }
            selector.selectedKeys().clear();
        }
    }

    static void pingPong(int port, int connections, double seconds, int size) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<long[]> perThread = new ArrayList<>();
        int[] counts = new int[connections];
        List<Thread> threads = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        for (int i = 0; i < connections; i++) {
            long[] samples = new long[4_000_000 / connections];
            perThread.add(samples);
            int index = i;
            Thread t = new Thread(() -> {
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                    s.setSoTimeout(10_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    byte[] msg = new byte[size];
                    byte[] back = new byte[size];
                    ready.countDown();
                    go.await();
                    int n = 0;
                    while (System.nanoTime() < end && n < samples.length) {
                        long t0 = System.nanoTime();
                        out.write(msg);
                        for (int got = 0; got < size; ) {
                            int r = in.read(back, got, size - got);
                            if (r < 0) {
                                throw new IOException("end of stream");
                            }
                            got += r;
                        }
                        samples[n++] = System.nanoTime() - t0;
                    }
                    counts[index] = n;
                } catch (Exception e) {
                    System.err.println("pingpong: " + e);
                    ready.countDown();
                }
            });
            threads.add(t);
            t.start();
        }
        ready.await();
        long begin = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - begin) / 1e9;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int i = 0; i < connections; i++) {
            System.arraycopy(perThread.get(i), 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "%.1f %.1f %.0f%n", all[total / 2] / 1e3, all[(int) (total * 0.99)] / 1e3,
                total / elapsed);
    }

    static void connRate(int port, int threadCount, double seconds) throws Exception {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long begin = System.nanoTime();
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    try (Socket s = new Socket()) {
                        s.setTcpNoDelay(true);
                        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                        s.setSoTimeout(10_000);
                        s.getOutputStream().write('x');
                        if (s.getInputStream().read() != 'x' || s.getInputStream().read() != -1) {
                            throw new IOException("no echo and close");
                        }
                        done.incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - begin) / 1e9;
        if (failed.get() > 0) {
            System.err.println("connrate: " + failed.get() + " failed connections");
        }
        System.out.printf(Locale.ROOT, "%.0f%n", done.get() / elapsed);
    }

    static void probe(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            s.setSoTimeout(2_000);
            s.getOutputStream().write('p');
            System.exit(s.getInputStream().read() == 'p' ? 0 : 1);
        } catch (IOException e) {
            System.exit(1);
        }
    }

    static void hold(int port, int connections, double seconds) throws Exception {
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                open.add(s);
            }
            System.out.println(open.size());
            Thread.sleep((long) (seconds * 1000));
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    /** RESULTS.tsv: metric, unit, better (higher|lower), then one column per proxy; the chart shows value/HAProxy. */
    static void chart(Path in, Path out) throws IOException {
        List<String[]> rows = new ArrayList<>();
        String[] header = null;
        for (String line : Files.readAllLines(in)) {
            String[] f = line.split("\t");
            if (header == null) {
                header = f;
            } else {
                rows.add(f);
            }
        }
        int haproxy = Arrays.asList(header).indexOf("haproxy");
        List<Integer> shown = new ArrayList<>();
        for (int c = 3; c < header.length; c++) {
            if (!header[c].equals("direct")) {
                shown.add(c);
            }
        }
        String[] colors = {"#9e9e9e", "#f0a030", "#2f7ed8", "#5cb85c"};
        int rowH = 18 * shown.size() + 14;
        int width = 760;
        int left = 250;
        double scale = (width - left - 60) / 2.0; // 2.0 x HAProxy at the right edge
        StringBuilder svg = new StringBuilder();
        int height = 40 + rows.size() * rowH + 30;
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif' font-size='12'>%n", width, height));
        svg.append("<text x='10' y='20' font-size='14'>Relative to HAProxy 2.6 (1.0 = same; bars right of the line are better)</text>\n");
        int y = 40;
        for (String[] r : rows) {
            boolean higherBetter = r[2].equals("higher");
            double base = Double.parseDouble(r[haproxy]);
            svg.append(String.format(Locale.ROOT, "<text x='10' y='%d'>%s (%s)</text>%n", y + 14, r[0], r[1]));
            int i = 0;
            for (int c : shown) {
                double v = Double.parseDouble(r[c]);
                double ratio = base == 0 || v == 0 ? 0 : higherBetter ? v / base : base / v;
                double w = Math.min(2.0, ratio) * scale;
                int by = y + i * 18;
                svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%.1f' height='14' fill='%s'/>%n",
                        left, by, w, colors[i % colors.length]));
                svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d'>%s %.2f</text>%n", left + w + 4, by + 11,
                        header[c], ratio));
                i++;
            }
            y += rowH;
        }
        svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='30' x2='%.1f' y2='%d' stroke='black' stroke-dasharray='4'/>%n",
                left + scale, left + scale, y));
        svg.append("</svg>\n");
        Files.writeString(out, svg.toString(), StandardCharsets.UTF_8);
    }
}
