namespace TradingActors.Node;

/// <summary>GET /healthz.</summary>
public sealed record Liveness(string Status);

/// <summary>GET /readyz: Status "ready" or "not ready", the cluster member's status, the journal "reachable" or "unreachable".</summary>
public sealed record Readiness(string Status, string Member, string Journal);
