package dev.wirewatch.app.cli;

import dev.wirewatch.sensor.capture.LiveCapture;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --engine auto|ring|libpcap}, case-insensitive, with the choices in the error. */
final class CaptureEngines implements ITypeConverter<LiveCapture.Engine> {
    @Override
    public LiveCapture.Engine convert(String value) {
        try {
            return LiveCapture.Engine.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
