package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every command in the README works as written (the server's port swapped for a free one). */
@Timeout(600)
class ReadmeTest {
    static final Duration RUN = Duration.ofSeconds(180);

    static List<List<String>> commands() throws IOException {
        List<List<String>> commands = new ArrayList<>();
        Matcher block = Pattern.compile("(?s)```bash\\n(.*?)```").matcher(Files.readString(Scripts.ROOT.resolve("README.md")));
        while (block.find()) {
            for (String line : block.group(1).split("\n")) {
                String command = line.replaceAll("\\s+#.*$", "").trim(); // a comment is not part of the command
                if (!command.isBlank()) commands.add(Arrays.asList(command.split("\\s+")));
            }
        }
        return commands;
    }

    @Test
    void everyReadmeCommandRuns() throws IOException {
        List<List<String>> commands = commands();
        assertTrue(commands.contains(List.of("./jbang", "tour")), "the tour is the main command");
        assertTrue(commands.contains(List.of("tests/run")), "the test command");
        String ci = Files.readString(Scripts.ROOT.resolve(".ci/run"));
        assertTrue(ci.contains("exec tests/run"), ".ci/run calls the README's test command");

        // The server commands, each on a free port, each followed by every client command.
        List<List<String>> servers = commands.stream().filter(c -> c.size() > 1 && c.get(1).equals("server")).toList();
        List<List<String>> clients = commands.stream().filter(c -> c.size() == 2 && c.get(1).endsWith("-client")).toList();
        assertTrue(servers.size() >= 2 && clients.size() == 4, "servers " + servers + ", clients " + clients);
        for (List<String> serverCommand : servers) {
            List<String> command = new ArrayList<>(serverCommand);
            if (command.size() > 2 && command.get(2).equals("--show-data")) continue; // run below, it prints 70 MB
            if (command.size() > 2 && command.get(2).matches("\\d+")) command.remove(2);
            command.addAll(2, List.of("0", "--no-progress"));
            try (Scripts.Proc server = Scripts.command(command.toArray(String[]::new))) {
                String port = server.awaitLine(Pattern.compile("listening on localhost:(\\d+)"), RUN).group(1);
                for (List<String> clientCommand : clients) {
                    List<String> client = new ArrayList<>(clientCommand.subList(0, 2));
                    client.addAll(List.of("localhost", port));
                    Scripts.Proc run = Scripts.command(client.toArray(String[]::new));
                    int expected = client.get(1).equals("nonblocking-client") ? 1 : 0;
                    assertEquals(expected, run.waitFor(RUN), String.join(" ", client) + ":\n" + run.output());
                    assertTrue(run.stdout().contains("RESULT client=" + client.get(1)), run.output());
                }
            }
        }

        int flagsChecked = 0;
        for (List<String> command : commands) {
            String line = String.join(" ", command);
            if (line.equals("./jbang tour") || line.equals("tests/run")) continue; // TourTest; CI runs it
            if (command.get(0).equals("./jbang") && (command.get(1).equals("server") || command.get(1).endsWith("-client"))) {
                if (command.size() > 2 && command.get(2).startsWith("--")) {
                    checkFlag(command);
                    flagsChecked++;
                }
                continue;
            }
            if (command.get(0).equals("./jbang") && command.get(1).equals("bench")) {
                // The bench takes the command as written: with --dry-run it prints the configuration those options
                // select and stops. (BenchTest runs the quick configuration in full; the full one takes many minutes.)
                List<String> dryRun = new ArrayList<>(command);
                dryRun.add("--dry-run");
                Scripts.Proc run = Scripts.command(dryRun.toArray(String[]::new));
                assertEquals(0, run.waitFor(RUN), line + " --dry-run:\n" + run.output());
                String configuration = command.contains("--quick") ? "bench: quick configuration: " : "bench: full configuration: ";
                assertTrue(run.stdoutLines().stream().anyMatch(l -> l.startsWith(configuration)), line + ":\n" + run.output());
                continue;
            }
            if (command.get(0).equals("./jbang") && command.get(1).equals("install-kernel")) {
                // As written, but into a temporary Jupyter folder rather than this user's.
                Path jupyter = Files.createTempDirectory("readme-jupyter");
                Scripts.Proc run = Scripts.commandWithEnv(Map.of("JUPYTER_DATA_DIR", jupyter.toString()), command.toArray(String[]::new));
                assertEquals(0, run.waitFor(RUN), line + ":\n" + run.output());
                if (command.size() == 2) {
                    assertTrue(Files.readString(jupyter.resolve("kernels/java/kernel.json")).contains("\"argv\""), line);
                }
                continue;
            }
            if (command.get(0).equals("java") && Files.exists(Scripts.ROOT.resolve(command.get(1)))) {
                Scripts.Proc run = Scripts.command(command.toArray(String[]::new));
                assertEquals(0, run.waitFor(RUN), line + ":\n" + run.output());
                continue;
            }
            fail("no check for the README command: " + line);
        }
        assertTrue(flagsChecked >= 2, "--show-data and --verbose were run");
    }

    /** A flag named in the README (--show-data, --verbose) is accepted and does what the README says. */
    static void checkFlag(List<String> command) {
        String flag = command.get(2);
        if (flag.equals("--show-data")) {
            try (Scripts.Proc server = Scripts.command("./jbang", "server", "0", "--show-data", "--no-progress")) {
                String port = server.awaitLine(Pattern.compile("listening on localhost:(\\d+)"), RUN).group(1);
                Scripts.Proc client = Scripts.command("./jbang", "blocking-client", "localhost", port, "70");
                assertEquals(0, client.waitFor(RUN), client.output());
                server.awaitLine(Pattern.compile("^SERVED client=1 bytes=70 "), RUN);
                assertEquals(10, server.stdoutLines().stream().filter(l -> l.equals("foobar")).count(), server.output());
            }
        } else if (flag.equals("--verbose")) {
            try (Scripts.Proc server = Scripts.command("./jbang", "server", "0", "--no-progress", "--read-rate", "20")) {
                String port = server.awaitLine(Pattern.compile("listening on localhost:(\\d+)"), RUN).group(1);
                Scripts.Proc client = Scripts.command("./jbang", command.get(1), "localhost", port, "8000000", "--verbose");
                assertEquals(0, client.waitFor(RUN), client.output());
                long misses = client.stdoutLines().stream().filter(l -> l.matches("Blocking with \\d+ remaining")).count();
                assertEquals(Long.parseLong(client.last("RESULT").get("zero_writes")), misses, "one line per miss");
            }
        } else {
            fail("no check for the README flag " + flag);
        }
    }
}
