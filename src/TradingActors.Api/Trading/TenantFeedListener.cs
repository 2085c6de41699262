using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using TradingActors.Engine.ReadModels;

namespace TradingActors.Api.Trading;

/// <summary>
/// One LISTEN connection per API node on the projection's notifications: each committed batch names the
/// tenants it changed (or "*"), and the streams of those tenants wake up and read their feed. Without it a
/// stream would poll. After a lost connection every stream is woken once (it may have missed a batch).
/// </summary>
public sealed class TenantFeedListener(ApiDataSources databases, ILogger<TenantFeedListener> log) : BackgroundService
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>True when the tenant's read models changed (or may have), false after <paramref name="timeout"/> without a change.</summary>
    public async Task<bool> WaitAsync(string tenantId, TimeSpan timeout, CancellationToken ct)
    {
        var changed = _waiting.GetOrAdd(tenantId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await changed.Task.WaitAsync(timeout, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void Wake(string tenantId)
    {
        if (_waiting.TryRemove(tenantId, out var waiting)) waiting.TrySetResult();
    }

    private void WakeAll()
    {
        foreach (var tenant in _waiting.Keys) Wake(tenant);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await databases.Owner.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Payload == "*") WakeAll();
                    else foreach (var tenant in e.Payload.Split(',')) Wake(tenant);
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {TenantFeedStatements.Channel}", connection)) await listen.ExecuteNonQueryAsync(stoppingToken);
                WakeAll();
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("the tenant feed listener lost its connection ({Error}); listening again in 1 s", e.Message);
                WakeAll();
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }
}
