package dev.wirewatch.processor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/architecture.md, "Sensor emission": detections are the same in both modes on every test capture. Every
 * capture in deploy/traces, every two-sided case in deploy/samples and every capture in deploy/captures (kernel-made
 * bulk traffic, a port forward, a pcapng of two interfaces, seed cases stretched to real idle times) goes through the
 * real topology twice, once as a sensor in --mode full would send it and once in --mode control; alerts and every
 * vantage's conn_state, history, packet and byte counts must be equal, and control mode must actually have summarised
 * where traffic was steady.
 */
class EmissionModesAgreeTest {
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.wirewatch.processor.TestCaptures#all")
    void controlModeFindsWhatFullModeFinds(TestCaptures.Case testCase) {
        ModeComparison.assertModesAgree(testCase.name(), testCase.captures(), testCase.topology());
    }
}
