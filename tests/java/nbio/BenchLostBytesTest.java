package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bench fails when a server loses or corrupts bytes. Nothing here is timed (an exit code, a message and a row's
 * note), so it runs beside other classes; BenchTest, alone, judges the quick run's figures.
 */
@Timeout(600)
class BenchLostBytesTest {
    /**
     * A copy of the bench in which select-server reports a CRC32 one off from what it read: the bench must say which
     * connection, mark the row, and exit 1. (The copy's step scripts are the real ones, but for SelectServer.java.)
     */
    @Test
    void aServerThatReportsAWrongCrc32FailsTheBench() throws IOException {
        Path copy = Files.createTempDirectory("bench-corrupt");
        Path scripts = Files.createDirectories(copy.resolve("scripts"));
        try (Stream<Path> files = Files.walk(Scripts.SCRIPTS)) {
            for (Path f : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                Path to = scripts.resolve(Scripts.SCRIPTS.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
        Files.writeString(scripts.resolve("SelectServer.java"), WRONG_CRC_SERVER);
        Path out = copy.resolve("out");
        Scripts.Proc run = Scripts.command("./jbang", scripts.resolve("Bench.java").toString(), "--quick", "--parts", "2", "--servers", "select",
                "--conns", "1", "--runs", "1", "--out", out.toString());
        assertEquals(1, run.waitFor(Duration.ofSeconds(300)), run.output());
        assertTrue(run.stdout().contains("bench: FAILED: "), run.output());
        assertTrue(run.stdout().contains("reported crc32="), run.output());
        List<Map<String, String>> rows = BenchTest.readCsv(out.resolve("results.csv"));
        assertTrue(rows.stream().anyMatch(r -> r.get("subject").equals("select-server") && r.get("note").startsWith("BYTES LOST OR CORRUPTED")),
                "the row says so: " + rows);
    }

    /** Reads each connection to its end like any server here, and reports the CRC32 of what it read plus one. */
    static final String WRONG_CRC_SERVER = """
            import java.io.InputStream;
            import java.net.InetAddress;
            import java.net.ServerSocket;
            import java.net.Socket;
            import java.util.zip.CRC32;

            public class SelectServer {
                public static void main(String[] args) throws Exception {
                    ServerSocket listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
                    System.out.println("select-server: listening on localhost:" + listener.getLocalPort());
                    for (int client = 1; ; client++) {
                        try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                            CRC32 crc = new CRC32();
                            byte[] buf = new byte[65536];
                            long bytes = 0;
                            for (int n; (n = in.read(buf)) >= 0; bytes += n) crc.update(buf, 0, n);
                            System.out.printf("SERVED client=%d bytes=%d reads=1 ms=1 crc32=%08x ended=eof%n", client, bytes, (crc.getValue() + 1) & 0xffffffffL);
                        }
                    }
                }
            }
            """;

}
