package dev.e3j.processor.diagnostics;

import java.util.List;

/** One error found in a spec, positioned by {@link Location}, not yet printed. */
public record Problem(Message message, Location location, List<Object> args) {

    public Problem {
        args = List.copyOf(args);
    }

    public static Problem at(Location location, Message message, Object... args) {
        return new Problem(message, location, List.of(args));
    }

    /** The full text, starting with the message's tag. */
    public String text() {
        return message.format(args.toArray());
    }

    @Override
    public String toString() {
        return location + ": " + text();
    }
}
