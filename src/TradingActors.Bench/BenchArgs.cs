using System.Globalization;

namespace TradingActors.Bench;

/// <summary>
/// Command line of <c>TradingActors.Bench fanout|failover|budget --tenants N [--cold] [--nodes K] [--buckets B] [--parallelism P] [--timeout S]</c>.
/// fanout: one signal to N tenants (warm or cold); failover: a node holding part of N tenants is lost;
/// budget: one signal to N Bybit tenants on K nodes sharing the venue's per-IP request budget.
/// </summary>
public sealed record BenchArgs(string Mode, int Tenants, bool Cold, int? Buckets, int Parallelism, TimeSpan FillTimeout, Serilog.Events.LogEventLevel LogLevel, int Nodes = 1)
{
    public const string Usage =
        "usage: TradingActors.Bench fanout|failover|budget --tenants N [--cold] [--nodes K (budget)] [--buckets B] [--parallelism P] [--timeout SECONDS] [--log-level Warning|Information|Debug]";

    public static BenchArgs Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("fanout" or "failover" or BudgetBench.Mode))
            throw new ArgumentException("the benchmark is 'fanout', 'failover' or 'budget'");
        int? tenants = null;
        int? buckets = null;
        var cold = false;
        int? nodes = null;
        var parallelism = 200;
        var timeout = TimeSpan.FromSeconds(120);
        var logLevel = Serilog.Events.LogEventLevel.Warning;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Length) throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            switch (arg)
            {
                case "--tenants": tenants = PositiveInt(arg, Value()); break;
                case "--buckets": buckets = PositiveInt(arg, Value()); break;
                case "--parallelism": parallelism = PositiveInt(arg, Value()); break;
                case "--timeout": timeout = TimeSpan.FromSeconds(PositiveInt(arg, Value())); break;
                case "--cold": cold = true; break;
                case "--nodes": nodes = PositiveInt(arg, Value()); break;
                case "--log-level":
                    var level = Value();
                    if (!Enum.TryParse(level, ignoreCase: true, out logLevel)) throw new ArgumentException($"unknown log level '{level}'");
                    break;
                default: throw new ArgumentException($"unknown argument '{arg}'");
            }
        }
        if (tenants is null) throw new ArgumentException("--tenants is required");
        if (cold && args[0] != "fanout") throw new ArgumentException("--cold applies to fanout only");
        if (nodes is not null && args[0] != BudgetBench.Mode) throw new ArgumentException("--nodes applies to budget only");
        return new BenchArgs(args[0], tenants.Value, cold, buckets, parallelism, timeout, logLevel, nodes ?? 2);
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'");
}
