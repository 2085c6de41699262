using System.Globalization;

namespace TradingActors.Bench;

/// <summary>
/// Command line of <c>TradingActors.Bench api --url URL [--rps N] [--duration S] [--users U] ...</c>: an open-loop,
/// fixed-rate load on a running node's API (scripts/bench.sh api starts the node and passes --url).
/// </summary>
public sealed record ApiArgs(
    Uri Url,
    int OrdersRps,
    int PortfolioRps,
    int PostRps,
    int LoginRps,
    TimeSpan Duration,
    TimeSpan Warmup,
    TimeSpan LoginDuration,
    int Users,
    int HeavyOrders,
    int SeedParallelism,
    int Connections,
    int? NodePid,
    int? PostgresPid,
    int Runs)
{
    public const string Usage =
        "usage: TradingActors.Bench api --url URL [--rps N (GET /api/v1/orders, default 1000)] [--portfolio-rps N (default rps/10)] " +
        "[--post-rps N (default rps/50)] [--login-rps N (default 2)] [--duration S (default 30)] [--warmup S (default 10)] " +
        "[--login-duration S (default 20)] [--users U (default 50)] [--orders N (the heavy user's orders, default 10000)] " +
        "[--seed-parallelism P (default 16)] [--connections C (default 256)] [--runs R (measured runs on the seeded node, default 1)] [--node-pid PID] [--postgres-pid PID]";

    public static ApiArgs Parse(string[] args)
    {
        Uri? url = null;
        var rps = 1000;
        int? portfolioRps = null, postRps = null, nodePid = null, postgresPid = null;
        var loginRps = 2;
        var duration = 30;
        var warmup = 10;
        var loginDuration = 20;
        var users = 50;
        var orders = 10_000;
        var seedParallelism = 16;
        var connections = 256;
        var runs = 1;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            switch (arg)
            {
                case "--url":
                    url = Uri.TryCreate(Value(), UriKind.Absolute, out var u) ? u : throw new ArgumentException("--url must be an absolute URL");
                    break;
                case "--rps": rps = Positive(arg, Value()); break;
                case "--portfolio-rps": portfolioRps = NonNegative(arg, Value()); break;
                case "--post-rps": postRps = NonNegative(arg, Value()); break;
                case "--login-rps": loginRps = NonNegative(arg, Value()); break;
                case "--duration": duration = Positive(arg, Value()); break;
                case "--warmup": warmup = NonNegative(arg, Value()); break;
                case "--login-duration": loginDuration = Positive(arg, Value()); break;
                case "--users": users = Positive(arg, Value()); break;
                case "--orders": orders = Positive(arg, Value()); break;
                case "--seed-parallelism": seedParallelism = Positive(arg, Value()); break;
                case "--connections": connections = Positive(arg, Value()); break;
                case "--runs": runs = Positive(arg, Value()); break;
                case "--node-pid": nodePid = Positive(arg, Value()); break;
                case "--postgres-pid": postgresPid = Positive(arg, Value()); break;
                default: throw new ArgumentException($"unknown argument '{arg}'");
            }
        }
        if (url is null) throw new ArgumentException("--url is required (scripts/bench.sh api passes it)");
        return new ApiArgs(url, rps, portfolioRps ?? Math.Max(1, rps / 10), postRps ?? Math.Max(1, rps / 50), loginRps,
            TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(warmup), TimeSpan.FromSeconds(loginDuration),
            users, orders, seedParallelism, connections, nodePid, postgresPid, runs);
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n
            : throw new ArgumentException($"{name} must be a non-negative integer, not '{value}'");
}
