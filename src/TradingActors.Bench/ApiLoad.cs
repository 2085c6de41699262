using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace TradingActors.Bench;

/// <summary>
/// <c>TradingActors.Bench api</c>: seeds users through a running node's API (register, the verification
/// token from /mailbox, verify, login), gives one of them <see cref="ApiArgs.HeavyOrders"/> orders through
/// POST /api/v1/orders, waits for the read models, then offers an open-loop load at fixed rates:
/// requests are sent at their scheduled instants whatever the responses do, and each latency runs from the
/// scheduled instant (no coordinated omission). Login is measured afterwards, alone. The last stdout lines
/// are one per route: <c>api route=METHOD:PATH rps=R p50_ms=A p99_ms=B errors=E</c>.
/// </summary>
public static class ApiLoad
{
    private const string Password = "bench-password-correct-horse";
    private const string Symbol = "BTCUSDT";
    private const string Account = "paper-1";
    private const decimal OrderQuantity = 0.000002m; // ~0.12 USDT at 60 000: 10 000 buys fit the 10 000 USDT paper account
    private const int SourceAddresses = 64;          // login/register per-IP limit: the seeding clients come from 127.0.1.1..64

    public static async Task<int> RunAsync(string[] args, TextWriter stdout)
    {
        ApiArgs a;
        try
        {
            a = ApiArgs.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"bench: {e.Message}");
            Console.Error.WriteLine(ApiArgs.Usage);
            return 2;
        }
        var started = Stopwatch.GetTimestamp();
        void Log(string message) =>
            Console.Error.WriteLine($"bench api [{Measure.F1(Measure.Ms(started, Stopwatch.GetTimestamp()) / 1000.0)} s] {message}");

        try
        {
            var lines = await RunAsync(a, Log);
            foreach (var line in lines.Select(l => l.Line)) stdout.WriteLine(line);
            stdout.Flush();
            return lines.All(l => l.Errors == 0) ? 0 : 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"bench: FAILED: {e}");
            return 1;
        }
    }

    private sealed record Session(string Email, string Token, string TenantId);

    private static async Task<List<RouteResult>> RunAsync(ApiArgs a, Action<string> log)
    {
        log($"url={a.Url} orders_rps={a.OrdersRps} portfolio_rps={a.PortfolioRps} post_rps={a.PostRps} login_rps={a.LoginRps} " +
            $"warmup={a.Warmup.TotalSeconds:0}s duration={a.Duration.TotalSeconds:0}s users={a.Users} heavy_orders={a.HeavyOrders} " +
            $"connections={a.Connections} cores={Environment.ProcessorCount} loadavg={LoadAverage()}");

        // ---- the clients: one pool for the measured load, one per source address for register/login (per-IP limit)
        using var load = new HttpClient(Handler(a.Connections, null)) { BaseAddress = a.Url, Timeout = TimeSpan.FromSeconds(10) };
        var perAddress = Enumerable.Range(1, SourceAddresses)
            .Select(i => new HttpClient(Handler(4, IPAddress.Parse($"127.0.1.{i}"))) { BaseAddress = a.Url, Timeout = TimeSpan.FromSeconds(60) })
            .ToArray();
        try
        {
            // ---- users: register, verify by mail, log in (bcrypt: CPU-bound on the node, a few at a time)
            var phase = Stopwatch.StartNew();
            var stamp = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
            var emails = Enumerable.Range(0, a.Users + 1)
                .Select(i => i == 0 ? $"heavy-{stamp}@bench.local" : $"user{i:D4}-{stamp}@bench.local").ToArray();
            await Parallel.ForEachAsync(Enumerable.Range(0, emails.Length), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
            {
                using var response = await perAddress[i % SourceAddresses].PostAsJsonAsync("/api/v1/auth/register",
                    new { email = emails[i], password = Password, acceptTerms = true, acceptRiskDisclosure = true }, ct);
                if (response.StatusCode != HttpStatusCode.Accepted)
                    throw new InvalidOperationException($"register {emails[i]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            });
            log($"{emails.Length} users registered ({phase.ElapsedMilliseconds} ms)");

            phase.Restart();
            var tokens = await VerificationTokensAsync(load, emails, TimeSpan.FromSeconds(120));
            await Parallel.ForEachAsync(emails, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (email, ct) =>
            {
                using var response = await load.PostAsJsonAsync("/api/v1/auth/verify-email", new { token = tokens[email] }, ct);
                if (response.StatusCode != HttpStatusCode.OK)
                    throw new InvalidOperationException($"verify {email}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            });
            log($"{emails.Length} users verified with the tokens mailed to the sink (/mailbox) ({phase.ElapsedMilliseconds} ms)");

            phase.Restart();
            var sessions = new Session[emails.Length];
            await Parallel.ForEachAsync(Enumerable.Range(0, emails.Length), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
            {
                using var response = await perAddress[(i + 1) % SourceAddresses].PostAsJsonAsync("/api/v1/auth/login", new { email = emails[i], password = Password }, ct);
                var body = await response.Content.ReadAsStringAsync(ct);
                if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"login {emails[i]}: {(int)response.StatusCode} {body}");
                var token = JsonDocument.Parse(body).RootElement.GetProperty("accessToken").GetString()!;
                sessions[i] = new Session(emails[i], token, TenantOf(token));
            });
            log($"{emails.Length} users logged in ({phase.ElapsedMilliseconds} ms)");
            var heavy = sessions[0];
            var users = sessions[1..];

            // ---- the heavy user's orders, and a few for everyone else, through POST /api/v1/orders
            phase.Restart();
            var cpu = Cpu.Start(a);
            var placed = await SeedOrdersAsync(load, heavy, a.HeavyOrders, a.SeedParallelism, log);
            log($"heavy user {heavy.Email} (tenant {heavy.TenantId}): {placed.Filled} orders filled, {placed.Other} other outcomes " +
                $"({phase.ElapsedMilliseconds} ms, {a.HeavyOrders * 1000.0 / Math.Max(1, phase.ElapsedMilliseconds):0} orders/s; {cpu.Describe()})");
            if (placed.Filled + placed.Other != a.HeavyOrders) throw new InvalidOperationException("not every seeded order was placed");
            phase.Restart();
            await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = a.SeedParallelism }, async (u, ct) =>
            {
                for (var k = 0; k < 5; k++)
                {
                    using var response = await load.SendAsync(PostOrder(u, null), ct);
                    if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"order for {u.Email}: {(int)response.StatusCode}");
                }
            });
            log($"5 orders for each of the {users.Length} other users ({phase.ElapsedMilliseconds} ms)");

            phase.Restart();
            await WaitForReadModelsAsync(load, TimeSpan.FromSeconds(600), log);
            log($"read models caught up: /readyz readModels.eventsBehind == 0 ({phase.ElapsedMilliseconds} ms)");

            // ---- the heavy user's pages: every cursor, and a check that the read models hold all the orders
            phase.Restart();
            var pages = await PageCursorsAsync(load, heavy);
            log($"heavy user's orders read back: {pages.Count} pages of up to 50, {pages.Total} orders ({phase.ElapsedMilliseconds} ms)");
            if (pages.Total < a.HeavyOrders) throw new InvalidOperationException($"the read models hold {pages.Total} of the heavy user's {a.HeavyOrders} orders");
            await ExplainAsync(heavy.TenantId, log);

            // ---- the measured load: all routes at once, open loop
            var cursors = pages.Cursors;
            var routes = new List<Route>
            {
                new("GET:/api/v1/orders", a.OrdersRps, HttpStatusCode.OK, (i, _) =>
                {
                    // A page of 50 from the 10 000: the first page or a deeper one (cursor), spread evenly over all pages.
                    var cursor = cursors[(int)((i * 7919L) % cursors.Count)];
                    return Get(cursor is null ? "/api/v1/orders?limit=50" : $"/api/v1/orders?limit=50&cursor={cursor}", heavy);
                }),
                new("GET:/api/v1/portfolio", a.PortfolioRps, HttpStatusCode.OK, (i, _) => Get("/api/v1/portfolio", users[i % users.Length])),
                new("POST:/api/v1/orders", a.PostRps, HttpStatusCode.Created, (i, run) => PostOrder(users[i % users.Length], $"bench-{run}-{i}")),
            };
            routes.RemoveAll(r => r.Rate == 0);
            foreach (var r in routes)
                log($"route {r.Name}: {r.Rate} req/s" + (r.Name == "POST:/api/v1/orders" || r.Name == "GET:/api/v1/portfolio" ? $" over {users.Length} users ({(double)r.Rate / users.Length:0.##} req/s each)" : " for the heavy user"));
            // What the node and PostgreSQL burn with no request at all (feed, projection polling, cluster): per-request figures subtract it.
            var idle = Cpu.Start(a);
            await Task.Delay(TimeSpan.FromSeconds(5));
            log($"idle, no load, 5 s: {idle.Describe()}");

            var results = new List<RouteResult>();
            for (var run = 1; run <= a.Runs; run++)
            {
                if (a.Runs > 1) log($"---- run {run} of {a.Runs}");
                var lines = await OpenLoop.RunAsync(load, routes, a.Warmup, a.Duration, a, log);

                // ---- login, alone: bcrypt is meant to be slow, so it is not mixed into the figures above
                if (a.LoginRps > 0)
                {
                    var logins = new Route("POST:/api/v1/auth/login", a.LoginRps, HttpStatusCode.OK,
                        (i, _) => new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
                        {
                            Content = JsonContent.Create(new { email = emails[i % emails.Length], password = Password }),
                        },
                        i => perAddress[i % SourceAddresses]);
                    lines.AddRange(await OpenLoop.RunAsync(load, [logins], TimeSpan.FromSeconds(Math.Min(5, a.Warmup.TotalSeconds)), a.LoginDuration, a, log));
                }
                // Each run's lines as they come (stderr); stdout gets every run's block, the last run's last.
                foreach (var l in lines) log($"run {run}: {l.Line}");
                results.AddRange(lines);
            }
            log($"loadavg at the end: {LoadAverage()}");
            return results;
        }
        finally
        {
            foreach (var c in perAddress) c.Dispose();
        }
    }

    internal static SocketsHttpHandler Handler(int connections, IPAddress? source) => new()
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (source is not null) socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    private static HttpRequestMessage Get(string path, Session s)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        return request;
    }

    private static HttpRequestMessage PostOrder(Session s, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders")
        {
            Content = JsonContent.Create(new { brokerAccountId = Account, symbol = Symbol, side = "buy", quantity = OrderQuantity }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", s.Token);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private static string TenantOf(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload += new string('=', (4 - payload.Length % 4) % 4);
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.GetProperty("tenant").GetString()!;
    }

    /// <summary>The verification token of every address, read from the node's /mailbox page (the local SMTP sink).</summary>
    private static async Task<Dictionary<string, string>> VerificationTokensAsync(HttpClient client, string[] emails, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var link = new Regex(@"verify-email\?token=([A-Za-z0-9_\-.~%]+)");
        var wanted = emails.ToHashSet(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            var found = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var page = await client.GetStringAsync("/mailbox");
            foreach (var block in page.Split("<hr>").Skip(1))
            {
                var text = WebUtility.HtmlDecode(block);
                var to = Regex.Match(text, @"to ([^\s<]+@[^\s<]+) at ");
                var token = link.Match(text);
                if (to.Success && token.Success && wanted.Contains(to.Groups[1].Value))
                    found[to.Groups[1].Value] = Uri.UnescapeDataString(token.Groups[1].Value);
            }
            if (found.Count == wanted.Count) return found;
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"only {found.Count} of {wanted.Count} verification mails reached /mailbox within {timeout.TotalSeconds:0} s");
            await Task.Delay(500);
        }
    }

    private static async Task<(int Filled, int Other)> SeedOrdersAsync(HttpClient client, Session s, int count, int parallelism, Action<string> log)
    {
        var filled = 0;
        var other = 0;
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, ct) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                // A key per order: a retry after a timeout is the same order, never a second one.
                using var response = await client.SendAsync(PostOrder(s, $"seed-{i}"), ct);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                    if (body.RootElement.GetProperty("status").GetString() == "filled") Interlocked.Increment(ref filled);
                    else Interlocked.Increment(ref other);
                    break;
                }
                if ((int)response.StatusCode >= 500 && attempt < 5) continue;
                throw new InvalidOperationException($"seed order {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
            if (Interlocked.Increment(ref done) % 2000 == 0) log($"  {done} of {count} orders placed");
        });
        return (filled, other);
    }

    private static async Task WaitForReadModelsAsync(HttpClient client, TimeSpan timeout, Action<string> log)
    {
        var deadline = Stopwatch.StartNew();
        var last = Stopwatch.StartNew();
        while (true)
        {
            using var doc = JsonDocument.Parse(await client.GetStringAsync("/readyz"));
            var behind = doc.RootElement.TryGetProperty("readModels", out var rm) && rm.ValueKind == JsonValueKind.Object
                ? rm.GetProperty("eventsBehind").GetInt64()
                : -1;
            if (behind == 0) return;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"the read models are still {behind} events behind after {timeout.TotalSeconds:0} s");
            if (last.Elapsed > TimeSpan.FromSeconds(5))
            {
                log($"  read models {behind} events behind");
                last.Restart();
            }
            await Task.Delay(250);
        }
    }

    private static async Task<(List<string?> Cursors, int Count, int Total)> PageCursorsAsync(HttpClient client, Session s)
    {
        var cursors = new List<string?> { null };
        var total = 0;
        while (true)
        {
            var cursor = cursors[^1];
            using var response = await client.SendAsync(Get(cursor is null ? "/api/v1/orders?limit=50" : $"/api/v1/orders?limit=50&cursor={cursor}", s));
            response.EnsureSuccessStatusCode();
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            total += page.RootElement.GetProperty("items").GetArrayLength();
            if (!page.RootElement.TryGetProperty("nextCursor", out var next) || next.ValueKind != JsonValueKind.String) break;
            cursors.Add(next.GetString());
        }
        return (cursors, cursors.Count, total);
    }

    /// <summary>The orders page's plan and time in PostgreSQL, as the API runs it (reader role, tenant set), when TRADINGACTORS_BENCH_PG is given.</summary>
    private static async Task ExplainAsync(string tenantId, Action<string> log)
    {
        var cs = Environment.GetEnvironmentVariable("TRADINGACTORS_BENCH_PG");
        if (string.IsNullOrWhiteSpace(cs)) return;
        try
        {
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using (var scope = new NpgsqlCommand("SET LOCAL ROLE trading_reader; SELECT set_config('app.tenant_id', @t, true)", connection, tx))
            {
                scope.Parameters.AddWithValue("t", tenantId);
                await scope.ExecuteNonQueryAsync();
            }
            foreach (var (name, sql) in new[]
                     {
                         ("first page", "WHERE true ORDER BY submitted_at DESC, client_order_id DESC LIMIT 51"),
                         ("page 100", "WHERE true AND (submitted_at, client_order_id) < ((SELECT submitted_at FROM orders ORDER BY submitted_at DESC, client_order_id DESC OFFSET 4999 LIMIT 1), '~') ORDER BY submitted_at DESC, client_order_id DESC LIMIT 51"),
                     })
            {
                await using var explain = new NpgsqlCommand(
                    "EXPLAIN (ANALYZE, BUFFERS) SELECT client_order_id, account_id, source, strategy_id, symbol, side, quantity, reference_price, status, reason, " +
                    "filled_quantity, fill_price, fee, venue_order_id, submitted_at, updated_at FROM orders " + sql, connection, tx);
                var plan = new StringBuilder();
                await using (var reader = await explain.ExecuteReaderAsync())
                    while (await reader.ReadAsync())
                        plan.Append("\n    ").Append(reader.GetString(0));
                log($"orders page query, {name} (EXPLAIN ANALYZE as trading_reader):{plan}");
            }
            await tx.RollbackAsync();
        }
        catch (Exception e)
        {
            log($"warning: EXPLAIN of the orders page failed: {e.Message}");
        }
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}

/// <summary>One route of the load: its line's name, its fixed rate, the status that counts as success, and its requests.</summary>
public sealed record Route(
    string Name,
    int Rate,
    HttpStatusCode Expected,
    Func<int, int, HttpRequestMessage> Request,
    Func<int, HttpClient>? Client = null);

public sealed record RouteResult(string Line, long Errors);
