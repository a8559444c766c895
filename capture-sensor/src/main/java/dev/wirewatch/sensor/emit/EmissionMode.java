package dev.wirewatch.sensor.emit;

/** What a sensor ships of the headers it captures (docs/architecture.md, "Sensor emission"). */
public enum EmissionMode {
    /**
     * Every packet that can change a connection's state and summaries of the steady rest, one FlowBatch per active
     * flow per second.
     */
    CONTROL,
    /** Every header. */
    FULL
}
