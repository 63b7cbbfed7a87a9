package io.reflow.capture;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The capture HTTP service: a Netty server (epoll when available) whose slow work (decoding,
 * waiting for the sink) runs on a bounded worker pool. Embeddable: {@link #start} returns a running
 * server, {@link #close} shuts it down gracefully. {@link Main} runs it as a service with the Kafka sink.
 * Its meters are served on {@code GET /metrics}.
 */
public final class CaptureServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CaptureServer.class);
    private static final int IDLE_SECONDS = 120;

    private final CaptureConfig config;
    private final RecordSink sink;
    private final Router router;
    private final CaptureMetrics metrics = new CaptureMetrics();
    private final EventLoopGroup acceptGroup;
    private final EventLoopGroup ioGroup;
    private final ThreadPoolExecutor workers;
    private final ChannelGroup connections = new DefaultChannelGroup("capture", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean closing;
    private Channel serverChannel;

    private CaptureServer(CaptureConfig config, RecordSink sink, TeamRegistry registry) {
        this.config = config;
        this.sink = sink;
        GuardedSink guarded = new GuardedSink(sink, config.kafkaMessageTimeout().plusSeconds(1), config, metrics);
        this.router = new Router(config, registry, guarded, this::ready, metrics);
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.acceptGroup = new MultiThreadIoEventLoopGroup(1, io);
        this.ioGroup = new MultiThreadIoEventLoopGroup(0, io);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(config.workerThreads(), config.workerThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.maxQueuedRequests()), r -> {
                    Thread t = new Thread(r, "capture-worker-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        metrics.gauge("capture.requests.in.flight", "Requests received and not yet answered", inFlight, AtomicInteger::get);
        metrics.gauge("capture.requests.queued", "Requests waiting for a worker thread", workers, w -> w.getQueue().size());
        metrics.gauge("capture.workers.busy", "Worker threads decoding a request or handing it to Kafka", workers,
                ThreadPoolExecutor::getActiveCount);
        metrics.gauge("capture.ready", "1 while capture is ready for traffic (readiness probe), else 0", this, s -> s.ready() ? 1 : 0);
        metrics.gauge("capture.teams", "Projects in the team registry", registry, r -> r.teams().size());
    }

    /**
     * Starts capture on {@code config.host():config.port()} (port 0 picks a free one) writing to
     * {@code sink}. The caller keeps ownership of the sink: {@link #close} flushes it but does not close it.
     */
    public static CaptureServer start(CaptureConfig config, RecordSink sink, TeamRegistry registry) {
        CaptureServer server = new CaptureServer(config, sink, registry);
        try {
            server.bind();
        } catch (RuntimeException e) {
            server.shutdownThreads();
            server.metrics.close();
            throw e;
        }
        return server;
    }

    private void bind() {
        Class<? extends ServerChannel> channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        int rawLimit = config.maxRawBodyBytes();
        serverChannel = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS))
                                .addLast(new HttpServerCodec(16 * 1024, 64 * 1024, 64 * 1024))
                                .addLast(new BodyLimitAggregator(rawLimit,
                                        path -> CaptureConfig.rawLimit(router.decodedLimit(path)), metrics))
                                .addLast(new HttpHandler(CaptureServer.this));
                    }
                })
                .bind(new InetSocketAddress(config.host(), config.port()))
                .syncUninterruptibly()
                .channel();
        LOG.info("capture listening on {} ({})", serverChannel.localAddress(), Epoll.isAvailable() ? "epoll" : "nio");
    }

    /** The port capture listens on. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Ready to take traffic: not shutting down, and the sink is not known to be failing. */
    public boolean ready() {
        return !closing && sink.ready();
    }

    boolean closing() {
        return closing;
    }

    CaptureConfig config() {
        return config;
    }

    CaptureMetrics metrics() {
        return metrics;
    }

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestFinished() {
        inFlight.decrementAndGet();
    }

    /** The answer to a request refused with {@code failure}, counted as a rejection of {@code route}. */
    Reply refuse(String route, Throwable failure) {
        Reply reply = ErrorMapper.toReply(failure);
        metrics.rejected(route, reply.status(), ErrorMapper.reason(failure));
        return reply;
    }

    /** Answers a request: quick ones on the calling I/O thread, the others on the worker pool. Never fails. */
    CompletableFuture<Reply> dispatch(Request request) {
        CompletableFuture<Reply> reply;
        if (!Router.isSlow(request)) {
            reply = route(request);
        } else {
            reply = new CompletableFuture<>();
            CompletableFuture<Reply> target = reply;
            try {
                workers.execute(() -> route(request).whenComplete((r, e) -> {
                    if (e != null) {
                        target.completeExceptionally(e);
                    } else {
                        target.complete(r);
                    }
                }));
            } catch (RejectedExecutionException e) {
                reply.completeExceptionally(CaptureException.unavailable("overloaded",
                        "capture has too many requests in progress; retry later", null));
            }
        }
        return reply.handle((r, e) -> e == null ? r : refuse(request.route(), e));
    }

    private CompletableFuture<Reply> route(Request request) {
        try {
            return router.route(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Graceful stop: stop accepting connections, let requests in progress finish (up to the drain
     * timeout), flush the sink, then close connections and threads. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        serverChannel.close().syncUninterruptibly();
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            LOG.warn("{} requests still in progress after the drain timeout of {}", inFlight.get(), config.drainTimeout());
        }
        try {
            sink.flush();
        } catch (RuntimeException e) {
            LOG.warn("flushing the sink failed: {}", e.toString());
        }
        connections.close().awaitUninterruptibly();
        shutdownThreads();
        metrics.close();
        LOG.info("capture stopped");
    }

    private void shutdownThreads() {
        workers.shutdownNow();
        acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        ioGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
