namespace TradingActors.Backtesting.Tests;

public class DatasetTests
{
    public static TheoryData<string> Files => new() { "ETHUSDT-1h.csv", "BTCUSDT-PERP-1h.csv", "SOLUSDT-15m.csv" };

    [Theory]
    [MemberData(nameof(Files))]
    public void Committed_dataset_is_exactly_what_the_generator_writes(string file)
    {
        var spec = SyntheticBars.Datasets.Single(d => d.File == file);
        var expected = SyntheticBars.Csv(spec);
        var path = Repo.Path("data", "bars", file);
        if (Environment.GetEnvironmentVariable("BACKTEST_WRITE_DATASETS") == "1") File.WriteAllText(path, expected);

        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Dataset_reads_as_valid_bars_with_the_documented_shape(string file)
    {
        var spec = SyntheticBars.Datasets.Single(d => d.File == file);
        var bars = Repo.Dataset(file);

        Assert.Equal(spec.Segments.Sum(s => s.Bars), bars.Length);
        Assert.Equal(spec.Start, bars[0].Time);
        Assert.Equal(spec.Start + spec.Interval * (bars.Length - 1), bars[^1].Time);
        Assert.Equal(spec.StartPrice, bars[0].Open);
        for (var i = 1; i < bars.Length; i++) Assert.Equal(bars[i - 1].Close, bars[i].Open);
    }

    [Fact]
    public void Eth_dataset_has_a_crash_of_over_a_fifth_within_three_days()
    {
        var bars = Repo.Dataset("ETHUSDT-1h.csv");
        var worst = 0.0;
        for (var i = 0; i + 72 < bars.Length; i++) worst = Math.Min(worst, bars[i + 72].Close / bars[i].Close - 1);

        Assert.True(worst < -0.2, $"worst 72-hour move {worst:P1}");
    }

    [Fact]
    public void Sol_dataset_ranges_within_a_band_around_its_start()
    {
        var bars = Repo.Dataset("SOLUSDT-15m.csv");

        Assert.InRange(bars.Min(b => b.Low), 115, 140);
        Assert.InRange(bars.Max(b => b.High), 140, 165);
    }
}
