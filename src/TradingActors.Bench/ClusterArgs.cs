using System.Globalization;

namespace TradingActors.Bench;

/// <summary>
/// Command line of <c>TradingActors.Bench cluster --nodes N --tenants T --urls URL,URL... [...]</c>: one signal to T
/// tenants on N running node processes (scripts/bench.sh cluster starts them and passes their URLs and pids).
/// </summary>
public sealed record ClusterArgs(
    int Nodes,
    int Tenants,
    IReadOnlyList<Uri> Urls,
    IReadOnlyList<int> NodePids,
    int? PostgresPid,
    int SeedParallelism,
    TimeSpan FillTimeout)
{
    public const string Usage =
        "usage: TradingActors.Bench cluster --nodes N --tenants T --urls URL[,URL...] [--node-pids PID[,PID...]] [--postgres-pid PID] " +
        "[--seed-parallelism P (default 64)] [--timeout S (wait for the fills, default 300)]";

    public static ClusterArgs Parse(string[] args)
    {
        int? nodes = null, tenants = null, postgresPid = null;
        var urls = new List<Uri>();
        var pids = new List<int>();
        var seedParallelism = 64;
        var timeout = 300;
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
                case "--nodes": nodes = Positive(arg, Value()); break;
                case "--tenants": tenants = Positive(arg, Value()); break;
                case "--urls":
                    foreach (var text in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        urls.Add(Uri.TryCreate(text, UriKind.Absolute, out var u) ? u : throw new ArgumentException($"--urls: '{text}' is not an absolute URL"));
                    break;
                case "--node-pids":
                    foreach (var text in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)) pids.Add(Positive(arg, text));
                    break;
                case "--postgres-pid": postgresPid = Positive(arg, Value()); break;
                case "--seed-parallelism": seedParallelism = Positive(arg, Value()); break;
                case "--timeout": timeout = Positive(arg, Value()); break;
                default: throw new ArgumentException($"unknown argument '{arg}'");
            }
        }
        if (nodes is null) throw new ArgumentException("--nodes is required");
        if (tenants is null) throw new ArgumentException("--tenants is required");
        if (urls.Count != nodes) throw new ArgumentException($"--urls must name the {nodes} node(s), one URL each");
        if (pids.Count != 0 && pids.Count != nodes) throw new ArgumentException($"--node-pids must name the {nodes} node(s), one pid each");
        if (seedParallelism > 1_000) throw new ArgumentException("--seed-parallelism must be at most 1000");
        return new ClusterArgs(nodes.Value, tenants.Value, urls, pids, postgresPid, seedParallelism, TimeSpan.FromSeconds(timeout));
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'");
}
