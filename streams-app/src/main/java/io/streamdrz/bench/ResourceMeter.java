package io.streamdrz.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU and memory of this JVM over an interval: process CPU time (every thread, native
 * ONNX Runtime threads included) from the {@code OperatingSystemMXBean}, CPU time of
 * the threads a predicate selects (e.g. the stream threads and the batcher) from the
 * {@code ThreadMXBean}, and the highest heap use and resident set size seen by
 * {@link #sample()}.
 */
public final class ResourceMeter {

    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    private final com.sun.management.OperatingSystemMXBean os;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Predicate<String> selected;
    private final Map<Long, Long> selectedStart = new HashMap<>();
    private long wallStart;
    private long cpuStart;
    private volatile long heapPeak;
    private volatile long rssPeak;

    /** What was used over the interval. */
    public record Usage(double wallSeconds, double processCpuSeconds, double selectedCpuSeconds, long heapPeakBytes,
                        long rssPeakBytes, int cores) {

        /** Cores busy on average, whole process. */
        public double processCores() {
            return wallSeconds > 0 ? processCpuSeconds / wallSeconds : 0;
        }
    }

    public ResourceMeter(Predicate<String> selectedThreads) {
        this.os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        this.selected = selectedThreads;
    }

    public synchronized void start() {
        wallStart = System.nanoTime();
        cpuStart = os.getProcessCpuTime();
        selectedStart.clear();
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && selected.test(t.getThreadName())) {
                selectedStart.put(t.getThreadId(), threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        heapPeak = 0;
        rssPeak = 0;
        sample();
    }

    /** Records the current heap use and resident set size if they are the highest so far. */
    public void sample() {
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        heapPeak = Math.max(heapPeak, heap);
        rssPeak = Math.max(rssPeak, residentBytes());
    }

    public synchronized Usage stop() {
        sample();
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
        long sel = 0;
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && selected.test(t.getThreadName())) {
                long now = threads.getThreadCpuTime(t.getThreadId());
                if (now >= 0) {
                    sel += now - selectedStart.getOrDefault(t.getThreadId(), 0L);
                }
            }
        }
        return new Usage(wall, cpu, sel / 1e9, heapPeak, rssPeak, Runtime.getRuntime().availableProcessors());
    }

    /** VmRSS from /proc (Linux); 0 where there is none. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(PROC_STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
