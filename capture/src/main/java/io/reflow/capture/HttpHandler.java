package io.reflow.capture;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty glue for one connection: turns a request into a {@link Request}, hands it to the server and
 * writes the {@link Reply} with CORS headers. Answers leave in request order; while a request is
 * being answered the connection reads nothing more (back-pressure on pipelining clients).
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpHandler.class);

    private final CaptureServer server;
    /** Completes when the previous answer on this connection was written; event-loop confined. */
    private CompletableFuture<Void> previousWrite = CompletableFuture.completedFuture(null);
    private int outstanding;

    HttpHandler(CaptureServer server) {
        this.server = server;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        String origin = msg.headers().get(HttpHeaderNames.ORIGIN);
        boolean preflight = msg.method().name().equals("OPTIONS");
        Map<String, String> cors = Cors.headers(origin, msg.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS), preflight);
        boolean keepAlive = HttpUtil.isKeepAlive(msg);

        long startNanos = System.nanoTime();
        server.requestStarted();
        CompletableFuture<Reply> reply;
        String route;
        if (msg.decoderResult().isFailure()) {
            keepAlive = false;
            route = Router.OTHER_ROUTE;
            reply = CompletableFuture.completedFuture(server.refuse(route,
                    CaptureException.badRequest("malformed_request", "the HTTP request could not be parsed")));
        } else {
            Request request = toRequest(ctx, msg);
            route = request.route();
            if (request.body().length > 0) {
                server.metrics().requestBytes(route, request.body().length);
            }
            reply = server.dispatch(request);
        }

        if (++outstanding == 1) {
            ctx.channel().config().setAutoRead(false);
        }
        boolean close = !keepAlive;
        CompletableFuture<Void> previous = previousWrite;
        CompletableFuture<Void> written = new CompletableFuture<>();
        previousWrite = written;
        previous.thenCombine(reply, (ignored, r) -> r).thenAccept(r -> write(ctx, r, cors, close, written, route, startNanos));
    }

    private void write(ChannelHandlerContext ctx, Reply reply, Map<String, String> cors, boolean closeRequested,
                       CompletableFuture<Void> written, String route, long startNanos) {
        boolean close = closeRequested || server.closing();
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
        if (reply.contentType() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        cors.forEach(response.headers()::set);
        reply.headers().forEach(response.headers()::set);
        response.headers().set(HttpHeaderNames.CONNECTION, close ? "close" : "keep-alive");
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
            server.metrics().answered(route, reply.status(), System.nanoTime() - startNanos);
            server.requestFinished();
            written.complete(null);
            if (close || !f.isSuccess()) {
                ctx.close();
            } else if (--outstanding == 0) {
                ctx.channel().config().setAutoRead(true);
            }
        });
    }

    private Request toRequest(ChannelHandlerContext ctx, FullHttpRequest msg) {
        QueryStringDecoder uri = new QueryStringDecoder(msg.uri());
        Map<String, String> headers = new HashMap<>();
        msg.headers().forEach(h -> headers.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue(), (a, b) -> a + ", " + b));
        String peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : null;
        return new Request(msg.method().name(), uri.path(), uri.parameters(), headers,
                ByteBufUtil.getBytes(msg.content()), ClientIp.of(headers.get("x-forwarded-for"), peer, server.config().trustedProxies()),
                System.currentTimeMillis());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
