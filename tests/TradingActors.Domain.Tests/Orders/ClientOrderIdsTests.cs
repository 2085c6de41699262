using System.Text.RegularExpressions;
using TradingActors.Domain.Orders;

namespace TradingActors.Domain.Tests;

public class ClientOrderIdsTests
{
    private static readonly Regex Shape = new("^[A-Za-z0-9_-]{32}$");

    [Fact]
    public void Client_order_id_is_deterministic()
    {
        Assert.Equal(
            ClientOrderIds.Create("tenant-1", "paper", "strategy:rsi", 42, 0),
            ClientOrderIds.Create("tenant-1", "paper", "strategy:rsi", 42, 0));
    }

    [Theory]
    [InlineData("tenant-2", "paper", "strategy:rsi", 42, 0)]
    [InlineData("tenant-1", "live", "strategy:rsi", 42, 0)]
    [InlineData("tenant-1", "paper", "bot:rsi", 42, 0)]
    [InlineData("tenant-1", "paper", "strategy:rsi", 43, 0)]
    [InlineData("tenant-1", "paper", "strategy:rsi", 42, 1)]
    public void Client_order_id_differs_when_any_field_differs(string tenant, string account, string source, long sequence, int leg)
    {
        Assert.NotEqual(
            ClientOrderIds.Create("tenant-1", "paper", "strategy:rsi", 42, 0),
            ClientOrderIds.Create(tenant, account, source, sequence, leg));
    }

    [Fact]
    public void Client_order_id_does_not_collide_when_text_moves_between_fields()
    {
        Assert.NotEqual(ClientOrderIds.Create("ab", "c", "s", 1, 0), ClientOrderIds.Create("a", "bc", "s", 1, 0));
        Assert.NotEqual(ClientOrderIds.Create("t", "ab", "c", 1, 0), ClientOrderIds.Create("t", "a", "bc", 1, 0));
        Assert.NotEqual(ClientOrderIds.Create("t", "a", "s", 12, 3), ClientOrderIds.Create("t", "a", "s", 1, 23));
    }

    [Fact]
    public void Client_order_id_is_always_32_url_safe_chars_and_unique_over_random_inputs()
    {
        var random = new Random(2024);
        string RandomText() => new(Enumerable.Range(0, random.Next(0, 40))
            .Select(_ => (char)random.Next(0x20, 0x3000)) // ASCII through CJK punctuation, no surrogates
            .ToArray());

        var seen = new HashSet<string>();
        for (var i = 0; i < 5_000; i++)
        {
            var id = ClientOrderIds.Create(RandomText(), RandomText(), RandomText(), random.NextInt64(long.MinValue, long.MaxValue), random.Next());

            Assert.Equal(ClientOrderIds.Length, id.Length);
            Assert.Matches(Shape, id);
            Assert.True(ClientOrderIds.IsValid(id));
            Assert.True(seen.Add(id), $"collision on {id}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("plus+slash/")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 33 chars
    public void Client_order_id_validation_rejects_bad_ids(string id)
    {
        Assert.False(ClientOrderIds.IsValid(id));
    }
}
