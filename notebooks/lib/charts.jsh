// The notebooks' charts, drawn with java.awt only (loaded with `%load lib/charts.jsh`; in jshell, `/open lib/charts.jsh`).
// A Jupyter Java kernel shows a BufferedImage that a cell ends with as a picture; jshell prints `BufferedImage@...`
// instead (save one with javax.imageio.ImageIO.write(chart, "png", new java.io.File("chart.png"))).
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

Color[] PALETTE = {new Color(30, 90, 200), new Color(230, 120, 20), new Color(40, 150, 70), new Color(150, 60, 170)};

/** A white canvas with a title; the caller draws the rest and calls dispose(). */
Graphics2D canvas(BufferedImage img, String title) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, 20, 24);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    return g;
}

/** Step 4: bytes accepted over time (top) and zero-returns per 10 ms (bottom). */
BufferedImage spinChart(Run run, double readMBps) {
    int w = 820, h = 470, left = 80, plotW = w - left - 20;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img, String.format("Retry loop: %.1f MB to a reader paced at %.0f MB/s",
            run.bytes() / 1e6, readMBps));
    double totalMs = run.wallMs();
    int bins = (int) Math.ceil(totalMs / 10);
    int top1 = 45, h1 = 190;
    g.setColor(new Color(235, 235, 235));
    g.fillRect(left, top1, plotW, h1);
    g.setColor(PALETTE[0]);
    g.setStroke(new BasicStroke(2f));
    long sum = 0;
    int px = -1, py = -1;                                  // the line starts at the first write that took bytes
    for (long[] a : run.accepts()) {
        sum += a[1];
        int x = left + (int) (plotW * (a[0] / 1e6) / totalMs), y = top1 + h1 - (int) (h1 * (double) sum / run.bytes());
        if (px < 0) g.fillOval(x - 3, y - 3, 6, 6);
        else g.drawLine(px, py, x, y);
        px = x; py = y;
    }
    g.setColor(Color.BLACK);
    g.drawString("MB accepted so far", left + 8, top1 + 16);
    for (int q = 0; q <= 4; q++) {                         // the y axis in quarters of the data
        int y = top1 + h1 - h1 * q / 4;
        g.drawString(String.format("%.1f", run.bytes() / 1e6 * q / 4), 8, y + 4);
        g.drawLine(left - 4, y, left, y);
    }
    int top2 = 270, h2 = 150, maxZeros = 1;
    int[] zeros = run.zerosPer10ms();
    for (int i = 0; i < bins && i < zeros.length; i++) maxZeros = Math.max(maxZeros, zeros[i]);
    g.setColor(new Color(235, 235, 235));
    g.fillRect(left, top2, plotW, h2);
    g.setColor(new Color(210, 50, 40));
    for (int i = 0; i < bins && i < zeros.length; i++) {
        int x0 = left + (int) ((long) plotW * i / bins), x1 = left + (int) ((long) plotW * (i + 1) / bins);
        int bh = (int) ((double) h2 * zeros[i] / maxZeros);
        g.fillRect(x0, top2 + h2 - bh, Math.max(1, x1 - x0 - 1), bh);
    }
    g.setColor(Color.BLACK);
    g.drawString(String.format("write() calls that returned 0, per 10 ms (%,d in all)", run.zeroWrites()),
            left + 8, top2 + 16);
    for (int q = 0; q <= 2; q++) {                         // the y axis in halves of the largest count
        int y = top2 + h2 - h2 * q / 2;
        g.drawString(String.format("%,d", maxZeros * q / 2), 8, y + 4);
        g.drawLine(left - 4, y, left, y);
    }
    int step = totalMs > 4000 ? 1000 : 250;
    for (int ms = 0; ms <= totalMs; ms += step) {
        int x = left + (int) (plotW * ms / totalMs);
        g.drawLine(x, top2 + h2, x, top2 + h2 + 4);
        g.drawString(ms + "", x - 8, top2 + h2 + 18);
    }
    g.drawString("milliseconds since the loop started (a dot: the first write that took bytes)", left + plotW / 2 - 200, h - 8);
    g.dispose();
    return img;
}

/**
 * Step 5: for each loop, its wall-clock time as one bar split into totals (not a timeline): on a core,
 * queued for a core, asleep. Where Linux counts nothing (Run.sleeps() < 0): on a core, and the rest.
 */
BufferedImage cpuChart(String title, Run... runs) {
    int w = 820, h = 140 + 84 * runs.length, left = 150, plotW = 620, barH = 34;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img, title);
    Color onCore = new Color(210, 50, 40), queued = new Color(240, 170, 60), asleep = new Color(200, 220, 245);
    double maxWall = 0;
    for (Run r : runs) maxWall = Math.max(maxWall, r.wallMs());
    int y = 60;
    for (Run r : runs) {
        double waiting = Math.max(0, r.waitingMs()), cpu = Math.min(r.cpuMs(), r.wallMs());
        int wallW = (int) (plotW * r.wallMs() / maxWall), cpuW = Math.max(1, (int) (plotW * cpu / maxWall));
        int waitW = (int) (plotW * Math.min(waiting, r.wallMs() - cpu) / maxWall);
        g.setColor(asleep);
        g.fillRect(left, y, wallW, barH);
        g.setColor(onCore);
        g.fillRect(left, y, cpuW, barH);
        g.setColor(queued);
        g.fillRect(left + cpuW, y, waitW, barH);
        g.setColor(Color.BLACK);
        g.drawString(r.name(), 20, y + 15);
        g.drawString(String.format("%,d syscalls", r.writes() + r.selects()), 20, y + 30);
        g.drawString(r.sleeps() < 0 ? String.format("on a core %,.0f ms of %,.0f ms", r.cpuMs(), r.wallMs())
                : String.format("on a core %,.0f ms, queued %,.0f ms, asleep %,.0f ms: %,.0f ms in all",
                        r.cpuMs(), waiting, r.asleepMs(), r.wallMs()), left + 8, y + barH + 15);
        y += barH + 50;
    }
    int step = maxWall > 4000 ? 1000 : maxWall > 1500 ? 500 : 250;
    y -= 20;
    g.drawLine(left, y, left + plotW, y);
    for (int ms = 0; ms <= maxWall; ms += step) {
        int x = left + (int) (plotW * ms / maxWall);
        g.drawLine(x, y, x, y + 4);
        g.drawString(String.format("%,d", ms), x - 10, y + 18);
    }
    g.drawString("milliseconds of wall-clock time, in total", left + plotW / 2 - 110, y + 34);
    y += 48;
    String[] labels = {"on a core", "queued for a core", "asleep (or, without Linux's count, not on a core)"};
    Color[] colors = {onCore, queued, asleep};
    for (int i = 0, x = left; i < 3; x += 14 + 12 + g.getFontMetrics().stringWidth(labels[i]) + 20, i++) {
        g.setColor(colors[i]);
        g.fillRect(x, y, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString(labels[i], x + 20, y + 12);
    }
    g.dispose();
    return img;
}

/** Step 6a: a lane per sender, its MB over time ({ns, bytes so far} points), and a mark at each tick. */
BufferedImage progressChart(String title, List<String> names, List<List<long[]>> progress, List<Long> ticks,
                            double totalMs, long eachBytes) {
    int w = 820, left = 80, top = 45, plotW = 710, laneH = 120, gap = 28, stripH = 26;
    int h = top + names.size() * (laneH + gap) + stripH + 50;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img, title);
    for (int i = 0; i < names.size(); i++) {               // one lane per sender: its MB accepted over time
        int y0 = top + i * (laneH + gap), base = y0 + laneH;
        g.setColor(new Color(240, 240, 240));
        g.fillRect(left, y0, plotW, laneH);
        g.setColor(PALETTE[i % PALETTE.length]);
        g.setStroke(new BasicStroke(2f));
        int px = left, py = base;
        for (long[] p : progress.get(i)) {                 // a step per write that took bytes
            int x = left + (int) (plotW * (p[0] / 1e6) / totalMs);
            int y = base - (int) (laneH * (double) p[1] / eachBytes);
            g.drawLine(px, py, x, py);
            g.drawLine(x, py, x, y);
            px = x; py = y;
        }
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.BLACK);
        g.drawString(names.get(i) + ", MB accepted so far", left + 8, y0 + 16);
        for (int q = 0; q <= 2; q++) {
            int y = base - laneH * q / 2;
            g.drawString(String.format("%.1f", eachBytes / 1e6 * q / 2), 10, y + 4);
            g.drawLine(left - 4, y, left, y);
        }
    }
    int strip = top + names.size() * (laneH + gap);       // the ticker: a mark at each tick
    g.setColor(new Color(240, 240, 240));
    g.fillRect(left, strip, plotW, stripH);
    g.setColor(Color.BLACK);
    g.drawString("ticks", 10, strip + 17);
    for (long t : ticks) {
        int x = left + (int) (plotW * (t / 1e6) / totalMs);
        g.fillPolygon(new int[] {x - 5, x + 5, x}, new int[] {strip + 6, strip + 6, strip + 18}, 3);
    }
    int axis = strip + stripH, step = totalMs > 4000 ? 1000 : totalMs > 1500 ? 250 : 100;
    g.drawLine(left, axis, left + plotW, axis);
    for (int ms = 0; ms <= totalMs; ms += step) {
        int x = left + (int) (plotW * ms / totalMs);
        g.drawLine(x, axis, x, axis + 4);
        g.drawString(String.valueOf(ms), x - 8, axis + 18);
    }
    g.drawString("milliseconds since the loop started", left + plotW / 2 - 100, axis + 34);
    g.dispose();
    return img;
}

/** Grouped bars: one group per label, one bar per series (values in the same unit), with the value on top. */
BufferedImage barChart(String title, String unit, List<String> labels, List<String> series, double[][] values) {
    int w = 820, h = 440, left = 70, top = 60, plotW = 720, plotH = 280;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img, title);
    double max = 1;
    for (double[] row : values) for (double v : row) max = Math.max(max, v);
    g.setColor(new Color(240, 240, 240));
    g.fillRect(left, top, plotW, plotH);
    int groupW = plotW / labels.size(), barW = Math.max(4, (groupW - 20) / series.size());
    for (int i = 0; i < labels.size(); i++) {
        for (int s = 0; s < series.size(); s++) {
            int bh = (int) (plotH * values[i][s] / max), x = left + i * groupW + 10 + s * barW;
            g.setColor(PALETTE[s % PALETTE.length]);
            g.fillRect(x, top + plotH - bh, barW - 2, bh);
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.1f", values[i][s]), x, top + plotH - bh - 3);
        }
        g.drawString(labels.get(i), left + i * groupW + 10, top + plotH + 18);
    }
    for (int s = 0; s < series.size(); s++) {             // the legend, two entries to a row
        int x = left + 360 * (s % 2), y = h - 56 + 22 * (s / 2);
        g.setColor(PALETTE[s % PALETTE.length]);
        g.fillRect(x, y, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString(series.get(s), x + 20, y + 12);
    }
    g.drawString(unit, 10, top - 8);
    g.dispose();
    return img;
}
