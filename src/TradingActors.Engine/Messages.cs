namespace TradingActors.Engine;

/// <summary>Every engine message, event and snapshot: bound to <see cref="Serialization.TradingSerializer"/>.</summary>
public interface ITradingMessage;

/// <summary>Routed to the tenant shard region by its tenant id.</summary>
public interface IWithTenantId : ITradingMessage
{
    string TenantId { get; }
}

/// <summary>A command addressed to one tenant.</summary>
public interface ITenantCommand : IWithTenantId;

/// <summary>Routed to a strategy singleton by its id.</summary>
public interface IWithStrategyId : ITradingMessage
{
    string StrategyId { get; }
}

/// <summary>Routed to a signal fan-out bucket (strategy id + bucket number).</summary>
public interface IWithFanoutBucket : ITradingMessage
{
    string StrategyId { get; }
    int Bucket { get; }
}

/// <summary>Persistence ids and pub-sub topic names, built in one place.</summary>
public static class Names
{
    private const string TenantPrefix = "tenant-";

    public static string TenantPersistenceId(string tenantId) => TenantPrefix + tenantId;

    /// <summary>The tenant a persistence id belongs to, or null for other actors'.</summary>
    public static string? TenantIdOf(string persistenceId) =>
        persistenceId.StartsWith(TenantPrefix, StringComparison.Ordinal) ? persistenceId[TenantPrefix.Length..] : null;
    public static string StrategyPersistenceId(string strategyId) => "strategy-" + strategyId;
    public static string FanoutEntityId(string strategyId, int bucket) => $"{strategyId}~{bucket}";
    public static string FanoutPersistenceId(string entityId) => "fanout-" + entityId;
    public static string SignalTopic(string strategyId) => "signals." + strategyId;
    public static string PriceTopic(string symbol) => "prices." + symbol;

    /// <summary>Stable across processes and .NET versions (string.GetHashCode is randomized per process).</summary>
    public static int StableHash(string value)
    {
        unchecked
        {
            uint hash = 2166136261;
            foreach (var c in value) hash = (hash ^ c) * 16777619;
            return (int)(hash & 0x7fffffff);
        }
    }

    public static int FanoutBucketOf(string tenantId, int buckets) => StableHash(tenantId) % buckets;
}
