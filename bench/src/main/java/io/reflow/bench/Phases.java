package io.reflow.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Runs the phases of a round, noting where the CPU went in each. The machine is shared: a phase during which
 * processes outside the benchmark took more than {@code maxForeignCores} is measured again (up to
 * {@code repeats} times), since ceilings and capture are only comparable when measured on the same machine.
 */
final class Phases {
    private final CpuMeter cpu;
    private final double maxForeignCores;
    private final int repeats;
    private final Map<String, CpuMeter.Usage> usage = new HashMap<>();

    Phases(CpuMeter cpu, BenchOptions options) {
        this.cpu = cpu;
        this.maxForeignCores = options.maxForeignCores();
        this.repeats = options.repeats();
    }

    <T> T measure(String phase, Callable<T> run) throws Exception {
        for (int attempt = 0; ; attempt++) {
            CpuMeter.Reading before = cpu.read();
            T result = run.call();
            CpuMeter.Usage used = CpuMeter.between(before, cpu.read());
            usage.put(phase, used);
            if (used.others() <= maxForeignCores || attempt >= repeats) {
                return result;
            }
            System.err.printf("phase %s measured again: processes outside the benchmark used %.2f cores%n", phase, used.others());
        }
    }

    Map<String, CpuMeter.Usage> cpu() {
        return Map.copyOf(usage);
    }
}
