using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using TradingActors.Engine.Backtests;
using TradingActors.Engine.Serialization;

namespace TradingActors.IntegrationTests;

/// <summary>The backtest workers' and coordinators' messages on the wire (decision 029): short manifests, exact numbers.</summary>
public sealed class BacktestSerializationTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("backtest-serialization", ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.trading = "{{typeof(TradingSerializer).AssemblyQualifiedName}}"
          serialization-bindings {
            {{string.Join("\n", TradingSerializer.BoundTypes.Select(t => $"\"{t.AssemblyQualifiedName}\" = trading"))}}
          }
        }
        """));

    public void Dispose() => _system.Dispose();

    private static readonly BacktestFigures Figures = new(10_000, 10_123.456789012345, 1.2345678901234567, null, 3.0000000000000004,
        TimeSpan.FromTicks(123_456_789_012), false, 0.1 + 0.2, double.NaN, 1440, 37.5, 12, 6, 4, 2, 66.66666666666667, 321.5, 120.25, 2.673596673596674,
        24.5, -0.125);

    public static TheoryData<object> Samples()
    {
        var run = new BacktestRun("job-1", "tenant-a", 7, "rsi", """{"period":14,"oversold":30,"overbought":70}""", BacktestDataset.OfFile("BTCUSDT-1m.csv"),
            "BTCUSDT", new BacktestVenueSettings(FundingRate: 0.0001), Record: false);
        return new TheoryData<object>
        {
            new BacktestWorkAvailable("job-1"),
            new RequestBacktestRuns("job-1", 4),
            new BacktestRunsGranted("job-1", [run, run with { Point = 8, Dataset = BacktestDataset.OfInline(new string('a', 64)) }]),
            new BacktestRunsGranted("job-1", []),
            new FetchBacktestBars("job-1", new string('a', 64)),
            new BacktestBarsChunk("job-1", new string('a', 64), 0, 2, [1, 2, 3, 250]),
            new BacktestRunCompleted("job-1", 7, Figures, "akka.tcp://trading@127.0.0.1:4053", BacktestDispatcher.Id, "trading.backtest-dispatcher_1"),
            new BacktestRunFailed("job-1", 7, "dataset 'x.csv' is not in this node's data directory", "akka.tcp://trading@127.0.0.1:4053"),
            new CancelBacktestRuns("job-1"),
        };
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Backtest_messages_round_trip_with_short_manifests(object message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<TradingSerializer>(serializer);
        var manifest = Serialization.ManifestFor(serializer, message);
        Assert.StartsWith("bt.", manifest);
        Assert.EndsWith(".v1", manifest);
        Assert.True(manifest.Length <= 24, manifest);
        var copy = _system.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message, message.GetType()), System.Text.Json.JsonSerializer.Serialize(copy, copy.GetType(),
            new System.Text.Json.JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    }

    [Fact]
    public void A_runs_figures_cross_the_wire_bit_for_bit_so_the_cluster_ranks_what_the_worker_computed()
    {
        var message = new BacktestRunCompleted("job-1", 7, Figures, "n", BacktestDispatcher.Id, "t");
        var serializer = _system.Serialization.FindSerializerFor(message);
        var copy = (BacktestRunCompleted)_system.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, Serialization.ManifestFor(serializer, message));
        Assert.Equal(Figures.FinalEquity, copy.Figures.FinalEquity);
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.1 + 0.2), BitConverter.DoubleToInt64Bits(copy.Figures.Sharpe!.Value));
        Assert.True(double.IsNaN(copy.Figures.Sortino!.Value));
        Assert.Null(copy.Figures.CagrPct);
        Assert.Equal(Figures.MaxDrawdownDuration, copy.Figures.MaxDrawdownDuration);
        Assert.Equal(Figures, copy.Figures with { Sortino = Figures.Sortino });
    }
}
