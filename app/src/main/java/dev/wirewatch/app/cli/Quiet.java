package dev.wirewatch.app.cli;

import java.io.OutputStream;
import java.io.PrintStream;

/** Where progress goes when a command has its own, shorter, account of what it does. */
final class Quiet {
    static final PrintStream STREAM = new PrintStream(OutputStream.nullOutputStream());

    private Quiet() {}
}
