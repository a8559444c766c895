package dev.wirewatch.app.bench;

/** One packet as both vantages capture it: when the client's and the server's capture see it ({@link FlowScript#LOST}: never). */
record ScriptedPacket(long clientMicros, long serverMicros, Frame frame) {}
