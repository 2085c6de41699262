using System.Text;
using TradingActors.Backtesting;
using TradingActors.Engine.Backtests;

namespace TradingActors.Engine.Tests.Backtests;

/// <summary>A node's datasets (decision 029): files by safe name, parsed once and kept, re-read when replaced; inline bars by hash.</summary>
public sealed class BacktestDatasetsTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("ta-datasets-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static string Csv(int bars, double start = 100)
    {
        var text = new StringBuilder(CandleCsv.Header + "\n");
        for (var i = 0; i < bars; i++) text.Append($"2024-01-01T00:{i:00}:00Z,{start + i},{start + i + 1},{start + i - 1},{start + i},1\n");
        return text.ToString();
    }

    [Theory]
    [InlineData("BTCUSDT-1m.csv", true)]
    [InlineData("a.b_c-d.csv", true)]
    [InlineData("../BTCUSDT-1m.csv", false)]
    [InlineData("/etc/passwd.csv", false)]
    [InlineData("BTCUSDT-1m.txt", false)]
    [InlineData(".hidden.csv", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_dataset_name_is_a_plain_csv_file_name(string? name, bool valid) => Assert.Equal(valid, BacktestDatasets.IsValidName(name));

    [Theory]
    [InlineData("BTCUSDT-1m.csv", "BTCUSDT")]
    [InlineData("BTCUSDT-PERP-1h.csv", "BTCUSDT")]
    [InlineData("eurusd.csv", "EURUSD")]
    public void The_symbol_is_the_name_up_to_the_first_dash(string name, string symbol) => Assert.Equal(symbol, BacktestDatasets.SymbolOf(name));

    [Fact]
    public void Files_are_listed_read_once_and_read_again_when_replaced()
    {
        File.WriteAllText(Path.Combine(_data, "AAA-1m.csv"), Csv(10));
        File.WriteAllText(Path.Combine(_data, "notes.txt"), "not a dataset");
        var datasets = new BacktestDatasets(_data, 4);
        Assert.Equal(["AAA-1m.csv"], datasets.List().Select(d => d.Name));
        var first = datasets.Bars(BacktestDataset.OfFile("AAA-1m.csv"));
        Assert.Same(first, datasets.Bars(BacktestDataset.OfFile("AAA-1m.csv")));
        File.WriteAllText(Path.Combine(_data, "AAA-1m.csv"), Csv(12));
        File.SetLastWriteTimeUtc(Path.Combine(_data, "AAA-1m.csv"), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(12, datasets.Bars(BacktestDataset.OfFile("AAA-1m.csv")).Length);
        Assert.Throws<FileNotFoundException>(() => datasets.Bars(BacktestDataset.OfFile("BBB-1m.csv")));
        Assert.Empty(new BacktestDatasets(Path.Combine(_data, "absent"), 4).List());
    }

    [Fact]
    public void Inline_bars_are_kept_by_their_hash_and_refused_when_they_do_not_match_it()
    {
        var datasets = new BacktestDatasets(_data, 2);
        var csv = Encoding.UTF8.GetBytes(Csv(5));
        var hash = BacktestDatasets.HashOf(csv);
        Assert.False(datasets.HasInline(hash));
        Assert.Throws<InvalidOperationException>(() => datasets.AddInline(hash, Encoding.UTF8.GetBytes(Csv(6))));
        datasets.AddInline(hash, csv);
        Assert.Equal(5, datasets.Bars(BacktestDataset.OfInline(hash)).Length);

        // Two kept at most: the least recently used goes, never the one just added.
        var other = Encoding.UTF8.GetBytes(Csv(7, 200));
        var third = Encoding.UTF8.GetBytes(Csv(8, 300));
        var fourth = Encoding.UTF8.GetBytes(Csv(9, 400));
        datasets.AddInline(BacktestDatasets.HashOf(other), other);
        datasets.Bars(BacktestDataset.OfInline(hash));
        datasets.AddInline(BacktestDatasets.HashOf(third), third);
        Assert.True(datasets.HasInline(hash));
        Assert.False(datasets.HasInline(BacktestDatasets.HashOf(other)));
        Assert.True(datasets.HasInline(BacktestDatasets.HashOf(third)));
        datasets.AddInline(BacktestDatasets.HashOf(fourth), fourth);
        Assert.False(datasets.HasInline(hash));
        Assert.True(datasets.HasInline(BacktestDatasets.HashOf(third)));
        Assert.True(datasets.HasInline(BacktestDatasets.HashOf(fourth)));
        // A file read while the cache is full stays, and pushes out the least recently used.
        File.WriteAllText(Path.Combine(_data, "AAA-1m.csv"), Csv(10));
        Assert.Equal(10, datasets.Bars(BacktestDataset.OfFile("AAA-1m.csv")).Length);
        Assert.False(datasets.HasInline(BacktestDatasets.HashOf(third)));
        Assert.True(datasets.HasInline(BacktestDatasets.HashOf(fourth)));
    }
}
