// The buffer lab's chart of a connection's queues over time (loaded with `%load lib/queue-chart.jsh`
// after lib/charts.jsh, whose helpers it uses; in jshell, `/open lib/queue-chart.jsh`).

/**
 * One panel per run: the sender's Send-Q and the peer's Recv-Q as the kernel reported them, a dot
 * per reading; the sender's send buffer (tb) dashed; a mark at every write() that took bytes.
 * Readings are {ms, bytes}; takes are ms. The panels share their axes' ranges.
 */
BufferedImage queueChart(String title, List<String> names, List<List<double[]>> sendQ, List<List<double[]>> peerRecvQ,
                         List<Long> tbs, List<List<Double>> takes) {
    double maxMs = 1, maxMB = 0;
    for (int i = 0; i < names.size(); i++) {
        for (double[] r : sendQ.get(i)) { maxMs = Math.max(maxMs, r[0]); maxMB = Math.max(maxMB, r[1] / 1e6); }
        for (double[] r : peerRecvQ.get(i)) { maxMs = Math.max(maxMs, r[0]); maxMB = Math.max(maxMB, r[1] / 1e6); }
        for (double t : takes.get(i)) maxMs = Math.max(maxMs, t);
        maxMB = Math.max(maxMB, tbs.get(i) / 1e6);
    }
    List<XYChart> panels = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
        boolean last = i == names.size() - 1;
        XYChart panel = xy(i == 0 ? title : "", last ? 250 : 215, last ? "ms since the loop started" : "",
                names.get(i) + ", MB");
        for (var q : List.of(Map.entry("sender's Send-Q", sendQ.get(i)), Map.entry("peer's Recv-Q", peerRecvQ.get(i)))) {
            XYSeries s = series(panel, q.getKey(), q.getValue().stream().mapToDouble(r -> r[0]).toArray(),
                    q.getValue().stream().mapToDouble(r -> r[1] / 1e6).toArray(), XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        XYSeries tb = series(panel, String.format("send buffer (tb) %.1f MB", tbs.get(i) / 1e6),
                new double[] {0, maxMs}, new double[] {tbs.get(i) / 1e6, tbs.get(i) / 1e6}, XYSeriesRenderStyle.Line);
        tb.setLineStyle(SeriesLines.DASH_DASH);
        tb.setLineColor(Color.GRAY);
        double[] at = takes.get(i).stream().mapToDouble(Double::doubleValue).toArray();
        series(panel, "a write() that took bytes", at, new double[at.length], XYSeriesRenderStyle.Scatter)
                .setMarker(SeriesMarkers.TRIANGLE_UP);
        axes(panel, maxMs, maxMB * 1.1);
        panels.add(panel);
    }
    return stacked(panels);
}
