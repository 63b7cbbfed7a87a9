package io.reflow.bench.replay;

import io.reflow.bench.replay.ReplayBenchmark.RoundResult;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Prints the replay benchmark: each round as it ends, then a markdown table of every round and the medians. */
final class ReplayReport {
    private final PrintStream out;
    private final ReplayBenchOptions o;

    ReplayReport(PrintStream out, ReplayBenchOptions options) {
        this.out = out;
        this.o = options;
    }

    void header(String args, String loadAverage) {
        out.printf("replay benchmark (args: %s)%n", args.isBlank() ? "defaults" : args);
        out.printf("load average before: %s; %d cores%n", loadAverage, Runtime.getRuntime().availableProcessors());
        out.printf("job: parallelism %d on one TaskManager (MiniCluster in its own JVM, -Xmx%s), RocksDB, incremental"
                        + " checkpoints every %d ms, flush age %d ms, idle flush %d ms, zstd level %d%n",
                o.parallelism(), o.jobHeap(), o.checkpointInterval().toMillis(), o.flushAge().toMillis(),
                o.idleFlush().toMillis(), o.zstdLevel());
        if (o.compareEncryption()) {
            out.printf("encryption comparison: each round the job consumes the plain backlog and the same messages with"
                    + " encrypt: true (alternating which goes first); a master key is given both times; no baseline, no steady phase%n");
            out.flush();
            return;
        }
        out.printf("steady phase: %,d sessions, one message each every %d ms (%,.0f messages/s) for %d s%n", o.sessions(),
                o.messageInterval().toMillis(), o.steadyMessagesPerSecond(), o.steady().toSeconds());
        if (o.floor()) {
            out.printf("floor: each round also runs the job with its decoder replaced by a pass-through (PassThroughReplayJob:"
                    + " record key as session, value as one line) over the backlog, in its own JVM, measured as the job is%n");
        }
        out.flush();
    }

    void backlog(RecordingProducer.Sent sent) {
        out.printf("backlog: %,d messages, %.1f MB of message values over %,d sessions (%.1f KB per message), produced in %.1f s%n",
                sent.messages(), sent.bytes() / 1e6, o.backlogSessions(), sent.bytes() / 1e3 / sent.messages(), sent.seconds());
        out.flush();
    }

    void baselineWarmup(ZstdBaseline.Result b) {
        out.printf("baseline warm-up (not counted): %.1f MB/s, %.3f CPU s/MB; each job run first warms up over %d MB of the"
                + " backlog in its own JVM (own consumer group, topics and S3 prefix), then the measured job starts%n",
                b.megabytesPerSecond(), b.cpuSecondsPerMegabyte(), o.warmupMb());
        out.flush();
    }

    void round(RoundResult r) {
        ZstdBaseline.Result b = r.baseline();
        ReplayBenchmark.ThroughputResult t = r.throughput();
        ReplayBenchmark.SteadyResult s = r.steady();
        out.printf("round %d%n", r.round());
        out.printf("  baseline: %.1f MB/s from 10%% to 90%% of the %.1f MB (%.1f MB in %.1f s), %.3f CPU s/MB (zstd ratio %.1f)%n",
                b.megabytesPerSecond(), b.bytes() / 1e6, b.windowBytes() / 1e6, b.seconds(), b.cpuSecondsPerMegabyte(),
                (double) b.bytes() / b.compressedBytes());
        if (r.floor() != null) {
            backlogLine("floor", r.floor());
        }
        backlogLine("job", t);
        if (r.floor() != null) {
            out.printf("  floor / baseline %.0f%%, job / floor %.0f%%, job / baseline %.0f%%%n", 100 * r.floorRatio(),
                    100 * r.jobToFloor(), 100 * r.ratio());
        }
        out.printf("  steady: sent %,d messages (%.1f MB, %.2f MB/s) in %.1f s; %,d committed; latency p50 %.1f s, p99 %.1f s,"
                        + " max %.1f s; %.1f files/min; compression ratio %.1f; %,d sessions in rows, median %.0f messages per block%n",
                s.sent().messages(), s.sent().bytes() / 1e6, s.sent().megabytesPerSecond(), s.sent().seconds(),
                s.committedMessages(), s.p50Ms() / 1e3, s.p99Ms() / 1e3, s.maxMs() / 1e3, s.filesPerMinute(),
                s.compressionRatio(), s.sessionsSeen(), s.messagesPerBlock());
        out.printf("  job JVM: heap max %.0f MiB, peak in use %.0f MiB, peak after GC %.0f MiB, peak RSS %.0f MiB;"
                        + " %d checkpoints (median %.1f s, longest %.1f s from trigger to completion), %d failed; job %s%n",
                s.heapMaxMib(), s.heapPeakUsedMib(), s.heapPeakAfterGcMib(), s.rssMib(), s.checkpoints(),
                s.checkpointMedianMs() / 1e3, s.checkpointMaxMs() / 1e3, s.failedCheckpoints(), s.jobState());
        if (s.histogram() != null) {
            out.printf("  live heap (class histogram at 2/3 of the phase): %.1f MiB; largest: %s%n",
                    s.histogram().totalBytes() / 1048576.0, String.join("; ", s.histogram().top()));
        }
        out.printf("  other processes on the machine: up to %.2f cores in a phase%n", r.foreignCores());
        out.flush();
    }

    private void backlogLine(String name, ReplayBenchmark.ThroughputResult t) {
        out.printf("  %s over the backlog: %.1f MB/s from 10%% to 90%% of it, %.3f CPU s/MB in the %s JVM (%.1f MB/s from"
                        + " running to the last message, %.1f s); %d files, block compression ratio %.1f, %.2f block bytes per"
                        + " input byte; %d checkpoints, %d failed; heap after GC at most %.0f MiB%n",
                name, t.megabytesPerSecond(), t.cpuSecondsPerMegabyte(), name, t.endToEndMegabytesPerSecond(),
                t.seconds(), t.files(), t.compressionRatio(), t.blockBytesPerInputByte(), t.checkpoints(),
                t.failedCheckpoints(), t.heapPeakAfterGcMib());
        if (!Double.isNaN(t.written().seconds())) {
            out.printf("    every block written and committed after %.1f s from running: %.1f MB/s, %.3f CPU s/MB in the %s JVM%n",
                    t.written().seconds(), t.written().megabytesPerSecond(), t.written().cpuSecondsPerMegabyte(), name);
        }
    }

    void summary(List<RoundResult> rounds) {
        out.println();
        StringBuilder head = new StringBuilder("| |");
        StringBuilder rule = new StringBuilder("|---|");
        for (RoundResult r : rounds) {
            head.append(" run ").append(r.round()).append(" |");
            rule.append("---:|");
        }
        out.println(head.append(" **median** |"));
        out.println(rule.append("---:|"));
        row(rounds, "baseline (consume + zstd per session), MB/s", "%.1f", r -> r.baseline().megabytesPerSecond());
        boolean floor = rounds.get(0).floor() != null;
        if (floor) {
            row(rounds, "floor (job without decoder), MB/s of input (10% to 90%)", "%.1f", r -> r.floor().megabytesPerSecond());
        }
        row(rounds, "job, MB/s of input (10% to 90% of the backlog)", "%.1f", r -> r.throughput().megabytesPerSecond());
        row(rounds, "**job / baseline** (target ≥ 50%)", "%.0f%%", r -> 100 * r.ratio());
        if (floor) {
            row(rounds, "**floor / baseline**", "%.0f%%", r -> 100 * r.floorRatio());
            row(rounds, "**job / floor**", "%.0f%%", r -> 100 * r.jobToFloor());
            row(rounds, "floor, MB/s from running to the last message", "%.1f", r -> r.floor().endToEndMegabytesPerSecond());
        }
        row(rounds, "job, MB/s from running to the last message", "%.1f", r -> r.throughput().endToEndMegabytesPerSecond());
        row(rounds, "CPU seconds per MB: baseline JVM", "%.3f", r -> r.baseline().cpuSecondsPerMegabyte());
        if (floor) {
            row(rounds, "CPU seconds per MB: floor JVM", "%.3f", r -> r.floor().cpuSecondsPerMegabyte());
        }
        row(rounds, "CPU seconds per MB: job JVM", "%.3f", r -> r.throughput().cpuSecondsPerMegabyte());
        if (floor) {
            row(rounds, "CPU s/MB from running until every block is committed: floor JVM", "%.3f",
                    r -> r.floor().written().cpuSecondsPerMegabyte());
            row(rounds, "CPU s/MB from running until every block is committed: job JVM", "%.3f",
                    r -> r.throughput().written().cpuSecondsPerMegabyte());
            row(rounds, "block bytes per input byte: floor", "%.2f", r -> r.floor().blockBytesPerInputByte());
            row(rounds, "block bytes per input byte: job", "%.2f", r -> r.throughput().blockBytesPerInputByte());
        }
        row(rounds, "block compression ratio, backlog", "%.1f", r -> r.throughput().compressionRatio());
        row(rounds, "steady: messages/s offered", "%,.0f", r -> r.steady().sent().messages() / r.steady().sent().seconds());
        row(rounds, "steady: MB/s offered", "%.2f", r -> r.steady().sent().megabytesPerSecond());
        row(rounds, "steady: capture-to-committed p50, s", "%.1f", r -> r.steady().p50Ms() / 1e3);
        row(rounds, String.format("**steady: p99, s** (target < %d s)", o.latencyTarget().toSeconds()), "%.1f",
                r -> r.steady().p99Ms() / 1e3);
        row(rounds, "steady: max, s", "%.1f", r -> r.steady().maxMs() / 1e3);
        row(rounds, "steady: messages not committed", "%,.0f",
                r -> (double) (r.steady().sent().messages() - r.steady().committedMessages()));
        row(rounds, "steady: checkpoint duration (trigger to complete), median, s", "%.1f", r -> r.steady().checkpointMedianMs() / 1e3);
        row(rounds, "steady: longest checkpoint, s", "%.1f", r -> r.steady().checkpointMaxMs() / 1e3);
        row(rounds, "steady: files written per minute", "%.1f", r -> r.steady().filesPerMinute());
        row(rounds, "steady: block compression ratio", "%.1f", r -> r.steady().compressionRatio());
        row(rounds, "steady: sessions in summary rows", "%,.0f", r -> (double) r.steady().sessionsSeen());
        row(rounds, "steady: median messages per block", "%.0f", r -> r.steady().messagesPerBlock());
        row(rounds, "job JVM heap: peak in use, MiB", "%.0f", r -> r.steady().heapPeakUsedMib());
        row(rounds, "job JVM heap: peak after GC, MiB", "%.0f", r -> r.steady().heapPeakAfterGcMib());
        row(rounds, "job JVM heap: live (class histogram), MiB", "%.0f",
                r -> r.steady().histogram() == null ? Double.NaN : r.steady().histogram().totalBytes() / 1048576.0);
        row(rounds, "job JVM peak RSS, MiB", "%.0f", r -> r.steady().rssMib());
        row(rounds, "checkpoints failed (throughput + steady)", "%.0f",
                r -> (double) (r.throughput().failedCheckpoints() + r.steady().failedCheckpoints()));
        row(rounds, "other processes, cores (max of phases)", "%.2f", RoundResult::foreignCores);
        out.println();
        double ratio = Stats.median(rounds.stream().map(r -> r.ratio()).toList());
        double p99 = Stats.median(rounds.stream().map(r -> r.steady().p99Ms() / 1e3).toList());
        boolean healthy = rounds.stream().allMatch(r -> r.steady().jobState().equals("RUNNING")
                && r.steady().committedMessages() == r.steady().sent().messages());
        if (floor) {
            out.printf("floor / baseline %.0f%% (the most any decoder can leave the job), job / floor %.0f%%; CPU s/MB: baseline"
                            + " %.4f, floor %.4f, job %.4f%n",
                    100 * Stats.median(rounds.stream().map(RoundResult::floorRatio).toList()),
                    100 * Stats.median(rounds.stream().map(RoundResult::jobToFloor).toList()),
                    Stats.median(rounds.stream().map(r -> r.baseline().cpuSecondsPerMegabyte()).toList()),
                    Stats.median(rounds.stream().map(r -> r.floor().cpuSecondsPerMegabyte()).toList()),
                    Stats.median(rounds.stream().map(r -> r.throughput().cpuSecondsPerMegabyte()).toList()));
        }
        out.printf("job / baseline %.0f%% (target ≥ 50%%: %s); p99 %.1f s (target < %d s: %s); %,d sessions at once in a"
                        + " %s heap, every message committed and the job running throughout: %s%n",
                100 * ratio, ratio >= 0.5 ? "met" : "NOT met", p99, o.latencyTarget().toSeconds(),
                p99 < o.latencyTarget().toSeconds() ? "met" : "NOT met", o.sessions(), o.jobHeap(), healthy ? "yes" : "NO");
        out.flush();
    }

    void encryptionRound(ReplayBenchmark.EncryptionRound r) {
        out.printf("round %d (%s first)%n", r.round(), r.round() % 2 == 1 ? "plain" : "encrypted");
        throughputLine("plain", r.plain());
        throughputLine("encrypted", r.encrypted());
        out.printf("  encrypted / plain: %.1f%% of the MB/s, %.1f%% of the CPU s/MB; %,d key rows published%n",
                100 * r.rateRatio(), 100 * r.cpuRatio(), r.keyRows());
        out.printf("  other processes on the machine: %.2f cores over the round%n", r.foreignCores());
        out.flush();
    }

    private void throughputLine(String name, ReplayBenchmark.ThroughputResult t) {
        out.printf("  %-10s every block written and committed after %.1f s: %.1f MB/s, %.3f CPU s/MB in the job JVM; source"
                        + " %.1f MB/s from 10%% to 90%% of the backlog (%.3f CPU s/MB); %d files, block compression ratio %.2f;"
                        + " %d checkpoints, %d failed%n",
                name + ":", t.written().seconds(), t.written().megabytesPerSecond(), t.written().cpuSecondsPerMegabyte(),
                t.megabytesPerSecond(), t.cpuSecondsPerMegabyte(), t.files(), t.compressionRatio(), t.checkpoints(),
                t.failedCheckpoints());
    }

    void encryptionSummary(List<ReplayBenchmark.EncryptionRound> rounds) {
        out.println();
        StringBuilder head = new StringBuilder("| |");
        StringBuilder rule = new StringBuilder("|---|");
        for (ReplayBenchmark.EncryptionRound r : rounds) {
            head.append(" run ").append(r.round()).append(" |");
            rule.append("---:|");
        }
        out.println(head.append(" **median** |"));
        out.println(rule.append("---:|"));
        rows(rounds, "plain: MB/s, running until every block is committed", "%.1f", r -> r.plain().written().megabytesPerSecond());
        rows(rounds, "encrypted: MB/s, same span", "%.1f", r -> r.encrypted().written().megabytesPerSecond());
        rows(rounds, "**encrypted / plain, MB/s** (target ≥ 90%)", "%.1f%%", r -> 100 * r.rateRatio());
        rows(rounds, "plain: job JVM CPU s/MB, same span", "%.4f", r -> r.plain().written().cpuSecondsPerMegabyte());
        rows(rounds, "encrypted: job JVM CPU s/MB, same span", "%.4f", r -> r.encrypted().written().cpuSecondsPerMegabyte());
        rows(rounds, "**encrypted / plain, CPU s/MB**", "%.1f%%", r -> 100 * r.cpuRatio());
        rows(rounds, "plain: source MB/s, 10% to 90% of the backlog", "%.1f", r -> r.plain().megabytesPerSecond());
        rows(rounds, "encrypted: source MB/s, 10% to 90% of the backlog", "%.1f", r -> r.encrypted().megabytesPerSecond());
        rows(rounds, "plain: block compression ratio", "%.2f", r -> r.plain().compressionRatio());
        rows(rounds, "encrypted: block compression ratio", "%.2f", r -> r.encrypted().compressionRatio());
        rows(rounds, "key rows published (encrypted run)", "%,.0f", r -> (double) r.keyRows());
        rows(rounds, "checkpoints failed (both runs)", "%.0f",
                r -> (double) (r.plain().failedCheckpoints() + r.encrypted().failedCheckpoints()));
        rows(rounds, "other processes, cores", "%.2f", ReplayBenchmark.EncryptionRound::foreignCores);
        out.println();
        double rate = Stats.median(rounds.stream().map(ReplayBenchmark.EncryptionRound::rateRatio).toList());
        double cpu = Stats.median(rounds.stream().map(ReplayBenchmark.EncryptionRound::cpuRatio).toList());
        out.printf("encryption costs %.1f%% of the MB/s (median of encrypted / plain %.1f%%; target: at most 10%%: %s) and"
                        + " %+.1f%% CPU s/MB%n", 100 * (1 - rate), 100 * rate, rate >= 0.9 ? "met" : "NOT met", 100 * (cpu - 1));
        out.flush();
    }

    private <R> void rows(List<R> rounds, String name, String format, Function<R, Double> value) {
        StringBuilder sb = new StringBuilder("| ").append(name).append(" |");
        List<Double> values = new ArrayList<>();
        for (R r : rounds) {
            double v = value.apply(r);
            values.add(v);
            sb.append(' ').append(Double.isNaN(v) ? "n/a" : String.format(format, v)).append(" |");
        }
        double median = Stats.median(values);
        sb.append(" **").append(Double.isNaN(median) ? "n/a" : String.format(format, median)).append("** |");
        out.println(sb);
    }

    void logs(java.nio.file.Path dir) {
        out.printf("job logs, GC logs and class histograms kept in %s%n", dir);
        out.flush();
    }

    void footer(String loadAverage) {
        out.printf("load average after: %s%n", loadAverage);
        out.flush();
    }

    private void row(List<RoundResult> rounds, String name, String format, Function<RoundResult, Double> value) {
        rows(rounds, name, format, value);
    }
}
