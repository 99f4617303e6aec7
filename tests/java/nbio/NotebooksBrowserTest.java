package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a class sees: every committed notebook rendered to HTML by Jupyter's own converter
 * (jupyter-nbconvert) and loaded in a real browser (Debian's headless chromium, installed by
 * tests/setup-notebooks). In the page as the browser built it: no error or stderr output, every
 * chart there as a decoded image, no test lines. The browser never leaves this machine: the pages'
 * remote scripts are removed and every host name fails to resolve. One browser opens every page, each in a tab of its
 * own. One screenshot is kept.
 */
@Timeout(1200)
class NotebooksBrowserTest {
    static final Path HTML = Scripts.ROOT.resolve("tests/target/html");
    static final Path SCREENSHOT = Scripts.ROOT.resolve("tests/target/notebook-04-retry-loop.png");

    @BeforeAll
    static void setUp() throws Exception {
        Notebooks.setUp();
        // One converter run for every notebook: starting the converter is most of its cost.
        Files.createDirectories(HTML);
        List<String> command = new ArrayList<>(List.of("jupyter-nbconvert", "--to", "html", "--output-dir", HTML.toString()));
        for (String name : Notebooks.names()) command.add(Notebooks.DIR.resolve(name).toString());
        Scripts.Proc convert = Scripts.command(command.toArray(String[]::new));
        assertEquals(0, convert.waitFor(Duration.ofMinutes(10)), "jupyter-nbconvert:\n" + convert.output());
        browser = new Browser();
    }

    static java.util.stream.Stream<String> notebooks() { return Notebooks.names().stream(); }

    /** The HTML of notebooks/NAME, without what would be fetched from the network, with a probe that reports what the browser built. */
    static Path render(String name) throws IOException {
        Path page = HTML.resolve(name.replace(".ipynb", ".html"));
        String html = Files.readString(page)
                .replaceAll("(?s)<script[^>]*\\ssrc=\"https?://[^\"]*\"[^>]*>\\s*</script>", "")
                .replaceAll("<link[^>]*\\shref=\"https?://[^\"]*\"[^>]*>", "");
        // The probe runs in the browser after everything loaded and writes its findings into the page as JSON-ish text.
        String probe = "<script>window.addEventListener('load', function () {"
                + " var imgs = Array.from(document.querySelectorAll('.jp-OutputArea-output img, .output_png img'));"
                + " var shown = imgs.filter(function (i) { return i.complete && i.naturalWidth > 100 && i.naturalHeight > 100; }).length;"
                + " var errors = document.querySelectorAll('[data-mime-type=\"application/vnd.jupyter.stderr\"], .output_stderr, .output_error').length;"
                + " var code = document.querySelectorAll('.jp-CodeCell, .code_cell').length;"
                + " var text = document.body.innerText;"
                + " var testLines = (text.match(/^\\s*(CLAIM|CHART) /mg) || []).length;"
                + " var p = document.createElement('pre'); p.id = 'nbio-probe';"
                + " p.textContent = 'PROBE images=' + imgs.length + ' shown=' + shown + ' errors=' + errors + ' code=' + code + ' test_lines=' + testLines;"
                + " document.body.appendChild(p); });</script>";
        Path probed = HTML.resolve(name.replace(".ipynb", ".probed.html"));
        Files.writeString(probed, html.replace("</body>", probe + "</body>"));
        return probed;
    }

    static Browser browser;

    @AfterAll
    static void stopTheBrowser() throws IOException {
        if (browser != null) browser.close();
    }

    @ParameterizedTest(name = "in a browser: {0}")
    @MethodSource("notebooks")
    void rendersWithEveryChartAndNoErrorOrTestLine(String name) throws Exception {
        String dom = browser.load(render(name), null);
        Matcher probe = Pattern.compile("PROBE images=(\\d+) shown=(\\d+) errors=(\\d+) code=(\\d+) test_lines=(\\d+)").matcher(dom);
        assertTrue(probe.find(), name + ": the page's probe did not run; the browser's output:\n" + browser.process.output());
        int charts = NotebooksTest.CHARTS.getOrDefault(name, 0);
        assertEquals(charts, Integer.parseInt(probe.group(1)), name + ": images in the outputs (" + probe.group() + ")");
        assertEquals(charts, Integer.parseInt(probe.group(2)), name + ": images the browser decoded and sized (" + probe.group() + ")");
        assertEquals(0, Integer.parseInt(probe.group(3)), name + ": error or stderr outputs on the page (" + probe.group() + ")");
        assertEquals(0, Integer.parseInt(probe.group(5)), name + ": test lines on the page (" + probe.group() + ")");
        assertTrue(Integer.parseInt(probe.group(4)) >= 1, name + ": code cells on the page (" + probe.group() + ")");
        assertFalse(dom.contains("CLAIM ") || dom.contains("CHART "), name + ": a test line in the page");
    }

    /** A picture of what a class sees first (kept as tests/target/notebook-04-retry-loop.png). */
    @Test
    void keepsAScreenshotOfTheFirstScreen() throws Exception {
        Files.deleteIfExists(SCREENSHOT);
        browser.load(render("04-retry-loop.ipynb"), SCREENSHOT);
        assertTrue(Files.size(SCREENSHOT) > 20_000, "a screenshot with something on it: " + SCREENSHOT);
        byte[] head = Files.readAllBytes(SCREENSHOT);
        assertTrue(head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG file");
    }

    /**
     * One headless chromium for every page (nothing of the user's, a fresh profile, no network beyond this machine),
     * driven through its DevTools protocol on a loopback WebSocket: a tab per page, the page as built after its load
     * event, a screenshot when asked.
     */
    static final class Browser implements AutoCloseable {
        final Path profile;
        final Scripts.Proc process;
        final WebSocket socket;
        final Map<Long, CompletableFuture<Map<String, Object>>> replies = new ConcurrentHashMap<>();
        final AtomicLong ids = new AtomicLong();

        Browser() throws Exception {
            profile = Files.createTempDirectory(HTML, "chromium-profile");
            // One renderer process for every tab (the pages are local files, one at a time): a renderer forked per
            // page cost chromium about 4 of its 14 CPU-s here.
            process = Scripts.command("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps", "--hide-scrollbars",
                    "--renderer-process-limit=1", "--disable-site-isolation-trials", "--disable-extensions", "--mute-audio",
                    "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1",
                    "--remote-debugging-port=0", "about:blank");
            String address = process.awaitLine(Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:\\d+/\\S+)"),
                    Duration.ofMinutes(1)).group(1);
            socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(address), new WebSocket.Listener() {
                final StringBuilder message = new StringBuilder();

                @Override
                @SuppressWarnings("unchecked")
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    message.append(data);
                    if (last) {
                        Map<String, Object> json = (Map<String, Object>) Notebooks.Json.parse(message.toString());
                        message.setLength(0);
                        if (json.get("id") instanceof Long id && replies.containsKey(id)) replies.get(id).complete(json);
                    }
                    webSocket.request(1);
                    return null;
                }
            }).get(1, TimeUnit.MINUTES);
        }

        /** Sends one command (to a tab's session, or to the browser when session is null) and returns its result. */
        @SuppressWarnings("unchecked")
        Map<String, Object> send(String session, String method, String params) throws Exception {
            long id = ids.incrementAndGet();
            CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
            replies.put(id, reply);
            socket.sendText("{\"id\":" + id + (session == null ? "" : ",\"sessionId\":\"" + session + "\"")
                    + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true).get(1, TimeUnit.MINUTES);
            Map<String, Object> answer = reply.get(3, TimeUnit.MINUTES);
            replies.remove(id);
            if (answer.get("error") != null) throw new IllegalStateException(method + ": " + answer.get("error"));
            return (Map<String, Object>) answer.get("result");
        }

        /** Opens the page in a new tab, waits for its load event, returns its DOM, and saves a 1280x1000 screenshot if asked. */
        String load(Path page, Path screenshot) throws Exception {
            String target = (String) send(null, "Target.createTarget", "{\"url\":\"about:blank\"}").get("targetId");
            String session = (String) send(null, "Target.attachToTarget", "{\"targetId\":\"" + target + "\",\"flatten\":true}").get("sessionId");
            try {
                send(session, "Emulation.setDeviceMetricsOverride", "{\"width\":1280,\"height\":1000,\"deviceScaleFactor\":1,\"mobile\":false}");
                send(session, "Page.navigate", "{\"url\":\"" + page.toUri() + "\"}");
                // Evaluated in the page: resolves once the page has loaded and its probe has run (the probe runs on load).
                String untilLoaded = "new Promise(done => { const check = () => document.getElementById('nbio-probe')"
                        + " ? done(document.documentElement.outerHTML) : setTimeout(check, 20); check(); })";
                Map<String, Object> result = null;
                for (int attempt = 0; result == null; attempt++) {
                    try {
                        result = send(session, "Runtime.evaluate", "{\"expression\":\"" + untilLoaded.replace("\"", "\\\"")
                                + "\",\"awaitPromise\":true,\"returnByValue\":true}");
                    } catch (IllegalStateException navigatedAway) {   // evaluated in about:blank as it was replaced: again
                        if (attempt == 5) throw navigatedAway;
                    }
                }
                if (screenshot != null) {
                    String png = (String) send(session, "Page.captureScreenshot", "{\"format\":\"png\"}").get("data");
                    Files.write(screenshot, Base64.getDecoder().decode(png));
                }
                return (String) ((Map<?, ?>) result.get("result")).get("value");
            } finally {
                send(null, "Target.closeTarget", "{\"targetId\":\"" + target + "\"}");
            }
        }

        @Override
        public void close() throws IOException {
            socket.abort();
            process.close();
            try (java.util.stream.Stream<Path> files = Files.walk(profile)) {   // the profile is thrown away after its run
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(file);
            }
        }
    }
}
