package dev.wirewatch.sink.output;

import dev.wirewatch.record.Alert;
import dev.wirewatch.sink.Notification;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One JSON line per alert (ALERTS.md), appended to a file and forced to disk before the sink commits; when the file
 * would pass {@code maxBytes} it is rotated to PATH.1 (PATH.1 to PATH.2, ...), keeping {@code keep} old files.
 */
final class JsonlFileOutput implements Output {
    private final Path path;
    private final long maxBytes;
    private final int keep;
    private FileChannel file;

    JsonlFileOutput(Path path, long maxBytes, int keep) {
        this.path = path;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    @Override
    public String name() {
        return "jsonl:" + path;
    }

    @Override
    public void send(Notification notification) throws DeliveryException {
        StringBuilder lines = new StringBuilder();
        for (Alert alert : notification.alerts()) {
            lines.append(JsonLine.of(alert, notification.revision(alert))).append('\n');
        }
        byte[] bytes = lines.toString().getBytes(StandardCharsets.UTF_8);
        try {
            if (file != null && file.size() > 0 && file.size() + bytes.length > maxBytes) {
                rotate();
            }
            if (file == null) {
                Path parent = path.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                file.write(buffer);
            }
            file.force(false);
        } catch (IOException e) {
            closeFile();
            throw new DeliveryException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    private void rotate() throws IOException {
        closeFile();
        Files.deleteIfExists(numbered(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(numbered(i))) {
                Files.move(numbered(i), numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (keep > 0) {
            Files.move(path, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(path);
        }
    }

    private Path numbered(int generation) {
        return path.resolveSibling(path.getFileName() + "." + generation);
    }

    @Override
    public boolean wantsResolved() {
        return false;
    }

    private void closeFile() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                // reopened on the next write
            }
            file = null;
        }
    }

    @Override
    public void close() {
        closeFile();
    }
}
