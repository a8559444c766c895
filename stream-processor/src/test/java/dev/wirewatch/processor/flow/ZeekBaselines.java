package dev.wirewatch.processor.flow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A Zeek conn.log baseline (tab-separated, '#fields' header, or a plain header line) as rows of named columns. */
public final class ZeekBaselines {
    private ZeekBaselines() {}

    public static List<Map<String, String>> connLog(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            List<String> fields = null;
            List<Map<String, String>> rows = new ArrayList<>();
            for (String line : lines) {
                if (line.startsWith("#fields")) {
                    fields = Arrays.asList(line.substring("#fields\t".length()).split("\t"));
                } else if (line.startsWith("#")) {
                    continue;
                } else if (fields == null && line.startsWith("ts\t")) {
                    fields = Arrays.asList(line.split("\t"));
                } else if (fields != null && !line.isBlank()) {
                    String[] values = line.split("\t", -1);
                    Map<String, String> row = new HashMap<>();
                    for (int i = 0; i < fields.size() && i < values.length; i++) {
                        row.put(fields.get(i), values[i]);
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
