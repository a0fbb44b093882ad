package dev.e3j.processor.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Finds native tools (g++, nvcc) on the PATH and runs them with a time limit. */
public final class NativeTools {

    private NativeTools() {
    }

    /** The executable {@code name} on the PATH, if any. */
    public static Optional<Path> find(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String directory : path.split(File.pathSeparator)) {
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** What a command printed (stdout and stderr together) and its exit status. */
    public record Result(List<String> command, int exitCode, String output) {

        /** Throws with the command and its output unless it exited with 0. */
        public Result requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(String.join(" ", command) + " exited with " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    /** Runs {@code command} in {@code directory}, killing it after {@code timeoutSeconds}. */
    public static Result run(Path directory, long timeoutSeconds, List<String> command) {
        try {
            Path log = Files.createTempFile("e3j-native", ".log");
            try {
                Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start();
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " ran past " + timeoutSeconds + " s");
                }
                return new Result(command, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + String.join(" ", command), e);
        }
    }

    /** Runs the commands two at a time (this machine's core count), requiring each to succeed. */
    public static void runAll(Path directory, long timeoutSeconds, List<List<String>> commands) {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Result>> results = new ArrayList<>();
            for (List<String> command : commands) {
                results.add(pool.submit(() -> run(directory, timeoutSeconds, command)));
            }
            for (Future<Result> result : results) {
                try {
                    result.get().requireSuccess();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new AssertionError(e.getCause().getMessage(), e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
