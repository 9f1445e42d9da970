package dev.portmanager.cli;

/** Epoch-millisecond times as short relative phrases for tables ("42s ago", "in 59m"). */
final class Ages {
    private Ages() {
    }

    static String ago(long epochMillis) {
        return epochMillis <= 0 ? "-" : span(System.currentTimeMillis() - epochMillis) + " ago";
    }

    static String until(long epochMillis) {
        if (epochMillis <= 0) {
            return "-";
        }
        long left = epochMillis - System.currentTimeMillis();
        return left < 0 ? "expired " + span(-left) + " ago" : "in " + span(left);
    }

    private static String span(long ms) {
        long s = Math.max(0, ms / 1000);
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return s / 60 + "m";
        }
        if (s < 172_800) {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }
}
