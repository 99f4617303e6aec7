// The notebooks' charts, drawn by XChart. A chart cell first puts XChart's jar on the class path
// (`%jars lib/xchart-3.8.8.jar`; start jshell with `--class-path lib/xchart-3.8.8.jar`), then loads
// this file. A Jupyter Java kernel shows the BufferedImage a cell ends with as a picture; jshell
// prints `BufferedImage@...` (save one with ImageIO.write(chart, "png", new java.io.File("c.png"))).
import java.awt.Color;
import java.awt.image.BufferedImage;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.Styler.YAxisPosition;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** An XY chart 820 pixels wide with its axes titled (units in the titles), legend inside top left. */
XYChart xy(String title, int height, String xTitle, String yTitle) {
    XYChart chart = new XYChartBuilder().width(820).height(height).title(title)
            .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(LegendPosition.InsideNW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridVerticalLinesVisible(false);  // marks at an instant stay visible
    chart.getStyler().setMarkerSize(7);
    chart.getStyler().setYAxisTickMarkSpacingHint(40);
    chart.getStyler().setXAxisTickMarkSpacingHint(70);
    return chart;
}

/** Adds a series {x[i], y[i]} drawn as render, without markers unless it is a scatter. */
XYSeries series(XYChart chart, String name, double[] x, double[] y, XYSeriesRenderStyle render) {
    XYSeries s = chart.addSeries(name, x, y);
    s.setXYSeriesRenderStyle(render);
    if (render != XYSeriesRenderStyle.Scatter) s.setMarker(SeriesMarkers.NONE);
    return s;
}

/** The same axis ranges for every panel of a stacked chart, from 0 to the given maxima. */
void axes(XYChart chart, double maxX, double maxY) {
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setXAxisMax(maxX);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(maxY);
    chart.getStyler().setYAxisDecimalPattern("0.0");   // labels alike in width: the panels' time axes line up
    chart.getStyler().setLegendPosition(LegendPosition.OutsideE);   // off the data; alike in width
}

/** Charts one under the other in one picture (they share a time axis when their x ranges are set alike). */
BufferedImage stacked(List<XYChart> charts) {
    BufferedImage img = new BufferedImage(820, charts.stream().mapToInt(XYChart::getHeight).sum(),
            BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = img.createGraphics();
    int y = 0;
    for (XYChart c : charts) { g.drawImage(BitmapEncoder.getBufferedImage(c), 0, y, null); y += c.getHeight(); }
    g.dispose();
    return img;
}

/** Step 4: MB accepted over time (left axis) and write() calls that returned 0 per 10 ms (right axis). */
BufferedImage spinChart(Run run, double readMBps) {
    XYChart chart = xy(String.format("Retry loop: %.1f MB to a reader paced at %.0f MB/s",
            run.bytes() / 1e6, readMBps), 470, "ms since the loop started", "");
    int n = run.accepts().size(), bins = (int) Math.ceil(run.wallMs() / 10);
    double[] ms = new double[n], mb = new double[n], binMs = new double[bins], zeros = new double[bins];
    long sum = 0;
    for (int i = 0; i < n; i++) { ms[i] = run.accepts().get(i)[0] / 1e6; mb[i] = (sum += run.accepts().get(i)[1]) / 1e6; }
    for (int i = 0; i < bins; i++) { binMs[i] = 10 * i; zeros[i] = run.zerosPer10ms()[i]; }
    series(chart, String.format("write() calls that returned 0, per 10 ms (%,d in all)", run.zeroWrites()),
            binMs, zeros, XYSeriesRenderStyle.Step).setYAxisGroup(1);
    series(chart, "MB accepted so far (from the first write that took bytes)", ms, mb, XYSeriesRenderStyle.Line);
    chart.setYAxisGroupTitle(0, "MB accepted");
    chart.setYAxisGroupTitle(1, "write() calls that returned 0, per 10 ms");
    chart.getStyler().setYAxisGroupPosition(1, YAxisPosition.Right);
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
    chart.getStyler().setSeriesColors(new Color[] {new Color(210, 50, 40), new Color(30, 90, 200)});
    return BitmapEncoder.getBufferedImage(chart);
}

/**
 * Step 5: for each loop, its wall-clock time split into totals (not a timeline): on a core, queued
 * for a core, asleep. Where Linux counts nothing (Run.sleeps() < 0): on a core, and the rest.
 */
BufferedImage cpuChart(String title, Run... runs) {
    CategoryChart chart = new CategoryChartBuilder().width(820).height(470).title(title)
            .xAxisTitle("loop (and its syscalls: writes and selects)").yAxisTitle("ms of wall-clock time").build();
    chart.getStyler().setStacked(true);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
    List<String> loops = new ArrayList<>();
    List<Double> onCore = new ArrayList<>(), queued = new ArrayList<>(), rest = new ArrayList<>();
    for (Run r : runs) {
        loops.add(String.format("%s (%,d syscalls)", r.name(), r.writes() + r.selects()));
        double cpu = Math.min(r.cpuMs(), r.wallMs()), waiting = Math.min(Math.max(0, r.waitingMs()), r.wallMs() - cpu);
        onCore.add(cpu); queued.add(waiting); rest.add(r.wallMs() - cpu - waiting);
    }
    chart.addSeries("on a core", loops, onCore).setFillColor(new Color(210, 50, 40));
    chart.addSeries("queued for a core", loops, queued).setFillColor(new Color(240, 170, 60));
    chart.addSeries("asleep (or, without Linux's count, not on a core)", loops, rest)
            .setFillColor(new Color(170, 200, 240));
    return BitmapEncoder.getBufferedImage(chart);
}

/** Step 6a: a lane per sender, its MB over time ({ns, bytes so far} points), and a mark at each tick. */
BufferedImage progressChart(String title, List<String> names, List<List<long[]>> progress, List<Long> ticks,
                            double totalMs, long eachBytes) {
    List<XYChart> lanes = new ArrayList<>();
    double[] tickMs = ticks.stream().mapToDouble(t -> t / 1e6).toArray();
    for (int i = 0; i < names.size(); i++) {
        boolean last = i == names.size() - 1;
        XYChart lane = xy(i == 0 ? title : "", last ? 250 : 215, last ? "ms since the loop started" : "",
                names.get(i) + ", MB");
        List<long[]> p = progress.get(i);
        series(lane, names.get(i) + ": MB accepted so far", p.stream().mapToDouble(q -> q[0] / 1e6).toArray(),
                p.stream().mapToDouble(q -> q[1] / 1e6).toArray(), XYSeriesRenderStyle.Step)
                .setLineColor(lane.getStyler().getSeriesColors()[i]);
        XYSeries tick = series(lane, "a tick of the ticker", tickMs, new double[tickMs.length],
                XYSeriesRenderStyle.Scatter);
        tick.setMarker(SeriesMarkers.TRIANGLE_UP);
        tick.setMarkerColor(Color.BLACK);
        axes(lane, totalMs, eachBytes / 1e6);
        lanes.add(lane);
    }
    return stacked(lanes);
}

/** Grouped bars: one group per label, one bar per series (values in unit), the value on each bar. */
BufferedImage barChart(String title, String unit, List<String> labels, List<String> series, double[][] values) {
    CategoryChart chart = new CategoryChartBuilder().width(820).height(470).title(title).yAxisTitle(unit).build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setYAxisDecimalPattern("0.0");
    for (int s = 0; s < series.size(); s++) {
        List<Double> column = new ArrayList<>();
        for (double[] row : values) column.add(row[s]);
        chart.addSeries(series.get(s), labels, column);
    }
    return BitmapEncoder.getBufferedImage(chart);
}
