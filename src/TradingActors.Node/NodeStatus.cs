namespace TradingActors.Node;

/// <summary>GET /healthz.</summary>
public sealed record Liveness(string Status);

/// <summary>
/// GET /readyz: Status "ready" or "not ready", the cluster member's status, the journal "reachable" or "unreachable",
/// and how far the read models are behind the journal (absent when it cannot be read).
/// </summary>
public sealed record Readiness(string Status, string Member, string Journal, ReadModelReadiness? ReadModels);

/// <summary>Tenant events not yet projected, the journal ordering the read models hold, and when they last moved.</summary>
public sealed record ReadModelReadiness(long EventsBehind, long ProjectedThrough, DateTimeOffset? UpdatedAt);
