package dev.wirewatch.app.bench;

/** One frame as a headers-only capture holds it: the bytes kept (at most the snaplen) and its length on the wire. */
record Frame(byte[] captured, int originalLength) {}
