package dev.wirewatch.app.cli;

import java.util.function.Supplier;

/** Command-line text checked by a parser: its complaint becomes a usage error (one line, exit code 2). */
final class Arguments {
    private Arguments() {}

    static <T> T parse(Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
