using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using TradingActors.Api.Auth;
using TradingActors.Api.Http;
using TradingActors.Api.Tokens;
using TradingActors.Brokers.Paper;

namespace TradingActors.Api.Trading;

/// <summary>
/// GET /api/v1/orders, /executions, /positions, /portfolio: the caller's trading history from the read
/// models, through <see cref="TenantReads"/> (row level security: no route can return another tenant's row).
/// Filters are optional; pages are newest first with an opaque cursor. minVersion (a command's reply
/// "version") makes the read wait until the read models include that command's events.
/// </summary>
public static class ReadRoutes
{
    public const int DefaultPage = 50;
    public const int MaxPage = 200;
    public static readonly TimeSpan ConsistencyWait = TimeSpan.FromSeconds(5);

    private static readonly string[] OrderStatuses = ["submitted", "working", "filled", "cancelled", "rejected", "failed", "unknown", "needs_attention"];
    private static readonly string[] ExecutionKinds = ["working", "filled", "cancelled", "rejected", "failed", "unknown", "needs_attention", "skipped"];

    public static IEndpointRouteBuilder MapReadRoutes(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/v1").RequireAuthorization(TraderPolicies.User).RequireRateLimiting(TraderPolicies.UserRateLimit).WithTags("trading");
        api.MapGet("/orders", Orders)
            .WithSummary("The caller's orders, newest first (filters, cursor pages, minVersion)").Returns<Page<OrderResponse>>().ProducesProblems(400, 503);
        api.MapGet("/orders/{id}", Order).WithSummary("One of the caller's orders").Returns<OrderResponse>().ProducesProblems(404, 503);
        api.MapGet("/executions", Executions)
            .WithSummary("Fills, working reports, cancellations, rejections, failures and skipped signals, newest first").Returns<Page<ExecutionResponse>>().ProducesProblems(400, 503);
        api.MapGet("/positions", Positions).WithSummary("Holdings at average cost, valued at the last price").Returns<PositionResponse[]>().ProducesProblems(503);
        api.MapGet("/portfolio", Portfolio).WithSummary("Cash, positions value and PnL per account").Returns<PortfolioResponse>().ProducesProblems(503);
        return routes;
    }

    private static async Task<IResult> Orders(HttpContext http, ClaimsPrincipal principal, TenantReads reads,
        string? account, string? symbol, string? status, string? strategy, string? subscription, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor, long? minVersion,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var take = CheckLimit(limit, errors);
        if (status is not null && !OrderStatuses.Contains(status)) errors["status"] = [$"One of: {string.Join(", ", OrderStatuses)}."];
        CheckRange(from, to, errors);
        var after = Cursor.Parse(cursor, errors);
        if (errors.Count > 0) return Problems.Validation(errors);
        if (TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (await Consistent(reads, tenant, minVersion, http, ct) is { } notYet) return notYet;

        var rows = await reads.ReadAsync(tenant, async (connection, tx) =>
        {
            var sql = new StringBuilder(OrderColumns);
            await using var command = new NpgsqlCommand { Connection = connection, Transaction = tx };
            Where(sql, command, "account_id", account);
            Where(sql, command, "symbol", symbol);
            Where(sql, command, "status", status);
            Where(sql, command, "strategy_id", strategy);
            Where(sql, command, "subscription_id", subscription);
            if (from is { } f) Where(sql, command, "submitted_at >=", f.ToUniversalTime());
            if (to is { } t) Where(sql, command, "submitted_at <", t.ToUniversalTime());
            if (after is { } c)
            {
                sql.Append($" AND (submitted_at, client_order_id) < (${command.Parameters.Count + 1}, ${command.Parameters.Count + 2})");
                command.Parameters.Add(new NpgsqlParameter { Value = new DateTimeOffset(c.Ticks, TimeSpan.Zero) });
                command.Parameters.Add(new NpgsqlParameter { Value = c.Id });
            }
            sql.Append($" ORDER BY submitted_at DESC, client_order_id DESC LIMIT {take + 1}");
            command.CommandText = sql.ToString();
            var list = new List<OrderResponse>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) list.Add(OrderOf(reader));
            return list;
        }, ct);
        var next = rows.Count > take ? Cursor.Format(rows[take - 1].SubmittedAt.UtcTicks, rows[take - 1].Id) : null;
        return TypedResults.Ok(new Page<OrderResponse>(rows.Take(take).ToArray(), next));
    }

    internal const string ExecutionColumns = """
        SELECT execution_id, kind, client_order_id, account_id, strategy_id, symbol, side, quantity, price, fee, reason, from_sequence, to_sequence, occurred_at, subscription_id
        FROM executions WHERE true
        """;

    internal static ExecutionResponse ExecutionOf(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6),
            Number(r, 7), Number(r, 8), Number(r, 9), Text(r, 10), Long(r, 11), Long(r, 12), r.GetFieldValue<DateTimeOffset>(13), Text(r, 14));

    internal const string OrderColumns = """
        SELECT client_order_id, account_id, source, strategy_id, symbol, side, quantity, reference_price, status, reason,
               filled_quantity, fill_price, fee, venue_order_id, submitted_at, updated_at, subscription_id, order_type, limit_price
        FROM orders WHERE true
        """;

    /// <summary>A working order's filledQuantity, fillPrice (average) and fee are what filled so far.</summary>
    internal static OrderResponse OrderOf(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), Text(r, 3), r.GetString(4), r.GetString(5), r.GetDecimal(6), r.GetDecimal(7), r.GetString(8), Text(r, 9),
            Number(r, 10), Number(r, 11), Number(r, 12), Text(r, 13), r.GetFieldValue<DateTimeOffset>(14), r.GetFieldValue<DateTimeOffset>(15), Text(r, 16),
            r.GetString(17), Number(r, 18));

    private static Task<IResult> Order(HttpContext http, ClaimsPrincipal principal, TenantReads reads, string id, long? minVersion, CancellationToken ct) =>
        RowAsync(http, principal, reads, minVersion,
            Problems.Status(StatusCodes.Status404NotFound, "order-not-found", "Order not found", "No order of yours has this id."),
            OrderColumns + " AND client_order_id = $1", OrderOf, ct, id);

    private static async Task<IResult> Executions(HttpContext http, ClaimsPrincipal principal, TenantReads reads,
        string? account, string? symbol, string? kind, string? strategy, string? subscription, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor, long? minVersion,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var take = CheckLimit(limit, errors);
        if (kind is not null && !ExecutionKinds.Contains(kind)) errors["kind"] = [$"One of: {string.Join(", ", ExecutionKinds)}."];
        CheckRange(from, to, errors);
        var after = Cursor.Parse(cursor, errors);
        if (errors.Count > 0) return Problems.Validation(errors);
        if (TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (await Consistent(reads, tenant, minVersion, http, ct) is { } notYet) return notYet;

        var rows = await reads.ReadAsync(tenant, async (connection, tx) =>
        {
            var sql = new StringBuilder(ExecutionColumns);
            await using var command = new NpgsqlCommand { Connection = connection, Transaction = tx };
            Where(sql, command, "account_id", account);
            Where(sql, command, "symbol", symbol);
            Where(sql, command, "kind", kind);
            Where(sql, command, "strategy_id", strategy);
            Where(sql, command, "subscription_id", subscription);
            if (from is { } f) Where(sql, command, "occurred_at >=", f.ToUniversalTime());
            if (to is { } t) Where(sql, command, "occurred_at <", t.ToUniversalTime());
            if (after is { } c) Where(sql, command, "execution_id <", c.Ticks);
            sql.Append($" ORDER BY execution_id DESC LIMIT {take + 1}");
            command.CommandText = sql.ToString();
            var list = new List<ExecutionResponse>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) list.Add(ExecutionOf(reader));
            return list;
        }, ct);
        var next = rows.Count > take ? Cursor.Format(rows[take - 1].Id, "") : null;
        return TypedResults.Ok(new Page<ExecutionResponse>(rows.Take(take).ToArray(), next));
    }

    private static async Task<IResult> Positions(HttpContext http, ClaimsPrincipal principal, TenantReads reads, IPriceSource prices,
        string? account, string? symbol, long? minVersion, CancellationToken ct)
    {
        if (TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (await Consistent(reads, tenant, minVersion, http, ct) is { } notYet) return notYet;
        var positions = await reads.ReadAsync(tenant, (connection, tx) => ReadPositions(connection, tx, prices, account, symbol, ct), ct);
        return TypedResults.Ok(positions);
    }

    private static async Task<IResult> Portfolio(HttpContext http, ClaimsPrincipal principal, TenantReads reads, IPriceSource prices, TimeProvider time,
        string? account, long? minVersion, CancellationToken ct)
    {
        if (TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (await Consistent(reads, tenant, minVersion, http, ct) is { } notYet) return notYet;
        var (accounts, positions) = await reads.ReadAsync(tenant, async (connection, tx) =>
        {
            var sql = new StringBuilder("SELECT account_id, venue, cash, starting_cash FROM accounts WHERE true");
            await using var command = new NpgsqlCommand { Connection = connection, Transaction = tx };
            Where(sql, command, "account_id", account);
            command.CommandText = sql.Append(" ORDER BY account_id").ToString();
            var list = new List<(string Id, string Venue, decimal? Cash, decimal? Starting)>();
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                    list.Add((reader.GetString(0), reader.GetString(1), Number(reader, 2), Number(reader, 3)));
            return (list, await ReadPositions(connection, tx, prices, account, null, ct));
        }, ct);
        var byAccount = positions.ToLookup(p => p.AccountId);
        var result = accounts.Select(a =>
        {
            var held = byAccount[a.Id].ToArray();
            var value = held.Sum(p => p.MarketValue);
            return new PortfolioAccountResponse(a.Id, a.Venue, a.Cash, a.Starting, value, a.Cash + value,
                held.Sum(p => p.RealizedPnl), held.Sum(p => p.UnrealizedPnl), held);
        }).ToArray();
        return TypedResults.Ok(new PortfolioResponse(result, result.Sum(a => a.PositionsValue), result.Sum(a => a.RealizedPnl), result.Sum(a => a.UnrealizedPnl), time.GetUtcNow()));
    }

    /// <summary>Open positions (and closed ones that realized something), valued at the last market price, else the last fill's.</summary>
    private static async Task<List<PositionResponse>> ReadPositions(NpgsqlConnection connection, NpgsqlTransaction tx, IPriceSource prices, string? account, string? symbol, CancellationToken ct)
    {
        var sql = new StringBuilder("SELECT account_id, symbol, quantity, cost, realized_pnl, last_fill_price, updated_at FROM positions WHERE true");
        await using var command = new NpgsqlCommand { Connection = connection, Transaction = tx };
        Where(sql, command, "account_id", account);
        Where(sql, command, "symbol", symbol);
        command.CommandText = sql.Append(" ORDER BY account_id, symbol").ToString();
        var list = new List<PositionResponse>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (sym, quantity, cost, realized, lastFill) = (reader.GetString(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetDecimal(4), reader.GetDecimal(5));
            var price = prices.TryGetLatest(sym, out var market) ? market : lastFill;
            var value = quantity * price;
            var average = quantity != 0 ? decimal.Round(cost / quantity, 8) : 0m;
            list.Add(new PositionResponse(reader.GetString(0), sym, quantity, average, price, value, value - cost, realized, reader.GetFieldValue<DateTimeOffset>(6)));
        }
        return list;
    }

    /// <summary>A list route: the caller's rows of <paramref name="sql"/> (under row level security) once the read models have reached minVersion.</summary>
    internal static async Task<IResult> RowsAsync<T>(HttpContext http, ClaimsPrincipal principal, TenantReads reads, long? minVersion,
        string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params object?[] values)
    {
        if (TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (await Consistent(reads, tenant, minVersion, http, ct) is { } notYet) return notYet;
        return TypedResults.Ok((await reads.QueryAsync(tenant, sql, map, ct, values)).ToArray());
    }

    /// <summary>A route for one row: the caller's row of <paramref name="sql"/>, else <paramref name="notFound"/>.</summary>
    internal static async Task<IResult> RowAsync<T>(HttpContext http, ClaimsPrincipal principal, TenantReads reads, long? minVersion, IResult notFound,
        string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct, params object?[] values) where T : class
    {
        if (TenantOf(principal) is not { } tenant) return TypedResults.Unauthorized();
        if (await Consistent(reads, tenant, minVersion, http, ct) is { } notYet) return notYet;
        return (await reads.QueryAsync(tenant, sql, map, ct, values)).SingleOrDefault() is { } row ? TypedResults.Ok(row) : notFound;
    }

    internal static async Task<IResult?> Consistent(TenantReads reads, string tenant, long? minVersion, HttpContext http, CancellationToken ct)
    {
        if (minVersion is not { } version || version <= 0) return null;
        if (await reads.WaitForAsync(tenant, version, ConsistencyWait, ct)) return null;
        http.Response.Headers.RetryAfter = "1";
        return Problems.Status(StatusCodes.Status503ServiceUnavailable, "read-model-behind", "Not caught up yet",
            $"The read models have not reached version {version} yet; retry shortly.");
    }

    internal static string? TenantOf(ClaimsPrincipal principal) => principal.FindFirstValue(AccessTokens.TenantClaim);

    private static int CheckLimit(int? limit, Dictionary<string, string[]> errors)
    {
        if (limit is < 1 or > MaxPage) errors["limit"] = [$"The limit is between 1 and {MaxPage}."];
        return limit ?? DefaultPage;
    }

    private static void CheckRange(DateTimeOffset? from, DateTimeOffset? to, Dictionary<string, string[]> errors)
    {
        if (from is { } f && to is { } t && f >= t) errors["to"] = ["'to' must be after 'from'."];
    }

    /// <summary>Appends "AND column = $n" (or the given comparison) when the value is present.</summary>
    private static void Where(StringBuilder sql, NpgsqlCommand command, string column, object? value)
    {
        if (value is null) return;
        var comparison = column.Contains(' ') ? column : column + " =";
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        sql.Append(CultureInfo.InvariantCulture, $" AND {comparison} ${command.Parameters.Count}");
    }

    internal static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    internal static decimal? Number(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDecimal(i);
    private static long? Long(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    /// <summary>Opaque page cursors: base64url of "position|id" (position = ticks or execution id).</summary>
    internal static class Cursor
    {
        public sealed record Position(long Ticks, string Id);

        public static string Format(long position, string id) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{position.ToString(CultureInfo.InvariantCulture)}|{id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static Position? Parse(string? cursor, Dictionary<string, string[]> errors)
        {
            if (cursor is null) return null;
            try
            {
                var padded = cursor.Replace('-', '+').Replace('_', '/');
                padded += new string('=', (4 - padded.Length % 4) % 4);
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
                var bar = text.IndexOf('|');
                if (bar > 0 && long.TryParse(text[..bar], NumberStyles.None, CultureInfo.InvariantCulture, out var position))
                    return new Position(position, text[(bar + 1)..]);
            }
            catch (FormatException)
            {
            }
            errors["cursor"] = ["Not a cursor this API returned."];
            return null;
        }
    }
}
