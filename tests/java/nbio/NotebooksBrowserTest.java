package nbio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * remote scripts are removed and every host name fails to resolve. One screenshot is kept.
 */
@Timeout(1200)
class NotebooksBrowserTest {
    static final Path HTML = Scripts.ROOT.resolve("tests/target/html");
    static final Path SCREENSHOT = Scripts.ROOT.resolve("tests/target/notebook-04-retry-loop.png");

    @BeforeAll
    static void setUp() throws IOException {
        Notebooks.setUp();
        // One converter run for every notebook: starting the converter is most of its cost.
        Files.createDirectories(HTML);
        List<String> command = new ArrayList<>(List.of("jupyter-nbconvert", "--to", "html", "--output-dir", HTML.toString()));
        for (String name : Notebooks.names()) command.add(Notebooks.DIR.resolve(name).toString());
        Scripts.Proc convert = Scripts.command(command.toArray(String[]::new));
        assertEquals(0, convert.waitFor(Duration.ofMinutes(10)), "jupyter-nbconvert:\n" + convert.output());
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

    /** Headless chromium with nothing of the user's, no network beyond this machine, a fresh profile each run. */
    static Scripts.Proc chromium(Path profile, String... args) {
        String[] base = {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + profile, "--virtual-time-budget=10000"};
        String[] all = new String[base.length + args.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(args, 0, all, base.length, args.length);
        return Scripts.command(all);
    }

    @ParameterizedTest(name = "in a browser: {0}")
    @MethodSource("notebooks")
    void rendersWithEveryChartAndNoErrorOrTestLine(String name) throws Exception {
        Path page = render(name);
        Path profile = Files.createTempDirectory(HTML, "chromium-profile");
        Scripts.Proc browser = chromium(profile, "--dump-dom", page.toUri().toString());
        assertEquals(0, browser.waitFor(Duration.ofMinutes(3)), "chromium on " + name + ":\n" + browser.stderr());
        Matcher probe = Pattern.compile("PROBE images=(\\d+) shown=(\\d+) errors=(\\d+) code=(\\d+) test_lines=(\\d+)").matcher(browser.stdout());
        assertTrue(probe.find(), name + ": the page's probe did not run; the browser's output:\n" + browser.stderr());
        int charts = NotebooksTest.CHARTS.getOrDefault(name, 0);
        assertEquals(charts, Integer.parseInt(probe.group(1)), name + ": images in the outputs (" + probe.group() + ")");
        assertEquals(charts, Integer.parseInt(probe.group(2)), name + ": images the browser decoded and sized (" + probe.group() + ")");
        assertEquals(0, Integer.parseInt(probe.group(3)), name + ": error or stderr outputs on the page (" + probe.group() + ")");
        assertEquals(0, Integer.parseInt(probe.group(5)), name + ": test lines on the page (" + probe.group() + ")");
        assertTrue(Integer.parseInt(probe.group(4)) >= 1, name + ": code cells on the page (" + probe.group() + ")");
        String dom = browser.stdout();
        assertFalse(dom.contains("CLAIM ") || dom.contains("CHART "), name + ": a test line in the page");
    }

    /** A picture of what a class sees first (kept as tests/target/notebook-04-retry-loop.png). */
    @Test
    void keepsAScreenshotOfTheFirstScreen() throws Exception {
        Path page = render("04-retry-loop.ipynb");
        Files.deleteIfExists(SCREENSHOT);
        Path profile = Files.createTempDirectory(HTML, "chromium-profile");
        Scripts.Proc browser = chromium(profile, "--hide-scrollbars", "--window-size=1280,1000", "--screenshot=" + SCREENSHOT,
                page.toUri().toString());
        assertEquals(0, browser.waitFor(Duration.ofMinutes(3)), "chromium:\n" + browser.output());
        assertTrue(Files.size(SCREENSHOT) > 20_000, "a screenshot with something on it: " + SCREENSHOT);
        byte[] head = Files.readAllBytes(SCREENSHOT);
        assertTrue(head[1] == 'P' && head[2] == 'N' && head[3] == 'G', "a PNG file");
    }
}
