package io.reflow.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Replays bodies at a server on loopback over {@code connections} keep-alive HTTP/1.1 connections, for a
 * warm-up and then a measured window, and stops by itself.
 *
 * <p>Closed loop (rate 0): each connection sends its next request as soon as the previous answer arrived,
 * which finds the server's maximum. Open loop (rate &gt; 0): each connection has a fixed schedule and a
 * request's latency counts from when it was due, not from when it could be sent, so a server that falls
 * behind shows it in the percentiles (no coordinated omission).
 */
final class LoadGenerator implements AutoCloseable {
    private static final Duration DRAIN = Duration.ofSeconds(30);

    private final EventLoopGroup group;
    private final boolean epoll = Epoll.isAvailable();

    LoadGenerator(int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    LoadResult run(int port, List<Body> bodies, int connections, Duration warmup, Duration measure, double requestsPerSecond)
            throws InterruptedException {
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200); // after every connection is up
        long measureFrom = start + warmup.toNanos();
        long stopAt = measureFrom + measure.toNanos();
        long interval = requestsPerSecond > 0 ? (long) (connections * 1e9 / requestsPerSecond) : 0;
        List<Connection> all = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            // staggered starts spread an open-loop schedule evenly over the interval
            Connection c = new Connection(bodies, i, start + (interval * i) / connections, interval, measureFrom, stopAt);
            all.add(c);
            channels.add(new Bootstrap().group(group)
                    .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), c);
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel());
        }
        long deadline = stopAt + DRAIN.toNanos();
        for (Connection c : all) {
            try {
                c.done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                c.failed++; // an answer that never came
            }
        }
        channels.forEach(ch -> ch.close().syncUninterruptibly());

        Latencies latencies = new Latencies();
        long ok = 0;
        long failed = 0;
        long decoded = 0;
        for (Connection c : all) {
            latencies.addAll(c.latencies);
            ok += c.ok;
            failed += c.failed;
            decoded += c.decodedBytes;
        }
        return new LoadResult(ok, failed, measure.toNanos() / 1e9, decoded, latencies.percentileMillis(50),
                latencies.percentileMillis(99), latencies.percentileMillis(100));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One connection's sender and statistics; confined to its event loop until {@link #done} completes. */
    private static final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final List<Body> bodies;
        private final long interval;
        private final long measureFrom;
        private final long stopAt;
        private final Latencies latencies = new Latencies();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private int next;
        private long due;
        private Body inFlight;
        private long inFlightDue;
        long ok;
        long failed;
        long decodedBytes;

        Connection(List<Body> bodies, int index, long firstDue, long interval, long measureFrom, long stopAt) {
            this.bodies = bodies;
            this.next = index;
            this.due = firstDue;
            this.interval = interval;
            this.measureFrom = measureFrom;
            this.stopAt = stopAt;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            scheduleNext(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            long now = System.nanoTime();
            if (inFlightDue >= measureFrom && inFlightDue < stopAt) {
                latencies.add(now - inFlightDue);
                if (response.status().code() == 200) {
                    ok++;
                    decodedBytes += inFlight.decodedBytes();
                } else {
                    failed++;
                }
            }
            inFlight = null;
            due = interval > 0 ? due + interval : now;
            scheduleNext(ctx);
        }

        private void scheduleNext(ChannelHandlerContext ctx) {
            long now = System.nanoTime();
            long at = Math.max(due, now);
            if (at >= stopAt) {
                done.complete(null);
                return;
            }
            if (at > now) {
                ctx.executor().schedule(() -> send(ctx), at - now, TimeUnit.NANOSECONDS);
            } else {
                send(ctx);
            }
        }

        private void send(ChannelHandlerContext ctx) {
            Body body = bodies.get(next++ % bodies.size());
            inFlight = body;
            inFlightDue = interval > 0 ? due : System.nanoTime();
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, body.target(),
                    Unpooled.wrappedBuffer(body.raw()));
            request.headers().set(HttpHeaderNames.HOST, "127.0.0.1")
                    .set(HttpHeaderNames.CONTENT_TYPE, body.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.raw().length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(request);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!done.isDone()) {
                failed++;
                done.complete(null);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed++;
            done.complete(null);
            ctx.close();
        }
    }
}
