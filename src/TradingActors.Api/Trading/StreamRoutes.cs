using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;

namespace TradingActors.Api.Trading;

/// <summary>A subscription as the stream shows a change of it; Status "deleted" (and only its id) once it is gone.</summary>
public sealed record SubscriptionChangeResponse(string Id, string? StrategyId, string? BrokerAccountId, string? Symbol, decimal? Budget, string Status,
    string? PauseReason = null);

/// <summary>
/// The stream's "reset" event: the client resumed from before what the stream still keeps (its rows older than
/// Trading:ReadModels:FeedRetention are pruned), so changes in between cannot be sent. Reload with the GET routes;
/// the stream goes on from here.
/// </summary>
public sealed record StreamResetResponse(string Reason, string Detail);

/// <summary>
/// GET /api/v1/stream: server-sent events of the caller's own orders, executions and subscription changes,
/// in the order they were persisted, as the read models receive them. Each event's id is its place in the
/// journal ("ordering.part"); a client that reconnects with Last-Event-ID (the header, or ?lastEventId=)
/// gets exactly what came after it — or, from before the kept window, a "reset" first (<see cref="StreamResetResponse"/>).
/// Without one the stream starts with what happens next.
/// Event names: order (an OrderResponse), execution (an ExecutionResponse), subscription, reset.
/// </summary>
public static class StreamRoutes
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private const int Page = 200;

    public static IEndpointRouteBuilder MapStreamRoutes(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/stream", Stream).WithTags("trading").RequireAuthorization(TraderPolicies.User)
            .WithSummary("Server-sent events of the caller's orders, executions and subscription changes (Last-Event-ID resumes)")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream").ProducesProblems(400);
        return routes;
    }

    internal readonly record struct FeedPosition(long EventId, short Part)
    {
        public override string ToString() => $"{EventId.ToString(CultureInfo.InvariantCulture)}.{Part.ToString(CultureInfo.InvariantCulture)}";

        public static FeedPosition? Parse(string text)
        {
            var dot = text.IndexOf('.');
            return dot > 0
                   && long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                   && short.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var part)
                ? new FeedPosition(id, part)
                : null;
        }
    }

    private sealed record FeedRow(FeedPosition Position, string Kind, string Ref);

    private static async Task<IResult> Stream(HttpContext http, ClaimsPrincipal principal, TenantReads reads, TenantFeedListener feed, CancellationToken ct)
    {
        if (ReadRoutes.TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        var resumeText = http.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? http.Request.Query["lastEventId"].FirstOrDefault();
        FeedPosition position;
        FeedPosition? reset = null;
        if (resumeText is not null)
        {
            if (FeedPosition.Parse(resumeText) is not { } resume)
                return Problems.Validation(new Dictionary<string, string[]> { ["Last-Event-ID"] = ["Not an event id this stream sent."] });
            position = resume;
            var keptFrom = await reads.ReadAsync(tenant, async (connection, tx) =>
            {
                await using var horizon = new NpgsqlCommand("SELECT pruned_before FROM tenant_feed_horizon", connection, tx);
                return (long)(await horizon.ExecuteScalarAsync(ct))!;
            }, ct);
            // Rows below the horizon may have followed the client's position: it cannot be told what they were.
            // The reset's own id is the last position before the kept rows, so resuming from it needs none.
            var lastPruned = new FeedPosition(keptFrom - 1, short.MaxValue);
            if (keptFrom > 0 && (resume.EventId, resume.Part).CompareTo((lastPruned.EventId, lastPruned.Part)) < 0) reset = lastPruned;
        }
        else
        {
            position = await reads.ReadAsync(tenant, async (connection, tx) =>
            {
                await using var last = new NpgsqlCommand("SELECT event_id, part FROM tenant_feed ORDER BY event_id DESC, part DESC LIMIT 1", connection, tx);
                await using var reader = await last.ExecuteReaderAsync(ct);
                return await reader.ReadAsync(ct) ? new FeedPosition(reader.GetInt64(0), reader.GetInt16(1)) : new FeedPosition(0, 0);
            }, ct);
        }

        var response = http.Response;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        if (reset is { } from)
        {
            var body = new StreamResetResponse("pruned", "Changes before this point are no longer kept by the stream. Reload your orders, " +
                "executions and subscriptions with the GET routes; the stream goes on from here.");
            await response.WriteAsync($"id: {from}\nevent: reset\ndata: {JsonSerializer.Serialize(body, RequestBodies.Json)}\n\n", ct);
            position = from;
        }
        await response.Body.FlushAsync(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // Ask to be woken before reading, so a batch committed while reading is not missed.
                var changed = feed.WaitAsync(tenant, Heartbeat, ct);
                var events = await reads.ReadAsync(tenant, (connection, tx) => ReadAfter(connection, tx, position, ct), ct);
                foreach (var (row, json) in events)
                {
                    await response.WriteAsync($"id: {row.Position}\nevent: {row.Kind}\ndata: {json}\n\n", ct);
                    position = row.Position;
                }
                if (events.Count > 0)
                {
                    await response.Body.FlushAsync(ct);
                    if (events.Count == Page) continue;
                }
                if (await changed) continue;
                // Nothing for a while: a comment line keeps proxies from closing an idle connection.
                await response.WriteAsync(": keep-alive\n\n", ct);
                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        return Results.Empty;
    }

    /// <summary>The feed after a position, each row with the current state of what it names, serialized as the API's DTOs.</summary>
    private static async Task<List<(FeedRow Row, string Json)>> ReadAfter(NpgsqlConnection connection, NpgsqlTransaction tx, FeedPosition after, CancellationToken ct)
    {
        var rows = new List<FeedRow>();
        await using (var command = new NpgsqlCommand(
            $"SELECT event_id, part, kind, ref FROM tenant_feed WHERE (event_id, part) > ($1, $2) ORDER BY event_id, part LIMIT {Page}", connection, tx))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = after.EventId });
            command.Parameters.Add(new NpgsqlParameter { Value = after.Part });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows.Add(new FeedRow(new FeedPosition(reader.GetInt64(0), reader.GetInt16(1)), reader.GetString(2), reader.GetString(3)));
        }
        if (rows.Count == 0) return [];

        var orders = await Lookup(connection, tx, ReadRoutes.OrderColumns + " AND client_order_id = ANY($1)",
            rows.Where(r => r.Kind == "order").Select(r => r.Ref).Distinct().ToArray(), ReadRoutes.OrderOf, o => o.Id, ct);
        var executions = await Lookup(connection, tx, ReadRoutes.ExecutionColumns + " AND execution_id = ANY($1)",
            rows.Where(r => r.Kind == "execution").Select(r => long.Parse(r.Ref, CultureInfo.InvariantCulture)).Distinct().ToArray(), ReadRoutes.ExecutionOf,
            e => e.Id.ToString(CultureInfo.InvariantCulture), ct);
        var subscriptions = await Lookup(connection, tx,
            "SELECT subscription_id, strategy_id, account_id, symbol, budget, status, pause_reason FROM subscriptions WHERE subscription_id = ANY($1)",
            rows.Where(r => r.Kind == "subscription").Select(r => r.Ref).Distinct().ToArray(),
            r => new SubscriptionChangeResponse(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDecimal(4), r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6)), s => s.Id, ct);

        var result = new List<(FeedRow, string)>(rows.Count);
        foreach (var row in rows)
        {
            object? body = row.Kind switch
            {
                "order" => orders.GetValueOrDefault(row.Ref),
                "execution" => executions.GetValueOrDefault(row.Ref),
                "subscription" => subscriptions.GetValueOrDefault(row.Ref) ?? new SubscriptionChangeResponse(row.Ref, null, null, null, null, "deleted"),
                _ => null,
            };
            if (body is not null) result.Add((row, JsonSerializer.Serialize(body, body.GetType(), RequestBodies.Json)));
        }
        return result;
    }

    private static async Task<Dictionary<string, T>> Lookup<TKey, T>(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, TKey[] keys,
        Func<NpgsqlDataReader, T> read, Func<T, string> keyOf, CancellationToken ct)
    {
        var found = new Dictionary<string, T>(StringComparer.Ordinal);
        if (keys.Length == 0) return found;
        await using var command = new NpgsqlCommand(sql, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = keys });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var item = read(reader);
            found[keyOf(item)] = item;
        }
        return found;
    }
}
