package dev.podkit.ambassador.route;

import dev.podkit.ambassador.config.Ejection;
import dev.podkit.ambassador.config.HealthCheck;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One resolved address of a target: what the balancer picks. It carries its active connection
 * count, its health-check state and its passive ejection.
 */
public final class Endpoint {
    private static final System.Logger LOG = System.getLogger(Endpoint.class.getName());

    private final Target target;
    private final InetSocketAddress address;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger connectFailuresInARow = new AtomicInteger();
    private volatile boolean checkedUp = true;
    private volatile long ejectedUntilNanos;
    private volatile boolean ejected;
    /** Health checker's streak: successes (> 0) or failures (< 0) in a row; touched by the checker only. */
    private int checkStreak;
    /** Smooth weighted round-robin score; guarded by the round-robin balancer's lock. */
    private double roundRobinScore;

    Endpoint(Target target, InetSocketAddress address) {
        this.target = target;
        this.address = address;
    }

    public Target target() {
        return target;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** This endpoint's share of its target's weight: the target's addresses split it evenly. */
    public double weight() {
        return target.weightPerEndpoint();
    }

    /** For the round-robin balancer only (under its lock): adds to this endpoint's score, returns the new score. */
    public double addRoundRobinScore(double delta) {
        roundRobinScore += delta;
        return roundRobinScore;
    }

    public double roundRobinScore() {
        return roundRobinScore;
    }

    public int active() {
        return active.get();
    }

    public void connectionOpened() {
        active.incrementAndGet();
    }

    public void connectionClosed() {
        active.decrementAndGet();
    }

    /** Healthy by the active checks (always, without them) and not ejected now. */
    public boolean usable(long nowNanos) {
        if (!checkedUp) {
            return false;
        }
        if (ejected && nowNanos - ejectedUntilNanos >= 0) {
            ejected = false;
        }
        return !ejected;
    }

    public boolean checkedUp() {
        return checkedUp;
    }

    public void connectSucceeded() {
        connectFailuresInARow.set(0);
        ejected = false;
    }

    /** A failed connect; ejects the endpoint once {@code ejection.after()} failed in a row. */
    public void connectFailed(Ejection ejection, long nowNanos, String why) {
        int failures = connectFailuresInARow.incrementAndGet();
        if (ejection.enabled() && failures >= ejection.after()) {
            boolean wasEjected = ejected;
            ejectedUntilNanos = nowNanos + ejection.duration().toNanos();
            ejected = true;
            if (!wasEjected) {
                LOG.log(Level.WARNING, "route " + target.route() + ": ejecting " + describe() + " for "
                        + dev.podkit.runtime.config.Durations.format(ejection.duration()) + " after " + failures
                        + " failed connects in a row (" + why + ")");
            }
        }
    }

    /** Result of an active health check; returns true when the state changed. */
    public boolean checked(boolean ok, HealthCheck hc, String why) {
        checkStreak = ok ? Math.max(1, checkStreak + 1) : Math.min(-1, checkStreak - 1);
        if (checkedUp && !ok && -checkStreak >= hc.fall()) {
            checkedUp = false;
            LOG.log(Level.WARNING, "route " + target.route() + ": " + describe() + " is DOWN after " + hc.fall()
                    + " failed health checks (" + why + ")");
            return true;
        }
        if (!checkedUp && ok && checkStreak >= hc.rise()) {
            checkedUp = true;
            connectFailuresInARow.set(0);
            ejected = false;
            LOG.log(Level.INFO, "route " + target.route() + ": " + describe() + " is UP after " + hc.rise()
                    + " successful health checks");
            return true;
        }
        return false;
    }

    public String describe() {
        String host = target.config().address().host();
        String ip = address.getAddress().getHostAddress();
        return host.equals(ip) ? target.config().address().toString()
                : target.config().address() + " (" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + address.getPort() + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
