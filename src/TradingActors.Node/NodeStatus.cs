namespace TradingActors.Node;

/// <summary>GET /healthz.</summary>
public sealed record Liveness(string Status);

/// <summary>
/// GET /readyz: Status "ready", "not ready" or "stopping" (asked to stop: out of rotation while it drains and leaves),
/// the cluster member's status, the node's roles, how many engine nodes are Up and reachable (an api node is not ready
/// without one),
/// the journal "reachable", "unreachable" or "not checked" (stopping), and how far the read models are behind the
/// journal (absent when it cannot be read).
/// </summary>
public sealed record Readiness(string Status, string Member, string[] Roles, int EnginesUp, string Journal, ReadModelReadiness? ReadModels);

/// <summary>Tenant events not yet projected, the journal ordering the read models hold, and when they last moved.</summary>
public sealed record ReadModelReadiness(long EventsBehind, long ProjectedThrough, DateTimeOffset? UpdatedAt);

/// <summary>
/// Asked to stop (SIGTERM, Ctrl-C), the node first answers /readyz with 503 "stopping" for the drain period while it
/// still serves, so a load balancer takes it out of rotation; only then do the hosted services stop: the HTTP server
/// closes and the node leaves the cluster (its shards and singletons hand over). A lifecycle service, because the
/// host calls every StoppingAsync before any service's StopAsync.
/// </summary>
public sealed class NodeDrain(TimeSpan drainFor) : IHostedLifecycleService
{
    private volatile bool _stopping;

    public bool Stopping => _stopping;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (drainFor <= TimeSpan.Zero) return;
        try { await Task.Delay(drainFor, cancellationToken); }
        catch (OperationCanceledException) { } // the host's shutdown timeout: stop now
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
