package io.reflow.capture;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.function.ToIntFunction;

/**
 * Collects a request body up to its route's raw limit. A declared Content-Length over it is refused
 * before any body byte is read (also for {@code Expect: 100-continue}); a body that grows past the
 * largest limit is cut off and the connection closed. Either way the answer is a JSON 413.
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
    private final ToIntFunction<String> rawLimitByPath;
    private final CaptureMetrics metrics;

    BodyLimitAggregator(int maxRawBytes, ToIntFunction<String> rawLimitByPath, CaptureMetrics metrics) {
        super(maxRawBytes);
        this.rawLimitByPath = rawLimitByPath;
        this.metrics = metrics;
    }

    @Override
    protected boolean isContentLengthInvalid(HttpMessage start, int maxContentLength) {
        if (super.isContentLengthInvalid(start, maxContentLength)) {
            return true;
        }
        return start instanceof HttpRequest request
                && HttpUtil.getContentLength(start, -1L) > rawLimitByPath.applyAsInt(new QueryStringDecoder(request.uri()).path());
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.is100ContinueExpected(start) && isContentLengthInvalid(start, maxContentLength)) {
            return tooLarge(start, false); // the client has sent no body: the connection stays usable
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.writeAndFlush(tooLarge(oversized, true)).addListener(ChannelFutureListener.CLOSE);
    }

    private FullHttpResponse tooLarge(HttpMessage request, boolean close) {
        CaptureException refusal = CaptureException.tooLarge("the request body is larger than this endpoint accepts");
        Reply reply = ErrorMapper.toReply(refusal);
        String route = request instanceof HttpRequest r ? Router.route(new QueryStringDecoder(r.uri()).path()) : Router.OTHER_ROUTE;
        metrics.rejected(route, reply.status(), ErrorMapper.reason(refusal));
        metrics.answered(route, reply.status(), -1);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        Cors.headers(request.headers().get(HttpHeaderNames.ORIGIN), null, false).forEach(response.headers()::set);
        return response;
    }
}
