package dev.wirewatch.app.cli;

import dev.wirewatch.sensor.emit.EmissionMode;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --mode control|full}, case-insensitive, with the choices in the error. */
final class EmissionModes implements ITypeConverter<EmissionMode> {
    @Override
    public EmissionMode convert(String value) {
        try {
            return EmissionMode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not a mode: use control or full");
        }
    }
}
