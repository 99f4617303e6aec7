package benchmark;

import java.awt.image.BufferedImage;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import javax.imageio.ImageIO;
import benchmark.Results.Row;
import benchmark.ServersUnderTest.ServerKind;
import static benchmark.Report.size;
import static benchmark.ServersUnderTest.SERVERS;
import static benchmark.ServersUnderTest.serversToRun;

/** The PNG chart: throughput and peak RSS against C, one line per server, drawn by XChart. */
final class Chart {
    private final Config cfg;
    private final Results results;

    Chart(Config cfg, Results results) {
        this.cfg = cfg;
        this.results = results;
    }

    private Optional<Row> find(String part, String subject, String condition) { return results.find(part, subject, condition); }

    static final Color[] COLORS = {new Color(0xd62728), new Color(0x9467bd), new Color(0x1f77b4), new Color(0x17becf), new Color(0x2ca02c),
            new Color(0xbcbd22), new Color(0xff7f0e), new Color(0x8c564b)};

    /** Two panels side by side: MiB/s against C and peak RSS against C (C on a log scale); a failed cell is left out of its line. */
    void chart(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double ceiling = find("ceiling", "loopback", "1 connection").map(r -> r.med("mib_s")).orElse(Double.NaN);
        BufferedImage left = BitmapEncoder.getBufferedImage(panel("throughput, MiB/s (median of the runs)", "MiB/s", "mib_s", ceiling));
        BufferedImage right = BitmapEncoder.getBufferedImage(panel("server peak RSS, MiB", "MiB", "rss_mib", Double.NaN));
        BufferedImage both = new BufferedImage(left.getWidth() + right.getWidth(), left.getHeight(), BufferedImage.TYPE_INT_RGB);
        both.createGraphics().drawImage(left, 0, 0, null);
        both.createGraphics().drawImage(right, left.getWidth(), 0, null);
        ImageIO.write(both, "png", file.toFile());
    }

    XYChart panel(String title, String yTitle, String metric, double ceiling) {
        XYChart chart = new XYChartBuilder().width(860).height(520).title(title)
                .xAxisTitle("C, concurrent connections (log scale); " + size(cfg.totalBytes) + " per run, "
                        + Runtime.getRuntime().availableProcessors() + " cores").yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(0xe0e0e0));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("#,###");
        List<ServerKind> kinds = serversToRun(cfg);
        for (int i = 0; i < kinds.size(); i++) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (int c : cfg.conns) {
                Optional<Row> r = find("servers", kinds.get(i).name(), String.valueOf(c));
                if (r.isEmpty() || r.get().failed || r.get().get(metric).empty()) continue;
                xs.add((double) c);
                ys.add(r.get().med(metric));
            }
            if (xs.isEmpty()) continue;
            XYSeries s = chart.addSeries(kinds.get(i).name(), xs, ys);
            s.setLineColor(COLORS[SERVERS.indexOf(kinds.get(i)) % COLORS.length]);
            s.setMarkerColor(COLORS[SERVERS.indexOf(kinds.get(i)) % COLORS.length]);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        if (!Double.isNaN(ceiling) && cfg.conns.length > 0) {
            double lo = Arrays.stream(cfg.conns).min().getAsInt(), hi = Math.max(lo + 1, Arrays.stream(cfg.conns).max().getAsInt());
            XYSeries s = chart.addSeries(String.format(Locale.ROOT, "loopback ceiling (%.0f MiB/s)", ceiling), List.of(lo, hi), List.of(ceiling, ceiling));
            s.setLineColor(Color.DARK_GRAY);
            s.setLineStyle(SeriesLines.DASH_DASH);
            s.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }
}
