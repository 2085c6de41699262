using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Npgsql;
using TradingActors.Domain.Tenants;

namespace TradingActors.Api.Http;

/// <summary>
/// The Idempotency-Key header of POSTs that create or trade (Stripe's contract): the same key with the
/// same request replays the first completed response (marked Idempotent-Replayed); with another
/// request it is refused (422). A request that did not complete (a crash, a timeout, a 5xx) is run
/// again under its key — what it sends downstream must itself be idempotent (a manual order's client
/// order id comes from the key, so the tenant places it once). Keys are kept 24 hours.
/// </summary>
public sealed class IdempotencyKeys(NpgsqlDataSource database, TimeProvider time)
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Kept = TenantState.ManualOrdersKept;

    public sealed record Outcome(int Status, object? Body, string? Location);

    /// <summary>The header's value, or a problem when it is malformed; null key when absent.</summary>
    public static (string? Key, IResult? Problem) Read(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values)) return (null, null);
        var key = values.ToString();
        if (TenantDecisions.ValidateId(key, "Idempotency-Key") is { } bad)
            return (null, Problems.Validation(new Dictionary<string, string[]> { [Header] = [bad + "."] }));
        return (key, null);
    }

    public async Task<IResult> RunAsync<T>(Guid userId, string key, HttpRequest request, T body, Func<Task<Outcome>> execute, CancellationToken ct)
    {
        // The parsed body, serialized again: a retry that formats the same JSON differently is the same request.
        var hash = Hash(request, JsonSerializer.SerializeToUtf8Bytes(body, RequestBodies.Json));
        var now = time.GetUtcNow();
        await using (var expire = database.CreateCommand("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at < $3"))
        {
            expire.Parameters.Add(new NpgsqlParameter { Value = userId });
            expire.Parameters.Add(new NpgsqlParameter { Value = key });
            expire.Parameters.Add(new NpgsqlParameter { Value = now - Kept });
            await expire.ExecuteNonQueryAsync(ct);
        }
        await using (var claim = database.CreateCommand("""
            INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, key) DO NOTHING
            """))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = userId });
            claim.Parameters.Add(new NpgsqlParameter { Value = key });
            claim.Parameters.Add(new NpgsqlParameter { Value = hash });
            claim.Parameters.Add(new NpgsqlParameter { Value = now });
            if (await claim.ExecuteNonQueryAsync(ct) == 0)
            {
                var earlier = await EarlierAsync(userId, key, ct);
                if (earlier is { } e && !e.Hash.AsSpan().SequenceEqual(hash))
                    return Problems.Status(StatusCodes.Status422UnprocessableEntity, "idempotency-key-reused", "Idempotency-Key reused",
                        "This Idempotency-Key was used for a different request; use a new key for a new request.");
                if (earlier is { Status: { } status } done)
                {
                    request.HttpContext.Response.Headers["Idempotent-Replayed"] = "true";
                    if (done.Location is not null) request.HttpContext.Response.Headers.Location = done.Location;
                    return Results.Text(done.Response ?? "", "application/json", Encoding.UTF8, status);
                }
                // Claimed but not completed: the first attempt crashed or is still running. Run it again; downstream dedupes.
            }
        }

        var outcome = await execute();
        if (outcome.Status < 500)
        {
            await using var complete = database.CreateCommand("UPDATE idempotency_keys SET status_code = $3, location = $4, response = $5 WHERE user_id = $1 AND key = $2");
            complete.Parameters.Add(new NpgsqlParameter { Value = userId });
            complete.Parameters.Add(new NpgsqlParameter { Value = key });
            complete.Parameters.Add(new NpgsqlParameter { Value = outcome.Status });
            complete.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.Location ?? DBNull.Value });
            complete.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(outcome.Body, RequestBodies.Json) });
            await complete.ExecuteNonQueryAsync(ct);
        }
        if (outcome.Location is not null) request.HttpContext.Response.Headers.Location = outcome.Location;
        return Results.Json(outcome.Body, RequestBodies.Json, statusCode: outcome.Status,
            contentType: outcome.Status >= 400 ? "application/problem+json" : "application/json");
    }

    private sealed record Earlier(byte[] Hash, int? Status, string? Location, string? Response);

    private async Task<Earlier?> EarlierAsync(Guid userId, string key, CancellationToken ct)
    {
        await using var read = database.CreateCommand("SELECT request_hash, status_code, location, response FROM idempotency_keys WHERE user_id = $1 AND key = $2");
        read.Parameters.Add(new NpgsqlParameter { Value = userId });
        read.Parameters.Add(new NpgsqlParameter { Value = key });
        await using var reader = await read.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new Earlier((byte[])reader[0], reader.IsDBNull(1) ? null : reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    /// <summary>The request is its method, path and body.</summary>
    private static byte[] Hash(HttpRequest request, ReadOnlySpan<byte> body)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(request.Method + " " + request.Path + "\n"));
        sha.AppendData(body);
        return sha.GetHashAndReset();
    }
}
