package dev.podkit.adapter.collect;

/**
 * A PostgreSQL server version from {@code server_version_num} (150020 is 15.20, 90624 is 9.6.24),
 * for choosing the SQL a server understands.
 */
public record PgVersion(int num) implements Comparable<PgVersion> {

    public static PgVersion of(int major, int minor) {
        return new PgVersion(major >= 10 ? major * 10000 + minor : major * 10000 + minor * 100);
    }

    public static PgVersion parse(String serverVersionNum) {
        try {
            return new PgVersion(Integer.parseInt(serverVersionNum.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a server_version_num: " + serverVersionNum, e);
        }
    }

    public int major() {
        return num / 10000;
    }

    /** True from this major version on (PostgreSQL 10+ numbering; 9.x counts as 9). */
    public boolean atLeast(int major) {
        return major() >= major;
    }

    /** postgres_exporter's {@code short_version}: {@code 15.20.0}, {@code 9.6.24}. */
    public String semver() {
        if (num >= 100000) {
            return num / 10000 + "." + num % 10000 + ".0";
        }
        return num / 10000 + "." + num / 100 % 100 + "." + num % 100;
    }

    @Override
    public int compareTo(PgVersion other) {
        return Integer.compare(num, other.num);
    }

    @Override
    public String toString() {
        return semver();
    }
}
