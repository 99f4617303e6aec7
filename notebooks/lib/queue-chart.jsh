// The buffer lab's chart of a connection's queues over time (loaded with `%load lib/queue-chart.jsh` after
// lib/charts.jsh, whose canvas and colours it uses; in jshell, `/open lib/queue-chart.jsh`).

/**
 * The buffer lab's queues over time: one panel per run, the sender's Send-Q (blue) and the peer's Recv-Q (green) as the
 * kernel reported them, a dot per reading; the sender's send buffer (tb) as a dashed line; an orange tick under the
 * panel at every write() that took bytes. Readings are {ms, bytes}; takes are ms.
 */
BufferedImage queueChart(String title, List<String> names, List<List<double[]>> sendQ, List<List<double[]>> peerRecvQ,
                         List<Long> tbs, List<List<Double>> takes) {
    int w = 820, panelH = 150, left = 80, plotW = w - left - 20, top = 45, gap = 40;
    int h = top + names.size() * (panelH + gap) + 46;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img, title);
    double maxMs = 1, maxBytes = 1;
    for (int i = 0; i < names.size(); i++) {
        for (List<double[]> series : List.of(sendQ.get(i), peerRecvQ.get(i))) {
            for (double[] r : series) { maxMs = Math.max(maxMs, r[0]); maxBytes = Math.max(maxBytes, r[1]); }
        }
        for (double t : takes.get(i)) maxMs = Math.max(maxMs, t);
        maxBytes = Math.max(maxBytes, tbs.get(i));
    }
    for (int i = 0; i < names.size(); i++) {
        int y0 = top + i * (panelH + gap), base = y0 + panelH;
        g.setColor(new Color(240, 240, 240));
        g.fillRect(left, y0, plotW, panelH);
        g.setColor(new Color(120, 120, 120));
        int tbY = base - (int) (panelH * tbs.get(i) / maxBytes);
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        g.drawLine(left, tbY, left + plotW, tbY);
        g.drawString(String.format("tb %.1f MB", tbs.get(i) / 1e6), left + plotW - 80, tbY - 4);
        g.setStroke(new BasicStroke(1.5f));
        for (int s = 0; s < 2; s++) {
            g.setColor(s == 0 ? PALETTE[0] : PALETTE[2]);
            int px = -1, py = -1;
            for (double[] r : (s == 0 ? sendQ : peerRecvQ).get(i)) {
                int x = left + (int) (plotW * Math.max(0, r[0]) / maxMs), y = base - (int) (panelH * r[1] / maxBytes);
                if (px >= 0) g.drawLine(px, py, x, y);
                g.fillOval(x - 2, y - 2, 5, 5);
                px = x; py = y;
            }
        }
        g.setColor(PALETTE[1]);
        for (double t : takes.get(i)) {
            int x = left + (int) (plotW * t / maxMs);
            g.drawLine(x, base + 2, x, base + 9);
        }
        g.setColor(Color.BLACK);
        g.drawString(names.get(i), left + 8, base - 14);
        g.drawString(String.format("%.1f MB", maxBytes / 1e6), 8, y0 + 10);
        g.drawString("0", 8, base);
    }
    int axis = top + names.size() * (panelH + gap) - gap + 24;
    int step = maxMs > 4000 ? 1000 : maxMs > 1000 ? 250 : 100;
    for (int ms = 0; ms <= maxMs; ms += step) g.drawString(ms + "", left + (int) (plotW * ms / maxMs) - 8, axis);
    g.drawString("milliseconds since the loop started", left + plotW / 2 - 100, axis + 16);
    g.drawString("sender's Send-Q (blue), peer's Recv-Q (green), each write() that took bytes (orange)",
            left, h - 8);
    g.dispose();
    return img;
}
